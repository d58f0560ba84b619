"""``serve`` for one editor, safely (issue 21): a real dev server on a free port of 127.0.0.1, real sockets.

A page of another site whose name points at 127.0.0.1 (DNS rebinding) is
refused by its Host header; 200 connections at once, event streams among
them, are all answered; a browser that goes away mid-request prints nothing.
Every connection here goes to the loopback address and each loop is bounded.
"""

from __future__ import annotations

import http.client
import socket
import struct
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import NOW, write_site

from eccpsite.build import BuildOptions
from eccpsite.serve.hosts import allowed_host
from eccpsite.serve.live import EVENTS
from eccpsite.serve.server import DevServer

DEADLINE = 60.0
NEWS = "---\ntitle: News {n}\ndate: 2019-06-01\n---\n" + "A long body for a large page. " * 2000 + "\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DevServer]:
    site = write_site(tmp_path / "site", {f"content/news/2019-06-01-n{n}.md": NEWS.format(n=n) for n in range(3)})
    running = DevServer(site, BuildOptions(now=NOW, pdf=False), port=0, log=lambda line: None, names=("preview.test",))
    running.start()
    yield running
    running.stop()


def _address(server: DevServer) -> tuple[str, int]:
    host, port = server.httpd.server_address[:2]
    return str(host), int(port)


def _get(server: DevServer, path: str, host: str | None) -> tuple[int, bytes]:
    """GET ``path`` with the Host header ``host`` (None: none at all)."""
    connection = http.client.HTTPConnection(*_address(server), timeout=DEADLINE)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("LOCALHOST", True),
        ("[::1]:8000", True),
        ("site.localhost:8000", True),
        ("preview.test:8000", True),
        (None, True),
        ("evil.example", False),
        ("evil.example:8000", False),
        ("localhost.evil.example", False),
        ("127.0.0.1.evil.example:8000", False),
        ("", False),
    ],
)
def test_serve_safety_host_names_a_browser_on_this_machine_sends(header: str | None, allowed: bool) -> None:
    assert allowed_host(header, ("preview.test",)) is allowed


def test_serve_safety_another_host_name_gets_403_everywhere(server: DevServer) -> None:
    port = _address(server)[1]
    for path in ("/", "/news/n0/", EVENTS, "/pagefind/pagefind.js", "/__eccpsite/client.js"):
        status, body = _get(server, path, f"evil.example:{port}")
        assert status == 403, path
        assert b"--host evil.example" in body and b"News 0" not in body

    assert _get(server, "/news/n0/", f"127.0.0.1:{port}")[0] == 200
    assert _get(server, "/news/n0/", f"localhost:{port}")[0] == 200
    assert _get(server, "/news/n0/", f"preview.test:{port}")[0] == 200  # given with --host


def test_serve_safety_200_connections_at_once_are_all_answered(server: DevServer) -> None:
    """With Python's listen queue of 5, connections beyond it waited for the client's SYN to be sent again (1, 3,
    7, 15 s): this took 19 s, and a browser gives up before. Here 0.3 s; 10 s leaves room for a loaded machine."""
    started = time.monotonic()
    streams = [socket.create_connection(_address(server), timeout=DEADLINE) for _ in range(100)]  # tabs, each holding a stream
    try:
        for stream in streams:
            stream.sendall(f"GET {EVENTS} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())

        def page(n: int) -> int:
            return _get(server, f"/news/n{n % 3}/", "127.0.0.1")[0]

        with ThreadPoolExecutor(max_workers=100) as pool:
            statuses = list(pool.map(page, range(100)))
        hellos = 0
        for stream in streams:
            seen = b""
            deadline = time.monotonic() + DEADLINE
            while b"event: hello" not in seen and time.monotonic() < deadline:
                seen += stream.recv(4096)
            hellos += b"event: hello" in seen
    finally:
        for stream in streams:
            stream.close()

    assert statuses == [200] * 100
    assert hellos == 100
    assert time.monotonic() - started < 10.0


def _reset(server: DevServer, request: bytes, read: int) -> None:
    """Send ``request``, read ``read`` bytes of the answer, and reset the connection (a tab closed mid-answer)."""
    sock = socket.create_connection(_address(server), timeout=DEADLINE)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST, as a killed browser
    sock.sendall(request)
    if read:
        sock.recv(read)
    sock.close()


def test_serve_safety_a_browser_going_away_prints_nothing(server: DevServer, capfd: pytest.CaptureFixture[str]) -> None:
    page = b"GET /news/n0/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    for _ in range(20):
        _reset(server, page, read=0)  # gone before the answer
        _reset(server, page, read=100)  # gone during it
        _reset(server, b"GET /news/n0/ HTTP/1.1\r\nHost: 127.0", read=0)  # gone mid-request
    assert _get(server, "/news/n0/", "127.0.0.1")[0] == 200  # the server goes on
    time.sleep(0.5)  # the handler threads of the reset connections end

    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err
