"""The one pass that loads the plain YAML nearly every file holds, straight from libyaml's events.

:mod:`yaml_careful` checks the event stream, composes nodes and converts them:
three passes. This module builds the same :class:`Located` values from the
events in one, and gives up (``None``) on anything else, so that every error
still comes from the careful path. It is separate because it is only a faster
way to the careful path's values, and ``tests/test_fuzz.py`` compares the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from eccpsite.core.located import Located, LocatedList
from eccpsite.core.yaml_careful import MAX_DEPTH, MAX_NODES, scalar_constructor

try:  # events only: no constructor or resolver to set up per file
    from yaml._yaml import CParser

    _Parser: type = CParser
except ImportError:  # pragma: no cover - libyaml missing
    _Parser = yaml.SafeLoader


class _Unusual(Exception):
    """Raised by :func:`load_plain` on anything it leaves to the careful path."""


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
        return scalar_constructor.yaml_constructors[tag](scalar_constructor, yaml.ScalarNode(tag, value, event.start_mark, event.end_mark))
    except Exception:  # the careful path reports it
        raise _Unusual from None


_NO_KEY = object()  # a mapping's next scalar is a key


def load_plain(text: str, offset: int) -> Located | None:
    """Located values in one pass over libyaml's events, or ``None`` for what the careful path must load.

    ``None`` stands for anything but plain YAML: a syntax error, an anchor,
    alias or tag, a key that is not a word or appears twice, too many values
    or levels, a second document, a root that is not a mapping.
    """
    parser = _Parser(text)
    try:
        return _build(parser.get_event, offset)
    except Exception:  # _Unusual, or a syntax error: the careful path words it
        return None
    finally:
        parser.dispose()


_SCALAR, _MAPPING_START, _SEQUENCE_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _build(next_event: Callable[[], Any], offset: int) -> Located:
    """The body of :func:`load_plain`: ``next_event`` gives the parser's events in order."""
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
