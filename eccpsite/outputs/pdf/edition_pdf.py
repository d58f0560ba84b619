"""The PDF edition of a newsletter: print HTML, WeasyPrint, and a cache on disk.

An edge of the build, like the writer: WeasyPrint is imported here and in
:mod:`eccpsite.outputs.pdf.fetcher`, nowhere else. The stage runs in three steps:

1. :func:`print_edition` turns a resolved edition into print HTML (pure):
   every item's full text, its Markdown footnotes moved to where they are
   called (so CSS ``float: footnote`` puts them at the foot of the page), its
   links made absolute with their address printed beside them, links to
   items of the same edition turned into page references.
2. :func:`check_images` applies the fetcher's policy to every image of the
   edition before anything is rendered, and names the item that points
   outside the project or at the network.
3. :func:`make_edition_pdfs` renders each edition with WeasyPrint through the
   :class:`~eccpsite.outputs.pdf.fetcher.ProjectFetcher`, unless the PDF cache under
   ``.cache/pdf/`` already holds the bytes for exactly the same inputs.
"""

from __future__ import annotations

import html
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from markupsafe import Markup

from eccpsite.core import layout, urls
from eccpsite.core.config import SiteConfig
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item
from eccpsite.core.markup.markdown import render_markdown
from eccpsite.core.model import ResolvedEdition, Site
from eccpsite.edges import fingerprint
from eccpsite.outputs.pdf.pdf_policy import Policy
from eccpsite.outputs.render import Output, Renderer, Stage

if TYPE_CHECKING:
    from eccpsite.outputs.pdf.fetcher import ProjectFetcher

TEMPLATE = "newsletter/pdf.html"
STYLESHEET = "newsletter/pdf.css"
FONTS = "fonts"
CACHE = Path(layout.CACHE_PDF)


# ---------------------------------------------------------------- print HTML (pure)


@dataclass(frozen=True)
class PrintItem:
    """An item as the PDF prints it."""

    item: Item
    anchor: str  # its id in the PDF
    url: str  # the absolute URL of its page
    body: Markup  # its text, ready for print
    images: tuple[tuple[str, str], ...]  # (absolute URL, as the editor wrote it)
    first: bool = True  # False where the edition lists it again: the PDF then refers to the first place


@dataclass(frozen=True)
class PrintSection:
    title: str
    anchor: str
    items: tuple[PrintItem, ...]


@dataclass(frozen=True)
class PrintEdition:
    edition: ResolvedEdition
    sections: tuple[PrintSection, ...]
    editorial: Markup | None

    @property
    def items(self) -> tuple[PrintItem, ...]:
        return tuple(p for s in self.sections for p in s.items if p.first)


def item_anchor(item: Item) -> str:
    return f"item-{item.kind}-{item.slug}"


_FOOTNOTES = re.compile(r'<div class="footnote">\s*(?:<hr>)?\s*<ol>(?P<notes>.*)</ol>\s*</div>\s*$', re.S)
_LI = re.compile(r"<(/?)li\b([^>]*)>")
_LI_ID = re.compile(r'id="([^"]+)"')
_CALL = re.compile(r'<sup id="[^"]*"><a class="footnote-ref" href="#([^"]+)">[^<]*</a></sup>')
_BACKREF = re.compile(r'(?:&nbsp;|\xa0)?<a class="footnote-backref"[^>]*>.*?</a>', re.S)
_BLOCK = re.compile(r"</?(?:p|ul|ol|div|blockquote|h[1-6]|table|thead|tbody|tr|pre|dl|dt|dd|figure|figcaption)\b[^>]*>")
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_LINK = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")')
_TAG = re.compile(r"<[^>]+>")


def _footnote_texts(notes: str) -> dict[str, str]:
    """The text of each top-level ``<li id=…>`` of Python-Markdown's footnote list, flattened to inline HTML."""
    texts: dict[str, str] = {}
    depth, start, current = 0, 0, ""
    for match in _LI.finditer(notes):
        if not match.group(1):
            if depth == 0:
                found = _LI_ID.search(match.group(2))
                current, start = (found.group(1) if found else ""), match.end()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0 and current:
                text = _BACKREF.sub("", notes[start : match.start()])
                text = re.sub(r"\s*</p>\s*<p>\s*", "<br>", text)
                text = re.sub(r"<li\b[^>]*>", "<br>• ", text)
                text = _BLOCK.sub(" ", text.replace("</li>", " "))
                texts[current] = " ".join(text.split()).removeprefix("<br>").strip()
    return texts


def inline_footnotes(body: str) -> str:
    """Move each Markdown footnote to the place it is called, as ``<span class="footnote">``.

    A later call of a note already placed is dropped: the note is printed once.
    """
    found = _FOOTNOTES.search(body)
    if not found:
        return body
    texts = _footnote_texts(found.group("notes"))
    main = body[: found.start()]
    placed: set[str] = set()

    def call(match: re.Match[str]) -> str:
        target = match.group(1)
        if target in placed or target not in texts:
            return ""
        placed.add(target)
        return f'<span class="footnote">{texts[target]}</span>'

    return _CALL.sub(call, main)


def demote_headings(body: str, by: int = 2) -> str:
    """``<h2>`` of an item's text becomes ``<h4>`` under the item's ``<h3>`` title (never past ``<h6>``)."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + by, 6)}", body)


def _same_address(text: str, href: str) -> bool:
    """Whether a link's text already is its address (then it is not printed twice)."""

    def bare(value: str) -> str:
        return re.sub(r"^(?:https?://|mailto:)", "", value.strip()).rstrip("/").lower()

    return bare(html.unescape(_TAG.sub("", text))) == bare(html.unescape(href))


def print_links(body: str, page_url: str, config: SiteConfig, anchors: dict[str, str]) -> str:
    """Absolute links with the address printed after them; links to items of the edition become page references."""
    site = config.base_url.rstrip("/")

    def link(match: re.Match[str]) -> str:
        href, attrs, text = match.groups()
        if href.startswith("#"):
            return match.group(0)
        target = urljoin(page_url, html.unescape(href))
        path = target[len(site) :].split("#", 1)[0].split("?", 1)[0] if target.startswith(site + "/") else None
        if path is not None and path in anchors:
            return f'<a class="internal" href="#{anchors[path]}"{attrs}>{text}</a>'
        escaped = html.escape(target)
        if _same_address(text, target):
            return f'<a class="address" href="{escaped}"{attrs}>{text}</a>'
        shown = html.escape(target.removeprefix("mailto:"))
        return f'<a href="{escaped}"{attrs}>{text}</a><span class="address"> ({shown})</span>'

    return _LINK.sub(link, body)


def image_sources(body: str, page_url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Make every ``<img src>`` absolute (relative to the item's page); returns the body and (absolute, written) pairs."""
    found: list[tuple[str, str]] = []

    def absolute(match: re.Match[str]) -> str:
        written = html.unescape(match.group(2))
        target = urljoin(page_url, written)
        found.append((target, written))
        return f"{match.group(1)}{html.escape(target)}{match.group(3)}"

    return _IMG_SRC.sub(absolute, body), tuple(found)


def print_body(source: str, prefix: str, page_url: str, config: SiteConfig, anchors: dict[str, str]) -> tuple[Markup, tuple[tuple[str, str], ...]]:
    """Markdown to print HTML: footnotes in place, headings under the item title, links and images absolute."""
    body = inline_footnotes(render_markdown(source, prefix))
    body = print_links(demote_headings(body), page_url, config, anchors)
    body, images = image_sources(body, page_url)
    return Markup(body), images


def print_edition(site: Site, resolved: ResolvedEdition) -> PrintEdition:
    """An edition with every item's text prepared for print."""
    config = site.config
    anchors = {site.url(i): item_anchor(i) for i in resolved.items}
    seen: set[str] = set()
    sections: list[PrintSection] = []
    for number, section in enumerate(resolved.sections, 1):
        printed = []
        for item in section.items:
            page_url = config.absolute(site.url(item))
            body, images = print_body(item.body, item.slug, page_url, config, anchors)
            extra = [(config.absolute("/" + path), path) for path in (item.image, getattr(item, "photo", None)) if path]
            printed.append(PrintItem(item, item_anchor(item), page_url, body, (*extra, *images), item.ref not in seen))
            seen.add(item.ref)
        sections.append(PrintSection(section.title, f"section-{number}", tuple(printed)))
    editorial = None
    if resolved.edition.editorial is not None:
        edition_url = config.absolute(urls.edition_url(resolved.edition.id))
        editorial, _ = print_body(resolved.edition.editorial.text, "editorial", edition_url, config, anchors)
    return PrintEdition(resolved, tuple(sections), editorial)


def check_images(printed: PrintEdition, policy: Policy) -> list[ContentError]:
    """Every image of the edition the renderer would refuse, named by the item (and line) that points at it."""
    errors: list[ContentError] = []
    for entry in printed.items:
        item = entry.item
        for target, written in entry.images:
            message = policy.refusal(target)
            if message is not None:
                errors.append(ContentError(item.path, _line_of(item, written), "", f"the image '{written}' {message}"))
    return errors


def _line_of(item: Item, written: str) -> int:
    """The line of the item's file where ``written`` appears (its front matter line if not in the text)."""
    for offset, line in enumerate(item.body.splitlines()):
        if written in line:
            return item.body_line + offset
    return item.line


# ---------------------------------------------------------------- rendering and cache (edges)


@dataclass(frozen=True)
class PdfRun:
    """The result of the PDF stage: the PDFs, the errors found, and which editions were rendered afresh."""

    outputs: tuple[Output, ...] = ()
    errors: tuple[ContentError, ...] = ()
    rendered: tuple[str, ...] = ()  # ids of the editions rendered (the others came from the cache)


class PdfCache:
    """PDFs by the hash of everything they depend on, one file per edition, under ``.cache/pdf/<id>/``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, edition_id: str, key: str) -> bytes | None:
        path = self.folder / edition_id / f"{key}.pdf"
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put(self, edition_id: str, key: str, data: bytes) -> None:
        """Store atomically, replacing the edition's older entries; a cache that cannot be written is skipped."""
        folder = self.folder / edition_id
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.pdf"):
                old.unlink()
            partial = folder / f".{key}.{os.getpid()}.part"
            partial.write_bytes(data)
            os.replace(partial, folder / f"{key}.pdf")
        except OSError:
            pass


def cache_key(page: str, theme: str, config: SiteConfig, images: Iterable[Path], root: Path) -> str:
    """The hash of everything a PDF depends on: the print HTML (edition, items' text, templates), the theme's
    stylesheet and fonts, site.yaml, the images, eccpsite's code (the digest every other cache key uses, so an
    edit to this renderer or its fetcher makes the PDFs again) and WeasyPrint's version."""
    from weasyprint import VERSION

    into = fingerprint.hasher()
    for part in (f"eccpsite {fingerprint.code_digest().hex()}", f"weasyprint {VERSION}", repr(config), theme, fingerprint.files_digest(images, root), page):
        into.update(part.encode("utf-8") + b"\0")
    return into.hexdigest()


@contextmanager
def _quiet_weasyprint() -> Iterator[list[str]]:
    """Keep WeasyPrint's log out of the editor's terminal; collect it for the curious."""
    from weasyprint import LOGGER

    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect(logging.WARNING)
    propagate = LOGGER.propagate
    LOGGER.addHandler(handler)
    LOGGER.propagate = False
    try:
        yield messages
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.propagate = propagate


def render_pdf(page: str, base_url: str, stylesheet: Path, fetcher: ProjectFetcher, identifier: str) -> bytes:
    """Print HTML to PDF bytes: A4 from the stylesheet, tagged, fonts embedded, no date or random id in it."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    with _quiet_weasyprint():
        css = CSS(filename=str(stylesheet), url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=page, base_url=base_url, url_fetcher=fetcher)
        data: bytes = document.write_pdf(
            stylesheets=[css],
            font_config=fonts,
            pdf_tags=True,
            pdf_identifier=identifier[:32].encode("ascii"),
        )
    return data


def make_edition_pdfs(r: Renderer, project: Path, assets: Iterable[tuple[str, Path]], render: bool = True) -> PdfRun:
    """Check every edition's images, then render (or take from the cache) each edition's PDF.

    With ``render=False`` (``--no-pdf``) the images are still checked and no PDF is made.
    """
    site = r.site
    project = project.resolve()
    config = site.config
    policy = Policy(project, config.base_url, dict(assets), config.pdf_allow_network)
    stylesheet = project / "templates" / STYLESHEET
    theme = fingerprint.files_digest([stylesheet, *(p for p in (project / "templates" / FONTS).rglob("*") if p.is_file())], project)
    cache = PdfCache(project / CACHE)
    outputs: list[Output] = []
    errors: list[ContentError] = []
    rendered: list[str] = []
    for resolved in site.editions:
        edition = resolved.edition
        printed = print_edition(site, resolved)
        problems = check_images(printed, policy)
        errors.extend(problems)
        if problems or not render:
            continue
        url = urls.edition_pdf_url(edition.id)
        out = r.render(url, TEMPLATE, printed=printed, edition=resolved, title=edition.title)
        if isinstance(out, ContentError):
            errors.append(out)
            continue
        page = out.data.decode("utf-8")
        images = {p for entry in printed.items for target, _ in entry.images if (p := policy.local_file(target))}
        key = cache_key(page, theme, config, images, project)
        data = cache.get(edition.id, key)
        if data is None:
            from eccpsite.outputs.pdf.fetcher import ProjectFetcher  # WeasyPrint is imported only when a PDF is rendered

            fetcher = ProjectFetcher(policy)
            try:
                data = render_pdf(page, config.absolute(urls.edition_url(edition.id)), stylesheet, fetcher, key)
            except Exception as exc:  # WeasyPrint's own failures: reported, never a traceback
                errors.append(ContentError(edition.path, 0, "", f"the PDF could not be made: {exc}"))
                continue
            if fetcher.refused:
                errors.extend(ContentError(edition.path, 0, "", f"the PDF needs '{f.url}', which {f.message}") for f in fetcher.refused)
                continue
            cache.put(edition.id, key, data)
            rendered.append(edition.id)
        outputs.append(Output(url, data))
    return PdfRun(tuple(outputs), tuple(errors), tuple(rendered))


def pdf_stage(project: Path, assets: Iterable[tuple[str, Path]], render: bool = True) -> Stage:
    """The PDF edition as a stage of ``render_site``; put it before the stages that show the PDFs' sizes."""
    assets = tuple(assets)

    def render_edition_pdfs(r: Renderer) -> Iterator[Output | ContentError]:
        run = make_edition_pdfs(r, project, assets, render)
        yield from run.errors
        yield from run.outputs

    return render_edition_pdfs
