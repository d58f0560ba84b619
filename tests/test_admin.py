"""The web editing interface at /admin/: Decap CMS, configured from the build's field declarations.

The browser test runs the real thing: the built site served with the headers
of netlify.toml (so Decap runs under the Content-Security-Policy of /admin/),
Decap's bundle from npm, and ``decap-server`` (its local backend, in git mode
for the editorial workflow) on a copy of the project in a temporary folder
with a git repository. A news item and an event are created, saved, set ready
and published through the interface; the files Decap writes then pass
``eccpsite check`` and build.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import NOW, REPO, RunCli, copy_repo_project, write_site
from netlify_headers import headers_at

from eccpsite.core.config import AdminConfig, SiteConfig
from eccpsite.core.countries import COUNTRIES
from eccpsite.core.kinds import COMMON_FIELDS, registered
from eccpsite.outputs import admin
from eccpsite.outputs.admin import BUNDLE, ENTRY, admin_page, find_bundle
from eccpsite.outputs.cms import decap_config

DECAP_SERVER = REPO / "node_modules" / "decap-server" / "dist" / "index.js"
LOCAL_BACKEND_PORT = 8081  # where Decap looks for its local backend (local_backend: true), and the only one /admin/'s CSP allows
CONFIG = SiteConfig(title="T", base_url="https://t.example.org", admin=AdminConfig("org/site"))


def fields_of(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in collection["fields"]}


@pytest.fixture(scope="module")
def collections() -> dict[str, dict[str, Any]]:
    config = decap_config(CONFIG, {"news/a": "news item: A", "events/b": "event: B"})
    return {c["name"]: c for c in config["collections"]}


def test_decap_has_a_collection_per_kind_and_the_editions(collections: dict[str, dict[str, Any]]) -> None:
    assert set(collections) == {*(kind.folder for kind in registered()), "newsletter"}
    assert collections["news"]["folder"] == "content/news" and collections["news"]["slug"] == "{{year}}-{{month}}-{{day}}-{{slug}}"
    assert collections["newsletter"]["format"] == "yaml" and collections["newsletter"]["extension"] == "yaml"


def test_every_declared_field_has_its_widget_and_required_as_the_build_says(collections: dict[str, dict[str, Any]]) -> None:
    for kind, own in ((k.folder, k.fields) for k in registered()):
        widgets = fields_of(collections[kind])
        for key, field in own.items():
            assert widgets[key]["required"] is field.required, (kind, key)
        assert widgets["title"]["required"] is True and widgets["body"]["widget"] == "markdown"


def test_dates_datetimes_choices_countries_and_deadlines_get_their_widgets(collections: dict[str, dict[str, Any]]) -> None:
    event = fields_of(collections["events"])
    assert event["start"]["widget"] == "datetime" and event["start"]["time_format"] is False and event["start"]["format"] == "YYYY-MM-DD"
    assert event["publish_at"]["widget"] == "datetime" and event["publish_at"]["format"] == "YYYY-MM-DDTHH:mm"
    assert event["status"] == {"name": "status", "label": "Status", "widget": "select", "options": ["scheduled", "cancelled", "postponed"], "required": False}
    country = fields_of(event["location"])["country"]
    assert country["widget"] == "select" and {o["value"] for o in country["options"]} == set(COUNTRIES)
    assert {"label": "BE — Belgium", "value": "BE"} in country["options"]
    deadlines = fields_of(collections["calls"])["deadlines"]
    assert deadlines["widget"] == "list" and deadlines["min"] == 1 and deadlines["required"] is True
    assert [d["name"] for d in deadlines["fields"]] == ["date", "label"]
    assert fields_of(collections["interviews"])["person"]["widget"] == "object"
    assert fields_of(collections["news"])["image"]["widget"] == "image"


def test_clusters_are_a_collection_and_items_name_them_through_a_relation(collections: dict[str, dict[str, Any]]) -> None:
    for kind in ("news", "events", "calls", "interviews"):
        named = fields_of(collections[kind])["clusters"]
        assert named["widget"] == "relation" and named["collection"] == "clusters" and named["multiple"] is True, kind
        assert named["value_field"] == "{{slug}}" and named["required"] is False
    profile = fields_of(collections["clusters"])
    assert profile["country"]["widget"] == "select" and profile["country"]["required"] is True
    assert profile["founded"]["widget"] == "number" and profile["logo"]["widget"] == "image"
    assert profile["sectors"]["widget"] == "list" and profile["labels"]["widget"] == "list"
    assert collections["countries"]["create"] is False and collections["clusters"]["create"] is True


def test_every_field_but_extra_has_a_widget(collections: dict[str, dict[str, Any]]) -> None:
    """Nothing an item may hold is missing from the interface (extra: holds an editor's own fields, written by hand)."""
    for kind, own in ((k.folder, k.fields) for k in registered()):
        assert set(fields_of(collections[kind])) == {*COMMON_FIELDS, *own, "body"} - {"extra"}, kind


def test_an_editions_sections_choose_among_the_sites_items(collections: dict[str, dict[str, Any]]) -> None:
    sections = fields_of(collections["newsletter"])["sections"]
    item = fields_of(sections)["items"]["field"]
    assert item["widget"] == "select" and item["options"] == [{"label": "news item: A", "value": "news/a"}, {"label": "event: B", "value": "events/b"}]


def test_the_editing_interface_is_built_only_when_site_yaml_asks(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-09-16-a.md": "---\ntitle: A\ndate: 2019-09-16\n---\nText.\n"})
    assert run_cli("build", "--now", NOW, "--no-pdf", cwd=site).returncode == 0
    assert not (site / "build" / "admin").exists()
    with (site / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("admin: {repo: org/site}\n")
    done = run_cli("build", "--now", NOW, "--no-pdf", cwd=site)
    assert done.returncode == 0, done.stdout + done.stderr
    admin = site / "build" / "admin"
    assert (admin / ENTRY).read_bytes() == (find_bundle(site) / ENTRY).read_bytes()  # type: ignore[operator]
    assert not list(admin.glob("*.map"))
    config = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"]["repo"] == "org/site" and config["publish_mode"] == "editorial_workflow" and config["local_backend"] is True
    assert config["media_folder"] == "content/media"
    assert b'<script src="decap-cms.js"></script>' in (admin / "index.html").read_bytes()


def test_without_decaps_bundle_the_build_warns_and_leaves_admin_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site")
    with (site / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("admin: {repo: org/site}\n")
    config = SiteConfig(title="T", base_url="https://t.example.org", admin=AdminConfig("org/site"))
    monkeypatch.setattr(admin, "_CHECKOUT", tmp_path / "elsewhere")  # a project without node_modules, eccpsite installed elsewhere
    warning = admin.missing_bundle(site, config)
    assert warning is not None and warning.warning and "run `npm ci`" in warning.message
    assert admin.missing_bundle(site, CONFIG.__class__(title="T", base_url="https://t.example.org")) is None
    monkeypatch.undo()
    assert admin.missing_bundle(site, config) is None  # the checkout's node_modules (npm ci) holds it


def test_a_wrong_repository_in_site_yaml_is_an_error_with_its_line(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site")
    with (site / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("admin:\n  repo: https://github.com/org/site\n")
    done = run_cli("check", cwd=site)
    assert done.returncode == 1
    assert "site.yaml:11: admin.repo: expected a GitHub repository written owner/name, found 'https://github.com/org/site'; write org/site" in done.stderr


def test_the_admin_page_has_no_inline_script_or_style() -> None:
    page = admin_page(CONFIG).decode()
    assert page.count("<script") == 1 and "<style" not in page and " style=" not in page and 'name="robots" content="noindex"' in page


# --- Decap in Chromium, against decap-server -------------------------------------------------


@contextlib.contextmanager
def local_backend_port() -> Iterator[None]:
    """Take turns for port 8081 with other runs of this test on the machine (a lock file), and wait until it is free."""
    with (Path("/tmp") / "eccpsite-decap-server.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", LOCAL_BACKEND_PORT)) != 0:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"port {LOCAL_BACKEND_PORT} stays taken by another program; decap-server needs it", pytrace=False)
            time.sleep(0.5)
        yield


@contextlib.contextmanager
def decap_server(repository: Path, log: Path) -> Iterator[None]:
    """decap-server (git mode: the editorial workflow's branches) on ``repository``, until the block ends."""
    if not DECAP_SERVER.is_file():
        pytest.fail(f"{DECAP_SERVER.relative_to(REPO)} is missing: run `make test` (it runs npm ci)", pytrace=False)
    env = {**os.environ, "MODE": "git", "GIT_REPO_DIRECTORY": str(repository), "PORT": str(LOCAL_BACKEND_PORT), "LOG_LEVEL": "info"}
    with local_backend_port(), log.open("w") as out:
        server = subprocess.Popen(["node", str(DECAP_SERVER)], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for_backend(server, log)
            yield
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_for_backend(server: subprocess.Popen[bytes], log: Path) -> None:
    request = urllib.request.Request(
        f"http://localhost:{LOCAL_BACKEND_PORT}/api/v1", json.dumps({"action": "info"}).encode(), {"Content-Type": "application/json"}
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"decap-server ended at once: {log.read_text(encoding='utf-8')}", pytrace=False)
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=5) as answer:
            if json.load(answer).get("type") == "local_git":
                return
        time.sleep(0.3)
    pytest.fail(f"decap-server did not answer within a minute: {log.read_text(encoding='utf-8')}", pytrace=False)


def git(project: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=project, env=env, capture_output=True, text=True, check=True).stdout


def project_in_git(folder: Path) -> Path:
    """A copy of the repository's project (content, templates, site.yaml) as a git repository on branch main."""
    project = copy_repo_project(folder)
    (project / ".gitignore").write_text("build/\n.cache/\n", encoding="utf-8")
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.name", "Test")
    git(project, "config", "user.email", "t@example.org")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "the project")
    return project


def open_admin(context: Any, base: str, violations: list[str], at: str = "") -> Any:
    """A new page of /admin/ (at the hash route ``at``) that accepts Decap's confirmations and notes CSP violations."""
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Are you sure you want to publish this entry?"
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(base + "admin/" + at)
    return page


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in Decap's select or relation field ``label`` (react-select: type to filter, Enter to choose)."""
    field = page.get_by_label(re.compile(f"^{label}"))
    field.fill(option)
    page.get_by_role("option", name=re.compile(option)).first.wait_for(timeout=30_000)
    field.press("Enter")


def _publish(page: Any) -> None:
    """Save the open entry, set it ready and publish it (what a reviewer's merge of the pull request does on GitHub)."""
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Entry saved").wait_for(timeout=30_000)
    page.get_by_text("Status: Draft").click()
    page.get_by_role("menuitem", name="Ready").click()
    page.get_by_text("Entry status updated").wait_for(timeout=30_000)
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_role("menuitem", name="Publish now").click()
    page.get_by_text("Entry published").wait_for(timeout=30_000)


@pytest.mark.browser
@pytest.mark.slow
def test_decap_creates_a_news_item_and_an_event_that_pass_check_and_build(tmp_path: Path, run_cli: RunCli, chromium: Any) -> None:
    project = project_in_git(tmp_path / "project")
    output = tmp_path / "site"
    built = run_cli("build", "--now", NOW, "--no-pdf", "--output", str(output), cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    assert find_bundle(project) is not None and (output / "admin" / ENTRY).is_file(), BUNDLE
    from browser import serve_directory

    violations: list[str] = []
    with serve_directory(output, headers=headers_at) as base, decap_server(project, tmp_path / "decap-server.log"):
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = open_admin(context, base, violations)
        page.get_by_role("button", name="Login").click()
        page.get_by_text("News").first.wait_for(timeout=60_000)

        page = open_admin(context, base, violations, "#/collections/news/new")  # a new page: Decap keeps the last entry's form otherwise
        page.get_by_text("Writing in News collection").wait_for()
        page.get_by_label("Title", exact=True).fill("Cluster matchmaking in Lisbon")
        page.get_by_label("Date", exact=True).fill("2019-09-20")
        page.get_by_label("Summary").fill("Forty clusters meet in Lisbon.")
        page.get_by_label("Tags").fill("matchmaking, Portugal")
        choose(page, "Clusters", "Genopole")
        _publish(page)

        page = open_admin(context, base, violations, "#/collections/events/new")
        page.get_by_text("Writing in Events collection").wait_for()
        page.get_by_label("Title", exact=True).fill("EU-Japan cluster week")
        page.get_by_label("Start", exact=True).fill("2019-10-14")
        page.get_by_label(re.compile("^End")).fill("2019-10-16")
        page.get_by_label(re.compile("^City")).fill("Tokyo")
        choose(page, "Country", "Japan")
        choose(page, "Status", "postponed")
        _publish(page)
        context.close()
    assert violations == []

    news = list((project / "content" / "news").glob("*-cluster-matchmaking-in-lisbon.md"))
    event = project / "content" / "events" / "eu-japan-cluster-week.md"
    assert len(news) == 1 and event.is_file(), git(project, "status", "--short")
    checked = run_cli("check", "--strict", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rebuilt = run_cli("build", "--now", NOW, "--no-pdf", "--output", str(output), cwd=project)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "Forty clusters meet in Lisbon." in (output / "news" / "cluster-matchmaking-in-lisbon" / "index.html").read_text(encoding="utf-8")
    assert (output / "events" / "eu-japan-cluster-week" / "index.html").is_file()
    expected = {"title": "Cluster matchmaking in Lisbon", "date": "2019-09-20", "summary": "Forty clusters meet in Lisbon."}
    expected |= {"tags": ["matchmaking", "Portugal"], "clusters": ["genopole"]}
    assert front_matter(news[0]) == expected
    assert news[0].name == "2019-09-20-cluster-matchmaking-in-lisbon.md"
    written = front_matter(event)
    assert written["location"] == {"city": "Tokyo", "country": "JP"} and written["status"] == "postponed" and written["start"] == "2019-10-14"
    assert "Postponed" in (output / "events" / "eu-japan-cluster-week" / "index.html").read_text(encoding="utf-8")


def front_matter(path: Path) -> dict[str, Any]:
    """The front matter of an item's file, dates as written (YAML's own date type would hide how Decap wrote them)."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), text
    return dict(yaml.load(text.split("---\n", 2)[1], Loader=yaml.BaseLoader))
