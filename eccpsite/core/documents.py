"""Links to documents (PDF, office files) say what they download: ``Programme (PDF, 140 KB)``.

EN 301 549 and the EU's web guidelines ask that a link to a file say its
format and size. Editors are warned when their text does not
(:mod:`eccpsite.core.accessibility`); and on the pages the build makes, a link to
a document of ``content/media/`` whose text does not say both gets them
from the file itself (:func:`describe_documents`, run on rendered Markdown).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

# File types read as documents to download, by extension; the format a link names is the extension in capitals.
DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf")
SIZE = re.compile(r"\d\s*(?:[kKMG]B|bytes?)\b")  # a size as a link text gives it: 140 KB, 1.2 MB
MEDIA_PREFIX = "/media/"
_EXTENSION = re.compile(r"\.(" + "|".join(DOCUMENT_EXTENSIONS) + r")$", re.I)
# A link as the sanitizer writes it (double-quoted attributes), its text up to its end.
_LINK = re.compile(r'<a\b([^>]*?)\bhref="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_TAGS = re.compile(r"<[^>]*>")


def file_size(size: int) -> str:
    """``141 KB``, ``1.4 MB``: a download's size as a reader weighs it."""
    return f"{max(1, round(size / 1000))} KB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def document_format(path: str) -> str | None:
    """``PDF`` for ``/media/programme.pdf``, None for a path that is not a document."""
    found = _EXTENSION.search(path)
    return found.group(1).upper() if found else None


def says_format_and_size(text: str, kind: str) -> bool:
    """Whether a link's text already names the document's format and a size."""
    return kind.lower() in text.lower() and SIZE.search(text) is not None


def describe_documents(rendered: str, sizes: Mapping[str, int]) -> str:
    """``rendered`` HTML with ``(PDF, 140 KB)`` added inside each link to a document of ``sizes`` (site path →
    bytes: the files of content/media) whose text does not already say its format and size."""
    if MEDIA_PREFIX not in rendered:
        return rendered

    def describe(link: re.Match[str]) -> str:
        before, href, after, text = link.groups()
        path = unquote(urlsplit(html.unescape(href)).path)
        kind = document_format(path)
        size = sizes.get(path)
        if kind is None or size is None or says_format_and_size(_TAGS.sub("", text), kind):
            return link.group()
        return f'<a{before}href="{href}"{after}>{text} ({kind}, {file_size(size)})</a>'

    return _LINK.sub(describe, rendered)
