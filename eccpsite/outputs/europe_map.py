"""The map of Europe and its neighbours that the directory and the countries' index show: an inline SVG, no script.

The outlines come from ``europe_map.json`` beside this module, made once from
Natural Earth (public domain) by ``scripts/make_europe_map.py``; the build only
reads it. A country with profiles is shaded by their number and is a link to
its page, named by its name and count; the others are drawn plain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from eccpsite.core import urls
from eccpsite.core.countries import country_name

DATA = Path(__file__).with_name("europe_map.json")
# The shades' lower bounds: 1, 2–4, 5–9, 10–24, 25 and more profiles (the legend says the same).
STEPS = (1, 2, 5, 10, 25)


@dataclass(frozen=True)
class Outlines:
    width: int
    height: int
    countries: dict[str, dict[str, Any]]  # code -> {"d": SVG path, "centre": [x, y], "small": bool}


@cache
def outlines() -> Outlines:
    """The outlines, read once per process (a file of the package, like a template)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return Outlines(data["width"], data["height"], data["countries"])


def shade(count: int) -> int:
    """The shade (1 to 5) of a country with ``count`` profiles; 0 for none."""
    return sum(1 for step in STEPS if count >= step)


def legend() -> list[tuple[int, str]]:
    """Each shade with the counts it stands for: ``[(1, "1"), (2, "2–4"), …, (5, "25 or more")]``."""
    words = []
    for shade_number, low in enumerate(STEPS, 1):
        high = STEPS[shade_number] - 1 if shade_number < len(STEPS) else None
        words.append((shade_number, f"{low} or more" if high is None else (str(low) if high == low else f"{low}–{high}")))
    return words


def beyond(counts: dict[str, int]) -> list[str]:
    """The countries of ``counts`` outside the map's frame (Canada, Korea, …): the caption names them."""
    return sorted(code for code in counts if code not in outlines().countries)


def _label(code: str, count: int) -> str:
    return f"{country_name(code)}: {count} cluster organisation{'s' if count != 1 else ''}"


def draw(counts: dict[str, int], title: str) -> str:
    """The SVG: every country of the frame, those of ``counts`` shaded and linked to their pages (with a dot where the
    country is too small to point at); countries with profiles outside the frame are only in the table beside it."""
    shapes = outlines()
    parts = [
        f'<svg class="europe-map" viewBox="0 0 {shapes.width} {shapes.height}" aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="map-title">{escape(title)}</title>',
        '<g class="map-land" aria-hidden="true">',
    ]
    parts += [f'<path d="{c["d"]}"/>' for code, c in shapes.countries.items() if code not in counts]
    parts.append("</g>")
    for code, count in sorted(counts.items()):
        country = shapes.countries.get(code)
        if country is None:
            continue
        label = escape(_label(code, count))
        dot = f'<circle cx="{country["centre"][0]}" cy="{country["centre"][1]}" r="6"/>' if country["small"] else ""
        link = f'<a class="map-shade-{shade(count)}" href="{urls.country_url(code)}" aria-label="{label}"><title>{label}</title>'
        parts.append(f'{link}<path d="{country["d"]}"/>{dot}</a>')
    parts.append("</svg>")
    return "\n".join(parts)
