"""The project's layout, in one place: where the build reads its settings, content, theme and files, and what a
changed path is to the build (pure: names and paths, nothing read).

::

    site.yaml                 the site's settings
    content/<kind>/*.md       items, one folder per content kind (eccpsite.core.kinds)
    content/newsletter/*.yaml newsletter editions
    content/media/            files served at /media/ (images, PDFs)
    templates/                the theme's templates
    templates/static/         the theme's files, served at /static/
    .cache/                   what builds keep for the builds after them (never read as input):
      output/                   the last build's record, and its output as hard links (eccpsite.incremental.snapshot)
      markdown/<key>.sqlite     rendered Markdown (eccpsite.edges.markdown_cache)
      parsed/<code>.sqlite      what each file parsed to (eccpsite.edges.parse_cache)
      search/<key>/             search index bundles (eccpsite.outputs.search)
      pdf/<edition>/            PDF editions (eccpsite.outputs.pdf.edition_pdf)
      build.lock                held while a build runs (eccpsite.edges.buildlock)

The reader reads this layout, the dev server watches it and sorts its changes
with :func:`classify`, the last build's record digests :data:`INPUTS`, and every
cache takes its area of :data:`CACHE` from here.
"""

from __future__ import annotations

from pathlib import Path

from eccpsite.core.kinds import folders

CONFIG_FILE = "site.yaml"
CONTENT = "content"
EDITIONS = "content/newsletter"
MEDIA = "content/media"
TEMPLATES = "templates"
THEME_FILES = "templates/static"
INPUTS = (CONFIG_FILE, CONTENT, TEMPLATES)  # everything a build reads from the project
ASSETS = ((THEME_FILES, "/static/"), (MEDIA, "/media/"))  # folders copied as they are, and their URL
CACHE = ".cache"  # the build's store: one area per cache, named below
CACHE_OUTPUT = f"{CACHE}/output"
CACHE_MARKDOWN = f"{CACHE}/markdown"
CACHE_PARSED = f"{CACHE}/parsed"
CACHE_PDF = f"{CACHE}/pdf"
CACHE_SEARCH = f"{CACHE}/search"
CACHE_INPUTS = f"{CACHE}/inputs.json"  # the digests of the project's files by their stamps (eccpsite.edges.fingerprint.Stamps)
CACHE_HISTORY = f"{CACHE}/history.json"  # what git's log said of the content files, up to a commit (eccpsite.edges.history)

# What a changed path is to the build: see classify().
CONFIG, ITEM, EDITION, TEMPLATE, STATIC, RESCAN, OTHER = "config", "item", "edition", "template", "static", "rescan", "other"


def item_folder(kind: str) -> str:
    """The folder of a kind's items: ``content/news``."""
    return f"{CONTENT}/{kind}"


def classify(rel: str) -> str:
    """What a project-relative path is to the build."""
    parts = rel.split("/")
    if any(part.startswith(".") for part in parts):
        return OTHER  # hidden files (editor swap files, .git) are never read
    if rel == CONFIG_FILE:
        return CONFIG
    if parts[0] == TEMPLATES and len(parts) > 1:
        return STATIC if parts[1] == "static" else TEMPLATE
    if parts[0] != CONTENT or len(parts) < 2:
        return OTHER
    if parts[1] == "media":
        return STATIC
    if len(parts) == 3 and parts[1] in folders():
        return ITEM if parts[2].endswith(".md") else RESCAN  # other files there are reported by the reader
    if len(parts) == 3 and parts[1] == "newsletter":
        return EDITION if parts[2].endswith(".yaml") else OTHER
    if len(parts) == 2 and parts[1] in (*folders(), "newsletter", "media"):
        return RESCAN  # the folder itself appeared, went or moved
    return OTHER


def watched(project: Path) -> list[tuple[Path, bool]]:
    """The folders the dev server watches, and whether recursively: content/, templates/, and the project for site.yaml."""
    return [(project / CONTENT, True), (project / TEMPLATES, True), (project, False)]
