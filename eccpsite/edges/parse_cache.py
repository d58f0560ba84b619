"""What each file parsed to, kept from one build to the next: an edit build parses again only the files that changed.

A file's item is a pure function of its path, its text and the site's time
zone (and of eccpsite's code: the store's file name carries its digest,
edges.fingerprint, so new code starts a new file). A build keeps each item
and the warnings of its body in ``.cache/parsed/`` under a digest of the
path and the text; the next one reads back those of the files that did not
change instead of parsing them (1.97 s → 0.65 s of a one-edit build of 10,000
news), and parses the others. A file with errors is not kept: it is parsed,
and reported, every time.

A cold build finds none kept: it checks the bodies on every core before the
parse asks for them (:meth:`ParseStore.check_ahead`; three quarters of a
parse is checking bodies: the file-relative links, what would stall
Markdown, the raw HTML the sanitizer removes and the accessibility of the
text), which took the parse of 10,000 news from 12.2 s on one core to 7.7 s.

Like the Markdown cache it is data, not pickle: an SQLite table of JSON values
whose schema must be exactly this module's (``cache.connect_store``); an item
is read back only into the item classes, each field from a value of its
declared type (eccpsite.edges.item_json), and a value that is not what
this module writes is parsed again, never trusted; a file that cannot be read
or written only makes the build parse every file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from eccpsite.core import layout
from eccpsite.core.content import BodyFacts, Warnings, body_facts
from eccpsite.core.kinds import Item, kind_named, registered
from eccpsite.core.source import Source, body_of
from eccpsite.edges import children, fingerprint, item_json
from eccpsite.edges.markdown_cache import CHUNK, POOL_THRESHOLD, UnusableCache, connect_store, prune

# where ``body`` is among an item's fields as item_json writes them: an Item field, so the same in every kind's class
_BODY = [f.name for f in dataclasses.fields(Item)].index("body")
_SCHEMA = "CREATE TABLE parsed (key BLOB PRIMARY KEY, value TEXT NOT NULL) STRICT"
_EXPECTED_SCHEMA = [("index", "sqlite_autoindex_parsed_1", "parsed", None), ("table", "parsed", "parsed", _SCHEMA)]


def store_path(project: Path) -> Path:
    """The file of the kept parses for the code that runs."""
    return project / layout.CACHE_PARSED / f"{fingerprint.code_digest().hex()[:24]}.sqlite"


def text_key(path: str, text: str) -> bytes:
    """The key of a file's parse (its text), or of a body's facts (its body)."""
    return fingerprint.digest(f"{path}\0{text}".encode("utf-8", "surrogatepass"))


def encode(facts: BodyFacts, written: str) -> str:
    """The JSON of a body's ``facts`` (the body only when its links were rewritten, else null): what a worker that
    checked it ahead sends back."""
    body = None if facts.body == written else facts.body
    return json.dumps({"body": body, "problems": facts.problems, "warnings": facts.warnings}, ensure_ascii=False)


def decode(value: str, written: str) -> BodyFacts | None:
    """The facts in ``value`` for the body ``written``; None for anything :func:`encode` does not write."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"body", "problems", "warnings"}:
        return None
    body, problems, warnings = data["body"], _pairs(data["problems"]), _pairs(data["warnings"])
    if (body is not None and not isinstance(body, str)) or problems is None or warnings is None:
        return None
    return BodyFacts(written if body is None else body, problems, warnings)


def _pairs(raw: object) -> Warnings | None:
    """A list of [offset, message] pairs as a tuple, or None if ``raw`` is anything else."""
    if not isinstance(raw, list):
        return None
    pairs = []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int and isinstance(pair[1], str)):
            return None
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


class ParseStore:
    """The last build's parses (``core.content.KeptParses``) and this build's, and the facts of the bodies checked
    ahead on every core (a ``content.FactsOf``)."""

    def __init__(self, kept: dict[bytes, str], path: Path | None = None) -> None:
        self._kept = kept
        self._path = path  # the store's file (None: kept in memory only)
        self._found: dict[bytes, str] = {}  # what this build parsed: added to the file at the end
        self._ahead: dict[bytes, str] = {}  # the facts of bodies checked ahead (by path and body), as the workers sent them
        self.keys: dict[str, bytes] = {}  # path → the key of its text (what its item is made of: Engine.parsed)
        try:
            self._classes: item_json.Classes | None = item_json.Classes(kind.item for kind in registered())
        except TypeError:  # a kind with a field of a type item_json cannot read back: its items are parsed every time
            self._classes = None
        self.reused = 0

    def get(self, kind: str, source: Source, tz: ZoneInfo) -> tuple[Item, Warnings] | None:
        """The item and warnings the last build's parse of ``source`` gave, or None (not kept, or not readable)."""
        key = self._key(source.path, source.text)
        value = self._kept.pop(key, None)  # not held for the rest of the build (16 MB at 10,000 news)
        found = self._read(value, kind, source, tz) if value is not None and self._classes is not None else None
        if found is not None:
            self.reused += 1
        return found

    def _read(self, value: str, kind: str, source: Source, tz: ZoneInfo) -> tuple[Item, Warnings] | None:
        """What ``value`` holds for ``source``, or None when it is not what :meth:`put` writes."""
        assert self._classes is not None
        try:
            data = json.loads(value)
            if data["tz"] != tz.key or type(data["item"]) is not dict:
                return None
            fields = data["item"]["v"]
            start = data["from"]
            if type(start) is int and 0 <= start <= len(source.text) and type(fields) is list and len(fields) > _BODY and fields[_BODY] is None:
                fields[_BODY] = source.text[start:]
            item, warnings = self._classes.decode(data["item"]), _pairs(data["warnings"])
        except (ValueError, KeyError, TypeError, item_json.NotAnItem):
            return None
        wanted = kind_named(kind)
        if wanted is None or type(item) is not wanted.item or item.kind != kind or item.path != source.path or warnings is None:
            return None
        return item, warnings

    def put(self, kind: str, source: Source, tz: ZoneInfo, item: Item, warnings: Warnings) -> None:
        """Keep what this build's parse of ``source`` gave (its body as where it starts in the text when it is the
        text's end, as most are)."""
        try:
            data = item_json.encode(item)
        except item_json.NotAnItem:
            return  # parsed again next time
        start = None
        if source.text.endswith(item.body):
            data["v"][_BODY], start = None, len(source.text) - len(item.body)
        value = {"tz": tz.key, "item": data, "from": start, "warnings": warnings}
        self._found[self._key(source.path, source.text)] = json.dumps(value, ensure_ascii=False)

    def _key(self, path: str, text: str) -> bytes:
        """The key of the file at ``path`` whose text is ``text``, made once per build."""
        key = self.keys.get(path)
        if key is None:
            key = self.keys[path] = text_key(path, text)
        return key

    def check_ahead(self, files: Iterable[tuple[str, str]]) -> int:
        """Check, on every core, the bodies of ``files`` (path, text) whose parse was not kept, so that the parse
        (one process) finds them (a cold build: three quarters of its parse). Nothing when most were kept (an edit
        build: the parse checks the few others). How many were checked."""
        files = list(files)
        if len(files) - len(self._kept) < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
            return 0  # told before any body is cut (a copy of every body: 60 MB at 10,000 news)
        todo = [(path, body) for path, text in files if self._key(path, text) not in self._kept and (body := body_of(text)) is not None]
        if len(todo) < POOL_THRESHOLD:
            return 0
        chunks = [todo[start : start + CHUNK] for start in range(0, len(todo), CHUNK)]
        for checked in children.map_on_cores(_check_many, chunks):
            self._ahead.update(checked)
        return len(todo)

    def __call__(self, path: str, written: str) -> BodyFacts:
        """The facts of a body: as checked ahead, else checked now."""
        ahead = self._ahead.pop(text_key(path, written), None)
        facts = decode(ahead, written) if ahead is not None else None
        return facts if facts is not None else body_facts(path, written)

    def changes(self) -> tuple[dict[bytes, str], set[bytes]]:
        """What to write (new parses) and what to delete (the parses of texts this build did not have)."""
        return self._found, set(self._kept)  # those asked for were taken out (get)

    def save(self) -> None:
        """Write this build's parses to the store's file, and drop those no file had: once a parse without errors is
        over (they are values of the files whatever the rest of the build finds; a cold build at 10,000 news would
        hold 20 MB of them to its end), else when the build succeeds."""
        if self._path is not None:
            _write(self._path, self)
            self._found, self._kept = {}, {}

    def finish(self) -> None:
        """:meth:`save`, then remove the store files of other code versions (and an older eccpsite's)."""
        self.save()
        if self._path is not None:
            prune(self._path, "parsed-")


def _check_many(bodies: list[tuple[str, str]]) -> list[tuple[bytes, str]]:
    """The facts of some bodies (in a worker: JSON travels back, not objects)."""
    return [(text_key(path, body), encode(body_facts(path, body), body)) for path, body in bodies]


def _read(path: Path) -> dict[bytes, str]:
    try:
        db = connect_store(path, False, _SCHEMA, _EXPECTED_SCHEMA)
    except UnusableCache:
        return {}
    try:
        return {key: value for key, value in db.execute("SELECT key, value FROM parsed") if isinstance(key, bytes) and isinstance(value, str)}
    except sqlite3.Error:
        return {}
    finally:
        db.close()


def _write(path: Path, store: ParseStore) -> None:
    found, unused = store.changes()
    if not found and not unused:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = connect_store(path, True, _SCHEMA, _EXPECTED_SCHEMA)
        except UnusableCache:  # not ours, or damaged: start a new file
            path.unlink()
            db = connect_store(path, True, _SCHEMA, _EXPECTED_SCHEMA)
    except (UnusableCache, OSError):
        return  # a read-only folder: every file is parsed again next time
    try:
        with db:
            db.executemany("DELETE FROM parsed WHERE key = ?", ((key,) for key in unused))
            db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?)", found.items())
    except sqlite3.Error:
        pass  # a full disk: the files are parsed again next time
    finally:
        db.close()


def open_parses(project: Path) -> ParseStore:
    """The parses kept in the project's store (by the last build, or a dev server), in a store whose :meth:`~ParseStore.save`
    writes the new ones to the same file."""
    path = store_path(project)
    return ParseStore(_read(path), path)


@contextmanager
def kept_parses(project: Path) -> Iterator[ParseStore]:
    """The parses kept from the last build, for the length of a build: what the build parses is saved once its
    parse is over without errors (:meth:`ParseStore.save`), else when the block ends without an error (a failed
    build writes nothing outside its output); then the files of other code versions are removed."""
    store = open_parses(project)
    yield store
    store.finish()
