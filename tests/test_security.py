"""Content from outside the team: the hostile corpus of ``tests/hostile/`` (issue 8).

``hostile/site`` must build, and no output (HTML, feeds, calendars, JSON, text,
the PDF's text) may carry a script other than the theme's own and JSON-LD, an
event-handler attribute, a ``javascript:`` URL, or anything read from outside
the project; nothing may be written outside the output folder. Each file of
``hostile/refused`` must be refused with the located error of
``hostile/expected.txt``. Inputs that cannot be committed (symbolic links, a
5 MB file, 200,000 levels of brackets) are made here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import NOW, clean_env, run_eccpsite, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core import urls
from eccpsite.core.errors import BuildFailed, ContentError
from eccpsite.core.source import load_yaml
from eccpsite.incremental.writer import OutputRefused
from eccpsite.incremental.writer import write_site as write_outputs
from eccpsite.outputs.render import Output

HOSTILE = Path(__file__).parent / "hostile"
PASSWD = Path("/etc/passwd")
SECRET = "eccpsite-secret-7f3a9c-outside-the-project"  # the content of a file outside the project
THEME_SCRIPTS = ("/static/", "/pagefind/")  # where the theme's own scripts live (allowed by src)
TEXT_SUFFIXES = {".html", ".xml", ".atom", ".json", ".ics", ".txt"}

_SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_HANDLER = re.compile(r"<[a-zA-Z][^<>]*?\son[a-z]+\s*=", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(?:java|vb)script\s*:|data\s*:\s*text/html", re.IGNORECASE)
_LOCATED = re.compile(r"^(content/\S+?|site\.yaml|templates/\S+?)(?::\d+)?: ")


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _tree(folder: Path) -> dict[str, tuple[str, int, int]]:
    """What is under ``folder``: kind, size and modification time of every entry, links not followed (but for the
    build lock, eccpsite.edges.buildlock, which every build takes, a failed one too, and its folder)."""
    entries: dict[str, tuple[str, int, int]] = {}
    for path in sorted(folder.rglob("*")):
        if (path.name == ".cache" and path.is_dir()) or (path.name == "build.lock" and path.parent.name == ".cache"):
            continue
        info = path.lstat()
        kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
        entries[path.relative_to(folder).as_posix()] = (kind, info.st_size if kind == "file" else 0, info.st_mtime_ns if kind == "file" else 0)
    return entries


def _outside(root: Path) -> Path:
    """A folder beside the project holding a secret, which nothing may read."""
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"---\ntitle: {SECRET}\ndate: 2019-09-01\n---\n{SECRET}\n", encoding="utf-8")
    (outside / "secret.png").write_text(SECRET, encoding="utf-8")
    return outside


def _passwd_first_line() -> str:
    return PASSWD.read_text(encoding="utf-8", errors="replace").splitlines()[0] if PASSWD.is_file() else SECRET


def _pdf_text(data: bytes) -> str:
    """The text of a PDF output (its bytes are compressed, so a search in them proves nothing)."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@dataclass(frozen=True)
class HostileBuild:
    root: Path
    project: Path
    output: Path
    returncode: int
    stderr: str
    before: dict[str, tuple[str, int, int]]
    after: dict[str, tuple[str, int, int]]
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> HostileBuild:
    """The CLI builds ``hostile/site`` (with a link in content/media to a folder outside the project)."""
    root = tmp_path_factory.mktemp("hostile")
    outside = _outside(root)
    project = write_site(root / "project", _files(HOSTILE / "site"))
    (project / "content" / "media" / "outside").symlink_to(outside, target_is_directory=True)
    before = _tree(root)
    result = run_eccpsite("build", "--now", NOW, cwd=project)
    output = project / "build"
    files = _files(output) if output.is_dir() else {}
    return HostileBuild(root, project, output, result.returncode, result.stderr, before, _tree(root), files)


def _texts(build: HostileBuild) -> Iterator[tuple[str, str]]:
    """Every text output (path, text), and the text of every PDF."""
    for name, data in build.files.items():
        suffix = Path(name).suffix
        if suffix in TEXT_SUFFIXES:
            yield name, data.decode("utf-8")
        elif suffix == ".pdf":
            yield name, _pdf_text(data)


def _embedded(name: str, text: str) -> list[str]:
    """The strings a feed carries, decoded (entities, CDATA, JSON escapes): a feed reader renders them as HTML."""
    suffix = Path(name).suffix
    if suffix in (".xml", ".atom") and not name.startswith("sitemap"):
        tree = ET.fromstring(text)
        return [s for e in tree.iter() for s in (e.text, e.tail, *e.attrib.values()) if s]
    if suffix == ".json":
        found: list[str] = []

        def walk(value: object) -> None:
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, dict):
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        walk(json.loads(text))
        return found
    return []


def _foreign_scripts(text: str) -> list[str]:
    """``<script>`` tags that are neither JSON-LD nor one of the theme's own scripts."""
    bad = []
    for tag in _SCRIPT_TAG.findall(text):
        src = re.search(r"""\ssrc\s*=\s*["']?([^"'\s>]+)""", tag)
        if 'type="application/ld+json"' in tag and src is None:
            continue
        if src is not None and src.group(1).startswith(THEME_SCRIPTS):
            continue
        bad.append(tag)
    return bad


def _problems(text: str) -> list[str]:
    return _foreign_scripts(text) + _HANDLER.findall(text) + _SCRIPT_URL.findall(text)


def test_security_hostile_site_builds_without_a_traceback(hostile_build: HostileBuild) -> None:
    assert hostile_build.returncode == 0, hostile_build.stderr
    assert "Traceback" not in hostile_build.stderr
    assert all(_LOCATED.match(line) for line in hostile_build.stderr.splitlines()), hostile_build.stderr
    kinds = {Path(name).suffix for name in hostile_build.files}
    assert {".html", ".xml", ".atom", ".json", ".ics"} <= kinds


def test_security_outputs_carry_no_script_handler_or_script_url(hostile_build: HostileBuild) -> None:
    problems = {name: found for name, text in _texts(hostile_build) if (found := _problems(text))}
    assert problems == {}
    checked = sum(1 for _ in _texts(hostile_build))
    assert checked > 40


def test_security_feeds_carry_no_script_once_decoded(hostile_build: HostileBuild) -> None:
    problems = {}
    decoded = 0
    for name, text in _texts(hostile_build):
        for fragment in _embedded(name, text):
            decoded += 1
            if found := _problems(fragment):
                problems[name] = found
    assert problems == {}
    assert decoded > 100


def test_security_sanitizer_keeps_what_editors_need(hostile_build: HostileBuild) -> None:
    page = hostile_build.files["news/raw-html-in-the-body/index.html"].decode()
    for kept in ("4<sup>th</sup>", "H<sub>2</sub>O", "line<br>break", "<table>", "<td>Belgium</td>", 'class="footnote', '<img src="/media/pixel.png"'):
        assert kept in page, kept
    assert '<a href="https://www.clustercollaboration.eu/">a link</a>' in page
    body = page[page.index('<div class="prose">') : page.index("</article>")]
    dropped = ("evil.example", "<iframe", "srcdoc", "<object", "<embed", "<form", "<input", "<svg", "<math", "<base", "<link", "<style", "style=")
    assert [d for d in (*dropped, "alert(") if d in body] == []
    assert "display: none" not in page


class _JsonLd(HTMLParser):
    """The JSON-LD blocks of a page, as a browser's parser would cut them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self._inside:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data

    def handle_endtag(self, tag: str) -> None:
        self._inside = False


def _json_ld(page: bytes) -> list[dict[str, object]]:
    parser = _JsonLd()
    parser.feed(page.decode("utf-8"))
    return [json.loads(block) for block in parser.blocks]


@pytest.mark.parametrize(
    ("page", "key", "title"),
    [
        ("news/raw-html-in-the-body/index.html", "headline", "Raw HTML </script><!-- in the body"),
        ("events/hostile-event/index.html", "name", "Matchmaking </script><!-- event"),
        ("interviews/hostile-interview/index.html", "headline", "An interview </script><!--"),
    ],
)
def test_security_json_ld_keeps_a_closing_script_tag_inside(hostile_build: HostileBuild, page: str, key: str, title: str) -> None:
    blocks = _json_ld(hostile_build.files[page])
    assert [block[key] for block in blocks if key in block] == [title]


def test_security_json_ld_keeps_every_hostile_field_intact(hostile_build: HostileBuild) -> None:
    (event,) = _json_ld(hostile_build.files["events/hostile-event/index.html"])
    assert event["description"] == "An event </script> whose <!-- fields all try to break out"
    assert event["organizer"] == {"@type": "Organization", "name": "Organiser </script><!--"}


def test_security_template_syntax_in_content_stays_literal(hostile_build: HostileBuild) -> None:
    page = hostile_build.files["news/jinja-looking-text/index.html"].decode()
    assert "<h1>Templates {{ 7*7 }} are text {% raw %}</h1>" in page
    assert "{% for x in range(3) %}{{ x }}{% endfor %}" in page
    assert "{{ config.__class__ }} {{ 7*7 }} stays as written" in page
    event = hostile_build.files["events/hostile-event/event.ics"].decode()
    assert "City {{ 7*7 }} </script>" in event.replace("\r\n ", "").replace("\\,", ",")
    feed = json.loads(hostile_build.files["feeds/news.json"])
    assert "Templates {{ 7*7 }} are text {% raw %}" in [entry["title"] for entry in feed["items"]]


def test_security_line_breaks_cannot_add_lines_to_a_calendar(hostile_build: HostileBuild) -> None:
    import icalendar

    calendars = {name: icalendar.Calendar.from_ical(data) for name, data in hostile_build.files.items() if name.endswith(".ics")}
    assert "events/line-breaks/event.ics" in calendars
    injected = {"ATTENDEE", "ATTACH", "ORGANIZER"}
    for name, calendar in calendars.items():
        assert [c.name for c in calendar.walk() if c.name not in ("VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT")] == [], name
        assert [(c.name, p) for c in calendar.walk() for p in c if p in injected] == [], name
    (event,) = calendars["events/line-breaks/event.ics"].walk("VEVENT")
    assert str(event["SUMMARY"]) == "Line breaks\nATTENDEE:mailto:evil@example.org\nBEGIN:VALARM"
    assert str(event["LOCATION"]).startswith("Venue;with,separators\\, City\nATTACH:file:///etc/passwd")


def test_security_nothing_outside_the_project_is_read(hostile_build: HostileBuild) -> None:
    secrets = (_passwd_first_line(), SECRET)
    assert [(name, s) for name, text in _texts(hostile_build) for s in secrets if s in text] == []
    assert [name for name, data in hostile_build.files.items() if any(s.encode() in data for s in secrets)] == []
    assert not [name for name in hostile_build.files if name.startswith("media/outside")]
    assert "media/pixel.png" in hostile_build.files


# Besides the output, a build may only write its caches (eccpsite.outputs.pdf.edition_pdf's PDFs, eccpsite.edges.markdown_cache's
# Markdown, eccpsite.edges.parse_cache's facts of the bodies, eccpsite.outputs.search's index bundle,
# eccpsite.incremental.snapshot's index (the last build's record) and its links to the output's files, and
# eccpsite.edges.fingerprint's digests of the sources by their stamps), under names it makes itself.
_PDF_CACHE = re.compile(
    r"^project/\.cache(/pdf(/[a-z0-9-]+(/[0-9a-f]{40}\.pdf)?)?|/(?:markdown|parsed)(/[0-9a-f]{24}\.sqlite)?"
    r"|/search(/[0-9a-f]{40}(/[a-z0-9_/-]+(\.[a-z0-9_]+)*)?)?|/output(/index\.json|/pages\.json|/files)?|/inputs\.json)?$"
)
_KEPT = "project/.cache/output/files/"


def test_security_nothing_is_written_outside_the_output(hostile_build: HostileBuild) -> None:
    def kept(name: str) -> bool:  # the kept output holds the output's own files, by the same names
        return name.startswith(_KEPT) and f"project/build/{name.removeprefix(_KEPT)}" in hostile_build.after

    def outside_output(tree: dict[str, tuple[str, int, int]]) -> dict[str, tuple[str, int, int]]:
        return {k: v for k, v in tree.items() if not (k == "project/build" or k.startswith("project/build/") or _PDF_CACHE.match(k) or kept(k))}

    assert outside_output(hostile_build.after) == outside_output(hostile_build.before)
    assert "project/build" in hostile_build.after


# --- refused: each file of hostile/refused added alone to hostile/site ------------------------------------------------

_EXPECTED = re.compile(r"^(?P<path>\S+?)(?::(?P<line>\d+))?: (?P<text>.+)$")


def _expected() -> dict[str, list[tuple[int, str]]]:
    """``expected.txt``: refused file → [(line, text the error must contain)]."""
    found: dict[str, list[tuple[int, str]]] = {}
    for raw in (HOSTILE / "expected.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            match = _EXPECTED.match(raw)
            assert match, raw
            found.setdefault(match["path"], []).append((int(match["line"] or 0), match["text"]))
    return found


# Refused by the site model (edition references) and the link check: a build stops before them when files fail to parse.
LATER_STAGES = {"content/newsletter/2019-10.yaml", "content/news/body-reads-files.md"}


def _errors_of(project: Path) -> list[ContentError]:
    """The errors of an in-memory build of ``project``, which must fail (with BuildFailed, nothing else)."""
    with pytest.raises(BuildFailed) as failed:
        build_outputs(project, BuildOptions(now=NOW, pdf=False))
    return failed.value.errors


def _with_site(root: Path, extra: dict[str, bytes]) -> Path:
    return write_site(root / "project", {**_files(HOSTILE / "site"), **extra})


def test_security_every_refused_file_has_its_expected_errors() -> None:
    assert sorted(_expected()) == sorted(_files(HOSTILE / "refused"))


@pytest.mark.parametrize("name", sorted(_expected()))
def test_security_refused_file_fails_with_located_errors(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _with_site(tmp_path, {name: (HOSTILE / "refused" / name).read_bytes()})
    monkeypatch.chdir(project)

    errors = _errors_of(project)

    for line, text in _expected()[name]:
        assert [e for e in errors if e.path == name and e.line == line and text in str(e)], (line, text, [str(e) for e in errors])
    assert {e.path for e in errors} == {name}
    assert not (project / "pwned-by-yaml").exists()


def _generated(project: Path, outside: Path) -> dict[str, str]:
    """Write the inputs that cannot be committed; returns each file's expected error text."""
    news, media = project / "content" / "news", project / "content" / "media"
    (news / "passwd.md").symlink_to(PASSWD)
    (news / "secret.md").symlink_to(outside / "secret.md")
    (media / "passwd.png").symlink_to(PASSWD)
    (media / "secret.png").symlink_to(outside / "secret.png")
    (project / ".env").write_text("SECRET_TOKEN=not-for-the-site\n", encoding="utf-8")
    (project / ".git").mkdir(exist_ok=True)
    (project / ".git" / "config").write_text("[remote]\n", encoding="utf-8")
    (media / "env.txt").symlink_to(Path("../../.env"))  # links inside the project, to what is never published
    (media / "git-config.txt").symlink_to(Path("../../.git/config"))
    (news / "cached.md").symlink_to(Path("../../.env"))
    (news / "huge.md").write_text("---\ntitle: Huge\ndate: 2019-09-04\n---\n" + "lol " * 1_250_000, encoding="utf-8")  # 5 MB
    deep = 200_000
    (news / "brackets.md").write_text(f"---\ntitle: Brackets\ndate: 2019-09-04\nextra: {'[' * deep}{']' * deep}\n---\n", encoding="utf-8")
    return {
        "content/news/passwd.md": "is a link to a file outside the project",
        "content/news/secret.md": "is a link to a file outside the project",
        "content/media/passwd.png": "is a link to a file outside the project",
        "content/media/secret.png": "is a link to a file outside the project",
        "content/media/env.txt": "is a link to .env, a hidden file of the project",
        "content/media/git-config.txt": "is a link to .git/config, a hidden file of the project",
        "content/news/cached.md": "is a link to .env, a hidden file of the project",
        "content/news/huge.md": f"the file is {(news / 'huge.md').stat().st_size} bytes",
        "content/news/brackets.md:4": "values are nested more than 20 levels deep",
    }


def test_security_generated_hostile_inputs_are_refused(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    project = _with_site(tmp_path, {})
    expected = _generated(project, outside)

    errors = {(f"{e.path}:{e.line}" if e.line else e.path): str(e) for e in _errors_of(project)}

    assert {where: text for where, text in expected.items() if text not in errors.get(where, "")} == {}
    assert set(errors) == set(expected)


def test_security_whole_hostile_corpus_fails_with_located_errors_and_writes_nothing(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    project = _with_site(tmp_path, _files(HOSTILE / "refused"))
    expected = _generated(project, outside)
    before = _tree(tmp_path)

    result = run_eccpsite("build", "--now", NOW, cwd=project)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1].endswith("nothing was written, the previous output is unchanged.")
    assert [line for line in lines[:-1] if not _LOCATED.match(line)] == []
    for where, text in expected.items():
        assert any(line.startswith(f"{where}:") and text in line for line in lines), where
    for path, entries in _expected().items():
        if path not in LATER_STAGES:
            assert all(any(line.startswith(f"{path}:{n}:" if n else f"{path}:") and text in line for line in lines) for n, text in entries), path
    assert _tree(tmp_path) == before
    assert not (project / "build").exists()
    assert not (project / "pwned-by-yaml").exists()


# --- the rules underneath, one by one -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/../x.html", "/news/../../x/", "/a/./b/", "news/x/", "/a\\b/", "/a\x00/", "/news/..", "/.."])
def test_security_output_path_refuses_a_path_leaving_the_output(url: str) -> None:
    with pytest.raises(ValueError, match="not a site path"):
        urls.output_path(url)


def test_security_writer_refuses_to_write_outside_the_output(tmp_path: Path) -> None:
    output = tmp_path / "site" / "build"
    output.parent.mkdir()
    before = _tree(tmp_path)

    with pytest.raises((OutputRefused, ValueError)):
        write_outputs([Output("/index.html", b"ok"), Output("/../escaped.html", b"no")], [], output)

    assert _tree(tmp_path) == before
    assert not (tmp_path / "site" / "escaped.html").exists()


def test_security_writer_does_not_follow_a_link_out_of_the_output(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    media = tmp_path / "media"
    media.mkdir()
    (media / "x.png").write_bytes(b"png")

    write_outputs([Output("/news/", b"ok")], [("/media/x.png", media / "x.png")], tmp_path / "build")

    assert (tmp_path / "build" / "media" / "x.png").read_bytes() == b"png"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.md", "secret.png"]


@pytest.mark.parametrize("levels", [9, 30])
def test_security_yaml_alias_bomb_is_refused_by_its_anchor(levels: int) -> None:
    lines = ['a0: &a0 ["lol", "lol"]'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    error = load_yaml("content/news/lol.md", "\n".join(lines), line_offset=1)
    assert isinstance(error, ContentError)
    assert (error.line, error.message) == (2, "anchors and aliases (&name / *name) are not allowed; write the value out")


def test_security_yaml_merge_key_and_alias_are_refused() -> None:
    error = load_yaml("site.yaml", "base: {a: 1}\nother:\n  <<: *base\n")
    assert isinstance(error, ContentError)
    assert error.line == 3


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system ['touch pwned']", "!!python/name:os.system", "!!binary aGVsbG8=", "!!set {a, b}", "!custom x"],
)
def test_security_yaml_tags_beyond_plain_types_are_refused(tag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    error = load_yaml("content/news/x.md", f"title: x\nvalue: {tag}\n")
    assert isinstance(error, ContentError)
    assert error.line == 2
    assert "is not allowed" in error.message
    assert list(tmp_path.iterdir()) == []


def test_security_yaml_scalars_are_not_kept_after_parsing() -> None:
    from eccpsite.core.yaml_careful import scalar_constructor

    for _ in range(50):
        assert not isinstance(load_yaml("x.yaml", "a: 1\nb: [1, 2.5, true, null, text]"), ContentError)
    assert len(scalar_constructor.constructed_objects) == 0


def test_security_symlinked_content_folder_outside_is_refused(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    project = write_site(tmp_path / "project")
    news = project / "content" / "news"
    if news.exists():
        shutil.rmtree(news)
    news.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, news, target_is_directory=True)

    errors = _errors_of(project)

    assert [str(e) for e in errors] == ["content/news/secret.md: is a link to a file outside the project; copy the file into content/ instead"]


STALLING = {"brackets": "[", "images": "![", "footnotes": "[^", "links": "[x](", "tags": " <a href=", "emphasis": "*a**a*"}


def test_security_markdown_that_would_stall_every_build_is_refused_on_its_line(tmp_path: Path) -> None:
    """200 KB of each construct of issue 21 (each took minutes, 10,000 '[' 43 s): refused before rendering."""
    head = "---\ntitle: {}\ndate: 2019-09-04\n---\nFine.\n\n"
    files = {f"content/news/2019-09-04-{name}.md": head.format(name) + text * (200_000 // len(text)) + "\n" for name, text in STALLING.items()}
    project = write_site(tmp_path / "project", files)
    started = time.monotonic()

    command = [sys.executable, "-m", "eccpsite", "build", "--now", NOW, "--no-pdf"]
    done = subprocess.run(command, cwd=project, env=clean_env(), capture_output=True, text=True, timeout=120)

    assert time.monotonic() - started < 60
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    for name in STALLING:
        assert f"content/news/2019-09-04-{name}.md:7: this paragraph " in done.stderr, name
