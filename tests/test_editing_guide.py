"""docs/editing.md: its examples, copied into the real content as a newcomer would, build without an error or a warning."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import NOW, REPO, RunCli, copy_repo_project

GUIDE = REPO / "docs" / "editing.md"
# "`content/<path>` (with the picture saved as `content/media/<file>`):", a blank line, then the example
EXAMPLE = re.compile(r"^`(content/[^`]+)`((?:[^\n]|\n(?!\n))*?):\n\n```(?:markdown|yaml)\n(.*?)```", re.S | re.M)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _examples() -> list[tuple[str, list[str], str]]:
    return [(path, re.findall(r"`(content/media/[^`]+)`", between), text) for path, between, text in EXAMPLE.findall(GUIDE.read_text(encoding="utf-8"))]


def test_editing_guide_has_an_example_of_each_kind_and_an_edition() -> None:
    folders = {path.split("/")[1] for path, _, _ in _examples()}
    assert folders == {"news", "events", "calls", "interviews", "clusters", "countries", "pages", "newsletter"}


def test_editing_guide_examples_build_without_errors_or_warnings(tmp_path: Path, run_cli: RunCli) -> None:
    project = copy_repo_project(tmp_path / "project")
    made = run_cli("new", "event", "EU-Japan Cluster Matchmaking in Osaka", cwd=project)  # the guide's first command
    assert made.returncode == 0, made.stderr
    for path, media, text in _examples():
        (project / path).write_text(text, encoding="utf-8")
        for file in media:
            (project / file).parent.mkdir(parents=True, exist_ok=True)
            (project / file).write_bytes(PNG)
    done = run_cli("check", "--now", NOW, "--strict", cwd=project)
    assert done.returncode == 0, done.stderr
    built = run_cli("build", "--now", NOW, "--no-pdf", cwd=project)
    assert built.returncode == 0, built.stderr
    page = (project / "build" / "newsletter" / "eccp-2019-11" / "index.html").read_text(encoding="utf-8")
    titles = ("EU-Japan Cluster Matchmaking in Osaka", "COSME Cluster Excellence Programme: Call for Proposals 2020", "Ana Popescu: a cluster goes to Japan")
    assert all(title in page for title in titles)


def test_editing_guide_names_the_error_messages_of_the_code() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    # a sample from every module that reports errors: a reworded message must be reworded in the guide too
    for message in (
        "the front matter opened with '---' on line 1 is never closed",
        "anchors and aliases (&name / *name) are not allowed; write the value out",
        "is not a real date (check the day and the month)",
        "is not a country code; expected a two-letter ISO 3166-1 code",
        "YAML reads ' #' as the start of a comment",
        "have the same address",
        "is not allowed on the site and is removed",
        "an image needs 'image_alt': a short text saying what the image shows",
        "'date_note' explains dates that are not fixed yet; add 'tentative: true' or remove it",
        "list the deadlines in the order they fall, earliest first",
        "does not match any item",
        "leads to no page of the site",
        "has no anchor #",
        "must be a path inside the project's content/ folder (read from",
        "does not say where it leads; describe the destination",
        "has no alt text; say what it shows",
        "is not UTF-8 text",
        "is not a time zone; expected a name such as Europe/Brussels",
        "mail clients cut messages over",
    ):
        assert message in guide, message
