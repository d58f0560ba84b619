"""HTML bodies to Markdown: through the build's sanitizer, then markdownify, with what was removed noted.

HTML bodies are converted by markdownify (MIT licensed, built on
BeautifulSoup, with one converter method per tag; html2text is GPL-3.0, which
an MIT project cannot ship) after the build's own sanitizer
(``markup.sanitize``) has removed what a page may not hold; each tag it
removed is named in the report. Used by the importers of HTML (WordPress,
feeds, Jekyll's ``.html`` posts); apart from the front matter and the writing.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from markdownify import markdownify

from eccpsite.core.markup.markdown import sanitize
from eccpsite.importers.images import ImageFinder

_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)")
_BLOCK = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr|img|iframe|section|!--)\b", re.I)


def paragraphs(html: str) -> str:
    """WordPress keeps posts without ``<p>`` (it adds them when it shows a post): wrap each block of text that
    blank lines set apart and that is not already an HTML block in a paragraph, its single newlines as ``<br>``."""
    blocks = re.split(r"\n\s*\n", html.replace("\r\n", "\n"))
    return "\n".join(b if _BLOCK.match(b) else "<p>" + b.strip().replace("\n", "<br>\n") + "</p>" for b in blocks if b.strip())


def html_to_markdown(html: str, images: ImageFinder, notes: list[str]) -> tuple[str, dict[str, Path]]:
    """Markdown for an HTML body, through the build's sanitizer; local images are taken along (their new
    addresses in the text), embedded frames become links, and what the sanitizer removed is noted."""
    soup = BeautifulSoup(html, "html.parser")
    for frame in soup.find_all(["iframe", "embed", "video", "audio"]):
        src = frame.get("src")
        if isinstance(src, str) and src.startswith(("http://", "https://", "//")):
            link = soup.new_tag("a", href=src if not src.startswith("//") else "https:" + src)
            link.string = str(frame.get("title") or src)
            frame.replace_with(link)
            notes.append(f"an embedded {frame.name} became a link to {link['href']}")
    media: dict[str, Path] = {}
    for img in soup.find_all("img"):
        src = img.get("src")
        if isinstance(src, str):
            local = images.take(src, notes)
            if local is not None:
                name, path = local
                media[name] = path
                img["src"] = "/" + name.removeprefix("content/")
            elif images.elsewhere(src) is not None:
                img["src"] = str(images.elsewhere(src))
            else:
                notes.append(f"the image {src} is not among the old site's files and has no full address: its text alternative stands in its place")
                img.replace_with(str(img.get("alt") or ""))
                continue
        if not img.get("alt"):
            notes.append(f"the image {img.get('src')} has no text alternative; say in the brackets of ![…]() what it shows")
    kept = str(soup)
    clean = sanitize(kept)
    removed = sorted(set(map(str.lower, _TAG.findall(kept))) - set(map(str.lower, _TAG.findall(clean))))
    if removed:
        notes.append("the sanitizer removed " + ", ".join(f"<{name}>" for name in removed) + " from the text (a page may not hold them)")
    text = markdownify(clean, heading_style="ATX", bullets="-", strip=["span"])
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", media


def plain_text(html: str) -> str:
    """The words of a bit of HTML (an excerpt, a feed's summary), on one line."""
    return " ".join(BeautifulSoup(sanitize(html), "html.parser").get_text(" ").split())
