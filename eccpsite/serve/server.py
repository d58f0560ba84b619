"""``eccpsite serve``: build in memory, serve on localhost, rebuild on save, reload the browser.

The server holds one immutable :class:`State` — the last good build and the
errors of the latest attempt — and replaces it whole after each rebuild, so a
request sees either the old site or the new one, never a mix. Each swap is
told to the browsers (:mod:`live`: ``reload`` after a good rebuild,
``errors`` when the errors change). A file with errors of its own does not
hold the others back: it keeps its last good version (the Rebuilder's
``keep_going``) while every other edit shows, and the ``path:line: message``
lines are shown over every page until they are fixed. Errors between files
keep the last good build whole. Even before a first good build the server
answers with the errors, never with a 500. The HTTP side is
:mod:`handler`, the host check :mod:`hosts`.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from eccpsite.core import urls
from eccpsite.core.errors import BuildFailed, SearchIndexFailed
from eccpsite.core.layout import CACHE_SEARCH, STATIC
from eccpsite.core.options import BuildOptions
from eccpsite.outputs.search import FOLDER as SEARCH_FOLDER
from eccpsite.outputs.search import MARKER, index_site_cached, indexed_pages, search_key
from eccpsite.serve import live
from eccpsite.serve.handler import Server, content_type, handler_for
from eccpsite.serve.live import CLIENT, CLIENT_JS, Clients, inject
from eccpsite.serve.rebuild import Build, Rebuilder
from eccpsite.serve.watch import Watcher

# What every address shows before a first good build (site.yaml unreadable): the errors, over a plain page.
_UNBUILT = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    b'<title>eccpsite: the site is not built yet</title></head><body style="font:16px/1.5 system-ui,sans-serif;margin:2rem">'
    b"<main><h1>The site is not built yet</h1><p>Fix the errors below: this page reloads by itself once they are fixed.</p></main></body></html>"
)


@dataclass(frozen=True)
class State:
    """What the server shows: the last good build (None before the first) and the current errors."""

    build: Build | None
    errors: tuple[str, ...] = ()

    @property
    def generation(self) -> int:
        return self.build.generation if self.build else 0

    def data(self) -> dict[str, Any]:
        """What the browsers are told of it (the event streams' ``hello``, ``reload`` and ``errors``)."""
        return {"generation": self.generation, "errors": list(self.errors)}


class DevServer:
    """The dev server: a Rebuilder, a Watcher and an HTTP server around one swapped State."""

    def __init__(
        self,
        project: Path,
        options: BuildOptions,
        port: int = 8000,
        host: str = "127.0.0.1",
        log: Callable[[str], None] | None = None,
        names: tuple[str, ...] = (),
    ) -> None:
        self.names = names  # host names it answers besides localhost and IP addresses (serve --host)
        self.project = project.resolve()
        self.rebuilder = Rebuilder(self.project, options, keep_going=True)
        self.state = State(None)
        self.clients = Clients()
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.watcher = Watcher(self.project, self.changed)
        self.httpd = Server((host, port), handler_for(self))
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="eccpsite-http", daemon=True)
        self._search_lock = threading.Lock()
        self._search: tuple[str, dict[str, bytes]] = ("", {})  # (key of the indexed pages, bundle by url)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        """Build once, then serve and watch (returns at once; stop() ends it)."""
        try:
            self._build(set(), initial=True)
        except Exception:  # a bug must not stop the server: show it like an error
            self._fail([f"eccpsite: internal error while building (please report it):\n{traceback.format_exc()}"])
        self.watcher.start()
        self._thread.start()

    def stop(self) -> None:
        self.watcher.stop()
        self.clients.close()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
        gc.unfreeze()  # what start() froze may be collected again

    # rebuilding

    def changed(self, paths: set[str]) -> None:
        """The watcher's callback: rebuild what ``paths`` touch, swap the state, tell the browsers."""
        try:
            kinds = self.rebuilder.apply(paths)
            build = self.state.build
            if build is not None and kinds == {STATIC} and not self.state.errors:
                self._swap(State(self.rebuilder.bump(build)), "reload")
                self.log(f"static files changed: {', '.join(sorted(paths))}; browsers reload")
                return
            self._build(paths, initial=False)
        except Exception:  # a bug must not stop the server: show it like an error
            self._fail([f"eccpsite: internal error while rebuilding (please report it):\n{traceback.format_exc()}"])

    def _build(self, paths: set[str], initial: bool) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        collecting = gc.isenabled()
        gc.disable()  # Python's cycle collector pauses run after the reload, not between a save and it
        try:
            build = self.rebuilder.rebuild()
        except BuildFailed as failed:
            self._fail([str(e) for e in failed.errors])
            return
        else:
            self._swap(State(build, tuple(map(str, build.errors))), "reload")
        finally:
            if collecting:
                gc.enable()
        if initial:
            gc.freeze()  # the first build's values live on: later collections need not scan them again
        what = ", ".join(sorted(paths)) if paths else "the site"
        phases = ", ".join(f"{name} {seconds * 1000:.0f}" for name, seconds in build.timings.items())
        took, cpu = (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000
        self.log(f"built {what} in {took:.0f} ms, cpu {cpu:.0f} ms ({build.rendered} pages rendered, {len(build.pages)} in memory; ms: {phases})")
        for warning in build.warnings if initial else ():
            self.log(str(warning))
        for error in build.errors:
            self.log(str(error))
        self._check_links(build, report_warnings=initial)

    def _check_links(self, build: Build, report_warnings: bool) -> None:
        """After the swap: broken links become errors shown over the new build (it stays served), after its files' own errors."""
        problems = self.rebuilder.check_links(build)
        errors = tuple(str(p) for p in sorted(problems) if not p.warning)
        if report_warnings:
            for problem in sorted(problems):
                if problem.warning:
                    self.log(str(problem))
        if errors and self.state.build is build:
            self._swap(State(build, (*map(str, build.errors), *errors)), "errors")

    def _fail(self, errors: list[str]) -> None:
        for line in errors:
            self.log(line)
        still = "still serving the last good build" if self.state.build else "the site shows once they are fixed"
        self.log(f"{len(errors)} error(s); {still}")
        self._swap(State(self.state.build, tuple(errors)), "errors")

    def _swap(self, state: State, event: str) -> None:
        self.state = state  # one reference, replaced whole: readers see the old state or the new
        self.clients.send(event, state.data())

    # serving

    def search_bundle(self, build: Build) -> dict[str, bytes]:
        """The Pagefind bundle of ``build``'s pages, made when a browser first asks for it after a change.

        Pagefind reads files, so the marked pages go to a temporary folder; the
        bundle of unchanged pages is reused from memory, and from ``.cache/`` as
        a build would.
        """
        pages = [(url, data) for url, data in build.pages.items() if url.endswith("/")]
        indexed = indexed_pages(pages)
        key = search_key(indexed, build.site.config.language)
        with self._search_lock:
            if self._search[0] != key:
                with tempfile.TemporaryDirectory(prefix="eccpsite-search-") as folder:
                    root = Path(folder)
                    for url, data in pages:
                        if MARKER in data:
                            target = root / urls.output_path(url)
                            target.parent.mkdir(parents=True, exist_ok=True)
                            target.write_bytes(data)
                    index_site_cached(root, indexed, build.site.config.language, self.project / CACHE_SEARCH)
                    bundle = root / SEARCH_FOLDER
                    files = {f"/{SEARCH_FOLDER}/{p.relative_to(bundle).as_posix()}": p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
                self._search = (key, files)
            return self._search[1]

    def respond(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body for a GET of ``raw_path``."""
        state = self.state
        path = unquote(urlsplit(raw_path).path) or "/"
        if path == CLIENT:
            return 200, {"Content-Type": "text/javascript; charset=utf-8"}, CLIENT_JS.encode()
        if state.build is None:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, inject(_UNBUILT, 0, state.errors)
        build = state.build
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        if path.startswith(f"/{SEARCH_FOLDER}/"):
            try:
                bundle = self.search_bundle(build)
            except SearchIndexFailed as exc:
                return 500, {"Content-Type": "text/plain; charset=utf-8"}, str(exc).encode()
            if path in bundle:
                return 200, {"Content-Type": content_type(path)}, bundle[path]
        try:
            found = build.find(path)
        except Exception:  # a lazy output failed to render
            return 500, {"Content-Type": "text/plain; charset=utf-8"}, traceback.format_exc().encode()
        if found is None and not path.endswith("/") and build.find(path + "/") is not None:
            return 301, {"Location": path + "/"}, b""
        if found is None and build.lazy.errors:
            return 500, {"Content-Type": "text/plain; charset=utf-8"}, "\n".join(str(e) for e in build.lazy.errors).encode()
        status = 200
        if found is None:
            status, path, found = 404, urls.NOT_FOUND, build.find(urls.NOT_FOUND) or b"<!DOCTYPE html><title>Not found</title><body>Not found</body>"
        body = found.read_bytes() if isinstance(found, Path) else found
        kind = content_type(path)
        if kind.startswith("text/html"):
            body = inject(body, build.generation, state.errors)
        return status, {"Content-Type": kind}, body

    def stream(self, handler: BaseHTTPRequestHandler) -> None:
        """Send server-sent events to one browser tab until it goes away."""
        live.stream(handler, self.clients, lambda: self.state.data())


def serve(project: Path, options: BuildOptions, port: int, names: tuple[str, ...] = ()) -> int:
    """Run the dev server until Ctrl+C; returns the exit code. ``names``: host names it answers besides localhost."""
    try:
        server = DevServer(project, options, port, names=names)
    except OSError as exc:
        print(f"eccpsite: cannot serve on port {port} ({exc.strerror or exc}); choose another with --port", file=sys.stderr)
        return 2
    server.start()
    print(f"serving {server.url} — watching content/, templates/ and site.yaml; press Ctrl+C to stop", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
