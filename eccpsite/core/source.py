"""Turn source text into located data: front matter, body and line numbers.

YAML is composed into nodes with the C loader where available and converted
here by hand, so that every mapping remembers the line of each key, tags other
than the plain YAML types (``!!python/object`` …) are refused, anchors and
aliases (the "billion laughs" trick) are refused, and dates stay text until the
schema checks them (PyYAML would crash on ``2019-02-30``). Nothing here touches
the disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from eccpsite.core.errors import ContentError

try:  # the C loader is several times faster; both give the same nodes
    from yaml._yaml import CParser

    _Loader: type = yaml.CSafeLoader
    _Parser: type = CParser  # events only: no constructor or resolver to set up per file
except (AttributeError, ImportError):  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader
    _Parser = yaml.SafeLoader

MAX_FILE_BYTES = 1_000_000
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


class Located(dict[str, Any]):
    """A mapping from YAML that knows the line of each key (1-based) and its own line.

    ``cut`` holds, per key, the whole text of a plain value that YAML cut at
    `` #`` (the rest read as a comment): ``title: EU-Japan #matchmaking week``
    gives the value ``EU-Japan`` and ``cut["title"] == "EU-Japan #matchmaking week"``.
    """

    cut: Mapping[str, str] = MappingProxyType({})  # most mappings have none: one shared empty mapping

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LocatedList(list[Any]):
    """A sequence from YAML that knows the line of each entry."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


@dataclass(frozen=True)
class Document:
    """A source file split into located front matter and a Markdown body."""

    path: str
    meta: Located
    body: str
    body_line: int


@dataclass(frozen=True)
class Source:
    path: str  # relative to the project, with '/' (e.g. content/news/x.md)
    text: str


@dataclass(frozen=True)
class Sources:
    config: Source | None
    items: dict[str, tuple[Source, ...]]  # kind -> sources
    editions: tuple[Source, ...]
    assets: tuple[tuple[str, Path], ...]  # (site path, file) of static files and media
    errors: tuple[ContentError, ...]


class _YamlRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_scalar_constructor = yaml.SafeLoader("")


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
    return _scalar_constructor.yaml_constructors[node.tag](_scalar_constructor, node)


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


class _Unusual(Exception):
    """Raised by :func:`_load_plain` on anything it leaves to the careful path."""


_STR = "tag:yaml.org,2002:str"
_VERBATIM_TAGS = frozenset({_STR, "tag:yaml.org,2002:timestamp"})  # kept as text (dates are checked by the schema)
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_resolve: Callable[[type, str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve  # the composer's choice of tag
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers  # first character -> the patterns _resolve tries


def _plain_scalar(event: Any) -> Any:
    """The value :func:`_convert` gives the node of an untagged, unanchored :class:`yaml.ScalarEvent`."""
    if event.tag is not None or event.anchor is not None:
        raise _Unusual
    value = event.value
    if not event.implicit[0] or (value[:1] not in _IMPLICIT and None not in _IMPLICIT):
        return value  # quoted or block text, or a word no pattern can match: a string
    tag = _resolve(yaml.ScalarNode, value, event.implicit)
    if tag in _VERBATIM_TAGS:
        return value
    if tag == "tag:yaml.org,2002:bool":
        lower = value.lower()
        return value if lower not in ("true", "false") else lower == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag not in _NUMBER_TAGS:
        raise _Unusual
    try:
        return _scalar_constructor.yaml_constructors[tag](_scalar_constructor, yaml.ScalarNode(tag, value, event.start_mark, event.end_mark))
    except Exception:  # the careful path reports it
        raise _Unusual from None


_NO_KEY = object()  # a mapping's next scalar is a key


def _load_plain(text: str, offset: int) -> Located:
    """Located values in one pass over libyaml's events, for the plain YAML nearly every file holds.

    The careful path checks the event stream, composes nodes and converts
    them: three passes. This one builds the same :class:`Located` values
    straight from the events, and raises :class:`_Unusual` on anything else
    (a syntax error, an anchor, alias or tag, a key that is not a word or
    appears twice, too many values or levels, a second document, a root that
    is not a mapping), so that every error still comes from the careful path.
    """
    parser = _Parser(text)
    try:
        return _build(parser.get_event, offset)
    except _Unusual:
        raise
    except Exception:  # a syntax error: the careful path words it
        raise _Unusual from None
    finally:
        parser.dispose()


_SCALAR, _MAPPING_START, _SEQUENCE_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _build(next_event: Callable[[], Any], offset: int) -> Located:
    """The body of :func:`_load_plain`: ``next_event`` gives the parser's events in order."""
    next_event()  # the stream's start
    event: Any = next_event()
    if type(event) is yaml.StreamEndEvent:
        return Located(offset + 1)  # no document: empty front matter
    event = next_event()
    root = Located(event.start_mark.line + 1 + offset)
    if type(event) is not _MAPPING_START or event.tag is not None or event.anchor is not None:
        raise _Unusual
    stack: list[Any] = [root]  # the collections still open, innermost last
    keys: list[Any] = [_NO_KEY]  # per open collection: the key waiting for its value (mappings)
    parent: Any = root
    key: Any = _NO_KEY
    count = 1
    while True:
        event = next_event()
        kind = type(event)
        if kind in _ENDS:
            stack.pop()
            keys.pop()
            if not stack:
                break
            parent, key = stack[-1], keys[-1]
            continue
        count += 1
        if count > MAX_NODES:
            raise _Unusual
        line = event.start_mark.line + 1 + offset
        if kind is _SCALAR:
            value = _plain_scalar(event)
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            if event.tag is not None or event.anchor is not None or len(stack) >= MAX_DEPTH:
                raise _Unusual
            value = Located(line) if kind is _MAPPING_START else LocatedList(line)
        else:
            raise _Unusual  # an alias
        if type(parent) is LocatedList:
            parent.append(value)
            parent.lines.append(line)
        elif key is _NO_KEY:
            if type(value) is not str or value in parent:
                raise _Unusual  # a key that is not a word, a repeated key, a list or mapping as key
            key = keys[-1] = value
            parent.lines[value] = line
            continue
        else:
            parent[key] = value
            key = keys[-1] = _NO_KEY
        if kind is not _SCALAR:
            stack.append(value)
            keys.append(_NO_KEY)
            parent, key = value, _NO_KEY
    if type(next_event()) is not yaml.DocumentEndEvent or type(next_event()) is not yaml.StreamEndEvent:
        raise _Unusual  # a second document
    return root


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


def load_yaml(path: str, text: str, line_offset: int = 0) -> Located | ContentError:
    """Parse YAML text into a :class:`Located` mapping, or a located error."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        return ContentError(path, 1, "", f"the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes")
    try:
        loaded: Located | ContentError = _load_plain(text, line_offset)
    except _Unusual:
        loaded = _load_careful(path, text, line_offset)
    if " #" in text and isinstance(loaded, Located):
        note_cut_values(loaded, text, line_offset)
    return loaded


# ``key: plain value #rest`` on one line: a value not quoted, not a list or mapping, with " #" after it.
_CUT = re.compile(r"""^[ \t]*(?:-[ \t]+)?([^\s#'"\[{][^:#\n]*?):[ \t]+([^\s'"\[{|>&*!%@`#][^\n]*?)[ \t]+#([^\n]*)$""", re.M)


def note_cut_values(root: Located, text: str, line_offset: int) -> None:
    """Note in each mapping's ``cut`` the plain values YAML cut at `` #``, with their whole text (see :class:`Located`)."""
    found = {text.count("\n", 0, m.start()) + 1 + line_offset: m for m in _CUT.finditer(text)}
    if not found:
        return
    stack = [root]
    while stack:
        mapping = stack.pop()
        for key, value in mapping.items():
            match = found.get(mapping.line_of(key))
            if match is not None and match.group(1).strip() == key and isinstance(value, str) and value == match.group(2).strip():
                mapping.cut = {**mapping.cut, key: f"{match.group(2).strip()} #{match.group(3)}".rstrip()}
            for part in value if isinstance(value, list) else (value,):
                if isinstance(part, Located):
                    stack.append(part)


def _load_careful(path: str, text: str, line_offset: int) -> Located | ContentError:
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


_FENCE = re.compile(r"^(?:---|\.\.\.)", re.MULTILINE)  # where a line that may close the front matter starts


def split_front_matter(path: str, text: str) -> Document | ContentError:
    """Split ``---``-fenced YAML front matter from the Markdown body and parse it.

    The body is cut off whole, never split into lines: at 10,000 items most
    of the text read is bodies.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    end = text.find("\n")
    if (text if end < 0 else text[:end]).rstrip() != "---":
        return ContentError(path, 1, "", "the file must start with a line '---' that opens the front matter (title, date, ...)")
    start = end + 1  # where the front matter's first line starts
    fence = _FENCE.search(text, start) if end >= 0 else None
    while fence is not None:
        pos = fence.start()
        end = text.find("\n", pos)
        if (text[pos:] if end < 0 else text[pos:end]).rstrip() in ("---", "..."):
            meta = load_yaml(path, text[start : pos - 1] if pos > start else "", line_offset=1)
            if isinstance(meta, ContentError):
                return meta
            return Document(path, meta, "" if end < 0 else text[end + 1 :], text.count("\n", start, pos) + 3)
        fence = _FENCE.search(text, pos + 1)
    return ContentError(path, 1, "", "the front matter opened with '---' on line 1 is never closed; add a line '---' after the last field")
