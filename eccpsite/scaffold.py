"""``eccpsite new``: start an item, a page or a newsletter edition with its required fields filled in."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from slugify import slugify

from eccpsite.core import layout
from eccpsite.core.errors import UsageError
from eccpsite.core.kinds import Kind, registered, reserved_segments

EDITION = "edition"  # the word of `eccpsite new` for a newsletter edition; the kinds' words are their own (Kind.command)


def commands() -> dict[str, Kind]:
    """The words of ``eccpsite new``: each kind's that declares one (news, event, call …), and ``edition``."""
    return {kind.command: kind for kind in registered() if kind.command}


_EDITION = """\
number: {number}
date: {today}
title: {title}
draft: true          # remove this line when the edition is ready: until then only --drafts shows it
intro: >-
  One paragraph on what this edition brings.
sections:            # each item is a reference: folder/slug, the slug being the file name without date and .md
  - title: Latest news
    items: []        # e.g. [news/eu-canada-matchmaking, news/nf4-natural-products-canada-mou]
  - title: Upcoming events
    items: []
  - title: Open calls
    items: []
"""


def make_slug(title: str) -> str:
    """A slug from a title; non-ASCII letters transliterated ("Elżbieta Bieńkowska" → "elzbieta-bienkowska")."""
    return slugify(title, max_length=80, word_boundary=True) or "untitled"


def scaffold_text(kind: Kind, title: str, today: dt.date) -> str:
    fields = kind.scaffold.format(today=today.isoformat())
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n{fields}---\nWrite the text here, in Markdown.\n"


def new_item(project: Path, command: str, title: str, today: dt.date) -> Path:
    """Write the new file of an item, page or edition (``command`` as on the command line); refuses to overwrite an existing one."""
    if command == EDITION:
        return _write(project / layout.EDITIONS / f"{today:%Y-%m}.yaml", edition_text(project, title, today))
    kind = commands()[command]
    slug = make_slug(title)
    if kind.folder == "pages" and slug in reserved_segments():
        raise UsageError(f"a page called {slug!r} would take the address /{slug}/, which the site itself uses; choose another title")
    if slug in kind.reserved:
        raise UsageError(f"{kind.what} called {slug!r} would take an address {kind.reserved_by} uses; choose another title")
    name = f"{today.isoformat()}-{slug}.md" if kind.dated_name else f"{slug}.md"
    return _write(project / layout.item_folder(kind.folder) / name, scaffold_text(kind, title, today))


def _write(path: Path, text: str) -> Path:
    if path.exists():
        raise FileExistsError(f"{path} already exists; choose another title or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path


_NUMBER = re.compile(r"^number:\s*(\d+)\s*(?:#.*)?$", re.M)


def edition_text(project: Path, title: str, today: dt.date) -> str:
    """A new edition: the number after the highest one in content/newsletter/, today's date, three empty sections, a draft."""
    numbers = [int(m.group(1)) for p in sorted((project / layout.EDITIONS).glob("*.yaml")) for m in [_NUMBER.search(p.read_text(encoding="utf-8"))] if m]
    return _EDITION.format(number=max(numbers, default=0) + 1, today=today.isoformat(), title=json.dumps(title, ensure_ascii=False))
