"""Checks on the rendered site: internal links that lead nowhere, and link texts
that do not say where they lead (WCAG 2.4.4)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from eccpsite.errors import ContentError
from eccpsite.render import Output

VAGUE_TEXTS = {"here", "click here", "read more", "more", "link", "this link", "this", "read here", "see here"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, url, text)
        self.ids: set[str] = set()
        self._open: list[list[str]] = []
        self._href: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href") is not None:
            self._open.append([])
            self._href.append(values["href"] or "")
        elif tag in ("img", "link", "script", "source") and (values.get("src") or values.get("href")):
            self.links.append((tag, values.get("src") or values.get("href") or "", values.get("alt") or ""))

    def handle_data(self, data: str) -> None:
        for buffer in self._open:
            buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            text = " ".join("".join(self._open.pop()).split())
            self.links.append(("a", self._href.pop(), text))


def check_links(outputs: Iterable[Output], asset_urls: Iterable[str], sources: dict[str, str] | None = None) -> list[ContentError]:
    """Every internal link of every page must lead to an output or an asset."""
    outputs = list(outputs)
    known = {o.url for o in outputs} | set(asset_urls)
    problems: list[ContentError] = []
    for out in outputs:
        if not (out.url.endswith("/") or out.url.endswith(".html")):
            continue
        parser = _Links()
        parser.feed(out.data.decode("utf-8"))
        where = (sources or {}).get(out.url, f"build{out.url}")
        for tag, href, text in parser.links:
            parts = urlsplit(href)
            if tag == "a" and (href in ("", "#")):
                problems.append(ContentError(where, 0, "", f"a link with text {text!r} leads nowhere ('{href}'); give it a real address", warning=True))
                continue
            if tag == "a" and text.lower().strip(" .!") in VAGUE_TEXTS:
                problems.append(ContentError(where, 0, "", f"the link text {text!r} does not say where it leads; describe the destination", warning=True))
            if parts.scheme or parts.netloc or href.startswith("#"):
                continue
            path = unquote(parts.path)
            if not path.startswith("/"):
                base = out.url if out.url.endswith("/") else out.url.rsplit("/", 1)[0] + "/"
                path = re.sub(r"[^/]+/\.\./", "", base + path)
            if path not in known and path.rstrip("/") + "/" not in known and path + "index.html" not in known:
                problems.append(ContentError(where, 0, "", f"the link to {href} leads to no page of the site"))
    return problems
