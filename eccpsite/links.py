"""Checks on the rendered site: internal links that lead nowhere, link texts
that do not say where they lead (WCAG 2.4.4), and images without a text
alternative (WCAG 1.1.1).

The pages are eccpsite's own output (templates plus sanitized Markdown), so a
few regular expressions find their links several times faster than a full
HTML parser; :class:`LinkIndex` checks again only the pages that changed, for
the dev server.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import posixpath
import re
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import unquote, urlsplit

from eccpsite.errors import ContentError
from eccpsite.render import Output

VAGUE_TEXTS = {"here", "click here", "read more", "more", "link", "this link", "this", "read here", "see here"}

Link = tuple[str, str, str]  # (tag, url, text): the text of a link, the alt text of an image

_QUOTED_TAG_BODY = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RAW_TEXT = re.compile(rf"(<(script|style)\b{_QUOTED_TAG_BODY}>).*?</\2\s*>", re.S | re.I)
_TAG = re.compile(rf"<(a|img|link|script|source)\b({_QUOTED_TAG_BODY})>|</a\s*>", re.I)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
_ANY_TAG = re.compile(r"<[^>]*>")


def _attributes(text: str) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for name, raw in _ATTRIBUTE.findall(text):
        value = raw[1:-1] if raw[:1] in ('"', "'") else raw
        values.setdefault(name.lower(), html.unescape(value) if raw else None)
    return values


def extract_links(page: str) -> list[Link]:
    """Every link of a page: ``a`` with its text; ``img``, ``link``, ``script``, ``source`` with their address."""
    page = _RAW_TEXT.sub(r"\1", _COMMENT.sub("", page))
    links: list[Link] = []
    open_links: list[tuple[str, int]] = []  # (href, where its text starts)
    for match in _TAG.finditer(page):
        tag = match.group(1)
        if tag is None:  # </a>
            if open_links:
                href, start = open_links.pop()
                text = html.unescape(_ANY_TAG.sub("", page[start : match.start()]))
                links.append(("a", href, " ".join(text.split())))
            continue
        tag = tag.lower()
        values = _attributes(match.group(2))
        if tag == "a":
            if values.get("href") is not None:
                open_links.append((values["href"] or "", match.end()))
        elif values.get("src") or values.get("href"):
            links.append((tag, values.get("src") or values.get("href") or "", values.get("alt") or ""))
    return links


def _resolve(page_url: str, href: str) -> str | None:
    """The site path a link leads to, or None for links that leave the site or stay on the page."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("#"):
        return None
    path = unquote(parts.path)
    if not path.startswith("/"):
        base = page_url if page_url.endswith("/") else page_url.rsplit("/", 1)[0] + "/"
        trailing = "/" if path.endswith("/") or path.endswith("/.") or path in ("", ".") else ""
        path = posixpath.normpath(base + path).replace("//", "/").rstrip("/") + trailing
        path = path or "/"
    return path


def _is_page(path: str) -> bool:
    return path.endswith(("/", ".html"))


def page_problems(page_url: str, links: Iterable[Link], known: set[str] | frozenset[str], where: str, lenient: bool = False) -> list[ContentError]:
    """The problems of one page's links; ``lenient`` skips unknown targets other than pages and static files (feeds not made yet)."""
    problems: list[ContentError] = []
    for tag, href, text in links:
        if tag == "a" and href in ("", "#"):
            problems.append(ContentError(where, 0, "", f"a link with text {text!r} leads nowhere ('{href}'); give it a real address", warning=True))
            continue
        if tag == "a" and text.lower().strip(" .!") in VAGUE_TEXTS:
            problems.append(ContentError(where, 0, "", f"the link text {text!r} does not say where it leads; describe the destination", warning=True))
        if tag == "img" and not text.strip():
            message = f"the image {href} has no alt text; say what it shows (in Markdown: ![what it shows]({href}))"
            problems.append(ContentError(where, 0, "", message, warning=True))
        path = _resolve(page_url, href)
        if path is None or path in known or path.rstrip("/") + "/" in known or path + "index.html" in known:
            continue
        if lenient and not path.endswith("/") and not path.startswith(("/static/", "/media/")):
            continue
        problems.append(ContentError(where, 0, "", f"the link to {href} leads to no page of the site"))
    return problems


PARALLEL_PAGES = 2000  # from this many pages, links are checked on every core
_job: tuple[list[Output], set[str], Mapping[str, str]] | None = None  # what a forked worker checks


def _check_pages(pages: Iterable[Output], known: set[str], sources: Mapping[str, str]) -> list[ContentError]:
    problems: list[ContentError] = []
    for out in pages:
        where = sources.get(out.url, f"build{out.url}")
        problems.extend(page_problems(out.url, extract_links(out.data.decode("utf-8")), known, where))
    return problems


def _check_slice(bounds: tuple[int, int]) -> list[ContentError]:
    """Check pages ``start:end`` of the job, in a worker forked from the build."""
    assert _job is not None
    pages, known, sources = _job
    return _check_pages(pages[bounds[0] : bounds[1]], known, sources)


def check_links(outputs: Iterable[Output], asset_urls: Iterable[str], sources: Mapping[str, str] | None = None) -> list[ContentError]:
    """Every internal link of every page must lead to an output or an asset (on every core for a large site)."""
    global _job
    outputs = list(outputs)
    known = {o.url for o in outputs} | set(asset_urls)
    pages = [o for o in outputs if _is_page(o.url)]
    workers = os.cpu_count() or 1
    if len(pages) < PARALLEL_PAGES or workers < 2 or threading.active_count() > 1:
        return _check_pages(pages, known, sources or {})
    step = -(-len(pages) // (workers * 4))
    _job = (pages, known, sources or {})  # inherited by the workers, which start at the first submit
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            found = pool.map(_check_slice, [(start, start + step) for start in range(0, len(pages), step)])
            return [problem for problems in found for problem in problems]
    finally:
        _job = None


def external_links(outputs: Iterable[Output], sources: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Every http(s) link of the pages, with where each appears (source file, else the page)."""
    found: dict[str, list[str]] = {}
    for out in outputs:
        if not _is_page(out.url):
            continue
        where = (sources or {}).get(out.url, f"build{out.url}")
        for tag, href, _ in extract_links(out.data.decode("utf-8")):
            if tag in ("a", "img") and urlsplit(href).scheme in ("http", "https"):
                places = found.setdefault(href.split("#", 1)[0], [])
                if where not in places:
                    places.append(where)
    return found


class LinkIndex:
    """The links of every page of the latest build, checked again only where something changed (dev server)."""

    def __init__(self) -> None:
        self._links: dict[str, tuple[bytes, list[Link]]] = {}
        self._problems: dict[str, list[ContentError]] = {}
        self._where: dict[str, str] = {}
        self._known: set[str] = set()
        self._lenient: bool | None = None

    def update(self, pages: Mapping[str, bytes], other_urls: Iterable[str], sources: Mapping[str, str], lenient: bool = False) -> list[ContentError]:
        """Check the pages of a new build; returns every problem of the whole site."""
        known = set(pages) | set(other_urls)
        everything = bool(self._known - known) or lenient != self._lenient  # a target went: any page may be broken now
        recheck = {url for url, problems in self._problems.items() if problems and not everything}
        for url in [u for u in self._links if u not in pages]:
            del self._links[url]
            self._problems.pop(url, None)
        for url, data in pages.items():
            if not _is_page(url):
                continue
            where = sources.get(url, f"build{url}")
            entry = self._links.get(url)
            if entry is None or entry[0] is not data:
                self._links[url] = (data, extract_links(data.decode("utf-8")))
                recheck.add(url)
            if self._where.get(url) != where:
                self._where[url] = where
                recheck.add(url)
        for url in self._links if everything else recheck:
            if url in self._links:
                self._problems[url] = page_problems(url, self._links[url][1], known, self._where[url], lenient)
        self._known, self._lenient = known, lenient
        return [problem for problems in self._problems.values() for problem in problems]
