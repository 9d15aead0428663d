"""Country outlines for the geographic layout of the HTML page, from Natural Earth.

The outlines are Natural Earth's 1:110m countries (public domain) as the npm package
`world-atlas` 2.0.2 ships them in TopoJSON (ISC; vendored unchanged under
``graph/static/world-atlas/`` with its licence). Nothing is fetched: the file is read from this
package, its arcs decoded here (delta-encoded, quantised) and projected the way the page places
nodes (equirectangular: x = longitude x scale, y = -latitude x scale).

>>> rings = country_outlines(12.0)
>>> len(rings) > 200
True
>>> all(len(r) % 2 == 0 and len(r) >= 6 for r in rings)
True
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["ATLAS", "country_outlines"]

ATLAS = "static/world-atlas/countries-110m.json"


@cache
def _topology() -> dict[str, Any]:
    text = resources.files("sistercities").joinpath(ATLAS).read_text(encoding="utf-8")
    topology: dict[str, Any] = json.loads(text)
    return topology


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Every arc as (lon, lat) points: the positions are deltas of quantised integers."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _unwrapped(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The ring on a flat map: a ring that crosses the antimeridian (Russia, Fiji) goes on past
    ±180° instead of jumping across the map; one that goes round a pole (Antarctica) is closed
    along that pole's edge of the map."""
    points: list[tuple[float, float]] = []
    shift = 0.0
    for lon, lat in ring:
        if points and abs(lon + shift - points[-1][0]) > 180:
            shift += 360 if points[-1][0] > lon + shift else -360
        points.append((lon + shift, lat))
    if points and abs(points[-1][0] - points[0][0]) > 180:
        pole = -90.0 if sum(lat for _, lat in points) < 0 else 90.0
        points += [(points[-1][0], pole), (points[0][0], pole)]
    return points


@cache
def country_outlines(scale: float) -> tuple[tuple[float, ...], ...]:
    """Every ring of every country's polygons, each flattened to x0, y0, x1, y1, … in the
    page's coordinates (rounded to a tenth: the page is drawn at that scale)."""
    topology = _topology()
    arcs = _arcs(topology)
    rings: list[tuple[float, ...]] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        for polygon in polygons:
            for indices in polygon:
                flat: list[float] = []
                for lon, lat in _unwrapped(_ring(arcs, indices)):
                    flat += [round(lon * scale, 1), round(-lat * scale, 1)]
                if len(flat) >= 6:
                    rings.append(tuple(flat))
    return tuple(rings)
