"""``eccpsite new``: start an item with its required fields filled in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from slugify import slugify

FOLDERS = {"news": "news", "event": "events", "call": "calls", "interview": "interviews"}

_FIELDS = {
    "news": "date: {today}\nsummary: \ntags: []\n",
    "event": "start: {today}\nend: {today}\nlocation: {{venue: , city: , country: }}\norganiser: \nsummary: \ntags: []\n",
    "call": "deadlines:\n  - {{date: {today}, label: Deadline}}\nprogramme: \nsummary: \ntags: []\n",
    "interview": "date: {today}\nperson: {{name: , role: , organisation: , country: }}\nsummary: \ntags: []\n",
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
