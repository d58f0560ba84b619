"""Checks on the rendered site: internal links that lead nowhere, fragments
(``/events/foo/#programme``, ``#note``) that name no anchor of their page,
link texts that do not say where they lead (WCAG 2.4.4), and images without a
text alternative (WCAG 1.1.1). A broken link gets the fix the site's
addresses suggest: the address it meant (``link to /events/foo/``), the
anchor closest to the one written.

The pages are eccpsite's own output (templates plus sanitized Markdown), so a
few regular expressions find their links several times faster than a full
HTML parser. A build takes each page's links where the page is made
(:func:`page_links`, in the forked worker that rendered it) and keeps only
those, not the page; :func:`check_links` then checks them against every url
of the site. :class:`LinkIndex` checks again only the pages that changed, for
the dev server.
"""

from __future__ import annotations

import difflib
import html
import posixpath
import re
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Protocol
from urllib.parse import unquote, urlsplit

from eccpsite.core.errors import ContentError
from eccpsite.core.fields import did_you_mean
from eccpsite.core.schema import slug_for
from eccpsite.outputs.calendar import SERVICE_LINKS
from eccpsite.outputs.render import Output

VAGUE_TEXTS = {"here", "click here", "read more", "more", "link", "this link", "this", "read here", "see here"}

Link = tuple[str, str, str]  # (tag, url, text): the text of a link, the alt text of an image

_QUOTED_TAG_BODY = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RAW_TEXT = re.compile(rf"(<(script|style)\b{_QUOTED_TAG_BODY}>).*?</\2\s*>", re.S | re.I)
_TAG = re.compile(rf"<(?:(a|img|link|script|source)\b({_QUOTED_TAG_BODY})>|/a\s*>)", re.I)  # one leading '<': a fast scan
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
_ANY_TAG = re.compile(r"<[^>]*>")
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
IMPLICIT_ANCHORS = frozenset({"", "top"})  # an empty fragment and #top lead to the top of any page (HTML)


@lru_cache(maxsize=16384)  # the same tags (menus, tag lists, filters) come back on thousands of pages: parse each once
def _attributes(text: str) -> dict[str, str | None]:
    """The attributes of a tag (read only: the dict is shared)."""
    values: dict[str, str | None] = {}
    for name, raw in _ATTRIBUTE.findall(text):
        value = raw[1:-1] if raw[:1] in ('"', "'") else raw
        values.setdefault(name.lower(), html.unescape(value) if raw else None)
    return values


@lru_cache(maxsize=16384)
def _link_text(inner: str) -> str:
    """The text of a link from the HTML inside it, on one line."""
    return " ".join(html.unescape(_ANY_TAG.sub("", inner)).split())


def extract_links(page: str) -> list[Link]:
    """Every link of a page: ``a`` with its text; ``img``, ``link``, ``script``, ``source`` with their address.

    What lies before ``<main`` and after ``</main>`` (header, menu, footer) is
    the same on most pages: its links are found once per distinct text.
    """
    page = _RAW_TEXT.sub(r"\1", _COMMENT.sub("", page))
    start, end = page.find("<main"), page.rfind("</main>")
    if 0 <= start < end:
        head, body, tail = _frame_links(page[:start]), _links_in(page[start:end]), _frame_links(page[end:])
        if head[1] and body[1] and tail[1]:
            return [*head[0], *body[0], *tail[0]]
    return list(_links_in(page)[0])


def _links_in(part: str) -> tuple[tuple[Link, ...], bool]:
    """The links of part of a page, and whether every link opened in it is closed in it (a link left open is left out)."""
    links: list[Link] = []
    open_links: list[tuple[str, int]] = []  # (href, where its text starts)
    for match in _TAG.finditer(part):
        tag = match.group(1)
        if tag is None:  # </a>
            if open_links:
                href, start = open_links.pop()
                links.append(("a", href, _link_text(part[start : match.start()])))
            continue
        tag = tag.lower()
        values = _attributes(match.group(2))
        if tag == "a":
            if values.get("href") is not None:
                open_links.append((values["href"] or "", match.end()))
        elif values.get("src") or values.get("href"):
            links.append((tag, values.get("src") or values.get("href") or "", values.get("alt") or ""))
    return tuple(links), not open_links


_frame_links = lru_cache(maxsize=256)(_links_in)  # the header and footer of a page: a few variants across the site


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


def _warning(tag: str, href: str, text: str) -> str | None:
    """What is wrong with a link's text or an image's alt text, whatever the site holds (WCAG 2.4.4, 1.1.1)."""
    if tag == "a" and href in ("", "#"):
        return f"a link with text {text!r} leads nowhere ('{href}'); give it a real address"
    if tag == "a" and text.lower().strip(" .!") in VAGUE_TEXTS:
        return f"the link text {text!r} does not say where it leads; describe the destination"
    if tag == "img" and not text.strip():
        return f"the image {href} has no alt text; say what it shows (in Markdown: ![what it shows]({href}))"
    if href.startswith("//"):  # protocol-relative: not a path of this site, and no address at all in an e-mail or a feed reader
        return f"{href} is an address on another site without its https: (it leads nowhere in the e-mail edition and in feed readers); write https:{href}"
    return None


def _leads_nowhere(tag: str, href: str) -> bool:
    return tag == "a" and href in ("", "#")


def _reaches(path: str, known: set[str] | frozenset[str]) -> bool:
    return path in known or path.rstrip("/") + "/" in known or path + "index.html" in known


def _broken(where: str, href: str, path: str, known: Collection[str]) -> ContentError:
    fix = address_fix(path, known)
    fix_words = f"; link to {fix}{_fragment(href)}" if fix else ""
    return ContentError(where, 0, "", f"the link to {href} leads to no page of the site{fix_words}", near=href)


def _fragment(href: str) -> str:
    """``#x`` of an address, or ''."""
    return "#" + href.partition("#")[2] if "#" in href else ""


def address_fix(path: str, known: Collection[str]) -> str | None:
    """The address of the site a link to the missing ``path`` most likely meant, or None.

    In order: the path written with its file's date or ``.md`` (``/events/2019-05-14-foo/``,
    ``/events/foo.md`` → ``/events/foo/``); the path read from the wrong folder
    (``/news/events/foo/`` → ``/events/foo/``); the closest address in its folder.
    """
    folder, _, name = path.rstrip("/").rpartition("/")
    bare = slug_for(name)  # without a date and .md
    tried = [f"{folder}/{bare}/"] if bare != name else []
    parts = path.strip("/").split("/")
    tried += ["/" + "/".join(parts[i:]) + ("/" if path.endswith("/") else "") for i in range(1, len(parts))]
    for candidate in tried:
        if candidate in known:
            return candidate
    depth = path.count("/")
    siblings = {url.rstrip("/").rpartition("/")[2]: url for url in known if url.startswith(folder + "/") and url.count("/") == depth}
    close = difflib.get_close_matches(name, list(siblings), n=1, cutoff=0.75)  # by name: "b" is not close to "a"
    return siblings[close[0]] if close else None


def _missing_anchor(where: str, href: str, target: str, ids: frozenset[str]) -> ContentError | None:
    """A problem when the fragment of ``href`` names no anchor of the page ``target`` (whose ids are ``ids``)."""
    fragment = unquote(href.partition("#")[2])
    if fragment in IMPLICIT_ANCHORS or fragment in ids:
        return None
    hint = did_you_mean(fragment, sorted(ids)).replace(" (did you mean '", "; did you mean #").replace("'?)", "?")
    page = "this page" if href.startswith("#") else f"the page {target}"
    return ContentError(where, 0, "", f"the link to {href}: {page} has no anchor #{fragment}{hint}", near=href)


def page_ids(page: str) -> frozenset[str]:
    """The ids of a page's elements: what a fragment can lead to."""
    return frozenset(a or b for a, b in _ID.findall(page))


def _page_of(path: str, ids: Mapping[str, frozenset[str]]) -> str | None:
    """The url of the page ``path`` reaches, when ``ids`` knows it (files and feeds have no anchors to check)."""
    for url in (path, path.rstrip("/") + "/", path.removesuffix("index.html")):
        if url in ids:
            return url
    return None


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What the link check needs of a page, taken where the page was made (so the page need not be kept or read again)."""

    hrefs: tuple[str, ...]  # every address of the page that stays on the site, in page order (repeats kept: each is reported)
    warnings: tuple[tuple[str, str], ...]  # (address, what is wrong) of its link texts and images' alt texts
    ids: frozenset[str] = frozenset()  # the ids of its elements, which fragments lead to


def page_links(url: str, data: bytes) -> PageLinks | None:
    """The links of the output at ``url`` that the check needs, or None when it is not a page."""
    if not _is_page(url):
        return None
    page = data.decode("utf-8")
    links = extract_links(page)
    warnings = tuple((href, message) for tag, href, text in links if (message := _warning(tag, href, text)) is not None)
    # the same addresses appear on thousands of pages (menus, tags): one string each (pickle and intern share them)
    hrefs = tuple(sys.intern(href) for tag, href, _ in links if _stays_on_the_site(url, tag, href))
    return PageLinks(hrefs, warnings, page_ids(page))


def _stays_on_the_site(page_url: str, tag: str, href: str) -> bool:
    """Whether the link check follows ``href``: not a link to nowhere, to another site or within the page."""
    if _leads_nowhere(tag, href):
        return False
    if (href.startswith("/") and not href.startswith("//")) or href.startswith("#"):  # most links: no need to parse them
        return True
    return _resolve(page_url, href) is not None


@dataclass(frozen=True, slots=True)
class Linked:
    """An output kept in memory with its links (what :class:`InMemory` keeps)."""

    output: Output
    links: PageLinks | None

    @property
    def url(self) -> str:
        return self.output.url

    @property
    def size(self) -> int:
        return len(self.output.data)


class InMemory:
    """The sink of an in-memory build (``build.build_outputs``): every output is kept whole, with its links."""

    def put(self, output: Output) -> Linked:
        return Linked(output, page_links(output.url, output.data))


class Checkable(Protocol):
    """An output as the link check sees it: a :class:`Linked` output, or what the writer kept of a written one."""

    @property
    def url(self) -> str: ...

    @property
    def links(self) -> PageLinks | None: ...


def check_links(outputs: Iterable[Checkable | Output], asset_urls: Iterable[str], sources: Mapping[str, str] | None = None) -> list[ContentError]:
    """Every internal link of every page must lead to an output or an asset; plus the warnings on link texts and images.

    The links of each page were taken where it was made (:func:`page_links`),
    so this reads no page: the check is one lookup per link. A plain
    :class:`Output` has its links taken here.
    """
    pages: list[tuple[str, PageLinks]] = []
    known = set(asset_urls)
    for out in outputs:
        known.add(out.url)
        links = page_links(out.url, out.data) if isinstance(out, Output) else out.links
        if links is not None:
            pages.append((out.url, links))
    ids = {url: links.ids for url, links in pages}
    problems: list[ContentError] = []
    fine: set[str] = set()  # addresses that start with "/" (the same from every page) found to lead where they say
    for url, links in pages:
        where = (sources or {}).get(url, f"build{url}")
        problems.extend(ContentError(where, 0, "", message, warning=True, near=href) for href, message in links.warnings)
        if fine.issuperset(links.hrefs):  # most pages: every address was checked on an earlier one (menus, tags, lists)
            continue
        for href in links.hrefs:
            if href in fine:
                continue
            problem = _problem(where, url, href, known, ids)
            if problem is not None:
                problems.append(problem)
            elif href.startswith("/"):
                fine.add(href)
    return problems


def _problem(where: str, url: str, href: str, known: set[str], ids: Mapping[str, frozenset[str]], lenient: bool = False) -> ContentError | None:
    """What is wrong with the link to ``href`` of the page at ``url``: it leads to no output, or to no anchor of its
    page; ``lenient`` lets pass unknown targets other than pages and static files (the dev server's feeds, made on
    request)."""
    path = url if href.startswith("#") else _resolve(url, href)
    if path is None:
        return None
    if not _reaches(path, known):
        if lenient and not path.endswith("/") and not path.startswith(("/static/", "/media/")):
            return None
        return _broken(where, href, path, known)
    if "#" in href and (target := _page_of(path, ids)) is not None:
        return _missing_anchor(where, href, target, ids[target])
    return None


def _page_problems(where: str, url: str, links: PageLinks, known: set[str], ids: Mapping[str, frozenset[str]], lenient: bool = False) -> list[ContentError]:
    """The problems of one page's links: the warnings on its link texts and images, then each address that leads nowhere."""
    problems = [ContentError(where, 0, "", message, warning=True, near=href) for href, message in links.warnings]
    problems += [problem for href in links.hrefs if (problem := _problem(where, url, href, known, ids, lenient)) is not None]
    return problems


def external_links(outputs: Iterable[Output], sources: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Every http(s) link of the pages, with where each appears (source file, else the page); not the theme's calendar-service links."""
    found: dict[str, list[str]] = {}
    for out in outputs:
        if not _is_page(out.url):
            continue
        where = (sources or {}).get(out.url, f"build{out.url}")
        for tag, href, _ in extract_links(out.data.decode("utf-8")):
            if tag in ("a", "img") and urlsplit(href).scheme in ("http", "https") and not href.startswith(SERVICE_LINKS):
                places = found.setdefault(href.split("#", 1)[0], [])
                if where not in places:
                    places.append(where)
    return found


class LinkIndex:
    """The links of every page of the latest build, checked again only where something changed (dev server).

    A save changes a few pages of thousands: the pages whose bytes are the
    very objects of the last build (and whose source is the same) are not
    looked at, and the pages with problems are checked again only when the
    site's addresses changed.
    """

    def __init__(self) -> None:
        self._links: dict[str, tuple[bytes, PageLinks]] = {}  # each page's bytes when checked, and their links
        self._ids: dict[str, frozenset[str]] = {}  # the ids of each page, which fragments lead to
        self._problems: dict[str, list[ContentError]] = {}
        self._where: dict[str, str] = {}
        self._known: set[str] = set()
        self._lenient: bool | None = None
        self._pages: Mapping[str, bytes] = {}  # the last update's pages and sources
        self._sources: Mapping[str, str] = {}

    def update(
        self,
        pages: Mapping[str, bytes],
        other_urls: Iterable[str],
        sources: Mapping[str, str],
        lenient: bool = False,
        since: tuple[Mapping[str, bytes], Iterable[str]] | None = None,
        taken: Mapping[str, PageLinks] | None = None,
    ) -> list[ContentError]:
        """Check the pages of a new build; returns every problem of the whole site. ``since``: the pages of an earlier
        build and the urls whose bytes may differ from those (the others are not looked at, if those pages are the
        ones this index checked last). ``taken``: the links of pages whose bytes a build already read (the pages the
        dev server took from the last build's output, with the links that build kept of them)."""
        known = set(pages)
        known.update(other_urls)
        everything = bool(self._known - known) or lenient != self._lenient  # a target went: any page may be broken now
        gained = not everything and len(known) > len(self._known)  # a target came: a broken link may lead somewhere now
        recheck = {url for url, problems in self._problems.items() if problems} if gained else set()
        for url in self._links.keys() - pages.keys():
            del self._links[url]
            self._problems.pop(url, None)
            self._ids.pop(url, None)
        anchors_changed = False
        last = self._pages
        if sources != self._sources:
            changed = list(pages)
        elif since is not None and since[0] is last:
            changed = [url for url in since[1] if url in pages]
        else:
            changed = [url for url, data in pages.items() if last.get(url) is not data]
        for url in changed:
            if not _is_page(url):
                continue
            data = pages[url]
            where = sources.get(url, f"build{url}")
            entry = self._links.get(url)
            if entry is None or entry[0] is not data:
                links = (taken or {}).get(url) or page_links(url, data)
                assert links is not None  # a page (_is_page)
                self._links[url] = (data, links)
                anchors_changed = anchors_changed or self._ids.get(url) != links.ids
                self._ids[url] = links.ids
                recheck.add(url)
            if self._where.get(url) != where:
                self._where[url] = where
                recheck.add(url)
        if anchors_changed:  # an anchor came or went: the pages with fragments are checked again
            recheck.update(url for url, (_, links) in self._links.items() if any("#" in href for href in links.hrefs))
        for url in self._links if everything else recheck:
            if url in self._links:
                self._problems[url] = _page_problems(self._where[url], url, self._links[url][1], known, self._ids, lenient)
        self._known, self._lenient, self._pages, self._sources = known, lenient, pages, sources
        return list(chain.from_iterable(self._problems.values()))
