"""Front matter, both ways: the old site's read (YAML, TOML or JSON), its values mapped, and eccpsite's written.

The old values are read as old sites write them (Jekyll's dates, tags as one
string, full addresses); :func:`front_matter` makes eccpsite's front matter
of a :class:`~eccpsite.importers.common.Found` in the order of SPEC's
fields, asking the build's own field parsers whether a value fits, and
:func:`item_text` writes the file. Apart from the writing (:mod:`writing`),
which decides where and whether a file is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from typing import Any
from urllib.parse import urlsplit

import yaml
from slugify import slugify

from eccpsite.core import fields, urls
from eccpsite.core.errors import FieldError
from eccpsite.core.kinds import kind_named
from eccpsite.importers.common import Found
from eccpsite.outputs.redirects import page_url


def read_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """Front matter (YAML between ``---``, TOML between ``+++``, or a JSON object) and the body, with the body's
    first line; raises ValueError saying what does not parse."""
    text = text.lstrip("\ufeff")
    for fence, load in (("---", _yaml_mapping), ("+++", _toml_mapping)):
        if text.startswith(fence + "\n") or text.startswith(fence + "\r\n"):
            end = re.search(rf"^{re.escape(fence)}[ \t]*\r?$", text[len(fence) + 1 :], re.M)
            if end is None:
                raise ValueError(f"the front matter has no closing {fence}")
            head = text[len(fence) + 1 : len(fence) + 1 + end.start()]
            body = text[len(fence) + 1 + end.end() :].lstrip("\r\n")
            return load(head), body, text[: len(text) - len(body)].count("\n") + 1
    if text.startswith("{"):
        decoder = json.JSONDecoder()
        try:
            meta, end_at = decoder.raw_decode(text)
        except ValueError as exc:
            raise ValueError(f"the JSON front matter does not parse: {exc}") from None
        body = text[end_at:].lstrip("\r\n")
        return (meta if isinstance(meta, dict) else {}), body, text[: len(text) - len(body)].count("\n") + 1
    return {}, text, 1


def _yaml_mapping(head: str) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        raise ValueError(f"the YAML front matter does not parse: {' '.join(str(exc).split())}") from None
    return meta if isinstance(meta, dict) else {}


def _toml_mapping(head: str) -> dict[str, Any]:
    try:
        return tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the TOML front matter does not parse: {exc}") from None


def line_of(body: str, offset: int, first_line: int) -> int:
    """The line in the old file of character ``offset`` of a body that starts on ``first_line``."""
    return first_line + body.count("\n", 0, offset)


def old_path(address: str) -> str | None:
    """The site path of an old address (``https://old.example.org/news/x/?utm=1`` → ``/news/x/``), or None when
    it is not one an alias can hold."""
    path = urlsplit(address.strip()).path or "/"
    try:
        return fields.site_path(path)
    except FieldError:
        return None


def parse_when(value: Any) -> dt.date | dt.datetime | None:
    """A date or datetime from what old sites write: YAML/TOML values, ISO 8601, Jekyll's ``2019-05-14 09:30:00 +0200``."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    for form in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(raw, form)
        except ValueError:
            pass
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def slug_of(text: str) -> str:
    """A slug for a title or a file name, as ``eccpsite new`` makes one (python-slugify: ``Énergie à Kyiv`` → ``energie-a-kyiv``)."""
    return str(slugify(text, max_length=80, word_boundary=True))


def as_list(value: Any) -> list[str]:
    """Tags or categories as a list, from a list or from Jekyll's space-separated string."""
    if isinstance(value, str):
        return value.split(",") if "," in value else value.split()
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return []


def _date_field(kind: str) -> str | None:
    return {"news": "date", "events": "start"}.get(kind)


def _fits(kind: str, name: str, value: Any) -> bool:
    """Whether the build's parser of field ``name`` takes ``value`` (so the importer writes what the build reads)."""
    known = kind_named(kind)
    spec = known.all_fields.get(name) if known is not None else None
    try:
        if spec is not None:
            spec.parse(value)
        return True
    except FieldError:
        return False


DAY_ONLY = "the build takes a day without a time in '{}': the time of day was left out"
ALT_IS_TITLE = "image_alt is the item's title for now: say what the picture shows"


def front_matter(item: Found) -> tuple[dict[str, Any], list[str]]:
    """The front matter of ``item`` in the order of SPEC's fields, and the notes (common to many items) on what had to change."""
    notes: list[str] = []
    meta: dict[str, Any] = {"title": item.title}
    name = _date_field(item.kind)
    if name is not None:
        when = item.when
        if when is None:
            raise ValueError("a date is needed")
        text = when.isoformat()
        if isinstance(when, dt.datetime) and not _fits(item.kind, name, text):
            notes.append(DAY_ONLY.format(name))
            text = when.date().isoformat()
        meta[name] = text
    if item.summary:
        meta["summary"] = item.summary
    if item.tags:
        tags = list(dict.fromkeys(" ".join(t.split()) for t in item.tags if t.strip()))
        if not _fits(item.kind, "tags", tags):  # a build that takes only slugs as tags
            tags = list(dict.fromkeys(filter(None, map(slug_of, tags))))
        meta["tags"] = tags
    if item.category and item.kind == "news":
        meta["category"] = item.category
    if item.image:
        meta["image"] = item.image
        meta["image_alt"] = item.image_alt or item.title
        if not item.image_alt:
            notes.append(ALT_IS_TITLE)
    if item.draft:
        meta["draft"] = True
    if item.publish_at is not None:
        meta["publish_at"] = item.publish_at.isoformat()
    own = page_url(urls.item_url(item.kind, item.slug))  # an old address that is the new one needs no redirect
    aliases = list(dict.fromkeys(a for a in ([item.old] if item.old else []) + item.aliases if a and page_url(a) != own))
    if aliases:
        meta["aliases"] = aliases
    if item.extra:
        meta["extra"] = {key: _plain(value) for key, value in item.extra.items()}
    return meta, notes


def _plain(value: Any) -> Any:
    """A value YAML writes as text (dates as ISO text, so the build's loader reads them back the same)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def item_text(meta: dict[str, Any], body: str) -> str:
    """The file: YAML front matter between ``---`` lines, then the Markdown body."""
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    return f"---\n{dumped}---\n{body.strip()}\n"
