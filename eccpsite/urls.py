"""Every URL of the site and the output file behind it, in one place.

URLs are site paths beginning and ending with ``/`` (``/news/x/``); the output
file of a URL ending in ``/`` is its ``index.html``.
"""

from __future__ import annotations

SECTIONS = ("news", "events", "calls", "interviews")
# First path segments that pages may not take, because the build uses them.
RESERVED = frozenset({*SECTIONS, "tags", "newsletter", "feeds", "static", "search", "pagefind", "page", "404", "sitemap.xml", "robots.txt"})


def item_url(kind: str, slug: str) -> str:
    return f"/{slug}/" if kind == "pages" else f"/{kind}/{slug}/"


def list_url(base: str, page: int) -> str:
    """Page ``page`` (1-based) of a paginated list at ``base``: ``/news/``, ``/news/page/2/``."""
    return base if page == 1 else f"{base}page/{page}/"


def section_url(kind: str) -> str:
    return f"/{kind}/"


PAST_EVENTS = "/events/past/"
CLOSED_CALLS = "/calls/closed/"
NEWSLETTER = "/newsletter/"
HOME = "/"
NOT_FOUND = "/404.html"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
TAGS = "/tags/"
STATIC = "/static/"


def tag_url(tag: str) -> str:
    return f"/tags/{tag}/"


def edition_url(edition_id: str) -> str:
    return f"/newsletter/{edition_id}/"


def edition_pdf_url(edition_id: str) -> str:
    return f"/newsletter/{edition_id}/{edition_id}.pdf"


def edition_email_url(edition_id: str, extension: str = "html") -> str:
    return f"/newsletter/{edition_id}/email.{extension}"


def static_url(name: str) -> str:
    return f"{STATIC}{name}"


def output_path(url: str) -> str:
    """The file (relative to the output folder) that serves ``url``.

    Refuses anything that could leave the output folder.
    """
    if not url.startswith("/") or "\\" in url or "\x00" in url:
        raise ValueError(f"not a site path: {url!r}")
    parts = url.strip("/").split("/") if url.strip("/") else []
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a site path: {url!r}")
    path = "/".join(parts)
    if url.endswith("/"):
        return f"{path}/index.html" if path else "index.html"
    return path
