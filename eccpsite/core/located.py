"""Mappings and lists read from YAML that remember the line of each key and entry.

Every layer that names a field's line in an error (fields, kinds, config,
schema) needs these two types and nothing else of the YAML loading, and both
ways of loading YAML (:mod:`yaml_plain`, :mod:`yaml_careful`) build them: so
they stand below both, in a module of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


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
