"""The e-mail edition of a newsletter: one self-contained HTML file and its plain-text alternative.

Mail clients ignore stylesheets, resolve no relative address and show no
scripts, so ``templates/newsletter/email.html`` is a table layout about
600 px wide whose CSS css-inline moves into ``style`` attributes (media queries
stay in a ``<style>`` block, which clients that understand them read), and
every address in it is made absolute. ``email.txt`` is the plain-text part of
the same message. Both are outputs like any page: nothing here touches the disk.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import css_inline

from eccpsite.core import urls
from eccpsite.core.errors import ContentError
from eccpsite.outputs.render import Output, Renderer, Reused, declare

HTML_TEMPLATE = "newsletter/email.html"
TEXT_TEMPLATE = "newsletter/email.txt"
MAX_BYTES = 100_000  # mail clients clip larger messages (Gmail at 102 KB)

_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


def absolute_urls(page: str, base: str) -> str:
    """Every ``href`` and ``src`` made absolute against ``base`` (a mail has no address of its own)."""

    def absolute(match: re.Match[str]) -> str:
        target = html.unescape(match.group(2))
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            return match.group(0)
        return f"{match.group(1)}{html.escape(urljoin(base, target))}{match.group(3)}"

    return _URL_ATTRIBUTE.sub(absolute, page)


def inline_css(page: str) -> str:
    """Move the ``<style>`` rules into ``style`` attributes; keep ``@media`` rules; fetch nothing."""
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False, keep_link_tags=False)
    return str(inliner.inline(page))


@declare(after=("render_edition_pdfs",), on_request=True)  # the e-mail links the PDF with its size
def render_email_editions(r: Renderer) -> Iterator[Output | Reused | ContentError]:
    """``/newsletter/<id>/email.html`` and ``email.txt`` for every edition (a stage of the build)."""
    site = r.site
    pdfs = {o.url: o.size for o in r.made() if o.url.endswith(".pdf")}
    for resolved in site.editions:
        edition = resolved.edition
        base = site.config.absolute(urls.edition_url(edition.id))
        pdf_url = urls.edition_pdf_url(edition.id)
        context = {"edition": resolved, "title": edition.title, "pdf_size": pdfs.get(pdf_url)}
        page = r.render(urls.edition_email_url(edition.id), HTML_TEMPLATE, **context)
        if isinstance(page, ContentError):
            yield page
        else:
            data = inline_css(absolute_urls(page.data.decode("utf-8"), base)).encode("utf-8")
            if len(data) > MAX_BYTES:
                size, limit = len(data) // 1000, MAX_BYTES // 1000
                message = f"the e-mail edition is {size} KB; mail clients cut messages over {limit} KB: list fewer items or shorten the editorial"
                yield ContentError(edition.path, edition.line, "sections", message)
            yield Output(page.url, data)
        yield r.page(urls.edition_email_url(edition.id, "txt"), TEXT_TEMPLATE, **context)
