"""The build's on-disk cache of rendered Markdown: an edge, like the reader and the writer.

Rendering Markdown is most of a cold build's work, so each body is rendered
once per content version: the HTML is kept in ``.cache/markdown/`` under a digest of its
source, in a file whose name carries a fingerprint of everything else the HTML
depends on (the renderer module, Python-Markdown's and nh3's versions), so a
change to any of them starts a new cache and nothing stale is ever served.

The cache is an SQLite file (the standard library's ``sqlite3``) that a build
reads one body at a time (:class:`MarkdownStore`, handed to ``markup`` for the
length of the build): at 10,000 items its bodies are about 55 MB of text, more
than 100 MB as Python strings, which a build no longer holds. It is data, not
pickle: a cache file slipped into a pull request must not be able to run code,
so a file whose schema is not exactly the expected one (a trigger, a view) is
thrown away unread, and schema functions are not trusted. Nor is what it holds:
each body read from it that the build did not render itself goes through the
renderer's sanitizer again (:func:`trusted`), and one that the sanitizer would change — a ``<script>`` or
an ``onerror=`` put there by hand — is dropped and rendered again, so a page
made from the cache is the page a build without it makes. On a cold build the
missing bodies are rendered on every core by a process pool and written to the
file as they come.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import markdown
import nh3

import eccpsite
from eccpsite.core import layout
from eccpsite.core.markup import inline_gate
from eccpsite.core.markup import markdown as markup
from eccpsite.edges import children

CACHE_DIR = layout.CACHE
POOL_THRESHOLD = 64  # fewer bodies than this render faster in this process than in a pool
CHUNK = 50
BATCH = 1000  # rendered bodies written to the cache file in one transaction
RECENT = 16  # bodies a process keeps after reading them (an item page reads its body two or three times in a row)

_SCHEMA = "CREATE TABLE html (key BLOB PRIMARY KEY, value TEXT NOT NULL) STRICT"
_EXPECTED_SCHEMA = [("index", "sqlite_autoindex_html_1", "html", None), ("table", "html", "html", _SCHEMA)]


def markdown_fingerprint() -> str:
    """What rendered HTML depends on besides its source (the renderer's own modules, not the whole package: an edit
    elsewhere keeps the rendered bodies)."""
    own = b"".join(Path(module.__file__).read_bytes() for module in (markup, inline_gate))  # type: ignore[arg-type]
    versions = f"{eccpsite.__version__}|{markdown.__version__}|{getattr(nh3, '__version__', '')}"
    return hashlib.blake2b(own + versions.encode(), digest_size=12).hexdigest()


def _path(project: Path) -> Path:
    return project / layout.CACHE_MARKDOWN / f"{markdown_fingerprint()}.sqlite"


def prune(path: Path, legacy: str) -> None:
    """Remove the other files of the area of the cache file ``path`` (caches of other versions, and their journals),
    and the files named ``legacy*`` that an older eccpsite kept at the top of ``.cache/``."""
    area = path.parent
    old = [f for f in area.iterdir() if not f.name.startswith(path.name)] if area.is_dir() else []
    for file in (*old, *area.parent.glob(legacy + "*")):
        if file.is_file():
            file.unlink(missing_ok=True)


class UnusableCache(Exception):
    """The cache file is not one this module wrote (another schema), or SQLite cannot read it."""


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    """A connection to the Markdown cache at ``path``; raises UnusableCache when it is not one."""
    return connect_store(path, create, _SCHEMA, _EXPECTED_SCHEMA)


def connect_store(path: Path, create: bool, schema: str, expected: list[tuple[str, str, str, str | None]]) -> sqlite3.Connection:
    """A connection to the cache file at ``path`` whose schema is exactly ``expected`` (made from ``schema`` when
    ``create`` and the file is new); raises UnusableCache otherwise."""
    if not create and not path.is_file():
        raise UnusableCache(f"{path} does not exist")
    try:
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)  # used by one thread at a time; closed before a fork
    except sqlite3.Error as exc:
        raise UnusableCache(str(exc)) from exc
    try:
        db.execute("PRAGMA trusted_schema = OFF")  # no function of the schema ever runs
        found = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        if not found and create:
            with db:
                db.execute(schema)
            found = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        if found != expected:
            raise UnusableCache(f"{path} is not a cache file of eccpsite")
    except BaseException as exc:
        db.close()
        if isinstance(exc, sqlite3.Error):
            raise UnusableCache(str(exc)) from exc
        raise
    return db


def trusted(value: object) -> str | None:
    """``value`` read from the cache file when it is HTML the renderer could have made — text that its sanitizer
    leaves as it is (``markup.sanitize`` is idempotent on its own output) — else None: the body is rendered again."""
    return value if isinstance(value, str) and markup.sanitize(value) == value else None


def _remove(path: Path) -> None:
    for name in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink(missing_ok=True)


class MarkdownStore:
    """The Markdown cache of one build, read one body at a time (a ``markup.Store``).

    Each process opens its own connection when it first needs one, and closes
    it before it forks (see ``os.register_at_fork`` below): an SQLite connection
    must never be used across a fork, and the build forks its workers after it
    has started reading. The file is made at the first write, so a build that
    fails before rendering anything writes nothing; a file that is not a cache
    of this module is replaced then. A body that cannot be read is rendered
    again, never an error.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._unreadable = False  # no usable file yet: reads find nothing until a write makes one
        self._unwritable = False  # the file cannot be made (a read-only folder): the build saves nothing
        self._keys: set[bytes] | None = None  # every key of the file, read at the first has()
        self._asked: set[bytes] = set()  # what this process read or looked for: the rest is dropped at save()
        self._written: set[bytes] = set()  # what this build rendered and wrote itself: read back without a second check
        self._recent: dict[bytes, str] = {}

    def _connection(self, write: bool = False) -> sqlite3.Connection | None:
        if self._db is not None and self._pid == os.getpid():
            return self._db
        self._db = None
        if not self._unreadable:
            try:
                self._db = _connect(self.path, create=False)
            except UnusableCache:
                self._unreadable = True
        if self._db is None and write and not self._unwritable:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                _remove(self.path)  # missing, not ours, or damaged: start a new cache
                self._db = _connect(self.path, create=True)
                self._unreadable = False
            except (UnusableCache, OSError):
                self._unwritable = True
        self._pid = os.getpid()
        return self._db

    def close(self) -> None:
        """Close this process's connection (it is opened again when needed)."""
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

    def get(self, key: bytes) -> str | None:
        """The HTML under ``key``, or None."""
        self._asked.add(key)
        value = self._recent.get(key)
        if value is not None:
            return value
        db = self._connection()
        try:
            row = db.execute("SELECT value FROM html WHERE key = ?", (key,)).fetchone() if db is not None else None
        except sqlite3.Error:
            row = None
        if row is None:
            return None
        value = row[0] if key in self._written and isinstance(row[0], str) else trusted(row[0])
        if value is None:
            return None
        if len(self._recent) >= RECENT:
            del self._recent[next(iter(self._recent))]
        self._recent[key] = value
        return value

    def has(self, key: bytes) -> bool:
        """Whether the cache holds ``key`` (it then counts as used by this build)."""
        self._asked.add(key)
        if self._keys is None:
            db = self._connection()
            try:
                self._keys = {row[0] for row in db.execute("SELECT key FROM html")} if db is not None else set()
            except sqlite3.Error:
                self._keys = set()
        return key in self._keys

    def add(self, entries: Iterable[tuple[bytes, str]]) -> None:
        """Store rendered HTML (a worker's, or this process's); they count as used by this build."""
        entries = list(entries)
        if not entries:
            return
        self._asked.update(key for key, _ in entries)
        self._written.update(key for key, _ in entries)
        if self._keys is not None:
            self._keys.update(key for key, _ in entries)
        db = self._connection(write=True)
        try:
            if db is not None:
                with db:
                    db.executemany("INSERT OR REPLACE INTO html VALUES (?, ?)", entries)
        except sqlite3.Error:
            self._unwritable = True

    def save(self, rendered: dict[bytes, str]) -> None:
        """Add what this process rendered and drop every entry this build did not use."""
        self.add(rendered.items())
        db = self._connection()
        if db is None or self._unwritable:
            return
        try:
            with db:
                db.execute("CREATE TEMP TABLE used (key BLOB PRIMARY KEY)")
                db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((key,) for key in self._asked))
                db.execute("DELETE FROM html WHERE key NOT IN (SELECT key FROM used)")
                db.execute("DROP TABLE used")
        except sqlite3.Error:
            self._unwritable = True


_current: MarkdownStore | None = None  # the store of the build running in this process


def _close_before_fork() -> None:
    if _current is not None:
        _current.close()


os.register_at_fork(before=_close_before_fork)


@contextmanager
def markdown_cache(project: Path) -> Iterator[MarkdownStore]:
    """The Markdown cache for the length of a build: ``markup`` reads it one body at a time and :func:`prerender`
    writes to it. When the block ends without an error, what the build rendered is added, the entries it did not
    use are dropped, and the files of other fingerprints are removed."""
    global _current
    store = MarkdownStore(_path(project))
    markup.use_store(store)
    _current = store
    try:
        yield store
        store.save(markup.remembered())
        prune(store.path, "markdown-")
    finally:
        markup.use_store(None)
        _current = None
        store.close()


def load_markdown_cache(project: Path) -> int:
    """Preload every body of the cache into memory (the dev server, which keeps its pages in memory anyway); returns the
    number of entries taken (0 if none or unreadable; a body the sanitizer would change is left out, to be rendered)."""
    try:
        db = _connect(_path(project), create=False)
    except UnusableCache:
        return 0
    try:
        entries = [(key, html) for key, value in db.execute("SELECT key, value FROM html") if isinstance(key, bytes) and (html := trusted(value)) is not None]
    except sqlite3.Error:
        return 0
    finally:
        db.close()
    markup.remember(entries)
    return len(entries)


def keep_rendered(project: Path, sources: Iterable[str]) -> int:
    """:func:`prerender` for the dev server, which keeps its pages in memory: the bodies not rendered yet are rendered
    into ``markup``'s memo, and what it holds of ``sources`` that the project's cache file lacks is added there, for
    the next session or build (nothing is dropped: a build does that); returns how many were rendered."""
    sources = list(sources)
    count = prerender(sources)
    store = MarkdownStore(_path(project))
    try:
        held = markup.remembered()
        new = [(key, held[key]) for key in dict.fromkeys(map(markup.source_key, sources)) if key in held and not store.has(key)]
        store.add(new)
    finally:
        store.close()
    return count


def prerender(sources: Iterable[str]) -> int:
    """Render the bodies not cached yet, on every core when there are many; returns how many were rendered.

    During a build (:func:`markdown_cache`) they go to the cache file as they
    come, a transaction per ``BATCH`` bodies, not to memory; otherwise to
    ``markup``'s memo.
    """
    todo = markup.missing(sources)
    workers = os.cpu_count() or 1
    size = max(1, min(CHUNK, -(-len(todo) // (workers * 4))))  # a few chunks per worker, so that none waits for the last
    chunks = [todo[start : start + size] for start in range(0, len(todo), size)]
    if len(todo) < POOL_THRESHOLD or workers < 2:
        _keep(map(markup.render_many, chunks))
    else:
        _keep(children.map_on_cores(markup.render_many, chunks))
    return len(todo)


def _keep(rendered: Iterable[list[tuple[bytes, str]]]) -> None:
    """Keep rendered chunks as they come: in the build's cache file (a transaction per ``BATCH`` bodies), else in memory."""
    if _current is None:
        for chunk in rendered:
            markup.remember(chunk)
        return
    batch: list[tuple[bytes, str]] = []
    for chunk in rendered:
        batch.extend(chunk)
        if len(batch) >= BATCH:
            _current.add(batch)
            batch = []
    _current.add(batch)
