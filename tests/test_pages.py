"""The theme in a real browser (issue 7): screenshots, page weight, the calendar and the calls' statuses.

Screenshots of the main page types at 390 px (a phone) and 1280 px (a desktop) are
saved under tests/artifacts/ (git-ignored) for people to look at; the tests assert
what can be asserted about them (no sideways scrolling on a phone, for one).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser import axe_check, describe_violations, serve_directory
from built_site import BROWSER_NOW, NOW, PAGES, REPO, build_repo_site, html_file

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core.model import next_status_change

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ARTIFACTS = REPO / "tests" / "artifacts"
SHOTS = {
    "home": "/",
    "events": "/events/",
    "event": "/events/erek-international-conference-2019/",
    "calls": "/calls/",
    "month": "/events/calendar/2019-09/",
    "edition": "/newsletter/eccp-2019-09/",
}
WIDTHS = (390, 1280)
BUDGET = 100 * 1024  # HTML + CSS + JS of one page, before images


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repo_site(tmp_path_factory.mktemp("pages") / "site")


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    with serve_directory(built) as url:
        yield url.rstrip("/")


def open_page(browser: Browser, url: str, width: int = 1280, when: dt.datetime = BROWSER_NOW) -> Page:
    """A page at ``url`` in a window ``width`` px wide whose clock says ``when`` (the scripts read it)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.clock.set_fixed_time(when)
    page.goto(url, wait_until="load")
    return page


def png_width(path: Path) -> int:
    """The width in pixels written in a PNG's header."""
    width: int = struct.unpack(">I", path.read_bytes()[16:20])[0]
    return width


# --- screenshots ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(SHOTS))
def test_pages_screenshot_fits_the_window(name: str, width: int, base_url: str, chromium: Browser) -> None:
    """Save tests/artifacts/<page>-<width>.png; the page never scrolls sideways, even on a 390 px phone."""
    page = open_page(chromium, base_url + SHOTS[name], width)
    try:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        path = ARTIFACTS / f"{name}-{width}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.context.close()
    assert png_width(path) == width
    assert scroll_width <= width, f"{name} is {scroll_width} px wide in a {width} px window"


@pytest.mark.browser
def test_pages_print_stylesheet_hides_navigation(base_url: str, chromium: Browser) -> None:
    """Printed, a page keeps its content and drops the header, the filters and the footer."""
    page = open_page(chromium, base_url + "/events/")
    try:
        page.emulate_media(media="print")
        hidden = page.evaluate("['.site-header', '.site-footer', '.filters'].map(s => getComputedStyle(document.querySelector(s)).display)")
        shown = page.evaluate("getComputedStyle(document.querySelector('main')).display")
    finally:
        page.context.close()
    assert hidden == ["none", "none", "none"]
    assert shown == "block"


# --- weight ----------------------------------------------------------------------------------


def page_weight(site: Path, url: str) -> int:
    """Bytes of a page's HTML and of the stylesheets and scripts it loads (the search page's index library too)."""
    html = html_file(site, url).read_text(encoding="utf-8")
    total = len(html.encode("utf-8"))
    linked = re.findall(r'<link rel="stylesheet" href="(/[^"]+)"', html) + re.findall(r'<script[^>]* src="(/[^"]+)"', html)
    if 'id="search-form"' in html:
        linked.append("/pagefind/pagefind.js")  # imported by search.js when the reader searches
    for href in linked:
        total += (site / href.lstrip("/")).stat().st_size
    return total


def test_pages_each_weigh_at_most_100_kb(built: Path) -> None:
    """Every page's HTML + CSS + JS is at most 100 KB before images."""
    pages = sorted(p for p in built.rglob("*.html") if p.name in ("index.html", "404.html"))
    weights = {str(p.relative_to(built)): page_weight(built, "/" + p.relative_to(built).as_posix()) for p in pages}
    heavy = {page: weight for page, weight in weights.items() if weight > BUDGET}
    assert heavy == {}
    assert weights["search/index.html"] > 40_000, "the search page counts Pagefind's library"


def test_pages_use_no_outside_resources(built: Path) -> None:
    """Stylesheets, scripts and images come from the site itself, so it works offline and from any static server."""
    for name, url in PAGES.items():
        html = html_file(built, url).read_text(encoding="utf-8")
        assert not re.findall(r'<(?:link rel="stylesheet"|script|img)[^>]* (?:src|href)="(?:https?:)?//', html), name


# --- the event calendar ----------------------------------------------------------------------


def test_pages_events_are_grouped_by_month_with_date_badges(built: Path) -> None:
    """/events/ has a heading per month, in order, and each event a date badge."""
    html = html_file(built, "/events/").read_text(encoding="utf-8")
    months = re.findall(r'<h2 class="month-title"[^>]*>([^<]+)</h2>', html)
    assert months == ["September 2019", "February 2020"]
    badges = re.findall(r'<span class="date-badge-day">([^<]+)</span> <span class="date-badge-month">([^<]+)</span>', html)
    assert badges == [("20", "Sep"), ("25–26", "Sep"), ("3–7", "Feb")]


def test_pages_event_filters_are_plain_links_to_prerendered_pages(built: Path) -> None:
    """Filters by attendance, country and topic are links to pages that exist, with upcoming events before past ones."""
    html = html_file(built, "/events/").read_text(encoding="utf-8")
    targets = set(re.findall(r'href="(/events/(?:online|in-person|country/[a-z]{2}|tag/[a-z0-9-]+)/)"', html))
    assert {"/events/online/", "/events/in-person/", "/events/country/ro/", "/events/country/kr/", "/events/tag/matchmaking/"} <= targets
    assert all(html_file(built, target).is_file() for target in targets)
    korea = html_file(built, "/events/country/kr/").read_text(encoding="utf-8")
    past = korea.index('<h2 id="past-title">Past events</h2>')
    assert korea.index("eu-gateway-green-energy-korea-2020/") < past < korea.index("eu-gateway-green-energy-korea-2019/")
    online = html_file(built, "/events/online/").read_text(encoding="utf-8")
    assert "eccp-expert-talk-webinar-digitalisation-2019" in online and "eu-canada-cluster-matchmaking-toronto-2019" not in online


@pytest.mark.browser
def test_pages_event_quick_filter_narrows_the_list(base_url: str, chromium: Browser) -> None:
    """With JavaScript, a form combines filters on a page that shows all its events at once."""
    page = open_page(chromium, base_url + "/events/tag/energy/")
    try:
        visible = "() => [...document.querySelectorAll('.event-entry')].filter(e => e.offsetParent !== null).length"
        before = page.evaluate(visible)
        page.select_option("#quick-country", "KR")
        after_country = page.evaluate(visible)
        page.select_option("#quick-attendance", "online")
        after_online = page.evaluate(visible)
        status = page.inner_text(".quick-filter-status")
    finally:
        page.context.close()
    assert before == 4
    assert after_country == 2
    assert after_online == 0
    assert status == "0 of 4 events shown"


# --- calls: statuses that change between builds --------------------------------------------------


def test_pages_calls_show_deadlines_in_words_with_brussels_time(built: Path) -> None:
    html = html_file(built, "/calls/cosme-clusters-go-international-2019/").read_text(encoding="utf-8")
    assert '<time datetime="2019-10-30">30 October 2019</time> (end of the day, Brussels time)' in html
    assert '<span class="badge badge-open" data-timeline="' in html


@pytest.mark.browser
@pytest.mark.parametrize(
    ("when", "words"),
    [
        (BROWSER_NOW, "Open"),
        (dt.datetime(2019, 10, 20, 9, 0, tzinfo=BROWSER_NOW.tzinfo), "Closing soon"),
        (dt.datetime(2019, 10, 30, 23, 59, tzinfo=BROWSER_NOW.tzinfo), "Closing soon"),
        (dt.datetime(2019, 10, 31, 0, 0, tzinfo=BROWSER_NOW.tzinfo), "Closed"),
    ],
)
def test_pages_call_status_flips_when_a_deadline_passes_after_the_build(when: dt.datetime, words: str, base_url: str, chromium: Browser) -> None:
    """The page's script shows the status of the reader's now: the deadline of 30 October ends at midnight in Brussels."""
    page = open_page(chromium, base_url + "/calls/cosme-clusters-go-international-2019/", when=when)
    try:
        badge = page.inner_text(".facts-list .badge")
    finally:
        page.context.close()
    assert badge == words


def test_pages_next_change_is_written_for_the_scheduler(built: Path) -> None:
    """next-change.txt holds the next moment a status changes: the end of the event of 20 September 2019."""
    result = build_outputs(REPO, BuildOptions(now=NOW))
    expected = next_status_change(result.site)
    assert expected is not None
    assert (built / "next-change.txt").read_text(encoding="utf-8") == expected.isoformat() + "\n"
    assert expected.isoformat() == "2019-09-21T00:00:00+02:00"


# --- the month view ---------------------------------------------------------------------

MONTH = "/events/calendar/2019-09/"


@pytest.mark.browser
def test_pages_month_view_marks_today_by_script(base_url: str, chromium: Browser) -> None:
    page = open_page(chromium, base_url + MONTH)
    try:
        today = page.locator('[aria-current="date"]')
        assert today.count() == 1  # the table's cell; the list shows only days with events
        assert today.get_attribute("data-date") == BROWSER_NOW.date().isoformat()
        assert "month-today" in (today.get_attribute("class") or "")
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_month_view_is_a_table_on_desktops_and_a_list_on_phones_and_passes_axe(width: int, base_url: str, chromium: Browser) -> None:
    page = open_page(chromium, base_url + MONTH, width)
    try:
        table = page.locator("table.month-grid")
        listing = page.locator("ol.month-list")
        assert table.is_visible() == (width == 1280)
        assert listing.is_visible() == (width == 390)
        if width == 390:
            assert [d.get_attribute("data-date") for d in listing.locator("> li").all()] == ["2019-09-20", "2019-09-25", "2019-09-26"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.context.close()
    violations = axe_check(base_url + MONTH, browser=chromium, width=width)
    assert violations == [], describe_violations(violations)
