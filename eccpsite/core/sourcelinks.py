"""Links and images written relative to the file, as editors' previews resolve them (pure).

VS Code's and GitHub's Markdown previews follow ``[the event](../events/2019-05-14-foo.md)``
and ``![](../media/map.png)`` from the file's own folder, and MkDocs and Zola
build such links into the target's address. eccpsite does the same: a link or
image whose address, read from the file's folder, lands on a content file
(an item's ``.md``, an edition's ``.yaml``) or in ``content/media/`` is
written as that file's site address (``/events/foo/``, ``/media/map.png``),
fragment kept, before the Markdown is rendered. The text is changed in place,
on its own line, so every later message keeps its line (``locate``). An
address that lands nowhere of the kind stays as written, and the link check
reports it.

Front matter's ``image:`` and ``photo:`` follow the same rule
(``schema._local_path``, by :func:`eccpsite.core.urls.content_relative`).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from eccpsite.core import urls
from eccpsite.core.kinds import folders
from eccpsite.core.schema import slug_for

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Code is left alone: fenced blocks and inline code spans.
_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[ \t]*$|`[^`\n]+`", re.M | re.S)
# Where an address sits: an inline link or image ](dest "title"), a reference definition [id]: dest, an HTML href/src.
_ADDRESS = re.compile(
    r"""\]\(\s*<?(?P<inline>[^\s<>()]+)>?"""
    r"""|^ {0,3}\[[^\]\n]+\]:[ \t]*<?(?P<reference>[^\s<>]+)>?"""
    r"""|\b(?:href|src)\s*=\s*(?:"(?P<double>[^"\n]*)"|'(?P<single>[^'\n]*)')""",
    re.M | re.I,
)


def source_address(path: str, written: str) -> str | None:
    """The site address of ``written`` read from the folder of the file at ``path`` (``content/news/x.md``);
    None when it is no file-relative address of a content file or a media file."""
    if not written or written.startswith(("/", "#", "?")) or _SCHEME.match(written):
        return None
    target, hash_, fragment = written.partition("#")
    if not target:
        return None
    inside = urls.content_relative(path, unquote(target))
    address = content_address(inside) if inside is not None else None
    return address + hash_ + fragment if address is not None else None


def content_address(rel: str) -> str | None:
    """The site address of a file under content/ (``events/2019-05-14-foo.md`` → ``/events/foo/``), if it has one."""
    parts = rel.split("/")
    if parts[0] == "media" and len(parts) > 1:
        return "/" + rel
    if len(parts) != 2:
        return None
    folder, name = parts
    if folder in folders() and name.endswith(".md"):
        return urls.item_url(folder, slug_for(name))
    if folder == "newsletter" and name.endswith(".yaml"):
        return urls.edition_url(name[: -len(".yaml")])
    return None


def site_links(path: str, body: str) -> str:
    """``body`` with its file-relative links and images (see the module's docstring) written as site addresses."""
    if "](" not in body and "]:" not in body and "=" not in body:
        return body
    code = [m.span() for m in _CODE.finditer(body)]
    pieces: list[str] = []
    done = 0
    for match in _ADDRESS.finditer(body):
        group = next(name for name in ("inline", "reference", "double", "single") if match.group(name) is not None)
        start, end = match.span(group)
        if any(a <= start < b for a, b in code):
            continue
        address = source_address(path, match.group(group))
        if address is not None:
            pieces += [body[done:start], address]
            done = end
    return "".join(pieces) + body[done:] if pieces else body
