"""The configuration of the web editing interface at /admin/ (Decap CMS), made from the build's field declarations.

Like the JSON Schemas of :mod:`eccpsite.outputs.editor_schema`, it is made from the
tables the build validates with (:mod:`eccpsite.core.schema`), so the interface
offers what a build accepts: a collection per content kind and one for the
newsletter editions, each field with its widget (a date picker for dates, a
date-and-time picker for ``publish_at``, a select for country codes and for
choices such as an event's ``status``, a list for a call's deadlines, nested
fields for a location or a person, the site's items for an edition's sections),
required fields required. Saving opens a pull request (the editorial
workflow); uploads go to ``content/media/``. Everything here turns values
into values: :mod:`eccpsite.outputs.admin` puts the result and Decap's bundle into
the site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from babel import Locale

from eccpsite.core import fields as f
from eccpsite.core import layout
from eccpsite.core.config import SiteConfig
from eccpsite.core.countries import COUNTRIES
from eccpsite.core.kinds import COMMON_FIELDS, EDITION_FIELDS, Kind, registered

MEDIA_FOLDER = "content/media"
MEDIA_URL = "/media"  # where the build publishes content/media (eccpsite.edges.reader)
DAY = "YYYY-MM-DD"  # Decap's (Moment's) tokens for what fields.date accepts
MOMENT = "YYYY-MM-DDTHH:mm"  # ... and a moment without offset: in the site's time zone, as fields.datetime reads it

# What the file names of new items look like: news keep the date they were written, as the existing ones do.
_DATED_NAME = "{{year}}-{{month}}-{{day}}-{{slug}}"  # a kind whose files are named YYYY-MM-DD-<slug>.md
_DAY_PICKER = {"widget": "datetime", "format": DAY, "date_format": DAY, "time_format": False, "picker_utc": False}
# Front matter names a picture as media/<file> (docs/editing.md), the text as /media/<file>; the build checks both.
_PICTURE: dict[str, Any] = {"widget": "image", "media_folder": "/" + MEDIA_FOLDER, "public_folder": "media", "choose_url": False}
_PICTURES = ("image", "photo", "logo")  # the keys schema.parse_item reads as pictures of the project (each with its *_alt)
# Fields a cluster organisation rarely needs: shown, but after the others and never required.
_LAST = ("slug", "aliases", "extra", "publish_at", "draft")


def _country_options() -> list[dict[str, str]]:
    """Every country code the build accepts, labelled with its English name (``BE — Belgium``), by name."""
    names = Locale("en").territories
    return sorted(({"label": f"{code} — {names.get(code, code)}", "value": code} for code in COUNTRIES), key=lambda o: o["label"][5:])


def _plain_widgets() -> dict[f.Parser, dict[str, Any]]:
    """The widget of each plain parser of :mod:`eccpsite.core.fields` (made on demand: the country list is long)."""
    return {
        f.text: {"widget": "string"},
        f.markdown_text: {"widget": "markdown"},
        f.boolean: {"widget": "boolean"},
        f.integer: {"widget": "number", "value_type": "int", "min": 0},
        f.date: _DAY_PICKER,
        # A date, or a date with a time: the picker gives the date; a time can be added in the file (docs/editing.md).
        f.date_or_datetime: _DAY_PICKER,
        f.datetime: {"widget": "datetime", "format": MOMENT, "date_format": DAY, "time_format": "HH:mm", "picker_utc": False},
        f.url: {"widget": "string", "pattern": ["^(https?://[^/]|mailto:.+@)", "a full web address starting with https://"]},
        f.country: {"widget": "select", "options": _country_options()},
        f.slug: {"widget": "string", "pattern": [f.SLUG.pattern, "lowercase letters, digits and single hyphens"]},
        f.timezone: {"widget": "string", "hint": "an IANA time zone name such as Europe/Brussels or Asia/Seoul"},
        f.tag_list: {"widget": "list", "allow_add": True},
        f.sector_list: {"widget": "list", "allow_add": True},
        f.site_path: {"widget": "string", "hint": "an old address of this site, such as /news/old-slug/"},
    }


def widget_for(parser: f.Parser, plain: Mapping[f.Parser, dict[str, Any]]) -> dict[str, Any] | None:
    """The Decap widget of the values ``parser`` accepts, or None for one no widget can edit (left as written)."""
    if parser in plain:
        return dict(plain[parser])
    shape: dict[str, Any] = getattr(parser, "shape", {})
    if "refers_to" in shape:
        return relation_widget(shape["refers_to"], multiple="entry" in shape)
    if "like" in shape:
        return widget_for(shape["like"], plain)
    if "choices" in shape:
        return {"widget": "select", "options": list(shape["choices"])}
    if "fields" in shape:
        return {"widget": "object", "collapsed": False, "fields": cms_fields(shape["fields"], plain)}
    if "entry" in shape:
        entry = widget_for(shape["entry"], plain)
        if entry is None:
            return None
        if entry["widget"] == "object":
            at_least = {"min": shape["min_items"]} if shape["min_items"] else {}
            return {"widget": "list", "fields": entry["fields"], **at_least}
        return {"widget": "list", "field": {"name": "entry", "label": shape["what"], **entry}}
    return None


def relation_widget(kind: str, multiple: bool = False) -> dict[str, Any]:
    """A relation to the items of ``kind``, written by their slug (the file name, without .md)."""
    widget: dict[str, Any] = {
        "widget": "relation",
        "collection": kind,
        "search_fields": ["title"],
        "display_fields": ["title"],
        "value_field": "{{slug}}",
    }
    return widget | ({"multiple": True} if multiple else {})


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def cms_fields(fields: Mapping[str, f.Field], plain: Mapping[f.Parser, dict[str, Any]]) -> list[dict[str, Any]]:
    """Decap's fields for a mapping the build reads with ``fields``, in their order, required ones required."""
    found = []
    for key, field in fields.items():
        widget: dict[str, Any] | None = dict(_PICTURE) if key in _PICTURES else widget_for(field.parse, plain)
        if widget is None:
            continue
        if widget["widget"] == "object" and not field.required:
            # Decap checks an object's required fields even when the object is left empty; the build says what a
            # 'repeat' without 'every' lacks once the editor starts one.
            widget["fields"] = [{**child, "required": False} for child in widget["fields"]]
        found.append({"name": key, "label": _label(key), **widget, "required": field.required})
    return found


def _item_fields(kind: Kind, plain: Mapping[f.Parser, dict[str, Any]]) -> list[dict[str, Any]]:
    """An item's fields: the title, the kind's own fields, the others every item has, then the body."""
    own = kind.fields
    common = {k: v for k, v in COMMON_FIELDS.items() if k not in _LAST}
    ordered = {"title": COMMON_FIELDS["title"], **own, **common, **{k: COMMON_FIELDS[k] for k in _LAST}}
    return [*cms_fields(ordered, plain), {"name": "body", "label": "Text", "widget": "markdown", "required": False}]


def _collection(kind: Kind, plain: Mapping[f.Parser, dict[str, Any]]) -> dict[str, Any]:
    """A kind's collection; a kind not started from the command line (a country's factsheet, named by its code) is
    edited, not created."""
    return {
        "name": kind.folder,
        "label": kind.plural,
        "label_singular": kind.singular,
        "folder": layout.item_folder(kind.folder),
        "create": kind.command is not None,
        "extension": "md",
        "format": "frontmatter",
        "slug": _DATED_NAME if kind.dated_name else "{{slug}}",
        "summary": "{{title}}",
        "fields": _item_fields(kind, plain),
    }


def _edition_item(items: Mapping[str, str]) -> dict[str, Any]:
    """How a section names an item: one of the site's items, chosen by title, written as the build reads it.

    Decap's relation widget picks from one collection and a section mixes
    news, events and calls, so the choices are the items of the build that
    made this configuration (``items``: reference → label), in a searchable
    select; an item added since appears after the next build.
    """
    if not items:
        return {"widget": "string", "hint": "an item: <folder>/<slug>, e.g. news/eu-canada-matchmaking"}
    options = [{"label": label, "value": ref} for ref, label in items.items()]
    return {"widget": "select", "options": options}


def _editions(plain: Mapping[f.Parser, dict[str, Any]], items: Mapping[str, str]) -> dict[str, Any]:
    """The newsletter editions: their fields, and sections whose items are chosen among the site's items."""
    own = cms_fields({k: v for k, v in EDITION_FIELDS.items() if k != "sections"}, plain)
    section = [
        {"name": "title", "label": "Title", "widget": "string", "required": True},
        {"name": "items", "label": "Items", "widget": "list", "field": {"name": "item", "label": "Item", **_edition_item(items)}, "required": True},
    ]
    sections = {"name": "sections", "label": "Sections", "widget": "list", "fields": section, "min": 1, "required": True}
    index = list(EDITION_FIELDS).index("sections")
    return {
        "name": "newsletter",
        "label": "Newsletter editions",
        "label_singular": "edition",
        "folder": "content/newsletter",
        "create": True,
        "extension": "yaml",
        "format": "yaml",
        "slug": "{{year}}-{{month}}",
        "summary": "{{number}}: {{title}}",
        "fields": [*own[:index], sections, *own[index:]],
    }


def decap_config(config: SiteConfig, items: Mapping[str, str]) -> dict[str, Any]:
    """Decap CMS's configuration for this site (``admin/config.yml``); ``config.admin`` names the repository and
    ``items`` (reference → label) are what an edition's sections may name."""
    if config.admin is None:
        raise ValueError("the site has no admin: settings")
    plain = _plain_widgets()
    return {
        "backend": {"name": "github", "repo": config.admin.repo, "branch": config.admin.branch, "open_authoring": True},
        "publish_mode": "editorial_workflow",
        "local_backend": True,
        "site_url": config.base_url,
        "display_url": config.base_url,
        "media_folder": MEDIA_FOLDER,
        "public_folder": MEDIA_URL,
        "collections": [*(_collection(kind, plain) for kind in registered()), _editions(plain, items)],
    }


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """YAML without anchors: a reader of config.yml sees every field's settings where they apply. Written by libyaml
    where PyYAML has it (the same bytes as PyYAML's own emitter, 8× faster: an edition's item list names every item)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def decap_config_yaml(config: SiteConfig, items: Mapping[str, str]) -> bytes:
    """:func:`decap_config` as the YAML file Decap reads."""
    header = "# Made by eccpsite from the build's field declarations (eccpsite/outputs/cms.py): do not edit, edit the declarations.\n"
    return (header + yaml.dump(decap_config(config, items), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)).encode("utf-8")
