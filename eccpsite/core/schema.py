"""Typed content: a document of a kind's folder validated into that kind's item (pure).

``parse_item`` turns a :class:`~eccpsite.core.source.Document` into a frozen
dataclass, or into a list of located errors, from the declarations of its
kind (``eccpsite.core.kinds``). Unknown keys are errors (with a "did you mean"
hint) unless placed under ``extra:``.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from eccpsite.core import fields as f
from eccpsite.core.characters import find_unprintable, unprintable
from eccpsite.core.errors import ContentError, FieldError
from eccpsite.core.kinds import folders, kind_named
from eccpsite.core.kinds.base import Item
from eccpsite.core.kinds.editions import SITE_ZONE, errors_of, take_date_time
from eccpsite.core.kinds.pictures import check_picture
from eccpsite.core.located import Located, LocatedList
from eccpsite.core.source import Document
from eccpsite.core.urls import slugify

_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_IMAGE_ALT = "an image needs 'image_alt': a short text saying what the image shows"


def slug_for(filename: str) -> str:
    """The slug of a file: its name without extension and without a leading ``YYYY-MM-DD-``."""
    stem = filename.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return _DATE_PREFIX.sub("", stem)


def parse_item(kind_folder: str, doc: Document, tz: ZoneInfo = SITE_ZONE) -> Item | list[ContentError]:
    """Validate a document of folder ``kind_folder`` into a typed item; ``tz`` is the site's time zone (for dates
    with a time)."""
    kind = kind_named(kind_folder)
    assert kind is not None, f"{kind_folder} is not one of {folders()}"
    meta, renamed = _with_our_names(doc.meta)
    parsed, problems = f.read_mapping(meta, kind.all_fields, kind.what)
    take_date_time(parsed, tz)
    errors = errors_of(doc.path, [*renamed, *problems])
    slug = parsed.pop("slug", None)
    if slug is None:
        try:
            slug = f.slug(slug_for(doc.path))
        except FieldError as exc:
            errors.append(ContentError(doc.path, 1, "slug", f"the file name gives {exc.message}; {_rename_hint(doc.path)}"))
    pictures = [problem for key, missing in (("image", _IMAGE_ALT), *kind.pictures) for problem in check_picture(doc.path, parsed, key, missing)]
    checks = [*pictures, *kind.check(parsed, meta), *(kind.check_slug(slug) if slug else ())]
    errors.extend(ContentError(doc.path, p.line or meta.line_of(p.field or ""), p.field or "", p.message) for p in checks)
    if "clusters" in parsed:
        parsed["cluster_lines"] = _entry_lines(meta.get("clusters"), len(parsed["clusters"]), meta.line_of("clusters"))
    found = find_unprintable(doc.body)
    if found is not None:
        line = doc.body_line + doc.body[: found.start()].count("\n")
        errors.append(ContentError(doc.path, line, "", f"the text {unprintable(found.group())}"))
    if errors:
        return errors
    tags_line = meta.lines.get("tags", 0)
    return kind.item(kind=kind.folder, slug=slug, path=doc.path, body=doc.body, line=meta.line, body_line=doc.body_line, tags_line=tags_line, **parsed)


# What other generators call a field eccpsite has: read as that field (Hugo's and Jekyll's ``description`` is the
# summary, Hugo's ``publishDate`` keeps a page out until then as ``publish_at`` does)
SYNONYMS = {"description": "summary", "publishDate": "publish_at", "publishdate": "publish_at"}


def _with_our_names(meta: Located) -> tuple[Located, list[FieldError]]:
    """``meta`` with the fields of :data:`SYNONYMS` under eccpsite's names (their lines kept); an error for each given
    under both names."""
    if not any(key in meta for key in SYNONYMS):
        return meta, []
    renamed = Located(meta.line)
    renamed.cut = {SYNONYMS.get(key, key): text for key, text in meta.cut.items()}
    problems = []
    for key, value in meta.items():
        ours = SYNONYMS.get(key, key)
        if ours != key and ours in meta:
            problems.append(FieldError(f"is {ours!r} under another name, and {ours!r} is given too; keep one", meta.line_of(key), key))
            continue
        renamed[ours] = value
        renamed.lines[ours] = meta.line_of(key)
    return renamed, problems


def _entry_lines(raw: object, count: int, key_line: int) -> tuple[int, ...]:
    """The line of each of ``count`` list entries (the key's own line for each when they are not known)."""
    lines = raw.lines if isinstance(raw, LocatedList) else []
    return tuple(lines) if len(lines) == count else (key_line,) * count


def _rename_hint(path: str) -> str:
    """How to give a file a name that is a valid slug: ``rename the file to 2019-05-14-eu-japan-week.md or add 'slug:'``."""
    name = path.rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    prefix = _DATE_PREFIX.match(stem)
    fixed = slugify(stem[prefix.end() :] if prefix else stem)
    if not fixed:
        return "rename the file (lowercase letters, digits and hyphens) or add 'slug:'"
    return f"rename the file to {(prefix.group() if prefix else '') + fixed}{dot}{extension} or add 'slug: {fixed}'"
