"""``eccpsite import``: bring an existing site in — from Hugo, Jekyll, a WordPress export or a feed.

An edge of eccpsite, like the CLI: it reads the old site and writes files of
``content/``. Each source has its module (``hugo``, ``jekyll``, ``wordpress``,
``feed``) that maps the old items to :class:`~eccpsite.importers.common.Found`
values; :func:`run_import` writes them (``writing.write_items``: never over a
file, nothing twice) and returns the report.
"""

from __future__ import annotations

from pathlib import Path

from eccpsite.importers.common import KINDS, Found, ImportFailed, Report
from eccpsite.importers.writing import ImportInterrupted, write_items

SOURCES = ("hugo", "jekyll", "wordpress", "feed")

__all__ = ["KINDS", "SOURCES", "ImportFailed", "ImportInterrupted", "Report", "run_import"]


def run_import(project: Path, source: str, path: Path, kind: str = "news", section: str | None = None, media: Path | None = None) -> Report:
    """Import the old site at ``path`` (a folder for hugo and jekyll, a file for wordpress and feed) into ``project``."""
    if not path.exists():
        raise ImportFailed(f"{path} does not exist")
    if source in ("hugo", "jekyll") and not path.is_dir():
        raise ImportFailed(f"{path} is not a folder; 'eccpsite import {source}' reads the site's folder")
    if source in ("wordpress", "feed") and not path.is_file():
        raise ImportFailed(f"{path} is not a file; 'eccpsite import {source}' reads the exported file")
    if media is not None and not media.is_dir():
        raise ImportFailed(f"--media {media} is not a folder")
    report = Report()
    found: list[Found] = []
    for entry in _entries(project, source, path, kind, section, media):
        if isinstance(entry, Found):
            found.append(entry)
        else:
            report.skipped.append(entry)
    return write_items(project, found, report)


def _entries(project: Path, source: str, path: Path, kind: str, section: str | None, media: Path | None) -> list[Found | tuple[str, str]]:
    """What the source's module found, read whole before anything is written (a source that fails to read writes nothing)."""
    if source == "hugo":
        from eccpsite.importers.hugo import hugo_items

        return list(hugo_items(path, kind, project, section))
    if source == "jekyll":
        from eccpsite.importers.jekyll import jekyll_items

        return list(jekyll_items(path, kind, project))
    if source == "wordpress":
        from eccpsite.importers.wordpress import wordpress_items

        return list(wordpress_items(path, kind, project, media))
    from eccpsite.importers.feed import feed_items

    return list(feed_items(path, kind, project, media))
