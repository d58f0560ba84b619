"""Make ``eccpsite/outputs/europe_map.json``: the outlines of Europe and its neighbours, projected, clipped and simplified.

The source is Natural Earth's 1:50m countries (public domain) as the npm
package ``world-atlas`` ships them in TopoJSON (``npm ci`` installs it; it is a
devDependency). The build never runs this script nor needs Node: it reads the
committed JSON (eccpsite.outputs.europe_map). Run it again only to change the map:

    .venv/bin/python scripts/make_europe_map.py

Each country's outline is decoded from the TopoJSON arcs, projected with the
Lambert azimuthal equal-area projection centred on 10°E 52°N (that of
EPSG:3035, the EU's statistical maps), clipped to the frame, simplified
(Douglas-Peucker, half a pixel) and written as an SVG path in pixels.
"""

from __future__ import annotations

import json
import math
from itertools import pairwise
from pathlib import Path

from babel.core import get_global

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-50m.json"
TARGET = ROOT / "eccpsite" / "outputs" / "europe_map.json"

LON0, LAT0 = math.radians(10), math.radians(52)
WIDTH = 1000  # pixels across the frame
# The frame, in projected units (earth radii): from west of Iceland and the Canaries to the Caspian, up to the North Cape.
WEST, EAST, SOUTH, NORTH = -0.47, 0.50, -0.42, 0.37
TOLERANCE = 0.5  # pixels
MIN_AREA = 2.0  # square pixels: smaller islands are left out, unless they are all a country has
# Outlines without an ISO code in Natural Earth, by name.
BY_NAME = {"Kosovo": "XK", "N. Cyprus": "CY"}
# Crimea is drawn as part of Ukraine, as the EU recognises it: the polygon of Russia's outline centred near 34.2°E 45.3°N.
CRIMEA = (34.2, 45.3)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Lambert azimuthal equal-area, in earth radii (x east, y north)."""
    lam, phi = math.radians(lon) - LON0, math.radians(lat)
    k = math.sqrt(2 / (1 + math.sin(LAT0) * math.sin(phi) + math.cos(LAT0) * math.cos(phi) * math.cos(lam)))
    return k * math.cos(phi) * math.sin(lam), k * (math.cos(LAT0) * math.sin(phi) - math.sin(LAT0) * math.cos(phi) * math.cos(lam))


def to_pixels(x: float, y: float) -> tuple[float, float]:
    scale = WIDTH / (EAST - WEST)
    return (x - WEST) * scale, (NORTH - y) * scale


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Each arc as (lon, lat) points: TopoJSON quantizes them and writes each point as a step from the last."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """A ring from its arcs; a negative index ~i is arc i reversed. Consecutive arcs share an end point."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def clip(points: list[tuple[float, float]], height: float) -> list[tuple[float, float]]:
    """Sutherland-Hodgman against the frame (a pixel beyond it on each side)."""
    edges = [(0, -1.0, True), (0, WIDTH + 1.0, False), (1, -1.0, True), (1, height + 1.0, False)]
    for axis, bound, lower in edges:
        if not points:
            break

        def inside(p: tuple[float, float], axis: int = axis, bound: float = bound, lower: bool = lower) -> bool:
            return p[axis] >= bound if lower else p[axis] <= bound

        def cross(a: tuple[float, float], b: tuple[float, float], axis: int = axis, bound: float = bound) -> tuple[float, float]:
            t = (bound - a[axis]) / (b[axis] - a[axis])
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))

        out: list[tuple[float, float]] = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(cross(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cross(previous, current))
        points = out
    return points


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, without recursion."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        far, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            # From the chord, or from its start when the chord is a point (a closed ring).
            distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length if length else math.hypot(px - ax, py - ay)
            if distance > far:
                far, index = distance, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def area(points: list[tuple[float, float]]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True))) / 2


def path_of(rings: list[list[tuple[float, float]]]) -> str:
    """An SVG path of the rings: a move to the first point in tenths of a pixel, then one relative line through the steps from point to point."""
    parts = []
    for points in rings:
        tenths = [(round(x * 10), round(y * 10)) for x, y in points]
        steps = [(b[0] - a[0], b[1] - a[1]) for a, b in pairwise(tenths)]
        moves = " ".join(f"{_number(dx)} {_number(dy)}" for dx, dy in steps if dx or dy)
        if moves:  # a ring of one point in tenths of a pixel draws nothing
            parts.append(f"M{_number(tenths[0][0])} {_number(tenths[0][1])}l{moves}z")
    return "".join(parts)


def _number(tenths: int) -> str:
    """``-12`` → ``-1.2``, ``5`` → ``.5``, ``30`` → ``3``: the shortest way SVG reads a number of tenths."""
    text = f"{tenths / 10:g}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _owner(code: str, points: list[tuple[float, float]]) -> str:
    """The country a ring belongs to: ``code``, but Ukraine for Crimea."""
    if code != "RU":
        return code
    cx, cy = to_pixels(*project(*CRIMEA))
    mx, my = sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)
    return "UA" if math.hypot(mx - cx, my - cy) < 20 else code


def main() -> None:
    topology = json.loads(SOURCE.read_text(encoding="utf-8"))
    arcs = [[to_pixels(*project(lon, lat)) for lon, lat in arc] for arc in decode_arcs(topology)]
    height = round((NORTH - SOUTH) * WIDTH / (EAST - WEST))
    aliases = get_global("territory_aliases")
    rings_of: dict[str, list[list[tuple[float, float]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = BY_NAME.get(geometry["properties"]["name"]) or (aliases.get(geometry.get("id", ""), [None])[0])
        if code is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        for polygon in polygons:
            for indexes in polygon:
                points = clip(ring(arcs, indexes), height)
                if len(points) >= 3:
                    rings_of.setdefault(_owner(code, points), []).append(simplify(points + points[:1], TOLERANCE)[:-1])
    countries = {}
    for code, rings in sorted(rings_of.items()):
        kept = [r for r in rings if len(r) >= 3 and area(r) >= MIN_AREA] or [max(rings, key=area)]
        xs, ys = [x for r in kept for x, _ in r], [y for r in kept for _, y in r]
        if max(xs) < 0 or min(xs) > WIDTH or max(ys) < 0 or min(ys) > height:
            continue
        biggest = max(kept, key=area)
        centre = (round(sum(x for x, _ in biggest) / len(biggest), 1), round(sum(y for _, y in biggest) / len(biggest), 1))
        small = max(xs) - min(xs) < 8 and max(ys) - min(ys) < 8
        countries[code] = {"d": path_of(kept), "centre": centre, "small": small}
    data = {
        "source": "Natural Earth 1:50m admin 0 countries (public domain), from the npm package world-atlas 2.0.2; made by scripts/make_europe_map.py",
        "width": WIDTH,
        "height": height,
        "countries": countries,
    }
    TARGET.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(countries)} countries, {TARGET.stat().st_size // 1000} KB")


if __name__ == "__main__":
    main()
