"""Accessibility and validity of the built site (issue 7): the Nu HTML checker and axe-core.

Every page type is built from the real content as of 2019-09-16, checked by the Nu
HTML checker (0 errors) and by axe-core in Debian's Chromium for the rules tagged
wcag2a, wcag2aa, wcag21a, wcag21aa and best-practice (0 violations). The structural
rules that matter most to screen-reader users are also asserted directly, so a
failure names the page and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser import axe_check, describe_violations, needs_java, nu_validate
from built_site import PAGES, build_repo_site, html_file

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once for this module."""
    return build_repo_site(tmp_path_factory.mktemp("a11y") / "site")


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 (without the trailing slash)."""
    from browser import serve_directory

    with serve_directory(built) as url:
        yield url.rstrip("/")


class _Outline(HTMLParser):
    """The facts of a page that the structural checks need."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.landmarks: set[str] = set()
        self.first_link: str | None = None
        self.ids: set[str] = set()
        self.images_without_alt = 0
        self.vague_links: list[str] = []
        self._link_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "img" and "alt" not in attributes:
            self.images_without_alt += 1
        if tag == "a":
            if self.first_link is None:
                self.first_link = attributes.get("href")
            self._link_text = []

    def handle_data(self, data: str) -> None:
        if self._link_text is not None:
            self._link_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link_text is not None:
            text = " ".join("".join(self._link_text).split()).lower()
            if text in {"here", "click here", "read more", "more", "link", "this", "this link"}:
                self.vague_links.append(text)
            self._link_text = None


def outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@needs_java
def test_accessibility_pages_pass_the_nu_html_checker(built: Path) -> None:
    """Every HTML page of the site (not only one per type) has 0 errors in the Nu HTML checker."""
    pages = sorted(p for p in built.rglob("*.html") if p.name in ("index.html", "404.html"))
    assert len(pages) > 100, "the site should have well over a hundred pages"
    assert nu_validate(pages) == []


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_accessibility_page_types_pass_axe(name: str, base_url: str, chromium: Browser) -> None:
    """axe-core finds no violation of WCAG 2.1 A/AA or best practice on each page type."""
    violations = axe_check(base_url + PAGES[name], browser=chromium)
    assert violations == [], f"{name} ({PAGES[name]}):\n{describe_violations(violations)}"


@pytest.mark.parametrize("name", list(PAGES))
def test_accessibility_pages_have_language_landmarks_skip_link_and_heading_order(name: str, built: Path) -> None:
    """lang, the four landmarks, a skip link to #main first, one h1, no skipped heading level, alt on images."""
    page = outline(html_file(built, PAGES[name]))
    assert page.lang == "en"
    assert page.landmarks == {"header", "nav", "main", "footer"}
    assert page.first_link == "#main" and "main" in page.ids
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    jumps = [(a, b) for a, b in zip(page.headings, page.headings[1:], strict=False) if b > a + 1]
    assert jumps == [], f"heading levels skipped: {jumps}"
    assert page.images_without_alt == 0
    assert page.vague_links == []


def test_accessibility_statement_is_linked_from_every_page(built: Path) -> None:
    """The accessibility statement exists and the footer of every page links to it."""
    assert (built / "accessibility" / "index.html").is_file()
    for name, url in PAGES.items():
        assert 'href="/accessibility/"' in html_file(built, url).read_text(encoding="utf-8"), name


@pytest.mark.browser
def test_accessibility_focus_is_visible(base_url: str, chromium: Browser) -> None:
    """Tabbing shows the skip link first, with an outline, and it moves focus to the main content."""
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto(base_url + "/events/")
        page.keyboard.press("Tab")
        focused: Callable[[str], object] = page.evaluate
        assert focused("document.activeElement.className") == "skip-link"
        assert focused("getComputedStyle(document.activeElement).outlineStyle") == "solid"
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is on screen"
        page.keyboard.press("Enter")
        assert focused("document.activeElement.id") == "main"
    finally:
        context.close()
