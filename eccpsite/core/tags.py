"""Tags as editors write them: one tag per slug, shown in one form (pure).

Editors write tags the way they read (``ESCP-S3``, ``blue growth``); the
tag's address is its slug (``urls.slugify``: ``/tags/escp-s3/``). Tags whose
slugs are the same are one tag: ``Blue Growth`` and ``blue growth`` share
``/tags/blue-growth/``. The form it is shown in is the one ``site.yaml`` gives
under ``tags:``, else the form most items use (the first such in path order),
and a warning names the variants and the files that use them, so that an
editor can write the tag one way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eccpsite.core.config import SiteConfig
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item
from eccpsite.core.urls import slugify, tag_url

FILES_NAMED = 3  # files named per variant in a warning; the rest are counted


@dataclass(frozen=True)
class TagNames:
    """Per tag slug, the form the site shows; and the warnings about tags written in several forms."""

    names: dict[str, str]
    warnings: tuple[ContentError, ...]


def name_tags(items: Iterable[Item], config: SiteConfig) -> TagNames:
    """The display form of every tag of ``items`` (and of ``site.yaml``'s tags), by slug."""
    forms: dict[str, dict[str, list[Item]]] = {}  # slug -> form -> items using it, in path order
    for item in sorted(items, key=lambda i: i.path):
        for tag in item.tags:
            forms.setdefault(slugify(tag), {}).setdefault(tag, []).append(item)
    configured = {slugify(tag.tag): tag.name for tag in config.tags}
    names = dict(configured)
    warnings: list[ContentError] = []
    for slug, used in forms.items():
        chosen = configured.get(slug) or max(used, key=lambda form: len(used[form]))  # max keeps the first of equals
        names[slug] = chosen
        if len(used) > 1:
            warnings.append(_variants_warning(slug, chosen, used))
    return TagNames(dict(sorted(names.items())), tuple(warnings))


def _variants_warning(slug: str, chosen: str, used: Mapping[str, list[Item]]) -> ContentError:
    """A warning at the first file that writes the tag otherwise than it is shown, naming every variant and its files."""
    variants = "; ".join(f"{form!r} in {_files(members)}" for form, members in used.items())
    other = next(members[0] for form, members in used.items() if form != chosen)
    message = (
        f"the tags {variants} have the same address {tag_url(slug)} and are one tag, shown as {chosen!r}; "
        f"write it {chosen!r} everywhere, or give its name in site.yaml under 'tags:'"
    )
    return ContentError(other.path, other.tags_line or other.line, "tags", message, warning=True)


def _files(members: list[Item]) -> str:
    named = ", ".join(item.path for item in members[:FILES_NAMED])
    more = len(members) - FILES_NAMED
    return f"{named} and {more} more" if more > 0 else named
