"""``eccpsite check``: content errors, broken internal links, link and image warnings, and ``--external``.

External links are checked against a local HTTP server only: the tests never use the network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import NOW, RunCli, write_site

from eccpsite.check import check_external
from eccpsite.outputs.links import LinkIndex, extract_links
from eccpsite.outputs.render import Output

NEWS = "content/news/2019-09-01-links.md"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _news(body: str) -> dict[str, str | bytes]:
    return {NEWS: f"---\ntitle: Links\ndate: 2019-09-01\n---\n{body}\n", "content/media/photo.png": PNG}


def test_check_warns_about_vague_texts_empty_links_and_images_without_alt(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", _news("Read it [here](https://example.org/report).\n\nA [link to nowhere](#).\n\n![](/media/photo.png)"))
    done = run_cli("check", "--now", NOW, cwd=site)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith(f"{NEWS}:") and ": warning:" in line]
    assert [w.split(":")[1] for w in warnings] == ["5", "7", "9"], done.stderr  # each on its line
    assert "the link text 'here' does not say where it leads" in done.stderr
    assert "a link with text 'link to nowhere' leads nowhere ('#')" in done.stderr
    assert "the image /media/photo.png has no alt text" in done.stderr
    assert "3 warnings" in done.stdout
    strict = run_cli("check", "--now", NOW, "--strict", cwd=site)
    assert strict.returncode == 1
    assert "3 error(s)" in strict.stderr


def test_check_fails_on_a_broken_internal_link(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", _news("See [the report](/news/no-such-report/) and ![a photo](/media/no-such-photo.png)."))
    done = run_cli("check", "--now", NOW, cwd=site)
    assert done.returncode == 1
    assert f"{NEWS}:5: the link to /news/no-such-report/ leads to no page of the site" in done.stderr
    assert f"{NEWS}:5: the link to /media/no-such-photo.png leads to no page of the site" in done.stderr


def test_check_reports_every_content_error_of_the_run(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "content/news/2019-09-01-a.md": "---\ntitle: A\ndate: 2019-02-30\n---\nA.\n",
            "content/events/b.md": "---\ntitle: B\nstart: 2019-05-14\nend: 2019-05-13\n---\nB.\n",
        },
    )
    done = run_cli("check", "--now", NOW, cwd=site)
    assert done.returncode == 1
    assert "content/news/2019-09-01-a.md:3: date: 2019-02-30 is not a real date" in done.stderr
    assert "content/events/b.md:4: end: 'end' (2019-05-13) is before 'start' (2019-05-14)" in done.stderr
    assert "2 error(s)" in done.stderr


# --external, against a local server


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _answer(self, body: bool) -> None:
        type(self).seen.append(f"{self.command} {self.path}")
        if self.path == "/slow":
            time.sleep(3)
        status = {"/ok": 200, "/gone": 404, "/slow": 200}.get(self.path, 200)
        if self.path == "/no-head" and self.command == "HEAD":
            status = 405
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def remote() -> Iterator[str]:
    """A local stand-in for other websites: /ok, /gone (404), /no-head (refuses HEAD), /slow (3 s)."""
    _Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _page(*hrefs: str) -> Output:
    links = "".join(f'<a href="{href}">the page at {href}</a>' for href in hrefs)
    return Output("/news/x/", f"<html><body>{links}</body></html>".encode())


def test_check_external_reports_addresses_that_fail_or_time_out(remote: str) -> None:
    outputs = [_page(f"{remote}/ok", f"{remote}/gone", f"{remote}/no-head", f"{remote}/slow", f"{remote}/ok#part")]
    asked, problems = check_external(outputs, {"/news/x/": "content/news/x.md"}, timeout=0.5, workers=2)
    assert asked == 4  # /ok and /ok#part are one address
    messages = sorted(p.message for p in problems)
    assert messages == [
        f"the link to {remote}/gone answers 404 Not Found; fix or remove the link if the page has moved",
        f"the link to {remote}/slow did not answer within 0.5 s; fix or remove the link if the page has moved",
    ]
    assert all(p.path == "content/news/x.md" and p.warning for p in problems)
    assert "GET /no-head" in _Handler.seen  # asked again with GET after the 405


def test_check_external_asks_at_most_workers_at_a_time() -> None:
    lock = threading.Lock()
    running, most = 0, 0

    def ask(url: str, timeout: float) -> str | None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return None

    asked, problems = check_external([_page(*(f"https://example.org/{n}" for n in range(20)))], workers=3, ask=ask)
    assert (asked, problems) == (20, [])
    assert 1 <= most <= 3


def test_check_cli_external_is_off_by_default_and_strict_makes_failures_errors(tmp_path: Path, run_cli: RunCli, remote: str) -> None:
    site = write_site(tmp_path / "site", _news(f"Read [the ok page]({remote}/ok) and [the gone page]({remote}/gone)."))
    assert run_cli("check", "--now", NOW, cwd=site).returncode == 0
    assert _Handler.seen == []
    done = run_cli("check", "--now", NOW, "--external", "--timeout", "5", cwd=site)
    assert done.returncode == 0, done.stderr
    assert f"{NEWS}: warning: the link to {remote}/gone answers 404 Not Found" in done.stderr
    assert "2 external links checked, 1 problem(s)" in done.stdout
    strict = run_cli("check", "--now", NOW, "--external", "--strict", "--timeout", "5", cwd=site)
    assert strict.returncode == 1
    assert f"{NEWS}: the link to {remote}/gone answers 404 Not Found" in strict.stderr


# the link reader


def test_links_extract_skips_comments_and_scripts_and_reads_entities() -> None:
    page = (
        '<p><!-- <a href="/commented/">x</a> --><a href="/a/?x=1&amp;y=2">Read <em>the</em> &ldquo;report&rdquo;</a>'
        '<script>var s = "<a href=\'/in-script/\'>s</a>";</script><script src="/static/x.js"></script>'
        '<img src="/media/a.png" alt="A chart"><img src=/media/b.png><a title="a > b" href=\'/q/\'>q</a><a name="anchor">no href</a></p>'
    )
    assert extract_links(page) == [
        ("a", "/a/?x=1&y=2", "Read the “report”"),
        ("script", "/static/x.js", ""),
        ("img", "/media/a.png", "A chart"),
        ("img", "/media/b.png", ""),
        ("a", "/q/", "q"),
    ]


def test_links_lenient_check_skips_only_targets_made_on_request() -> None:
    page = b'<main><a href="/feeds/news.xml">News feed</a> <a href="/news/gone/">Gone</a> <img src="/media/gone.png" alt="Gone"></main>'
    strict = LinkIndex().update({"/": page}, (), {"/": "x.md"})
    lenient = LinkIndex().update({"/": page}, (), {"/": "x.md"}, lenient=True)  # the dev server's: feeds are made on request
    assert len(strict) == 3
    assert [p.message for p in lenient] == [
        "the link to /news/gone/ leads to no page of the site",
        "the link to /media/gone.png leads to no page of the site",
    ]
