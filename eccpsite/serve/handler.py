"""The dev server's HTTP side: the threaded server, the request handler, and the content type of each address.

The handler answers GET and HEAD with what the dev server gives
(:class:`Answers`: ``respond`` for a page, ``stream`` for the event stream),
after the host check of :mod:`hosts`; every answer is ``no-store``. Apart
from :mod:`server`, which decides what to answer, so that this module is
only HTTP.
"""

from __future__ import annotations

import mimetypes
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from eccpsite.core import urls
from eccpsite.serve.hosts import allowed_host, refusal
from eccpsite.serve.live import EVENTS


class Answers(Protocol):
    """What the handler asks of the dev server."""

    names: tuple[str, ...]  # host names it answers besides localhost and IP addresses (serve --host)

    def respond(self, raw_path: str) -> tuple[int, dict[str, str], bytes]: ...

    def stream(self, handler: BaseHTTPRequestHandler) -> None: ...


def content_type(url: str) -> str:
    """The ``Content-Type`` of the output at ``url`` (text in UTF-8; calendars as ``text/calendar``)."""
    name = urls.output_path(url) if url.startswith("/") else url
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".ics"):
        kind = "text/calendar"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("xml", "json", "javascript")) else kind


class Server(ThreadingHTTPServer):
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


def handler_for(server: Answers) -> type[BaseHTTPRequestHandler]:
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
            self._send(403, {"Content-Type": "text/plain; charset=utf-8"}, refusal(host), head)
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
