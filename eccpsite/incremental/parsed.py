"""The facts of each body kept from one build to the next: an edit build checks again only the bodies that changed.

Parsing a file is cheap but checking its body is not: the file-relative links
(``core.sourcelinks``), what would stall Markdown (``markup.markdown_limits``),
the raw HTML the sanitizer removes and the accessibility of the text make
three quarters of the parse of 10,000 news. Those facts depend on the file's
path and body alone (:class:`eccpsite.core.content.BodyFacts`), so a build
keeps them in ``.cache/parsed/`` under a digest of both, in a file whose name carries
the digest of eccpsite's code (edges.fingerprint): new checks start a new file.

A cold build finds none kept: it checks the bodies on every core before the
parse asks for them (:meth:`FactsStore.check_ahead`, the workers send back the
facts as the store keeps them), which took the parse of 10,000 news from
12.2 s on one core to 7.7 s.

Like the Markdown cache it is data, not pickle: an SQLite table of JSON values
whose schema must be exactly this module's (``cache.connect_store``); a value
that is not what this module writes is checked again, never trusted, and a
file that cannot be read or written only makes the build check every body.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from eccpsite.core import layout
from eccpsite.core.content import BodyFacts, body_facts
from eccpsite.core.source import body_of
from eccpsite.edges import children, fingerprint
from eccpsite.incremental.cache import CHUNK, POOL_THRESHOLD, UnusableCache, connect_store, prune

_SCHEMA = "CREATE TABLE facts (key BLOB PRIMARY KEY, value TEXT NOT NULL) STRICT"
_EXPECTED_SCHEMA = [("index", "sqlite_autoindex_facts_1", "facts", None), ("table", "facts", "facts", _SCHEMA)]


def store_path(project: Path) -> Path:
    """The file of the kept facts for the code that runs."""
    return project / layout.CACHE_PARSED / f"{fingerprint.code_digest().hex()[:24]}.sqlite"


def _key(path: str, written: str) -> bytes:
    return fingerprint.digest(f"{path}\0{written}".encode())


def encode(facts: BodyFacts, written: str) -> str:
    """The JSON of ``facts`` (the body only when its links were rewritten, else null)."""
    body = None if facts.body == written else facts.body
    return json.dumps({"body": body, "problems": facts.problems, "warnings": facts.warnings}, ensure_ascii=False)


def decode(value: str, written: str) -> BodyFacts | None:
    """The facts in ``value`` for the body ``written``; None for anything this module does not write."""
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


def _pairs(raw: object) -> tuple[tuple[int, str], ...] | None:
    """A list of [offset, message] pairs as a tuple, or None if ``raw`` is anything else."""
    if not isinstance(raw, list):
        return None
    pairs = []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int and isinstance(pair[1], str)):
            return None
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


class FactsStore:
    """The facts of the last build's bodies, and those this build found (a ``content.FactsOf``)."""

    def __init__(self, kept: dict[bytes, str]) -> None:
        self._kept = kept
        self._found: dict[bytes, str] = {}  # what this build checked: added to the file at the end
        self._used: set[bytes] = set()
        self.reused = 0

    def check_ahead(self, files: Iterable[tuple[str, str]]) -> int:
        """Check, on every core, the bodies of ``files`` (path, text) whose facts were not kept, so that the parse
        (one process) finds them (a cold build: three quarters of its parse). Nothing when most were kept (an edit
        build: the parse checks the few others). How many were checked."""
        files = list(files)
        if len(files) - len(self._kept) < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
            return 0  # told before any body is cut (a copy of every body: 60 MB at 10,000 news)
        bodies = [(path, body) for path, text in files if (body := body_of(text)) is not None]
        todo = [(path, body) for path, body in bodies if _key(path, body) not in self._kept] if self._kept else bodies
        if len(todo) < POOL_THRESHOLD:
            return 0
        chunks = [todo[start : start + CHUNK] for start in range(0, len(todo), CHUNK)]
        for checked in children.map_on_cores(_check_many, chunks):
            self._found.update(checked)
        return len(todo)

    def __call__(self, path: str, written: str) -> BodyFacts:
        key = _key(path, written)
        self._used.add(key)
        value = self._kept.get(key)
        facts = decode(value, written) if value is not None else None
        if facts is not None:
            self.reused += 1
            return facts
        ahead = self._found.get(key)  # checked by check_ahead
        facts = decode(ahead, written) if ahead is not None else None
        if facts is not None:
            return facts
        facts = body_facts(path, written)
        self._found[key] = encode(facts, written)
        return facts

    def changes(self) -> tuple[dict[bytes, str], set[bytes]]:
        """What to write (new facts) and what to delete (facts no body of this build had)."""
        return self._found, set(self._kept) - self._used


def _check_many(bodies: list[tuple[str, str]]) -> list[tuple[bytes, str]]:
    """The facts of some bodies, as the store keeps them (in a worker: JSON travels back, not objects)."""
    return [(_key(path, body), encode(body_facts(path, body), body)) for path, body in bodies]


def _read(path: Path) -> dict[bytes, str]:
    try:
        db = connect_store(path, False, _SCHEMA, _EXPECTED_SCHEMA)
    except UnusableCache:
        return {}
    try:
        return {key: value for key, value in db.execute("SELECT key, value FROM facts") if isinstance(key, bytes) and isinstance(value, str)}
    except sqlite3.Error:
        return {}
    finally:
        db.close()


def _write(path: Path, store: FactsStore) -> None:
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
        return  # a read-only folder: every body is checked again next time
    try:
        with db:
            db.executemany("DELETE FROM facts WHERE key = ?", ((key,) for key in unused))
            db.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?)", found.items())
    except sqlite3.Error:
        pass  # a full disk: the facts are found again next time
    finally:
        db.close()


@contextmanager
def kept_facts(project: Path) -> Iterator[FactsStore]:
    """The facts kept from the last build, for the length of a build; when the block ends without an error (a
    failed build writes nothing outside its output), the new facts are added, those no body had are dropped, and
    the files of other code versions are removed."""
    path = store_path(project)
    store = FactsStore(_read(path))
    yield store
    _write(path, store)
    prune(path, "parsed-")
