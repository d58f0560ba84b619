"""The dev server end to end: a real server on a free port, real file edits in a copy of the site.

Waiting is for liveness only (an event or a page must arrive within a generous
deadline); nothing here asserts how fast it arrives — bench/bench_serve.py does.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, clean_env, copy_repo_project, write_files, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core.kinds import News
from eccpsite.core.layout import CONFIG, EDITION, ITEM, OTHER, RESCAN, STATIC, TEMPLATE, classify
from eccpsite.incremental.digests import Digester
from eccpsite.serve.live import CLIENT, EVENTS, inject
from eccpsite.serve.rebuild import Rebuilder
from eccpsite.serve.server import DevServer
from eccpsite.serve.watch import Watcher
from eccpsite.uptodate import BUILT, build_if_changed

DEADLINE = 60.0  # seconds: how long a test waits for the server before it fails
NEWS = "content/news/2019-09-16-eccp-user-survey-2019.md"
NEWS_URL = "/news/eccp-user-survey-2019/"
OPTIONS = BuildOptions(now=NOW, pdf=False)


class Tab:
    """What a browser tab's script sees: the server's event stream, read in a thread."""

    def __init__(self, server: DevServer) -> None:
        host, port = server.httpd.server_address[:2]
        self.connection = http.client.HTTPConnection(str(host), int(port), timeout=DEADLINE)
        self.connection.request("GET", EVENTS)
        response = self.connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/event-stream"
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        threading.Thread(target=self._read, args=(response,), daemon=True).start()
        self.hello = self.wait("hello")

    def _read(self, response: http.client.HTTPResponse) -> None:
        event = ""
        try:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: "):
                    self.events.put((event, json.loads(line[len("data: ") :])))
        except (OSError, ValueError):
            return

    def wait(self, name: str, until: Callable[[dict[str, Any]], bool] = lambda data: True) -> dict[str, Any]:
        """The next event called ``name`` whose data satisfies ``until`` (earlier ones are skipped)."""
        deadline = time.monotonic() + DEADLINE
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no '{name}' event within {DEADLINE} s")
            try:
                event, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event == name and until(data):
                return data

    def close(self) -> None:
        self.connection.close()


def get(server: DevServer, path: str) -> tuple[int, str, str]:
    """GET a path of the server: status, content type and text."""
    try:
        with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=DEADLINE) as response:
            return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8")


@pytest.fixture
def serve() -> Iterator[Callable[[Path], DevServer]]:
    """Start a dev server on a free port for a project; stopped after the test."""
    servers: list[DevServer] = []

    def start(project: Path) -> DevServer:
        server = DevServer(project, OPTIONS, port=0, log=lambda line: None)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_repo_project(tmp_path / "project")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set_title(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: .*$", f"title: {json.dumps(title)}", text, count=1, flags=re.M), encoding="utf-8")


def test_serve_search_index_follows_the_served_pages(project: Path, serve: Callable[[Path], DevServer]) -> None:
    server = serve(project)
    status, kind, script = get(server, "/pagefind/pagefind.js")
    assert status == 200 and "javascript" in kind and "pagefind" in script
    first = server.search_bundle(server.state.build)  # type: ignore[arg-type]
    assert any(url.startswith("/pagefind/index/") for url in first)

    _edit(project / "content/news/2019-05-09-nf4-natural-products-canada-mou.md", "Vitafoods Europe", "Vitafoods Europe (Geneva)")
    deadline = time.monotonic() + DEADLINE
    while "Geneva" not in get(server, "/news/nf4-natural-products-canada-mou/")[2]:
        assert time.monotonic() < deadline, "the edit never reached the served page"
        time.sleep(0.05)
    second = server.search_bundle(server.state.build)  # type: ignore[arg-type]
    assert second != first  # the changed page was indexed again


def test_serve_edit_of_a_news_file_changes_the_page_and_sends_a_reload(project: Path, serve: Callable[[Path], DevServer]) -> None:
    server = serve(project)
    status, kind, page = get(server, NEWS_URL)
    assert status == 200 and kind.startswith("text/html")
    assert "Freshly edited title" not in page
    tab = Tab(server)
    _set_title(project / NEWS, "Freshly edited title")
    reload = tab.wait("reload")
    assert reload["generation"] > tab.hello["generation"]
    status, _, page = get(server, NEWS_URL)
    assert status == 200
    assert "<h1>Freshly edited title</h1>" in page
    assert f'data-generation="{reload["generation"]}"' in page
    status, kind, feed = get(server, "/feeds/news.xml")  # made on request, from the same build
    assert status == 200 and "xml" in kind
    assert "Freshly edited title" in feed and CLIENT not in feed
    tab.close()


def test_serve_broken_yaml_shows_the_error_over_the_last_good_page_until_fixed(project: Path, serve: Callable[[Path], DevServer]) -> None:
    server = serve(project)
    _, _, before = get(server, NEWS_URL)
    tab = Tab(server)
    good = (project / NEWS).read_text(encoding="utf-8")
    (project / NEWS).write_text(good.replace("title: ", "title: [never closed ", 1), encoding="utf-8")
    errors = tab.wait("reload", lambda data: bool(data["errors"]))["errors"]
    assert any(line.startswith(f"{NEWS}:2: ") and "not valid YAML" in line for line in errors)
    status, _, page = get(server, NEWS_URL)
    assert status == 200
    assert 'id="eccpsite-overlay"' in page
    assert f"{NEWS}:2: this is not valid YAML" in page
    assert page.split('<div id="eccpsite-overlay"')[0] == before.split(f'<script src="{CLIENT}"')[0]  # the last good page, untouched
    (project / NEWS).write_text(good, encoding="utf-8")
    _set_title(project / NEWS, "Fixed again")
    tab.wait("reload", lambda data: not data["errors"] and "<h1>Fixed again</h1>" in get(server, NEWS_URL)[2])  # a save may come as two events
    status, _, page = get(server, NEWS_URL)
    assert status == 200
    assert 'id="eccpsite-overlay"' not in page
    assert "<h1>Fixed again</h1>" in page
    tab.close()


def test_serve_deleted_and_renamed_files_leave_the_site(project: Path, serve: Callable[[Path], DevServer]) -> None:
    server = serve(project)
    tab = Tab(server)
    write_files(project, {"content/news/2019-09-20-short-lived.md": "---\ntitle: Short-lived news\ndate: 2019-09-20\n---\nHello.\n"})
    tab.wait("reload")
    assert get(server, "/news/short-lived/")[0] == 200
    (project / "content/news/2019-09-20-short-lived.md").rename(project / "content/news/2019-09-20-renamed.md")
    tab.wait("reload", lambda data: get(server, "/news/renamed/")[0] == 200)
    status, kind, page = get(server, "/news/short-lived/")
    assert status == 404 and kind.startswith("text/html")
    assert f'<script src="{CLIENT}"' in page  # the 404 page reloads too, when the page comes back
    (project / "content/news/2019-09-20-renamed.md").unlink()
    tab.wait("reload", lambda data: get(server, "/news/renamed/")[0] == 404)
    _, _, news_list = get(server, "/news/")
    assert "Short-lived news" not in news_list
    tab.close()


def test_serve_template_change_rerenders_the_pages_that_use_it(project: Path, serve: Callable[[Path], DevServer]) -> None:
    server = serve(project)
    tab = Tab(server)
    _edit(project / "templates/news.html", "{% block kicker %}", "{% block kicker %}<!-- marker of the news template -->")
    tab.wait("reload")
    assert "marker of the news template" in get(server, NEWS_URL)[2]
    assert "marker of the news template" not in get(server, "/events/erek-international-conference-2019/")[2]
    tab.close()


def test_serve_static_change_reloads_and_serves_the_new_file_without_a_script(project: Path, serve: Callable[[Path], DevServer]) -> None:
    server = serve(project)
    tab = Tab(server)
    with (project / "templates/static/style.css").open("a", encoding="utf-8") as css:
        css.write("\n/* appended by the test */\n")
    tab.wait("reload")
    status, kind, body = get(server, "/static/style.css")
    assert status == 200 and kind.startswith("text/css")
    assert body.endswith("/* appended by the test */\n")
    assert CLIENT not in body
    tab.close()


def test_serve_broken_link_is_shown_over_the_new_page(project: Path, serve: Callable[[Path], DevServer]) -> None:
    server = serve(project)
    tab = Tab(server)
    with (project / NEWS).open("a", encoding="utf-8") as news:
        news.write("\nSee [the missing report](/news/no-such-report/).\n")
    errors = tab.wait("errors", lambda data: bool(data["errors"]))["errors"]
    line = (project / NEWS).read_text(encoding="utf-8").splitlines().index("See [the missing report](/news/no-such-report/).") + 1
    assert errors == [f"{NEWS}:{line}: the link to /news/no-such-report/ leads to no page of the site"]
    page = get(server, NEWS_URL)[2]
    assert "the missing report" in page  # the new build is served, with the error over it
    assert "leads to no page of the site" in page
    tab.close()


def test_serve_starts_with_errors_and_recovers(tmp_path: Path, serve: Callable[[Path], DevServer]) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "content/news/2019-09-01-x.md": "---\ntitle: X\ndate: 2019-02-30\n---\nBody.\n",
            "content/news/2019-09-02-y.md": "---\ntitle: Y is fine\ndate: 2019-09-02\n---\nBody.\n",
        },
    )
    server = serve(site)
    for path in ("/", "/news/y/"):  # the other pages are built and served, with the error over them
        status, _, page = get(server, path)
        assert status == 200
        assert 'id="eccpsite-overlay"' in page
        assert "content/news/2019-09-01-x.md:3: date: 2019-02-30 is not a real date" in page
    assert "<h1>Y is fine</h1>" in get(server, "/news/y/")[2]
    status, _, page = get(server, "/news/x/")  # never built: the site's 404 page, with the error over it
    assert status == 404 and "is not a real date" in page
    tab = Tab(server)
    _edit(site / "content/news/2019-09-01-x.md", "2019-02-30", "2019-02-28")
    tab.wait("reload")
    status, _, page = get(server, "/news/x/")
    assert status == 200 and "<h1>X</h1>" in page
    tab.close()


def test_serve_starts_without_a_readable_site_yaml_and_answers_with_the_errors(tmp_path: Path, serve: Callable[[Path], DevServer]) -> None:
    site = write_site(tmp_path / "site")
    good = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text("title: [never closed\n", encoding="utf-8")
    server = serve(site)
    status, kind, page = get(server, "/news/")
    assert status == 200 and kind.startswith("text/html")
    assert "The site is not built yet" in page and "site.yaml:1: " in page
    tab = Tab(server)
    (site / "site.yaml").write_text(good, encoding="utf-8")
    tab.wait("reload")
    status, _, page = get(server, "/news/")
    assert status == 200 and 'id="eccpsite-overlay"' not in page


def test_serve_broken_file_keeps_its_last_good_page_while_other_edits_show(project: Path, serve: Callable[[Path], DevServer]) -> None:
    other = "content/news/2019-05-09-nf4-natural-products-canada-mou.md"
    other_url = "/news/nf4-natural-products-canada-mou/"
    server = serve(project)
    _, _, before = get(server, NEWS_URL)
    tab = Tab(server)
    _edit(project / NEWS, "date: 2019-09-16", "date: 2019-13-01")  # file A: a field error
    errors = tab.wait("reload", lambda data: bool(data["errors"]))["errors"]
    assert any(line.startswith(f"{NEWS}:") and "2019-13-01" in line for line in errors)
    _set_title(project / other, "Edited while another file is broken")  # file B: a good edit
    edited = time.monotonic()
    while "Edited while another file is broken" not in (page := get(server, other_url)[2]):
        assert time.monotonic() < edited + DEADLINE, "the edit of a valid file never showed"
        time.sleep(0.02)
    print(f"B's edit served {time.monotonic() - edited:.3f} s after the save")
    assert 'id="eccpsite-overlay"' in page and "2019-13-01" in page  # B's new page, with A's error over it
    status, _, page = get(server, NEWS_URL)
    assert status == 200 and "2019-13-01" in page  # A: its last good page, with its error over it
    assert page.split('<div id="eccpsite-overlay"')[0] == before.split(f'<script src="{CLIENT}"')[0]
    _edit(project / NEWS, "date: 2019-13-01", "date: 2019-09-16")
    tab.wait("reload", lambda data: not data["errors"])
    assert 'id="eccpsite-overlay"' not in get(server, NEWS_URL)[2]
    tab.close()


UNPUBLISHED = {
    "content/news/2019-09-10-secret-plans.md": "---\ntitle: Secret plans\ndate: 2019-09-10\ndraft: true\n---\nNot yet.\n",
    "content/news/2019-09-12-coming-soon.md": "---\ntitle: Coming soon\ndate: 2019-09-12\npublish_at: 2019-10-03T09:00\n---\nLater.\n",
    "content/news/2019-09-11-out-already.md": "---\ntitle: Out already\ndate: 2019-09-11\npublish_at: 2019-09-11T09:00\n---\nOut.\n",
}


def test_serve_drafts_shows_drafts_and_scheduled_items_with_a_banner(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", UNPUBLISHED)
    plain = DevServer(site, OPTIONS, port=0, log=lambda line: None)
    preview = DevServer(site, BuildOptions(now=NOW, pdf=False, drafts=True), port=0, log=lambda line: None)
    for server in (plain, preview):
        server.start()
    try:
        assert get(plain, "/news/secret-plans/")[0] == 404 and get(plain, "/news/coming-soon/")[0] == 404
        status, _, page = get(preview, "/news/secret-plans/")
        assert status == 200 and '<p class="preview-banner" role="status">Draft — not published</p>' in page
        status, _, page = get(preview, "/news/coming-soon/")
        assert status == 200 and '<p class="preview-banner" role="status">Scheduled for 3 October 2019, 09:00</p>' in page
        assert "preview-banner" not in get(preview, "/news/out-already/")[2]  # published: no banner
        news_list = get(preview, "/news/")[2]
        assert '<p class="card-preview">Draft — not published</p>' in news_list and "Scheduled for 3 October 2019, 09:00" in news_list
        assert "preview-banner" not in get(plain, "/news/out-already/")[2] and "card-preview" not in get(plain, "/news/")[2]
    finally:
        for server in (plain, preview):
            server.stop()


def test_serve_cli_serves_on_the_port_it_prints(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-09-01-x.md": "---\ntitle: X\ndate: 2019-09-01\n---\nBody.\n"})
    process = subprocess.Popen(
        [sys.executable, "-m", "eccpsite", "serve", "--port", "0", "--now", NOW], cwd=site, env=clean_env(), stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        line = ""
        while "serving http://127.0.0.1:" not in line:
            line = process.stderr.readline()
            assert line, "the server stopped before serving"
        url = line.split("serving ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url + "news/x/", timeout=DEADLINE) as response:
            page = response.read().decode()
        assert "<h1>X</h1>" in page and f'<script src="{CLIENT}"' in page
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE)


def test_serve_cli_refuses_a_taken_port(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    with DevServer(site, OPTIONS, port=0, log=lambda line: None).httpd as taken:
        port = taken.server_address[1]
        done = subprocess.run(
            [sys.executable, "-m", "eccpsite", "serve", "--port", str(port)], cwd=site, env=clean_env(), capture_output=True, text=True, timeout=DEADLINE
        )
    assert done.returncode == 2
    assert f"cannot serve on port {port}" in done.stderr and "--port" in done.stderr


# The incremental build gives the bytes of a clean build, whatever changed.


def _all_outputs(rebuilder: Rebuilder) -> dict[str, bytes]:
    build = rebuilder.rebuild()
    outputs = dict(build.pages)
    outputs.update((url, out.data) for url, out in build.lazy.get().items())
    return outputs


def _clean(project: Path) -> dict[str, bytes]:
    return {o.url: o.data for o in build_outputs(project, OPTIONS).outputs}


CALL = "content/calls/cosme-clusters-go-international-2019.md"
EVENT = "content/events/new-event.md"


def _edit_body(p: Path) -> list[str]:
    _edit(p / NEWS, "\n---\n", "\n---\nA new first sentence. ")
    return [NEWS]


def _move_news(p: Path) -> list[str]:
    _edit(p / NEWS, "date: 2019-09-16", "date: 2019-01-02")
    _set_title(p / NEWS, "Earlier")
    return [NEWS]


def _add_event(p: Path) -> list[str]:
    write_files(p, {EVENT: "---\ntitle: New event\nstart: 2019-10-01\ntags: [matchmaking, brand-new-tag]\n---\nBody.\n"})
    return [EVENT]


def _move_deadline(p: Path) -> list[str]:
    _edit(p / CALL, "2019-10-30", "2019-09-20")
    return [CALL]


def _edit_edition(p: Path) -> list[str]:
    _edit(p / "content/newsletter/eccp-2019-09.yaml", "title: Latest news", "title: Newest news")
    return ["content/newsletter/eccp-2019-09.yaml"]


def _edit_template(p: Path) -> list[str]:
    _edit(p / "templates/_macros.html", 'class="card-title"', 'class="card-title" data-x="1"')
    return ["templates/_macros.html"]


def _edit_config(p: Path) -> list[str]:
    _edit(p / "site.yaml", "per_page: 10", "per_page: 4")
    return ["site.yaml"]


def _delete_event(p: Path) -> list[str]:
    (p / EVENT).unlink()
    return [EVENT]


def _show_extra_on_cards(p: Path) -> list[str]:
    _edit(
        p / "templates/_macros.html",
        '<article class="card card-{{ item.kind }}">',
        '<article class="card card-{{ item.kind }}">{{ item.extra.get("note", "") }}',
    )
    return ["templates/_macros.html"]


def _add_extra(p: Path) -> list[str]:
    _edit(p / NEWS, "\n---\n", "\nextra: {note: A note for the cards}\n---\n")
    return [NEWS]


def _change_extra(p: Path) -> list[str]:  # only extra changes, which == ignores: the list pages must show the new note
    _edit(p / NEWS, "A note for the cards", "Another one, at last")
    return [NEWS]


def _retitle_event(p: Path) -> list[str]:  # in place: the event keeps its date, tags and filters
    event = "content/events/bulgarian-national-cluster-conference-2019.md"
    text = (p / event).read_text(encoding="utf-8")
    (p / event).write_text(text.replace('\ntitle: "', '\ntitle: "Renamed ', 1) + "\nA closing line.\n", encoding="utf-8")
    return [event]


def _retitle_page(p: Path) -> list[str]:  # in place, but every page's menu shows it
    _edit(p / "content/pages/about.md", "title: About the ECCP", "title: About us")
    return ["content/pages/about.md"]


def _add_alias(p: Path) -> list[str]:  # in place (an alias does not place an item), but the site gains a redirect
    _edit(p / NEWS, "\n---\n", "\naliases: [/2019/09/old-address.html]\n---\n")
    return [NEWS]


def _edit_call_and_interview(p: Path) -> list[str]:  # two items in place in one rebuild
    _edit(p / CALL, "\n---\n", "\n---\nA new first sentence. ")
    interview = "content/interviews/christian-rangen-superclusters.md"
    (p / interview).write_text((p / interview).read_text(encoding="utf-8") + "\nA last word.\n", encoding="utf-8")
    return [CALL, interview]


CHANGES = [
    _edit_body,
    _retitle_event,
    _retitle_page,
    _edit_call_and_interview,
    _add_alias,
    _move_news,
    _add_event,
    _move_deadline,
    _edit_edition,
    _edit_template,
    _edit_config,
    _delete_event,
    _show_extra_on_cards,
    _add_extra,
    _change_extra,
]


def _follows_every_change(rebuilder: Rebuilder, project: Path) -> None:
    """Each change of CHANGES in turn: the rebuild gives a clean build's bytes."""
    for change in CHANGES:
        rebuilder.apply(change(project))
        mine, clean = _all_outputs(rebuilder), _clean(project)
        assert sorted(mine) == sorted(clean), change.__name__
        assert [url for url in clean if mine[url] != clean[url]] == [], change.__name__


def test_rebuild_gives_the_bytes_of_a_clean_build_after_each_change(project: Path) -> None:
    rebuilder = Rebuilder(project, OPTIONS)
    assert _all_outputs(rebuilder) == _clean(project)
    _follows_every_change(rebuilder, project)


def test_rebuild_starts_from_the_last_builds_output_and_follows_each_change(project: Path) -> None:
    # The dev server's first build takes each page whose key is the last build's from its kept output (the items are
    # digested as the build digests them, by their texts); what it takes then follows every change as made pages do.
    write_files(project, {"content/news/2019-09-02-vague.md": "---\ntitle: Vague\ndate: 2019-09-02\n---\nRead [here](/news/).\n"})
    assert build_if_changed(project, project / "build", OPTIONS).how == BUILT
    edited = project / ".cache/output/files/news/index.html"  # a kept file changed since: not taken, made again
    edited.write_bytes(edited.read_bytes().replace(b"</main>", b"<p>Edited by hand.</p></main>"))
    fresh = shutil.copytree(project, project.parent / "fresh", ignore=shutil.ignore_patterns(".cache", "build"))
    rebuilder = Rebuilder(project, OPTIONS)
    first = rebuilder.rebuild()
    assert first.rendered < len(first.pages) // 20
    # the first link check takes the links the build kept of the pages taken, and finds what reading them finds
    elsewhere = Rebuilder(fresh, OPTIONS)
    found, expected = rebuilder.check_links(first), elsewhere.check_links(elsewhere.rebuild())
    assert any("does not say where it leads" in p.message for p in found) and sorted(found) == sorted(expected)
    assert _all_outputs(rebuilder) == _clean(project)
    _follows_every_change(rebuilder, project)


def test_rebuild_on_the_clock_keeps_its_moment_when_an_item_moves(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A date edit builds the model again whole (build.moment_of, as a build does): at the kept moment, not the clock.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    rebuilder = Rebuilder(project, BuildOptions(pdf=False))
    first = rebuilder.rebuild()
    _edit(project / NEWS, "date: 2019-09-16", "date: 2019-09-10")
    rebuilder.apply([NEWS])

    second = rebuilder.rebuild()

    if second.site.now != first.site.now and dt.datetime.now(first.site.now.tzinfo).date() != first.site.now.date():
        pytest.skip("midnight came between the two builds")
    assert second.site.now is first.site.now
    assert second.rendered < len(second.pages) // 4  # the pages that read "now" are the last build's


def test_rebuild_renders_again_only_the_pages_a_body_edit_touches(project: Path) -> None:
    rebuilder = Rebuilder(project, OPTIONS)
    first = rebuilder.rebuild()
    _edit(project / NEWS, "\n---\n", "\n---\nA new first sentence. ")
    rebuilder.apply([NEWS])
    second = rebuilder.rebuild()
    changed = sorted(url for url in second.pages if second.pages[url] != first.pages.get(url))
    assert changed == [NEWS_URL]
    rendered = {url for url in second.pages if second.pages[url] is not first.pages[url]}
    site = second.site
    item = site.by_ref["news/eccp-user-survey-2019"]
    edition = next(e for e in site.editions if item in e.items)
    touched = {NEWS_URL, "/", "/news/", "/newsletter/", "/tags/", f"/newsletter/{edition.edition.id}/", *(f"/tags/{t}/" for t in item.tags)}
    listed_with_it = {site.url(i) for i in edition.items}  # their pages name the edition, which holds the edited item
    assert NEWS_URL in rendered
    assert rendered <= touched | listed_with_it
    assert second.rendered == len(rendered) < len(second.pages) // 4


def test_rebuild_swaps_an_item_edited_in_place_into_the_last_site(project: Path) -> None:
    rebuilder = Rebuilder(project, OPTIONS)
    first = rebuilder.rebuild()
    _retitle_event(project)
    rebuilder.apply(["content/events/bulgarian-national-cluster-conference-2019.md"])
    second = rebuilder.rebuild()
    assert second.site.past_events is not first.site.past_events  # the conference of March 2019, with its new title
    assert second.site.upcoming_events is first.site.upcoming_events  # not built again: the parts without it are kept
    assert second.site.call_status is first.site.call_status
    assert second.site.news is first.site.news
    assert second.rendered < len(second.pages) // 2  # its page, lists, tag pages, and the event pages' filter box


def test_rebuild_on_the_clock_keeps_now_between_saves(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    rebuilder = Rebuilder(project, BuildOptions(pdf=False))  # no --now: the clock, as editors run it
    first = rebuilder.rebuild()
    _edit(project / NEWS, "\n---\n", "\n---\nA new first sentence. ")
    rebuilder.apply([NEWS])
    second = rebuilder.rebuild()
    assert second.site.now == first.site.now  # news pages read "now" (feed dates): a moving clock would render them all
    assert second.rendered < len(second.pages) // 4


def test_rebuild_keeps_the_last_good_state_after_a_failed_build(project: Path) -> None:
    rebuilder = Rebuilder(project, OPTIONS)
    rebuilder.rebuild()
    good = (project / NEWS).read_text(encoding="utf-8")
    (project / NEWS).write_text(good.replace("date: 2019-09-16", "date: 2019-13-01"), encoding="utf-8")
    rebuilder.apply([NEWS])
    with pytest.raises(Exception, match="error"):
        rebuilder.rebuild()
    (project / NEWS).write_text(good, encoding="utf-8")
    _set_title(project / NEWS, "Back")
    rebuilder.apply([NEWS])
    assert _all_outputs(rebuilder) == _clean(project)


# Smaller units.


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("site.yaml", CONFIG),
        ("content/news/2019-09-16-x.md", ITEM),
        ("content/pages/about.md", ITEM),
        ("content/newsletter/2019-09.yaml", EDITION),
        ("templates/news.html", TEMPLATE),
        ("templates/newsletter/pdf.css", TEMPLATE),
        ("templates/static/style.css", STATIC),
        ("content/media/logo.png", STATIC),
        ("content/news/notes.txt", RESCAN),
        ("content/news", RESCAN),
        ("content/news/.x.md.swp", OTHER),
        ("content/README.md", OTHER),
        ("build/index.html", OTHER),
        (".git/index", OTHER),
    ],
)
def test_classify_names_what_a_changed_path_is(path: str, kind: str) -> None:
    assert classify(path) == kind


def test_digests_see_fields_that_equality_ignores() -> None:
    """The engine compares digests of every field, so an item that changed only where == does not look (extra) is seen."""
    a = News(kind="news", slug="a", path="content/news/a.md", title="A", date=dt.date(2019, 1, 1), extra={"x": 1})
    b = News(kind="news", slug="a", path="content/news/a.md", title="A", date=a.date, extra={"x": 2})
    assert a == b  # extra does not count for ==
    digest = Digester().digest
    assert digest(a) != digest(b) and digest((a,)) != digest((b,)) and digest((a, (1,))) == digest((a, (1,)))


def test_inject_puts_the_script_before_the_end_of_the_body() -> None:
    page = inject(b"<html><body><p>x</p></BODY></html>", 7, ("content/x.md:3: a problem",))
    text = page.decode()
    assert text.index("<p>x</p>") < text.index('id="eccpsite-overlay"') < text.index(f'<script src="{CLIENT}" data-generation="7">') < text.index("</BODY>")
    assert "content/x.md:3: a problem" in text
    assert inject(b"<p>no body</p>", 1, ()).decode().endswith(f'<script src="{CLIENT}" data-generation="1"></script>')


def test_build_output_has_no_dev_server_script(repo_project: Path) -> None:
    outputs = build_outputs(repo_project, OPTIONS).outputs
    assert not [o.url for o in outputs if b"__eccpsite" in o.data]


def test_watcher_gathers_a_burst_into_one_call(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    calls: queue.Queue[set[str]] = queue.Queue()
    watcher = Watcher(site, calls.put, quiet=0.5, longest=30)
    watcher._thread.start()  # the burst logic alone: events come from notice(), as watchdog would call it
    try:
        for n in range(20):
            watcher.notice(str(site / f"content/news/2019-01-{n + 1:02d}-x.md"))
        watcher.notice(str(site / "content/news/.swap.md.swp"))
        watcher.notice(str(tmp_path / "outside.md"))
        burst = calls.get(timeout=DEADLINE)
    finally:
        watcher.stop()
    assert burst == {f"content/news/2019-01-{n + 1:02d}-x.md" for n in range(20)}
    assert calls.empty()


def test_watcher_ends_a_burst_of_closed_files_without_the_quiet_period(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    calls: queue.Queue[set[str]] = queue.Queue()
    watcher = Watcher(site, calls.put, quiet=10 * DEADLINE, longest=10 * DEADLINE)  # only SETTLED can end this burst in time
    watcher._thread.start()
    try:
        watcher.notice(str(site / "content/news/2019-01-01-x.md"), writing=True)  # modified ...
        watcher.notice(str(site / "content/news/2019-01-01-x.md"), writing=False)  # ... then closed by its writer
        burst = calls.get(timeout=DEADLINE)
    finally:
        watcher.stop()
    assert burst == {"content/news/2019-01-01-x.md"}
