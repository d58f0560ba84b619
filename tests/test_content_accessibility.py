"""``eccpsite check`` reads what editors write for accessibility problems: one warning per problem, on its line.

The theme is checked by axe (test_accessibility.py); this is the content itself (eccpsite.core.accessibility).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NOW, RunCli, write_site

from eccpsite.core.accessibility import accessibility_findings

NEWS = "content/news/2019-09-01-access.md"
ROOT = Path(__file__).resolve().parent.parent
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

# Each problem on its own line of the file (the body starts on line 5, with CLEAN's lines).
PROBLEMS = {
    9: ("![IMG_2041.jpg](/media/a.png)", "the alt text 'IMG_2041.jpg' is a file name"),
    11: ("![https://example.org/a.png](/media/a.png)", "the alt text 'https://example.org/a.png' is an address"),
    13: ("![Photo](/media/a.png)", "the alt text 'Photo' only says that there is a picture"),
    15: ("[![](/media/a.png)](https://example.org/programme)", "the link to https://example.org/programme holds only an image without alt text"),
    17: ("<table><tr><td>Date</td><td>14 May</td></tr></table>", "this table has no header cells (<th>)"),
    19: ("### Programme", "the heading 'Programme' skips a level (### after #); write it as ## Programme"),
    21: ("[Programme of the fair](https://example.org/b)", "the link text 'Programme of the fair' also leads to https://example.org/a on this page"),
    23: ("THE DEADLINE FOR APPLICATIONS HAS BEEN EXTENDED TO THE END OF THE MONTH", "this line is written in capitals"),
    25: ("[Programme](/media/programme.pdf)", "the link to /media/programme.pdf opens a PDF document; say its format and size"),
}
CLEAN = """# Overview

The [programme of the fair](https://example.org/a) is out.
"""


def _body() -> str:
    lines = CLEAN.splitlines()  # lines 5-7 of the file, then line 8 empty
    for line in range(len(lines) + 5, max(PROBLEMS) + 1):
        lines.append(PROBLEMS[line][0] if line in PROBLEMS else "")
    return "\n".join(lines) + "\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    files: dict[str, str | bytes] = {NEWS: f"---\ntitle: Access\ndate: 2019-09-01\n---\n{_body()}"}
    files["content/media/a.png"] = PNG
    files["content/media/programme.pdf"] = b"%PDF-1.4\n%%EOF\n"
    return write_site(tmp_path / "site", files)


def test_check_warns_once_per_accessibility_problem_on_its_line(site: Path, run_cli: RunCli) -> None:
    done = run_cli("check", "--now", NOW, cwd=site)

    assert done.returncode == 0, done.stderr
    for line, (_, message) in PROBLEMS.items():
        located = [w for w in done.stderr.splitlines() if w.startswith(f"{NEWS}:{line}: warning: ") and message in w]
        assert len(located) == 1, (line, message, done.stderr)
    assert not [w for w in done.stderr.splitlines() if w.startswith((f"{NEWS}:5:", f"{NEWS}:7:"))], "the clean lines get no warning"


def test_check_strict_fails_on_accessibility_problems(site: Path, run_cli: RunCli) -> None:
    done = run_cli("check", "--now", NOW, "--strict", cwd=site)
    assert done.returncode == 1
    assert f"{NEWS}:19: " in done.stderr and "Traceback" not in done.stderr


def test_the_project_s_own_content_passes_check_strict(run_cli: RunCli) -> None:
    done = run_cli("check", "--strict", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "0 warnings" in done.stdout


@pytest.mark.parametrize(
    "text",
    [
        "![The winners of the award on stage](/media/a.png)",
        "[![Programme of the conference](/media/a.png)](https://example.org/p)",
        "| Date | Place |\n|---|---|\n| 14 May | Brussels |",
        "# One\n\n## Two\n\n### Three\n\n## Back up\n\n# Top again\n\n## Down",
        "[Programme (PDF, 140 KB)](/media/programme.pdf)",
        "[Report](https://example.org/a) and [report](https://example.org/a) again",
        "```\n# ONE\n### THREE: CODE IS NOT READ, WHATEVER ITS CAPITALS OR ITS HEADINGS SAY\n```",
        "The EU, the ECCP and ESCP-4x are names in capitals inside an ordinary sentence.",
        "Title\n=====\n\nSubtitle\n--------",
    ],
)
def test_accessible_text_gets_no_finding(text: str) -> None:
    assert accessibility_findings(text) == []
