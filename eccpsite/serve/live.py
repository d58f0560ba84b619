"""Live reload: the script every served page gets, the error overlay, and the Server-Sent Events that drive them.

Every HTML response of the dev server gets a small script (only here, never
in ``build``) that listens to ``/__eccpsite/events``: ``hello`` when it
connects (a page of an older build reloads at once), ``reload`` after a good
rebuild, ``errors`` when the errors change, shown in a box over the page.
This is the browser's side of the dev server, apart from what it serves
(:mod:`server`) and how it answers HTTP (:mod:`handler`).
"""

from __future__ import annotations

import html
import json
import queue
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

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


CLIENT_JS = _CLIENT_TEMPLATE.replace("__EVENTS__", EVENTS).replace("__OVERLAY__", json.dumps(overlay([])))


def inject(page: bytes, generation: int, errors: tuple[str, ...]) -> bytes:
    """Add the reload script (and the error overlay, if any) before ``</body>``."""
    script = f'<script src="{CLIENT}" data-generation="{generation}"></script>'
    extra = (overlay(errors) if errors else "") + script
    text = page.decode("utf-8", "replace")
    at = text.lower().rfind("</body>")
    text = text[:at] + extra + text[at:] if at >= 0 else text + extra
    return text.encode("utf-8")


class Clients:
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


def stream(handler: BaseHTTPRequestHandler, clients: Clients, hello: Callable[[], dict[str, Any]]) -> None:
    """Send server-sent events to one browser tab until it goes away: first ``hello()``, then what ``clients`` is sent."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("Connection", "keep-alive")
    handler.end_headers()
    q = clients.add()
    try:  # hello is read once the queue is added, so no event between the two is missed
        _write_event(handler, "hello", json.dumps(hello()))
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
        clients.remove(q)


def _write_event(handler: BaseHTTPRequestHandler, event: str, data: str) -> None:
    handler.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
    handler.wfile.flush()
