"""urls.py: every URL and the output file behind it; nothing may leave the output folder."""

from __future__ import annotations

import pytest

from eccpsite.core import urls
from eccpsite.core.kinds import reserved_segments


def test_item_url_per_kind() -> None:
    assert urls.item_url("news", "eu-canada") == "/news/eu-canada/"
    assert urls.item_url("events", "toronto") == "/events/toronto/"
    assert urls.item_url("pages", "about") == "/about/"


def test_list_url_numbers_pages_after_the_first() -> None:
    assert urls.list_url("/news/", 1) == "/news/"
    assert urls.list_url("/news/", 2) == "/news/page/2/"
    assert urls.list_url("/tags/eccp/", 3) == "/tags/eccp/page/3/"


def test_edition_and_tag_urls() -> None:
    assert urls.tag_url("matchmaking") == "/tags/matchmaking/"
    assert urls.edition_url("2019-07") == "/newsletter/2019-07/"
    assert urls.edition_pdf_url("2019-07") == "/newsletter/2019-07/2019-07.pdf"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/", "index.html"),
        ("/news/", "news/index.html"),
        ("/news/x/", "news/x/index.html"),
        ("/news/page/2/", "news/page/2/index.html"),
        ("/sitemap.xml", "sitemap.xml"),
        ("/404.html", "404.html"),
        ("/static/style.css", "static/style.css"),
    ],
)
def test_output_path_maps_urls_to_files(url: str, path: str) -> None:
    assert urls.output_path(url) == path


@pytest.mark.parametrize(
    "url",
    ["", "news/x/", "../x", "/../x", "/news/../../x/", "/news/./x/", "/news//x/", "/a\\b", "/a\x00b", "/news/..", "/."],
)
def test_output_path_refuses_what_could_leave_the_output_folder(url: str) -> None:
    with pytest.raises(ValueError, match="not a site path"):
        urls.output_path(url)


def test_pages_may_not_take_the_site_s_own_paths() -> None:
    assert {"news", "events", "calls", "interviews", "tags", "newsletter", "feeds", "static", "404"} <= reserved_segments()
