"""What every importer shares: the item it found (:class:`Found`) and the report of an import (:class:`Report`).

An importer reads the old site (a Hugo or Jekyll folder, a WordPress export,
a feed) into :class:`Found` values; :func:`~eccpsite.importers.writing.write_items`
turns each into a file of ``content/<kind>/`` and says in a :class:`Report`
what it wrote, what it skipped and why, and which fields it could not map.
The rest is in modules of its own: the old front matter read and the new one
made (:mod:`front_matter`), HTML bodies to Markdown (:mod:`html_markdown`),
the old site's images (:mod:`images`), and the writing (:mod:`writing`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("news", "events", "pages")  # what an old site's posts can become: the others need fields no old site has


class ImportFailed(Exception):
    """The input cannot be read at all (a missing folder, XML that does not parse): a usage error."""


@dataclass
class Found:
    """One item of the old site, mapped to eccpsite's fields."""

    origin: str  # where it came from, for the report: content/posts/x.md, "post 12 'Title'"
    kind: str  # news | events | pages
    slug: str
    title: str
    body: str  # Markdown
    when: dt.date | dt.datetime | None = None  # its date (news), start (events)
    summary: str | None = None
    tags: list[str] = field(default_factory=list)
    category: str | None = None
    image: str | None = None  # a local file (copied to content/media/) or a full address
    image_alt: str | None = None
    draft: bool = False
    publish_at: dt.datetime | None = None
    old: str | None = None  # its address on the old site, as a site path
    aliases: list[str] = field(default_factory=list)  # other old addresses (the old site's own aliases)
    extra: dict[str, Any] = field(default_factory=dict)  # fields eccpsite has no place for
    notes: list[str] = field(default_factory=list)  # what the editor should look at
    media: dict[str, Path] = field(default_factory=dict)  # content/media/<name> → the file to copy there


@dataclass
class Report:
    """What an import did: the files written, the items skipped and why, and what to look at."""

    written: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (origin, why)
    already: list[tuple[str, str]] = field(default_factory=list)  # (origin, the file that has its old address): imported before
    unmapped: list[tuple[str, list[str]]] = field(default_factory=list)  # (file, fields kept under extra:)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (file or origin, what to look at)
    media: list[str] = field(default_factory=list)  # files copied into content/media/
    common: dict[str, list[str]] = field(default_factory=dict)  # a note that applies to many files → those files

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        out = [f"wrote {len(self.written)} item(s)" + (f" and {len(self.media)} file(s) into content/media/" if self.media else "")]
        out += [f"  {path}" for path in self.written]
        if self.already:
            out.append(f"{len(self.already)} item(s) were imported before (an item of content/ has their old address): not written again")
        if self.skipped:
            out.append(f"skipped {len(self.skipped)} item(s):")
            out += [f"  {origin}: {why}" for origin, why in self.skipped]
        if self.unmapped:
            out.append("fields eccpsite has no place for, kept under extra: (use them or delete them):")
            by_fields: dict[str, list[str]] = {}
            for path, names in self.unmapped:
                by_fields.setdefault(", ".join(names), []).append(path)
            out += [_many(paths, what) for what, paths in by_fields.items()]
        if self.notes or self.common:
            out.append("to look at:")
            out += [f"  {where}: {what}" for where, what in self.notes]
            out += [_many(paths, what) for what, paths in self.common.items()]
        return out


def _many(paths: list[str], what: str) -> str:
    """One line of the report for what applies to several files: the files when they are few, else their number."""
    return f"  {', '.join(paths)}: {what}" if len(paths) <= 3 else f"  {len(paths)} items ({paths[0]} …): {what}"
