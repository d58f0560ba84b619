"""The validators in tests/browser.py can fail: a bad page gives errors, a good one none."""

from __future__ import annotations

import struct
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import axe_check, describe_violations, needs_java, nu_validate, screenshot

GOOD_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A valid, accessible page</title>
</head>
<body>
<header><p>ECCP</p></header>
<main>
<h1>Cluster news</h1>
<p>A paragraph with <a href="https://example.org/">a link that says where it goes</a>.</p>
<img src="pixel.png" alt="A green square" width="1" height="1">
</main>
</body>
</html>
"""

# Line 7: an image without alt (Nu error and axe "image-alt"); line 8: a paragraph inside a span.
BAD_PAGE = """<!DOCTYPE html>
<html>
<head>
<title>A broken page</title>
</head>
<body>
<img src="pixel.png">
<span><p>block in inline</p></span>
</body>
</html>
"""

# A 1x1 green PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763606060000000040001f61738550000000049454e44ae426082"
)


def write_pages(folder: Path) -> Path:
    """A folder with good.html, bad.html and the image they show."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good.html").write_text(GOOD_PAGE, encoding="utf-8")
    (folder / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (folder / "pixel.png").write_bytes(PIXEL)
    return folder


@needs_java
def test_nu_validate_reports_errors_with_file_and_line(tmp_path: Path) -> None:
    site = write_pages(tmp_path)
    errors = nu_validate([site / "bad.html"])
    assert any(error.startswith(f"{site / 'bad.html'}:7:") and "alt" in error for error in errors), errors
    assert any(error.startswith(f"{site / 'bad.html'}:8:") for error in errors), errors
    assert all("good.html" not in error for error in errors)


@needs_java
def test_nu_validate_accepts_a_valid_page_and_walks_folders(tmp_path: Path) -> None:
    site = write_pages(tmp_path)
    assert nu_validate([site / "good.html"]) == []
    errors = nu_validate([site])
    assert errors and all("bad.html" in error for error in errors), errors


def test_serve_dir_serves_files_and_the_404_page(tmp_path: Path, serve_dir) -> None:
    site = write_pages(tmp_path)
    (site / "404.html").write_text("<!DOCTYPE html><title>Not found</title>", encoding="utf-8")
    base = serve_dir(site)
    assert base.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(base + "good.html") as response:
        assert response.read().decode() == GOOD_PAGE
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "no/such/page/")
    assert missing.value.code == 404
    assert b"Not found" in missing.value.read()


@pytest.mark.browser
def test_axe_check_flags_an_image_without_alt(tmp_path: Path, serve_dir, chromium) -> None:
    base = serve_dir(write_pages(tmp_path))
    violations = axe_check(base + "bad.html", browser=chromium)
    ids = {violation["id"] for violation in violations}
    assert {"image-alt", "html-has-lang"} <= ids, describe_violations(violations)


@pytest.mark.browser
def test_axe_check_passes_an_accessible_page(tmp_path: Path, serve_dir, chromium) -> None:
    base = serve_dir(write_pages(tmp_path))
    violations = axe_check(base + "good.html", browser=chromium)
    assert violations == [], describe_violations(violations)


@pytest.mark.browser
def test_screenshot_writes_a_png_of_the_requested_width(tmp_path: Path, serve_dir, chromium) -> None:
    base = serve_dir(write_pages(tmp_path / "site"))
    png = screenshot(base + "good.html", tmp_path / "shots" / "good.png", 375, browser=chromium)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 375 and height > 0
