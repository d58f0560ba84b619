"""Old addresses that keep working: ``aliases:`` and files renamed in git.

An item's ``aliases:`` lists addresses it had on an earlier site; when git
shows an item's file renamed so that its address changed (a new slug, another
folder), the old address is kept too, without the editor writing anything.
Each becomes a :class:`Redirect`; the render stage (``render.render_redirects``)
turns them into ``/_redirects`` (Netlify's file: one ``OLD NEW 301!`` line
each) and a small HTML page at each old address for other hosts and ``serve``.

Everything here is a value computed from the site model and the git history
(eccpsite.edges.history) as the build read them: nothing touches the disk or git.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from eccpsite.core import fields, urls
from eccpsite.core.errors import ContentError, FieldError
from eccpsite.core.kinds import Item, folders
from eccpsite.core.model import Site
from eccpsite.core.schema import slug_for
from eccpsite.edges.history import History

REDIRECTS_FILE = "/_redirects"  # Netlify's redirect rules, read before netlify.toml's
ALIAS, RENAMED = "alias", "renamed"


@dataclass(frozen=True, order=True)
class Redirect:
    """One old address and the page it now leads to."""

    old: str  # the old site path, as written (/content/eu-japan-matchmaking) or as it was (/news/old-slug/)
    new: str  # the url of the item's page
    path: str  # the file that asks for it: the item with the alias, or the renamed file under its name today
    line: int  # the alias's line (0 for a rename)
    why: str  # ALIAS or RENAMED
    former: str = ""  # for a rename: the file's old name (content/news/old-slug.md)


def page_url(old: str) -> str:
    """The url whose output file answers ``old``: ``/content/x`` and ``/content/x/`` are both ``/content/x/`` (its
    ``index.html``), while an address of a file (``/news/2019/x.html``) is that file."""
    last = old.rstrip("/").rsplit("/", 1)[-1]
    return old if "." in last and not old.endswith("/") else old.rstrip("/") + "/"


def former_url(former: str) -> str | None:
    """The address a content file had under its former name (``content/news/2019-05-14-x.md`` → ``/news/x/``), or
    None when that name was not an item's (another folder, a slug that is not one)."""
    parts = former.split("/")
    if len(parts) != 3 or parts[0] != "content" or parts[1] not in folders() or not parts[2].endswith(".md"):
        return None
    try:
        slug = fields.slug(slug_for(parts[2]))
    except FieldError:
        return None
    return urls.item_url(parts[1], slug)


def _follows_its_name(item: Item) -> bool:
    """Whether the item's address comes from its file name: one whose ``slug:`` says otherwise keeps its address
    when the file is renamed, so a rename says nothing about its old address."""
    return item.slug == slug_for(item.path)


def any_redirects(site: Site, history: History) -> bool:
    """Whether the site has an old address to redirect at all: an alias, or a file renamed in git."""
    return any(item.aliases for item in site.items) or any(revision.former for revision in history.values())


def alias_redirects(site: Site) -> tuple[list[Redirect], list[ContentError]]:
    """A redirect per alias of a visible item, and an error for each alias that two items claim or that is an item's own address."""
    if not any(item.aliases for item in site.items):  # the usual site, on every save of the dev server
        return [], []
    pages = {page_url(site.url(item)): item for item in site.items}
    claimed: dict[str, Redirect] = {}
    errors: list[ContentError] = []
    for item in site.items:
        for alias in item.aliases:
            line = alias.line or item.line
            key = page_url(alias.path)
            owner = pages.get(key)
            if owner is not None:
                whose = "its own address" if owner is item else f"the address of {owner.path}"
                errors.append(ContentError(item.path, line, "aliases", f"{alias.path!r} is {whose}; an alias is an old address no page has now: remove it"))
                continue
            first = claimed.get(key)
            if first is not None:
                message = f"{alias.path!r} is already an alias of {first.path}:{first.line}; an old address leads to one page: keep it in one file"
                errors.append(ContentError(item.path, line, "aliases", message))
                continue
            claimed[key] = Redirect(alias.path, site.url(item), item.path, line, ALIAS)
    return list(claimed.values()), errors


def renamed_redirects(site: Site, history: History, taken: Iterable[str]) -> list[Redirect]:
    """A redirect from each address an item had under a former name of its file (git history), unless that address
    is ``taken`` (a page or an alias has it now) or is the item's own."""
    if not any(revision.former for revision in history.values()):  # no file was renamed (or the project is not in git)
        return []
    renamed = [(item, revision.former) for item in site.items if (revision := history.get(item.path)) is not None and revision.former]
    if not renamed:
        return []
    busy = {page_url(url) for url in taken}
    found: dict[str, Redirect] = {}
    for item, formers in renamed:
        if not _follows_its_name(item):
            continue
        new = site.url(item)
        for former in formers:
            old = former_url(former)
            if old is None or old == new or page_url(old) in busy or page_url(old) in found:
                continue
            found[page_url(old)] = Redirect(old, new, item.path, 0, RENAMED, former)
    return sorted(found.values())


def plan_redirects(site: Site, history: History, taken: Iterable[str] = ()) -> tuple[list[Redirect], list[ContentError]]:
    """Every redirect of the site (aliases first, then renames), and the alias errors. ``taken`` adds the addresses
    of pages that are not items (lists, tag pages …), which neither may take."""
    aliases, errors = alias_redirects(site)
    taken = tuple(taken)
    busy = {page_url(url) for url in taken} if aliases else set()
    kept = []
    for redirect in aliases:
        if page_url(redirect.old) in busy:
            message = f"{redirect.old!r} is the address of a page the site makes; an alias is an old address no page has now: remove it"
            errors.append(ContentError(redirect.path, redirect.line, "aliases", message))
        else:
            kept.append(redirect)
    pages = (site.url(item) for item in site.items)  # read only when a file was renamed
    renames = renamed_redirects(site, history, itertools.chain(pages, taken, (r.old for r in kept)))
    return kept + renames, errors


def redirects_file(redirects: Iterable[Redirect]) -> bytes:
    """Netlify's ``_redirects``: one ``OLD NEW 301!`` line per old address, sorted.

    ``!`` forces the rule: the HTML page at the old address (for other hosts)
    would otherwise shadow it and be served with 200.
    """
    lines = ["# Old addresses of this site and where they lead now (made by eccpsite: aliases and renamed files)."]
    lines += [f"{r.old} {r.new} 301!" for r in sorted(redirects, key=lambda r: r.old)]
    return ("\n".join(lines) + "\n").encode("utf-8")
