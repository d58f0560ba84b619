"""The careful way to load YAML: check the events, compose nodes, convert them, and word every refusal.

YAML is composed into nodes with the C loader where available and converted
here by hand, so that every mapping remembers the line of each key, tags other
than the plain YAML types (``!!python/object`` …) are refused, anchors and
aliases (the "billion laughs" trick) are refused, and dates stay text until the
schema checks them (PyYAML would crash on ``2019-02-30``).

It is separate from :mod:`yaml_plain` (the one pass nearly every file takes)
because it is the reference: every error and refusal is made here, and the
one pass gives up to it on anything unusual. The limits on values and depth
are set here for both.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from eccpsite.core.errors import ContentError
from eccpsite.core.located import Located, LocatedList

try:  # the C loader is several times faster; both give the same nodes
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

MAX_NODES = 20_000
MAX_DEPTH = 20

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class _YamlRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


scalar_constructor = yaml.SafeLoader("")  # makes plain scalars for both loaders, one tag's constructor at a time


def _convert(node: yaml.Node, offset: int, seen: set[int], depth: int) -> Any:
    line = node.start_mark.line + 1 + offset
    if id(node) in seen:
        raise _YamlRefused(line, "anchors and aliases (&name / *name) are not allowed; write the value out")
    seen.add(id(node))
    if len(seen) > MAX_NODES:
        raise _YamlRefused(line, f"the file has more than {MAX_NODES} values; split it up")
    if depth > MAX_DEPTH:
        raise _YamlRefused(line, f"values are nested more than {MAX_DEPTH} levels deep")
    if node.tag not in _PLAIN_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise _YamlRefused(line, f"the tag {tag!r} is not allowed; use plain text, numbers, dates, lists and mappings")
    if isinstance(node, yaml.MappingNode):
        mapping = Located(line)
        for key_node, value_node in node.value:
            key = _convert(key_node, offset, seen, depth + 1)
            key_line = key_node.start_mark.line + 1 + offset
            if id(value_node) in seen:
                raise _YamlRefused(key_line, "anchors and aliases (&name / *name) are not allowed; write the value out")
            if not isinstance(key, str):
                raise _YamlRefused(key_line, f"the key {getattr(key_node, 'value', key)!r} must be a word (a field name such as 'title')")
            if key in mapping:
                raise _YamlRefused(key_line, f"the key {key!r} appears twice (first on line {mapping.lines[key]})")
            mapping[key] = _convert(value_node, offset, seen, depth + 1)
            mapping.lines[key] = key_line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LocatedList(line)
        for child in node.value:
            sequence.append(_convert(child, offset, seen, depth + 1))
            sequence.lines.append(child.start_mark.line + 1 + offset)
        return sequence
    if node.tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)  # checked (and made a date) by the schema
    if node.tag == "tag:yaml.org,2002:bool" and str(node.value).lower() not in ("true", "false"):
        return str(node.value)  # YAML 1.1 reads NO (Norway), yes, on, off as booleans; only true/false are
    # The tag's constructor itself, not construct_object, which would keep every node in a cache for ever.
    return scalar_constructor.yaml_constructors[node.tag](scalar_constructor, node)


_FLOW_MARKS = re.compile(r"""[\[\]{}\n#"']""")  # what moves the flow depth, or hides brackets from it
_SCALAR_STARTS = frozenset(" \t\n[{,:-?")  # a quote after one of these opens a quoted value; elsewhere it is text


def _check_flow_depth(text: str, offset: int) -> None:
    """Refuse ``[…]``/``{…}`` nested more than :data:`MAX_DEPTH` levels, read off the text itself.

    libyaml's scanner reads ahead to the end of a flow collection before the
    parser gives its first event, so a few hundred thousand ``[`` meet
    libyaml's own limit (worded by libyaml, as a syntax error) before
    :func:`_check_events` could count them. This scan speaks first, with the
    line where the limit is passed. Brackets inside quoted values, comments
    and plain values (``title: see [1]``) do not count.
    """
    depth, line, pos, line_start = 0, 1 + offset, 0, 0
    while (mark := _FLOW_MARKS.search(text, pos)) is not None:
        char, start = mark.group(), mark.start()
        pos = start + 1
        if char == "\n":
            line, line_start = line + 1, pos
        elif char in "[{":
            if depth == 0 and text[line_start:start].rstrip()[-1:] not in ("", "-", ":", "?"):
                continue  # inside a plain value (title: see [1]), a bracket is text
            depth += 1
            if depth > MAX_DEPTH:
                raise _YamlRefused(line, f"values are nested more than {MAX_DEPTH} levels deep")
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif start > 0 and text[start - 1] not in _SCALAR_STARTS:
            continue  # a '#' or quote inside a word (it's, C#) is text
        elif char == "#":
            pos = len(text) if (end := text.find("\n", start)) < 0 else end  # a comment runs to the line's end
        else:
            end = _closing_quote(text, start)
            line += text.count("\n", start, end)
            pos = end + 1


def _closing_quote(text: str, start: int) -> int:
    """The index of the quote that closes the one at ``start`` (``''`` and ``\\"`` escape), or the text's end."""
    quote = text[start]
    pos = start + 1
    while (end := text.find(quote, pos)) >= 0:
        if quote == "'" and text.startswith("''", end):
            pos = end + 2
        elif quote == '"' and _escaped(text, end):
            pos = end + 1
        else:
            return end
    return len(text)


def _escaped(text: str, index: int) -> bool:
    """True when an odd number of backslashes stand right before ``text[index]``."""
    run = index
    while run > 0 and text[run - 1] == "\\":
        run -= 1
    return (index - run) % 2 == 1


def _check_events(text: str, offset: int) -> None:
    """Refuse aliases, deep nesting and too many values from the event stream, before composing.

    The parser is iterative, but the C composer recurses: a few hundred
    thousand ``[`` would crash the interpreter. Stops at the first problem.
    """
    depth = count = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = (event.start_mark.line if event.start_mark else 0) + 1 + offset
        if isinstance(event, yaml.AliasEvent) or (isinstance(event, yaml.NodeEvent) and event.anchor):
            raise _YamlRefused(line, "anchors and aliases (&name / *name) are not allowed; write the value out")
        if isinstance(event, yaml.NodeEvent):
            count += 1
            if count > MAX_NODES:
                raise _YamlRefused(line, f"the file has more than {MAX_NODES} values; split it up")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _YamlRefused(line, f"values are nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


# What an editor should do about PyYAML's commonest complaints.
_YAML_HINTS = (
    ("mapping values are not allowed", "a value that contains ': ' must be put in quotes, e.g. title: \"EU-Canada: matchmaking\""),
    ("found a tab character", "indent with spaces, not tabs"),
)
# Unclosed brackets and quotes are noticed where the file ends; their opening line is the useful one.
_UNCLOSED = {"while parsing a flow sequence": "'['", "while parsing a flow mapping": "'{'", "while scanning a quoted scalar": "quote"}


def _yaml_error(path: str, exc: yaml.MarkedYAMLError, line_offset: int) -> ContentError:
    """A YAML syntax error located and worded for an editor."""
    opener = _UNCLOSED.get((exc.context or "").strip())
    mark = exc.context_mark if opener and exc.context_mark else exc.problem_mark or exc.context_mark
    line = (mark.line + 1 + line_offset) if mark else line_offset + 1
    problem = (exc.problem or exc.context or "it is not valid YAML").strip()
    if opener:
        return ContentError(path, line, "", f"this is not valid YAML: the {opener} on this line is never closed; close it or quote the value")
    hint = next((h for key, h in _YAML_HINTS if key in problem), None)
    if hint:  # eccpsite's own words for a problem it knows; libyaml's are kept only for the others
        return ContentError(path, line, "", f"this is not valid YAML: {hint}")
    return ContentError(path, line, "", f"this is not valid YAML ({problem}); check indentation, colons and quotes")


def load_careful(path: str, text: str, line_offset: int) -> Located | ContentError:
    """:func:`load_yaml` in three passes (check the events, compose, convert): every refusal and error is made here."""
    try:
        _check_flow_depth(text, line_offset)
        _check_events(text, line_offset)
        node = yaml.compose(text, Loader=_Loader)
    except _YamlRefused as exc:
        return ContentError(path, exc.line, "", exc.message)
    except yaml.reader.ReaderError as exc:
        # libyaml counts the position in bytes, PyYAML in characters
        before = text[: exc.position] if _Loader is yaml.SafeLoader else text.encode("utf-8", "surrogatepass")[: exc.position].decode("utf-8", "ignore")
        line = before.count("\n") + 1 + line_offset
        return ContentError(path, line, "", f"the character U+{exc.character:04X} is not allowed in YAML ({exc.reason}); remove it")
    except yaml.MarkedYAMLError as exc:
        return _yaml_error(path, exc, line_offset)
    except yaml.YAMLError as exc:
        return ContentError(path, line_offset + 1, "", f"this is not valid YAML ({exc})")
    if node is None:
        return Located(line_offset + 1)
    try:
        value = _convert(node, line_offset, set(), 0)
    except _YamlRefused as exc:
        return ContentError(path, exc.line, "", exc.message)
    except (ValueError, TypeError, yaml.YAMLError) as exc:
        return ContentError(path, line_offset + 1, "", f"a value could not be read ({exc})")
    if not isinstance(value, Located):
        return ContentError(path, line_offset + 1, "", "expected 'key: value' lines, found a single value or a list")
    return value
