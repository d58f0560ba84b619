"""``eccpsite new``: start an item with its required fields filled in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from slugify import slugify

FOLDERS = {"news": "news", "event": "events", "call": "calls", "interview": "interviews"}

# The required fields first, then the optional ones most items have, each with a hint (docs/editing.md has them all).
_FIELDS = {
    "news": (
        "date: {today}\n"
        "summary:            # one or two sentences for the lists, the feeds and search results\n"
        "tags: []            # lowercase words joined by hyphens, e.g. [matchmaking, cluster-policy]\n"
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
}


def make_slug(title: str) -> str:
    """A slug from a title; non-ASCII letters transliterated ("Elżbieta Bieńkowska" → "elzbieta-bienkowska")."""
    return slugify(title, max_length=80, word_boundary=True) or "untitled"


def scaffold_text(kind: str, title: str, today: dt.date) -> str:
    fields = _FIELDS[kind].format(today=today.isoformat())
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n{fields}---\nWrite the text here, in Markdown.\n"


def new_item(project: Path, kind: str, title: str, today: dt.date) -> Path:
    """Write the new file; refuses to overwrite an existing one."""
    slug = make_slug(title)
    name = f"{today.isoformat()}-{slug}.md" if kind == "news" else f"{slug}.md"
    path = project / "content" / FOLDERS[kind] / name
    if path.exists():
        raise FileExistsError(f"{path} already exists; choose another title or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(scaffold_text(kind, title, today))
    return path
