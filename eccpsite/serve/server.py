"""``eccpsite serve``: build in memory, serve on localhost, rebuild on save, reload the browser.

The server holds one immutable :class:`State` — the last good build and the
errors of the latest attempt — and replaces it whole after each rebuild, so a
request sees either the old site or the new one, never a mix. Every HTML
response gets a small script (only here, never in ``build``) that listens to
``/__eccpsite/events`` (Server-Sent Events): ``reload`` after a good rebuild,
``errors`` when the errors change. A file with errors of its own does not
hold the others back: it keeps its last good version (the Rebuilder's
``keep_going``) while every other edit shows, and the ``path:line: message``
lines are shown over every page until they are fixed. Errors between files
keep the last good build whole. Even before a first good build the server
answers with the errors, never with a 500.
"""

from __future__ import annotations

import gc
import html
import ipaddress
import json
import mimetypes
import queue
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from eccpsite.build import BuildOptions
from eccpsite.core import urls
from eccpsite.core.errors import BuildFailed
from eccpsite.core.layout import STATIC
from eccpsite.incremental.cache import CACHE_DIR
from eccpsite.outputs.search import FOLDER as SEARCH_FOLDER
from eccpsite.outputs.search import MARKER, SearchIndexFailed, index_site_cached, indexed_pages, search_key
from eccpsite.serve.rebuild import Build, Rebuilder
from eccpsite.serve.watch import Watcher

EVENTS = "/__eccpsite/events"
CLIENT = "/__eccpsite/client.js"
KEEPALIVE = 15.0  # seconds between comments on an idle event stream

_CLIENT_TEMPLATE = """\
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = Number(script.getAttribute("data-generation"));
  function show(errors) {
    var box = document.getElementById("eccpsite-overlay");
    if (!errors.length) { if (box) { box.remove(); } return; }
    if (!box) {
      var holder = document.createElement("div");
      holder.innerHTML = __OVERLAY__;
      box = holder.firstElementChild;
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = errors.join("\\n");
  }
  var events = new EventSource("__EVENTS__");
  events.addEventListener("hello", function (event) {
    var data = JSON.parse(event.data);
    if (data.generation !== generation) { location.reload(); } else { show(data.errors); }
  });
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("errors", function (event) { show(JSON.parse(event.data).errors); });
})();
"""

_OVERLAY_STYLE = (
    "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;"
    "background:#8b0000;color:#fff;font:15px/1.45 system-ui,sans-serif;box-shadow:0 -2px 12px rgba(0,0,0,.4)"
)
_PRE_STYLE = "margin:.5rem 0 0;white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;color:#fff;background:none"


def overlay(errors: tuple[str, ...] | list[str]) -> str:
    """The box shown over a page while the content has errors (empty markup's ``pre`` is filled by the script)."""
    lines = html.escape("\n".join(errors))
    return (
        f'<div id="eccpsite-overlay" role="alert" style="{_OVERLAY_STYLE}">'
        "<strong>eccpsite: fix these errors. A file with errors shows its last good version; every other edit is shown.</strong>"
        f'<pre style="{_PRE_STYLE}">{lines}</pre></div>'
    )


# What every address shows before a first good build (site.yaml unreadable): the errors, over a plain page.
_UNBUILT = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    b'<title>eccpsite: the site is not built yet</title></head><body style="font:16px/1.5 system-ui,sans-serif;margin:2rem">'
    b"<main><h1>The site is not built yet</h1><p>Fix the errors below: this page reloads by itself once they are fixed.</p></main></body></html>"
)

CLIENT_JS = _CLIENT_TEMPLATE.replace("__EVENTS__", EVENTS).replace("__OVERLAY__", json.dumps(overlay([])))


def inject(page: bytes, generation: int, errors: tuple[str, ...]) -> bytes:
    """Add the reload script (and the error overlay, if any) before ``</body>``."""
    script = f'<script src="{CLIENT}" data-generation="{generation}"></script>'
    extra = (overlay(errors) if errors else "") + script
    text = page.decode("utf-8", "replace")
    at = text.lower().rfind("</body>")
    text = text[:at] + extra + text[at:] if at >= 0 else text + extra
    return text.encode("utf-8")


@dataclass(frozen=True)
class State:
    """What the server shows: the last good build (None before the first) and the current errors."""

    build: Build | None
    errors: tuple[str, ...] = ()

    @property
    def generation(self) -> int:
        return self.build.generation if self.build else 0


class _Clients:
    """The open event streams, each a queue of (event, data) to send."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: list[queue.Queue[tuple[str, str] | None]] = []

    def add(self) -> queue.Queue[tuple[str, str] | None]:
        q: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self._lock:
            self._queues.append(q)
        return q

    def remove(self, q: queue.Queue[tuple[str, str] | None]) -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)

    def send(self, event: str, data: dict[str, Any]) -> None:
        message = (event, json.dumps(data))
        with self._lock:
            for q in self._queues:
                q.put(message)

    def close(self) -> None:
        with self._lock:
            for q in self._queues:
                q.put(None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._queues)


def _content_type(url: str) -> str:
    name = urls.output_path(url) if url.startswith("/") else url
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".ics"):
        kind = "text/calendar"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("xml", "json", "javascript")) else kind


def allowed_host(header: str | None, names: tuple[str, ...] = ()) -> bool:
    """Whether a request's ``Host`` header names this machine as a browser on it would: an IP address, ``localhost``
    (or a name under it), or one of ``names`` (``serve --host``), with or without a port. A page of another site
    whose name was made to point at 127.0.0.1 (DNS rebinding) sends its own name and is refused. No header at all
    comes from no browser (HTTP/1.0 tools): allowed."""
    if header is None:
        return True
    name = header.strip().lower()
    if name.startswith("["):  # [::1]:8000
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.rstrip(".")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name == "localhost" or name.endswith(".localhost") or name in {n.lower().rstrip(".") for n in names}


class _Server(ThreadingHTTPServer):
    """The HTTP server: a thread per connection, a listen queue for a browser opening many at once (Python's
    default holds 5: under 200 at once, dozens went unanswered), and a browser that goes away mid-answer (a reload,
    a closed tab) is no error to print."""

    request_queue_size = 256
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):  # BrokenPipe, ConnectionReset: the browser left
            return
        print(f"eccpsite: could not answer a request ({type(error).__name__}: {error})", file=sys.stderr, flush=True)


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
        self.clients = _Clients()
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.watcher = Watcher(self.project, self.changed)
        self.httpd = _Server((host, port), _handler(self))
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
        self.clients.send(event, {"generation": state.generation, "errors": list(state.errors)})

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
                    index_site_cached(root, indexed, build.site.config.language, self.project / CACHE_DIR)
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
                return 200, {"Content-Type": _content_type(path)}, bundle[path]
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
        kind = _content_type(path)
        if kind.startswith("text/html"):
            body = inject(body, build.generation, state.errors)
        return status, {"Content-Type": kind}, body

    def stream(self, handler: BaseHTTPRequestHandler) -> None:
        """Send server-sent events to one browser tab until it goes away."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Connection", "keep-alive")
        handler.end_headers()
        q = self.clients.add()
        state = self.state
        try:
            _write_event(handler, "hello", json.dumps({"generation": state.generation, "errors": list(state.errors)}))
            while True:
                try:
                    message = q.get(timeout=KEEPALIVE)
                except queue.Empty:
                    handler.wfile.write(b": keep-alive\n\n")
                    handler.wfile.flush()
                    continue
                if message is None:
                    return
                _write_event(handler, *message)
        except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
            return
        finally:
            self.clients.remove(q)


def _write_event(handler: BaseHTTPRequestHandler, event: str, data: str) -> None:
    handler.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
    handler.wfile.flush()


def _handler(server: DevServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if not self._host_allowed(head=False):
                return
            if urlsplit(self.path).path == EVENTS:
                self.close_connection = True
                server.stream(self)
                return
            self._send(*server.respond(self.path), head=False)

        def do_HEAD(self) -> None:
            if self._host_allowed(head=True):
                self._send(*server.respond(self.path), head=True)

        def _host_allowed(self, head: bool) -> bool:
            """Answer 403 to a request for another host name than this machine's (see :func:`allowed_host`)."""
            host = self.headers.get("Host")
            if allowed_host(host, server.names):
                return True
            name = (host or "").split(":")[0]
            message = f"eccpsite serve answers for localhost only, not for {host!r}: to preview under that name, start it with --host {name}\n"
            self._send(403, {"Content-Type": "text/plain; charset=utf-8"}, message.encode(), head)
            return False

        def _send(self, status: int, headers: dict[str, str], body: bytes, head: bool) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the rebuilds are what an editor wants to read, not every request

    return Handler


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
