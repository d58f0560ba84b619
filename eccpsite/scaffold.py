"""``eccpsite new``: start an item, a page or a newsletter edition with its required fields filled in."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from slugify import slugify

from eccpsite import urls
from eccpsite.errors import UsageError

FOLDERS = {"news": "news", "event": "events", "call": "calls", "interview": "interviews", "page": "pages"}
EDITIONS = "content/newsletter"

# The required fields first, then the optional ones most items have, each with a hint (docs/editing.md has them all).
_FIELDS = {
    "news": (
        "date: {today}\n"
        "summary:            # one or two sentences for the lists, the feeds and search results\n"
        "tags: []            # as readers should see them, e.g. [matchmaking, ESCP-S3, blue growth]\n"
        "source:             # the organisation the news comes from (optional)\n"
    ),
    "event": (
        "start: {today}   # YYYY-MM-DD, or YYYY-MM-DDTHH:MM for a time (in the site's time zone)\n"
        "end: {today}     # the last day, inclusive\n"
        "location:\n"
        "  venue:\n"
        "  city:\n"
        "  country:          # two-letter code: BE, RO, CA, ...\n"
        "online: false\n"
        "organiser:\n"
        "url:                # the event's own website, https://...\n"
        "summary:\n"
        "tags: []\n"
    ),
    "call": (
        "deadlines:          # one or more cut-offs, earliest first\n"
        "  - {{date: {today}, label: Deadline}}\n"
        "opens:              # YYYY-MM-DD, if the call is not open yet\n"
        "programme:          # COSME, Horizon 2020, Interreg, ...\n"
        "budget:\n"
        "url:                # the call's page, https://...\n"
        "summary:\n"
        "tags: []\n"
    ),
    "interview": (
        "date: {today}\n"
        "person:\n"
        "  name:             # required: who is interviewed\n"
        "  role:\n"
        "  organisation:\n"
        "  country:          # two-letter code: BE, RO, CA, ...\n"
        "summary:\n"
        "tags: []\n"
    ),
    "page": (
        "summary:            # one sentence for search results and the page's description\n"
        "# menu: 5           # a position in the main menu, if the page belongs there\n"
    ),
}

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


def scaffold_text(kind: str, title: str, today: dt.date) -> str:
    fields = _FIELDS[kind].format(today=today.isoformat())
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n{fields}---\nWrite the text here, in Markdown.\n"


def new_item(project: Path, kind: str, title: str, today: dt.date) -> Path:
    """Write the new file of an item, page or edition (``kind`` as on the command line); refuses to overwrite an existing one."""
    if kind == "edition":
        return _write(project / EDITIONS / f"{today:%Y-%m}.yaml", edition_text(project, title, today))
    slug = make_slug(title)
    if kind == "page" and slug in urls.RESERVED:
        raise UsageError(f"a page called {slug!r} would take the address /{slug}/, which the site itself uses; choose another title")
    name = f"{today.isoformat()}-{slug}.md" if kind == "news" else f"{slug}.md"
    return _write(project / "content" / FOLDERS[kind] / name, scaffold_text(kind, title, today))


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
    numbers = [int(m.group(1)) for p in sorted((project / EDITIONS).glob("*.yaml")) for m in [_NUMBER.search(p.read_text(encoding="utf-8"))] if m]
    return _EDITION.format(number=max(numbers, default=0) + 1, today=today.isoformat(), title=json.dumps(title, ensure_ascii=False))

