"""End-to-end: the ``eccpsite`` command line as a subprocess, on the real content and on small sites."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from conftest import NOW, RunCli, clean_env, copy_repo_project, run_eccpsite, snapshot, write_files, write_site

KINDS = ("news", "events", "calls", "interviews", "pages")
BASE_URL = "https://www.clustercollaboration.eu"


def _news(title: str, day: str = "2019-06-07", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {day}\n{extra}---\nBody of {title}.\n"


# The real content, built once for the tests that only read the result.


@pytest.fixture(scope="module")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's content, site.yaml and templates built with ``--now 2019-09-16``; returns the project."""
    project = copy_repo_project(tmp_path_factory.mktemp("real") / "project")
    result = run_eccpsite("build", "--now", NOW, cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return project


def _front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, f"{path} has no front matter"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict)
    return meta


def _expected_page(kind: str, path: Path) -> str:
    """The output file of a content file, worked out here from SPEC's rules (not by eccpsite's code)."""
    meta = _front_matter(path)
    slug = str(meta.get("slug") or re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem))
    return f"{slug}/index.html" if kind == "pages" else f"{kind}/{slug}/index.html"


def test_cli_build_of_the_real_content_has_a_page_per_item(real_build: Path) -> None:
    build = real_build / "build"
    sources = [(kind, p) for kind in KINDS for p in sorted((real_build / "content" / kind).glob("*.md"))]
    assert len(sources) >= 50, "the seeds hold dozens of items"
    missing = [str(p.relative_to(real_build)) for kind, p in sources if not (build / _expected_page(kind, p)).is_file()]
    assert missing == []
    editions = sorted((real_build / "content" / "newsletter").glob("*.yaml"))
    assert editions
    assert [e.stem for e in editions if not (build / "newsletter" / e.stem / "index.html").is_file()] == []


def test_cli_build_of_the_real_content_shows_each_title(real_build: Path) -> None:
    build = real_build / "build"
    for kind in KINDS:
        for path in sorted((real_build / "content" / kind).glob("*.md")):
            title = str(_front_matter(path)["title"])
            page = (build / _expected_page(kind, path)).read_text(encoding="utf-8")
            assert _escape(title) in page, f"{path.name}: title not on its page"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


class _Targets(HTMLParser):
    """Every href/src of a page, and every id it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.targets.append(value)
            elif name in ("id", "name") and value:
                self.ids.add(value)


def _parse(path: Path) -> _Targets:
    parser = _Targets()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _output_file(build: Path, url_path: str) -> Path | None:
    """The file that serves a site path, as a static host would find it."""
    relative = unquote(url_path).lstrip("/")
    candidates = [build / relative / "index.html"] if url_path.endswith("/") else [build / relative, build / relative / "index.html"]
    return next((c for c in candidates if c.is_file()), None)


def _broken_links(build: Path) -> list[str]:
    broken: list[str] = []
    parsed: dict[Path, _Targets] = {}
    pages = sorted(build.rglob("*.html"))
    assert pages
    for page in pages:
        relative = page.relative_to(build).as_posix()
        page_url = "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)
        for target in parsed.setdefault(page, _parse(page)).targets:
            assert not target.strip().lower().startswith("javascript:"), f"{relative}: {target}"
            parts = urlsplit(urljoin(page_url, target))
            if parts.scheme or parts.netloc:
                continue
            found = _output_file(build, parts.path)
            if found is None:
                broken.append(f"{relative}: {target}")
            elif parts.fragment and found.suffix == ".html" and unquote(parts.fragment) not in parsed.setdefault(found, _parse(found)).ids:
                broken.append(f"{relative}: {target} (no id {parts.fragment!r})")
    return broken


def test_cli_build_of_the_real_content_has_no_broken_internal_link(real_build: Path) -> None:
    assert _broken_links(real_build / "build") == []


def test_cli_build_sitemap_lists_only_pages_that_exist(real_build: Path) -> None:
    build = real_build / "build"
    locations = re.findall(r"<loc>([^<]+)</loc>", (build / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locations) > 50
    assert [u for u in locations if not u.startswith(BASE_URL + "/") or _output_file(build, u[len(BASE_URL) :]) is None] == []


def test_cli_build_twice_gives_identical_bytes(real_build: Path, run_cli: RunCli) -> None:
    first = snapshot(real_build / "build")
    assert run_cli("build", "--now", NOW, cwd=real_build).returncode == 0
    assert snapshot(real_build / "build") == first


def test_cli_build_in_another_folder_gives_identical_bytes(real_build: Path, tmp_path: Path, run_cli: RunCli) -> None:
    other = tmp_path / "elsewhere" / "copy"
    shutil.copytree(real_build, other)
    shutil.rmtree(other / "build")
    assert run_cli("build", "--now", NOW, cwd=other).returncode == 0
    first, second = snapshot(real_build / "build"), snapshot(other / "build")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


# Usage errors exit 2.


@pytest.mark.parametrize(
    "args",
    [["build", "--now", "2019-02-30"], ["build", "--now", "next week"], ["publish"], [], ["build", "--colour"], ["new", "podcast", "Title"]],
)
def test_cli_usage_errors_exit_2(args: list[str], site: Path, run_cli: RunCli) -> None:
    result = run_cli(*args, cwd=site)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()
    assert not (site / "build").exists()


def test_cli_bad_now_says_what_is_expected(site: Path, run_cli: RunCli) -> None:
    result = run_cli("build", "--now", "16/09/2019", cwd=site)
    assert result.stderr.strip() == "eccpsite: --now expects a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM, not '16/09/2019'"


def test_cli_bad_source_date_epoch_is_a_usage_error(site: Path, run_cli: RunCli) -> None:
    result = run_cli("build", cwd=site, env=clean_env(SOURCE_DATE_EPOCH="yesterday"))
    assert result.returncode == 2
    assert "SOURCE_DATE_EPOCH must be a number of seconds" in result.stderr


# check writes nothing.


def test_cli_check_writes_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-06-07-a.md": _news("A")})
    before = snapshot(tmp_path)
    result = run_cli("check", "--now", NOW, cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no errors")
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []


def test_cli_check_reports_errors_and_exits_1(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/a.md": _news("A", day="2019-02-30")})
    result = run_cli("check", "--now", NOW, cwd=site)
    assert result.returncode == 1
    assert "content/news/a.md:3: date: 2019-02-30 is not a real date" in result.stderr


# new.


def test_cli_new_news_writes_a_file_that_builds(site: Path, run_cli: RunCli) -> None:
    before = dt.date.today()
    result = run_cli("new", "news", "Elżbieta Bieńkowska visits", cwd=site)
    after = dt.date.today()
    assert result.returncode == 0, result.stderr
    created = [site / "content" / "news" / f"{day.isoformat()}-elzbieta-bienkowska-visits.md" for day in {before, after}]
    [path] = [p for p in created if p.exists()]
    meta = _front_matter(path)
    assert meta["title"] == "Elżbieta Bieńkowska visits"
    assert isinstance(meta["date"], dt.date)
    built = run_cli("build", cwd=site)
    assert built.returncode == 0, built.stderr
    page = (site / "build" / "news" / "elzbieta-bienkowska-visits" / "index.html").read_text(encoding="utf-8")
    assert "Elżbieta Bieńkowska visits" in page


@pytest.mark.parametrize(("kind", "folder"), [("event", "events"), ("call", "calls"), ("interview", "interviews")])
def test_cli_new_writes_the_required_fields_of_each_kind(kind: str, folder: str, site: Path, run_cli: RunCli) -> None:
    result = run_cli("new", kind, "EU–Japan cluster mission", cwd=site)
    assert result.returncode == 0, result.stderr
    [path] = list((site / "content" / folder).glob("*eu-japan-cluster-mission.md"))
    meta = _front_matter(path)
    required = {"event": {"title", "start"}, "call": {"title", "deadlines"}, "interview": {"title", "date", "person"}}[kind]
    assert required <= set(meta)


def test_cli_new_refuses_to_overwrite(site: Path, run_cli: RunCli) -> None:
    assert run_cli("new", "event", "Cluster Days", cwd=site).returncode == 0
    path = site / "content" / "events" / "cluster-days.md"
    path.write_text(path.read_text(encoding="utf-8") + "Edited by hand.\n", encoding="utf-8")
    edited = path.read_bytes()
    result = run_cli("new", "event", "Cluster Days", cwd=site)
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == edited


def _today_in(name: str, before: dt.date, after: dt.date) -> set[str]:
    """The names ``name`` (with ``{day}`` and ``{month}``) gives for the days the command may have run on."""
    return {name.format(day=day.isoformat(), month=f"{day:%Y-%m}") for day in {before, after}}


def test_cli_new_page_writes_a_page_that_builds(site: Path, run_cli: RunCli) -> None:
    result = run_cli("new", "page", "Cluster policy at a glance", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "created content/pages/cluster-policy-at-a-glance.md"
    assert _front_matter(site / "content" / "pages" / "cluster-policy-at-a-glance.md")["title"] == "Cluster policy at a glance"
    assert run_cli("build", cwd=site).returncode == 0
    assert "<h1>Cluster policy at a glance</h1>" in (site / "build" / "cluster-policy-at-a-glance" / "index.html").read_text(encoding="utf-8")
    refused = run_cli("new", "page", "Tags", cwd=site)  # /tags/ is the site's own
    assert refused.returncode == 2 and "/tags/" in refused.stderr and "Traceback" not in refused.stderr


def test_cli_new_edition_numbers_it_after_the_last_one_and_keeps_it_a_draft(site: Path, run_cli: RunCli) -> None:
    write_files(site, {"content/newsletter/2019-07.yaml": "number: 41\ndate: 2019-07-31\ntitle: July\nsections:\n  - {title: News, items: []}\n"})
    before = dt.date.today()
    result = run_cli("new", "edition", "ECCP Newsletter — autumn", cwd=site)
    after = dt.date.today()
    assert result.returncode == 0, result.stderr
    [path] = [site / name for name in _today_in("content/newsletter/{month}.yaml", before, after) if (site / name).exists()]
    assert result.stdout.strip() == f"created {path.relative_to(site)}"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert meta["number"] == 42 and meta["title"] == "ECCP Newsletter — autumn" and meta["draft"] is True
    assert [s["title"] for s in meta["sections"]] == ["Latest news", "Upcoming events", "Open calls"]
    edition = site / "build" / "newsletter" / path.stem / "index.html"
    assert run_cli("build", "--no-pdf", cwd=site).returncode == 0
    assert not edition.exists()  # a draft until its editor removes draft: true
    assert run_cli("build", "--no-pdf", "--drafts", cwd=site).returncode == 0
    assert "Draft — not published" in edition.read_text(encoding="utf-8")


def test_cli_commands_find_the_project_from_a_subfolder(site: Path, run_cli: RunCli) -> None:
    (site / "content" / "news").mkdir(parents=True, exist_ok=True)
    before = dt.date.today()
    result = run_cli("new", "news", "Written from the news folder", cwd=site / "content" / "news")
    after = dt.date.today()
    assert result.returncode == 0, result.stderr
    names = _today_in("{day}-written-from-the-news-folder.md", before, after)
    assert any((site / "content" / "news" / name).is_file() for name in names)
    assert result.stdout.strip() in {f"created {name}" for name in names}  # named from where the command ran
    assert not (site / "content" / "news" / "content").exists()
    built = run_cli("build", "--no-pdf", cwd=site / "content" / "news")
    assert built.returncode == 0, built.stderr
    assert (site / "build" / "news" / "written-from-the-news-folder" / "index.html").is_file()
    assert not (site / "content" / "news" / "build").exists()
    assert run_cli("check", cwd=site / "templates" / "static").returncode == 0


# Output folder safety.


def test_cli_output_to_a_foreign_folder_is_refused(site: Path, tmp_path: Path, run_cli: RunCli) -> None:
    foreign = tmp_path / "documents"
    write_files(foreign, {"thesis.txt": "do not delete", "notes/a.md": "mine"})
    before = snapshot(foreign)
    result = run_cli("build", "--now", NOW, "--output", str(foreign), cwd=site)
    assert result.returncode == 2
    assert "was not made by eccpsite" in result.stderr
    assert snapshot(foreign) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "site"]


def test_cli_output_to_the_project_itself_is_refused(site: Path, run_cli: RunCli) -> None:
    before = snapshot(site)
    result = run_cli("build", "--now", NOW, "--output", ".", cwd=site)
    assert result.returncode == 2
    assert snapshot(site) == before


def test_cli_output_to_an_empty_or_new_folder_is_accepted(site: Path, tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "empty").mkdir()
    assert run_cli("build", "--now", NOW, "--output", str(tmp_path / "empty"), cwd=site).returncode == 0
    assert run_cli("build", "--now", NOW, "--output", str(tmp_path / "new" / "out"), cwd=site).returncode == 0
    assert (tmp_path / "empty" / "index.html").is_file() and (tmp_path / "new" / "out" / "index.html").is_file()


# Drafts, "now" and stale files.


def test_cli_drafts_are_built_only_with_drafts(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(
        tmp_path / "site",
        {"content/news/2019-06-07-secret.md": _news("Secret plans", extra="draft: true\n"), "content/news/2019-06-07-public.md": _news("Public")},
    )
    assert run_cli("build", "--now", NOW, cwd=site).returncode == 0
    assert not (site / "build" / "news" / "secret").exists()
    assert "Secret plans" not in b"".join(snapshot(site / "build").values()).decode("utf-8", "replace")
    assert run_cli("build", "--now", NOW, "--drafts", cwd=site).returncode == 0
    assert "Draft — not published" in (site / "build" / "news" / "secret" / "index.html").read_text(encoding="utf-8")


def test_cli_drafts_previews_scheduled_items_with_their_moment(tmp_path: Path, run_cli: RunCli) -> None:
    later = _news("Later news", extra="publish_at: 2019-10-03T09:00\n")
    site = write_site(tmp_path / "site", {"content/news/2019-06-07-later.md": later})
    assert run_cli("build", "--now", NOW, cwd=site).returncode == 0
    assert not (site / "build" / "news" / "later").exists()
    assert run_cli("build", "--now", NOW, "--drafts", cwd=site).returncode == 0
    assert "Scheduled for 3 October 2019, 09:00" in (site / "build" / "news" / "later" / "index.html").read_text(encoding="utf-8")


def _epoch(day: str) -> str:
    return str(int(dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()))


def test_cli_source_date_epoch_decides_statuses_without_now(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(
        tmp_path / "site",
        {
            "content/calls/cgi.md": "---\ntitle: Clusters Go International\ndeadlines:\n  - {date: 2019-10-30}\n---\nBody.\n",
            "content/events/toronto.md": "---\ntitle: Toronto matchmaking\nstart: 2019-10-01\nend: 2019-10-03\n---\nBody.\n",
        },
    )
    assert run_cli("build", cwd=site, env=clean_env(SOURCE_DATE_EPOCH=_epoch("2019-09-16"))).returncode == 0
    assert "Clusters Go International" in (site / "build" / "calls" / "index.html").read_text(encoding="utf-8")
    assert "Clusters Go International" not in (site / "build" / "calls" / "closed" / "index.html").read_text(encoding="utf-8")
    assert "Toronto matchmaking" in (site / "build" / "events" / "index.html").read_text(encoding="utf-8")
    assert "Toronto matchmaking" not in (site / "build" / "events" / "past" / "index.html").read_text(encoding="utf-8")

    assert run_cli("build", cwd=site, env=clean_env(SOURCE_DATE_EPOCH=_epoch("2019-11-01"))).returncode == 0
    assert "Clusters Go International" not in (site / "build" / "calls" / "index.html").read_text(encoding="utf-8")
    assert "Clusters Go International" in (site / "build" / "calls" / "closed" / "index.html").read_text(encoding="utf-8")
    assert "Toronto matchmaking" not in (site / "build" / "events" / "index.html").read_text(encoding="utf-8")
    assert "Toronto matchmaking" in (site / "build" / "events" / "past" / "index.html").read_text(encoding="utf-8")


def test_cli_now_wins_over_source_date_epoch(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/calls/cgi.md": "---\ntitle: Clusters Go International\ndeadlines:\n  - {date: 2019-10-30}\n---\nBody.\n"})
    assert run_cli("build", "--now", NOW, cwd=site, env=clean_env(SOURCE_DATE_EPOCH=_epoch("2019-11-01"))).returncode == 0
    assert "Clusters Go International" in (site / "build" / "calls" / "index.html").read_text(encoding="utf-8")


def test_cli_source_date_epoch_gives_identical_builds(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-06-07-a.md": _news("A")})
    env = clean_env(SOURCE_DATE_EPOCH=_epoch("2019-09-16"))
    assert run_cli("build", cwd=site, env=env).returncode == 0
    first = snapshot(site / "build")
    assert run_cli("build", cwd=site, env=env).returncode == 0
    assert snapshot(site / "build") == first


def test_cli_rebuild_leaves_no_page_of_deleted_content(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(
        tmp_path / "site",
        {"content/news/2019-06-07-gone.md": _news("Gone soon", extra="tags: [ephemeral]\n"), "content/news/2019-06-07-kept.md": _news("Kept")},
    )
    assert run_cli("build", "--now", NOW, cwd=site).returncode == 0
    assert (site / "build" / "news" / "gone" / "index.html").is_file()
    assert (site / "build" / "tags" / "ephemeral" / "index.html").is_file()
    (site / "content" / "news" / "2019-06-07-gone.md").unlink()
    assert run_cli("build", "--now", NOW, cwd=site).returncode == 0
    assert not (site / "build" / "news" / "gone").exists()
    assert not (site / "build" / "tags" / "ephemeral").exists()
    assert "Gone soon" not in b"".join(snapshot(site / "build").values()).decode("utf-8", "replace")
    assert (site / "build" / "news" / "kept" / "index.html").is_file()
    assert [p.name for p in site.iterdir() if p.name.startswith(".") and p.name != ".cache"] == [], "a staging folder was left behind"


def test_cli_build_of_an_empty_site_succeeds(site: Path, run_cli: RunCli) -> None:
    result = run_cli("build", "--now", NOW, cwd=site)
    assert result.returncode == 0, result.stderr
    assert re.match(r"built \d+ files into build in ", result.stdout)
    assert _broken_links(site / "build") == []


def test_cli_project_option_builds_another_folder(site: Path, tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("--project", str(site), "build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (site / "build" / "index.html").is_file()


def test_cli_timings_list_every_stage_of_a_build_and_of_an_up_to_date_one(site: Path, run_cli: RunCli) -> None:
    built = run_cli("build", "--now", NOW, "--no-pdf", "--timings", cwd=site)
    assert built.returncode == 0, built.stderr
    rows = re.findall(r"^(\S.*?)\s+(\d+\.\d\d) s\s+(\d+\.\d\d) s$", built.stdout, re.M)
    stages = [name for name, _, _ in rows]
    for stage in ("parse content", "render Markdown", "render and write outputs", "check links", "make the search index", "keep the output for the next build"):
        assert stage in stages, built.stdout
    whole = re.search(r"^the whole build\s+(\d+\.\d\d) s$", built.stdout, re.M)
    assert whole, built.stdout
    total = float(whole.group(1))
    assert sum(float(wall) for _, wall, _ in rows) <= total + 0.01 * len(rows)  # rounding: each row may be 0.005 s up

    again = run_cli("build", "--now", NOW, "--no-pdf", "--timings", cwd=site)
    assert "is up to date" in again.stdout
    assert re.search(r"^compare the inputs with the last build's\s+\d+\.\d\d s", again.stdout, re.M), again.stdout
    assert "render and write outputs" not in again.stdout


def test_cli_a_search_index_that_cannot_be_made_is_reported_and_the_output_kept(site: Path, run_cli: RunCli) -> None:
    assert run_cli("build", "--now", NOW, "--no-pdf", cwd=site).returncode == 0
    before = snapshot(site / "build")
    (site / "content" / "news").mkdir(parents=True, exist_ok=True)
    (site / "content" / "news" / "2019-06-01-late.md").write_text("---\ntitle: Late\ndate: 2019-06-01\n---\nText.\n", encoding="utf-8")

    failed = run_eccpsite("build", "--now", NOW, "--no-pdf", cwd=site, env=clean_env(PAGEFIND_BINARY_PATH=shutil.which("false") or "/bin/false"))

    assert failed.returncode == 1
    assert "the search index could not be built" in failed.stderr and "the previous output is unchanged" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert snapshot(site / "build") == before
