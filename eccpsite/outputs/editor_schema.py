"""JSON Schemas (2020-12) of the front matter, the editions and site.yaml, for editors' tools.

They are made from the declarations the build validates with (the field
tables of :mod:`eccpsite.core.schema` and :mod:`eccpsite.core.config`), so an editor's
VS Code and the build agree on what a file may hold: the fields of each kind,
which are required, their types, the choices of fields such as an event's
``status``, country codes and date formats, and that other keys are errors.
What only the build can check (an end before its start, a reference to
another file, a date that does not exist in a leap year) stays the build's.
``eccpsite schema`` writes them (:func:`write_schemas`, the only step that
touches the disk).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eccpsite.core import fields as f
from eccpsite.core.config import CONFIG_FIELDS
from eccpsite.core.countries import COUNTRIES
from eccpsite.core.kinds import EDITION_FIELDS, registered
from eccpsite.core.schema import SYNONYMS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DATE = f.DATE.pattern
# A date with a time, with or without seconds and offset: what f.date_or_datetime accepts beside a date.
_WITH_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?$"
_DATE_OR_DATE_TIME = {"type": "string", "anyOf": [{"pattern": _DATE, "format": "date"}, {"pattern": _WITH_TIME}]}

# The plain parsers, by what they accept; parsers made by one_of, list_of and mapping_of carry their shape.
_PLAIN: dict[f.Parser, dict[str, Any]] = {
    f.text: {"type": "string"},
    f.markdown_text: {"type": "string", "description": "Markdown"},
    f.boolean: {"type": "boolean"},
    f.integer: {"type": "integer"},
    f.date: {"type": "string", "pattern": _DATE, "format": "date"},
    f.date_or_datetime: _DATE_OR_DATE_TIME,
    f.datetime: _DATE_OR_DATE_TIME,
    f.url: {"type": "string", "pattern": "^(?:https?://[^/]|mailto:.+@)"},
    f.country: {"type": "string", "enum": sorted(COUNTRIES), "description": "an ISO 3166-1 alpha-2 country code"},
    f.slug: {"type": "string", "pattern": f.SLUG.pattern},
    f.timezone: {"type": "string", "description": "an IANA time zone name such as Europe/Brussels or Asia/Seoul"},
    f.tag_list: {"type": "array", "items": {"type": "string", "pattern": "[A-Za-z0-9]"}},
}


def value_schema(parser: f.Parser) -> dict[str, Any]:
    """The JSON Schema of the values ``parser`` accepts (``{}``, any value, for a parser it cannot describe)."""
    if parser in _PLAIN:
        return dict(_PLAIN[parser])
    shape: dict[str, Any] = getattr(parser, "shape", {})
    if "choices" in shape:
        return {"type": "string", "enum": list(shape["choices"])}
    if "like" in shape:  # a parser that accepts some of what another accepts (a year: a whole number)
        return value_schema(shape["like"])
    if "pattern" in shape:
        return {"type": "string", "pattern": shape["pattern"]}
    if "fields" in shape:
        return mapping_schema(shape["fields"], shape["what"])
    if "entry" in shape:
        schema = {"type": "array", "items": value_schema(shape["entry"]), "description": f"a list of {shape['what']}"}
        return schema | ({"minItems": shape["min_items"]} if shape["min_items"] else {})
    return {}


def mapping_schema(fields: Mapping[str, f.Field], what: str) -> dict[str, Any]:
    """An object with exactly these keys (others are errors, as in the build), the required ones required."""
    schema: dict[str, Any] = {
        "type": "object",
        "description": what,
        "properties": {key: value_schema(field.parse) for key, field in fields.items()},
        "additionalProperties": False,
    }
    required = [key for key, field in fields.items() if field.required]
    return schema | ({"required": required} if required else {})


def _with_synonyms(schema: dict[str, Any]) -> dict[str, Any]:
    """An item's schema that also takes the other generators' names of its fields (core.schema.SYNONYMS), one name each."""
    properties = schema["properties"]
    found = {theirs: ours for theirs, ours in SYNONYMS.items() if ours in properties}
    for theirs, ours in found.items():
        properties[theirs] = properties[ours] | {"description": f"{ours!r} under another generator's name"}
    return schema | {"dependentSchemas": {theirs: {"not": {"required": [ours]}} for theirs, ours in found.items()}}


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _document(name: str, title: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DIALECT, "$id": f"{name}.schema.json", "title": title, **schema}


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file name: one per content kind's front matter, the editions and site.yaml."""
    documents = {}
    for kind in registered():
        front_matter = _with_synonyms(mapping_schema(kind.all_fields, kind.what))
        documents[f"{kind.folder}.schema.json"] = _document(kind.folder, f"Front matter of {kind.what}", front_matter)
    editions = mapping_schema(EDITION_FIELDS, "a newsletter edition")
    section = {"title": {"type": "string"}, "items": {"type": "array", "items": {"type": "string", "description": "an item: <folder>/<slug>"}}}
    editions["properties"]["sections"] = {
        "type": "array",
        "minItems": 1,
        "items": {"type": "object", "properties": section, "required": ["title", "items"], "additionalProperties": False},
    }
    documents["edition.schema.json"] = _document("edition", "A newsletter edition (content/newsletter/*.yaml)", editions)
    documents["site.schema.json"] = _document("site", "The site's settings (site.yaml)", mapping_schema(CONFIG_FIELDS, "site.yaml"))
    return documents


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder`` (made if missing); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        path = folder / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
