"""The project's sources as the dev server last read and parsed them, file by file.

A save reads again only the files the watcher reported; a file whose text
did not change keeps its parsed item, the very same object, so that the rest
of the pipeline (and the engine's digests) can tell changed items from
unchanged ones by identity. With ``keep_going`` (the dev server), a file with
errors of its own takes part in the build as its last good value of the
session. The first parse of each file takes what the project's parse cache
kept of the same text (eccpsite.edges.parse_cache: a build's, or an earlier
session's), and what it had to parse goes there for the next build.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from eccpsite.core.config import SiteConfig
from eccpsite.core.content import parse_content
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import SITE_ZONE, Edition, Item
from eccpsite.core.layout import CONFIG, EDITION, ITEM, classify
from eccpsite.core.source import Source, Sources
from eccpsite.edges.parse_cache import ParseStore, text_key
from eccpsite.edges.reader import read_file, read_sources


@dataclass(frozen=True)
class _Parsed:
    """What one source gave when it was last parsed."""

    kind: str  # CONFIG, ITEM or EDITION
    text: str
    value: Any  # Item | Edition | SiteConfig, or None when errors
    errors: tuple[ContentError, ...]
    unparsed: frozenset[str]  # the ref of an item file that failed
    zone: str = ""  # the time zone its dates with a time were read in


@dataclass(frozen=True)
class Gathered:
    """Everything the sources give for a build: the configuration (or its stand-in), items, editions, errors."""

    config: SiteConfig | None
    items: list[Item]
    editions: list[Edition]
    errors: list[ContentError]
    warnings: list[ContentError]
    unparsed: frozenset[str]


class Files:
    """The sources of a project by path, read and parsed again only where they changed (not thread-safe)."""

    def __init__(self, project: Path, keep_going: bool, kept: ParseStore | None = None) -> None:
        self.project = project
        self.keep_going = keep_going
        self._kept = kept  # the parses kept in the project, for the first parse of each file (let go after it)
        self._sources: dict[str, Source] = {}  # site.yaml, items and editions by path
        self._read_errors: dict[str, tuple[ContentError, ...]] = {}  # by path ("" for errors of the scan)
        self._parsed: dict[str, _Parsed] = {}  # what each source gave, by path
        self._unsorted: set[str] = set()  # paths read again since the last build: to parse and file
        self._items: dict[str, Item] = {}  # the parsed items, editions, problems and unparsed refs, by path
        self._editions: dict[str, Edition] = {}
        self._problems: dict[str, tuple[ContentError, ...]] = {}
        self._unparsed: dict[str, frozenset[str]] = {}
        self.assets: dict[str, Path] = {}
        self._dirty: set[str] = set()  # paths parsed again since the last good build
        self._good: dict[str, Item | Edition | None] = {}  # what those paths gave at the last good build
        self._last_good: dict[str, Any] = {}  # what each path last parsed to (Item, Edition, SiteConfig): keep_going's stand-ins
        self._made_from: dict[str, tuple[Item, bytes]] = {}  # each path's last item, with the key of the text it was parsed from
        self.scan()

    def scan(self) -> None:
        """Read every source, as a clean build does."""
        sources = read_sources(self.project)
        self._unsorted.update(self._sources)  # what went away is forgotten, what is there is filed again
        self._sources = {}
        if sources.config is not None:
            self._sources[sources.config.path] = sources.config
        for kind_sources in sources.items.values():
            self._sources.update((s.path, s) for s in kind_sources)
        self._sources.update((s.path, s) for s in sources.editions)
        self._read_errors = {"": sources.errors}
        self.assets = dict(sources.assets)
        self._unsorted.update(self._sources)

    def reread(self, rel: str) -> None:
        """Read one changed source again, or forget it if it is gone."""
        self._unsorted.add(rel)
        self._sources.pop(rel, None)
        self._read_errors.pop(rel, None)
        path = self.project / rel
        try:
            if not path.is_file():
                return
            source, errors = read_file(self.project, path)
        except OSError:
            return  # gone between the event and the read: the next event says so
        if source is not None:
            self._sources[rel] = source
        if errors:
            self._read_errors[rel] = tuple(errors)

    def matters(self, rel: str) -> bool:
        """Whether a change to a non-Markdown file in an item folder (or to the folder) needs a new scan.

        Editors and tools write short-lived files there (``sed``'s and vim's
        temporary files): only one that stays, or one the last scan reported, does.
        """
        if rel.count("/") == 1:
            return True  # the folder itself
        return (self.project / rel).exists() or any(e.path == rel for e in self._read_errors.get("", ()))

    def _take(self, rel: str) -> None:
        """Parse the source at ``rel`` again (if its text changed) and file what it gave; or forget it."""
        if rel not in self._dirty:
            self._dirty.add(rel)
            self._good[rel] = self._current(rel)
        for values in (self._items, self._editions, self._problems, self._unparsed):
            values.pop(rel, None)
        source = self._sources.get(rel)
        if source is None:
            self._parsed.pop(rel, None)
            self._last_good.pop(rel, None)
            self._made_from.pop(rel, None)
            return
        parsed = self._parse(rel, source)
        if parsed.value is not None:
            self._last_good[rel] = parsed.value
        if isinstance(parsed.value, Item) and self.made_from(parsed.value) is None:  # the first parse's store made it already
            key = self._kept.keys.get(rel) if self._kept is not None else None
            self._made_from[rel] = (parsed.value, key or text_key(rel, parsed.text))
        if parsed.errors:
            self._problems[rel] = parsed.errors
        if parsed.unparsed:
            self._unparsed[rel] = parsed.unparsed
        if parsed.value is not None and parsed.kind == ITEM:
            self._items[rel] = parsed.value
        elif parsed.value is not None and parsed.kind == EDITION:
            self._editions[rel] = parsed.value

    def _parse(self, rel: str, source: Source) -> _Parsed:
        cached = self._parsed.get(rel)
        zone = self._zone()
        if cached is not None and cached.text == source.text and cached.zone in ("", str(zone)):
            return cached
        kind = classify(rel)
        if kind == CONFIG:
            content = parse_content(Sources(source, {}, (), (), ()))
            value: Any = content.config
        elif kind == EDITION:
            content = parse_content(Sources(None, {}, (source,), (), ()), zone)
            value = content.editions[0] if content.editions else None
        else:
            content = parse_content(Sources(None, {rel.split("/")[1]: (source,)}, (), (), ()), zone, kept=self._kept)
            value = content.items[0] if content.items else None
        parsed = _Parsed(kind, source.text, value, content.errors, content.unparsed, "" if kind == CONFIG else str(zone))
        self._parsed[rel] = parsed
        return parsed

    def _zone(self) -> ZoneInfo:
        """The time zone dates with a time are read in: site.yaml's as last parsed (rebuild takes it first)."""
        config = self._config()
        return config.tz if isinstance(config, SiteConfig) else SITE_ZONE

    def _stand_in(self, rel: str) -> Any:
        """With keep_going, what a file with errors of its own builds as: its last good value (None if it never had one)."""
        if not self.keep_going or rel not in self._problems or rel not in self._sources:
            return None
        parsed = self._parsed.get(rel)
        return self._last_good.get(rel) if parsed is not None and parsed.value is None else None

    def _current(self, rel: str) -> Item | Edition | None:
        """What the path takes part in the build as: its item or edition, or its stand-in."""
        value = self._items.get(rel) or self._editions.get(rel) or self._stand_in(rel)
        return value if isinstance(value, (Item, Edition)) else None

    def gather(self) -> Gathered:
        """Parse what changed since the last call, and everything the build takes from the sources."""
        zone = self._zone()
        for rel in sorted(self._unsorted, key=lambda rel: (rel != "site.yaml", rel)):  # site.yaml first: its time zone
            self._take(rel)
        if self._zone() != zone:  # dates with a time fall on other days now
            for rel in [r for r in self._parsed if r != "site.yaml"]:
                self._take(rel)
        self._unsorted.clear()
        errors: list[ContentError] = []
        warnings: list[ContentError] = []
        for problems in (*self._read_errors.values(), *self._problems.values()):
            for problem in problems:
                (warnings if problem.warning else errors).append(problem)
        if self._kept is not None:  # the first parse is over: what it parsed is kept when no file had errors, as a build does
            if not errors:
                self._kept.finish()
            self._kept = None
        config = self._config() or self._stand_in("site.yaml")
        items: list[Item] = list(self._items.values())
        editions: list[Edition] = list(self._editions.values())
        for rel in self._problems:
            stand_in = self._stand_in(rel)
            if isinstance(stand_in, Item):
                items.append(stand_in)
            elif isinstance(stand_in, Edition):
                editions.append(stand_in)
        unparsed = frozenset().union(*self._unparsed.values())
        if "site.yaml" not in self._sources and not any(e.path == "site.yaml" for e in errors):
            errors.append(ContentError("site.yaml", 0, "", "is missing; it holds the site's title and base_url"))
        return Gathered(config, items, editions, errors, warnings, unparsed)

    def made_from(self, item: Item) -> bytes | None:
        """The key of the text ``item`` was parsed from (parse_cache.text_key, as a build's parse store makes it), or
        None when it is not an item these files gave."""
        found = self._made_from.get(item.path)
        return found[1] if found is not None and found[0] is item else None

    def _config(self) -> Any:
        """site.yaml's value as last parsed (None when it did not parse)."""
        return self._parsed["site.yaml"].value if "site.yaml" in self._parsed else None

    def changed(self) -> Iterator[tuple[Item | Edition | None, Item | Edition | None]]:
        """What each path parsed again since the last good build gave then and gives now (site.yaml aside)."""
        for rel in self._dirty:
            if rel != "site.yaml":
                yield self._good.get(rel), self._current(rel)

    def settle(self) -> None:
        """The build just made is the last good one: what changes next is compared with it."""
        self._good.clear()
        self._dirty.clear()
