"""Interactive HTML of the network for researchers: one self-contained, offline file.

The page draws places (coloured by continent or by country, sized by their number of ties) and
ties (styled by kind, dashed and faded when ended or suspended) with vis-network — the library
pyvis wraps, inlined from pyvis's own copy, so no CDN is needed. It has a legend, tooltips (plain
text: vis-network shows string titles as text), a search box that ignores accents, and filters by
country, area and kind. Every string from the data is escaped for the place it lands in: JSON in
the script (with ``<``, ``>`` and ``&`` escaped), HTML elsewhere.

Past `PHYSICS_LIMIT` places, positions are computed here (geographic, from the coordinates) and
physics is off, so that the world's network opens without freezing the tab.

>>> import graph
>>> page = render_html(graph.load_dataset(graph.DEFAULT_DATA), focus="jakarta", depth=1)
>>> "https://" in page.split("<script>", 1)[0]
False
>>> '"id":"jakarta"' in page
True
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from graph.dates import PartialDate
from graph.model import Dataset, Partnership

__all__ = ["PHYSICS_LIMIT", "VizOptions", "render_html", "select"]

PHYSICS_LIMIT = 300  # places; past this, positions are computed in Python and physics is off
_VIS = "templates/lib/vis-9.1.2"

CONTINENT_COLOURS = {
    "Africa": "#e6a117",
    "Asia": "#d1495b",
    "Europe": "#2f6fb0",
    "North America": "#3a9a5b",
    "South America": "#8e5bb5",
    "Oceania": "#1aa3a3",
    "Antarctica": "#8a8a8a",
    "unknown": "#9e9e9e",
}
KIND_COLOURS = {
    "sister-city": "#5a6b7b",
    "sister-province": "#b5651d",
    "friendship": "#3b8ea5",
    "cooperation": "#7a9a01",
    "visit": "#c2185b",
}
_PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
]


@dataclass(frozen=True)
class VizOptions:
    """What to draw and how (see `sistercities viz --help`)."""

    focus: str | None = None
    depth: int = 2
    countries: Sequence[str] = ()
    areas: Sequence[str] = ()
    kind: str | None = None
    as_of: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    layout: str = "force"  # "force" or "geo"
    with_visits: bool = False
    title: str = "Sister cities"
    colour_by: str = "continent"  # or "country"


@cache
def _continents(countries: tuple[str, ...]) -> dict[str, str]:
    from graph.countries import country_converter

    names = country_converter().convert(
        names=list(countries), src="ISO2", to="Continent_7", not_found=None
    )
    if isinstance(names, str):
        names = [names]
    return {
        code: (name if isinstance(name, str) and name in CONTINENT_COLOURS else "unknown")
        for code, name in zip(countries, names, strict=True)
    }


def _tie_in_range(tie: Partnership, options: VizOptions) -> bool:
    if options.as_of is not None:
        from graph.query import in_force

        return (
            tie.status != "planned"
            and in_force(tie.since, tie.until, PartialDate.parse(options.as_of)) != "no"
        )
    if options.year_from is not None or options.year_to is not None:
        if tie.since is None:
            return False
        first = tie.since.earliest or tie.since.latest
        last = tie.since.latest or tie.since.earliest
        if first is None or last is None:
            return False
        if options.year_from is not None and last.year < options.year_from:
            return False
        if options.year_to is not None and first.year > options.year_to:
            return False
    return True


def select(dataset: Dataset, options: VizOptions) -> tuple[list[str], list[Partnership]]:
    """The places and ties to draw: filtered by kind, area, dates and country, then cut to the
    focus place's neighbourhood (``depth`` ties away)."""
    places = dataset.places
    ties = [
        t
        for t in dataset.partnerships.values()
        if (options.kind is None or t.kind == options.kind)
        and (not options.areas or set(options.areas) & set(t.areas))
        and _tie_in_range(t, options)
        and all(p in places for p in t.between)
    ]
    if options.countries:
        wanted = {c.upper() for c in options.countries}
        ties = [t for t in ties if any(places[p].country in wanted for p in t.between)]
    if options.focus is not None:
        neighbours: dict[str, set[str]] = {}
        for t in ties:
            a, b = t.between
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
        reached = {options.focus}
        frontier = {options.focus}
        for _ in range(options.depth):
            frontier = {n for p in frontier for n in neighbours.get(p, ())} - reached
            reached |= frontier
        ties = [t for t in ties if set(t.between) <= reached]
        chosen = sorted(reached, key=lambda p: (places[p].name, p))
    elif (
        options.countries
        or options.areas
        or options.kind
        or options.as_of
        or (options.year_from is not None or options.year_to is not None)
    ):
        chosen = sorted({p for t in ties for p in t.between}, key=lambda p: (places[p].name, p))
    else:
        chosen = sorted(places, key=lambda p: (places[p].name, p))
    return chosen, ties


def _date_span(start: PartialDate | None, end: PartialDate | None) -> str:
    if start is None and end is None:
        return "dates unknown"
    return f"{start or '?'} – {end or 'now'}"


def _positions(
    dataset: Dataset, place_ids: Sequence[str], geo: bool
) -> dict[str, tuple[float, float]] | None:
    """Geographic positions (x from longitude, y from latitude), or None to let physics lay
    the graph out. Places without coordinates go on a ring around the map."""
    if not geo and len(place_ids) <= PHYSICS_LIMIT:
        return None
    scale = 12.0
    positions: dict[str, tuple[float, float]] = {}
    missing = []
    for ident in place_ids:
        point = dataset.places[ident].coordinates
        if point is None:
            missing.append(ident)
        else:
            positions[ident] = (round(point.lon * scale, 2), round(-point.lat * scale, 2))
    for index, ident in enumerate(missing):
        angle = 2 * math.pi * index / max(len(missing), 1)
        positions[ident] = (
            round(math.cos(angle) * 200 * scale, 2),
            round(math.sin(angle) * 110 * scale, 2),
        )
    return positions


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' can end it early."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _source_titles(dataset: Dataset, ids: Iterable[str]) -> str:
    return "; ".join(dataset.sources[s].title if s in dataset.sources else s for s in ids)


def _page_data(dataset: Dataset, options: VizOptions) -> dict[str, Any]:
    place_ids, ties = select(dataset, options)
    places = dataset.places
    degree: dict[str, int] = {}
    areas_of: dict[str, set[str]] = {}
    kinds_of: dict[str, set[str]] = {}
    for tie in ties:
        for p in tie.between:
            degree[p] = degree.get(p, 0) + 1
            areas_of.setdefault(p, set()).update(tie.areas)
            kinds_of.setdefault(p, set()).add(tie.kind)
    countries = tuple(sorted({c for p in place_ids if (c := places[p].country)}))
    continents = _continents(countries) if countries else {}
    if options.colour_by == "country":
        colours = {c: _PALETTE[i % len(_PALETTE)] for i, c in enumerate(countries)}
        group_of = {c: c for c in countries}
    else:
        colours = CONTINENT_COLOURS
        group_of = continents
    positions = _positions(dataset, place_ids, options.layout == "geo")
    nodes = []
    for ident in place_ids:
        place = places[ident]
        group = group_of.get(place.country or "", "unknown")
        lines = [
            f"{place.name} ({place.country or 'country unknown'}, {place.kind})",
            f"{degree.get(ident, 0)} ties drawn",
        ]
        if place.aliases:
            lines.append("also: " + ", ".join(place.aliases))
        if place.wikidata:
            lines.append(f"Wikidata: {place.wikidata}")
        lines.append("sources: " + _source_titles(dataset, place.sources))
        node: dict[str, Any] = {
            "id": ident,
            "label": place.name,
            "title": "\n".join(lines),
            "group": group,
            "color": colours.get(group, CONTINENT_COLOURS["unknown"]),
            "value": 1 + degree.get(ident, 0),
            "country": place.country,
            "continent": continents.get(place.country or "", "unknown"),
            "areas": sorted(areas_of.get(ident, ())),
            "kinds": sorted(kinds_of.get(ident, ())),
            "names": [place.name, *place.labels.values(), *place.aliases],
        }
        if positions is not None:
            node["x"], node["y"] = positions[ident]
        nodes.append(node)
    edges = []
    for tie in ties:
        faded = tie.status in ("ended", "suspended")
        lines = [
            f"{places[tie.between[0]].name} – {places[tie.between[1]].name}",
            f"{tie.kind}, {tie.status}, {_date_span(tie.since, tie.until)}",
        ]
        if tie.areas:
            labels = (
                dataset.areas[a].label.get("en", a) if a in dataset.areas else a for a in tie.areas
            )
            lines.append("areas: " + ", ".join(labels))
        lines.append("sources: " + _source_titles(dataset, tie.sources))
        if tie.notes:
            lines.append("notes: " + tie.notes)
        edges.append(
            {
                "id": tie.id,
                "from": tie.between[0],
                "to": tie.between[1],
                "title": "\n".join(lines),
                "kind": tie.kind,
                "status": tie.status,
                "areas": list(tie.areas),
                "color": {"color": KIND_COLOURS[tie.kind], "opacity": 0.35 if faded else 0.9},
                "dashes": faded or tie.status == "planned",
                "width": 1.5 if tie.kind == "sister-city" else 2.5,
            }
        )
    drawn = set(place_ids)
    if options.with_visits:
        for visit in dataset.visits.values():
            for visitor in visit.visitors:
                official = dataset.officials.get(visitor)
                homes = sorted({r.of for r in official.roles if r.of}) if official else []
                for home in homes:
                    if home in drawn and visit.place in drawn and home != visit.place:
                        edges.append(
                            {
                                "id": f"visit:{visit.id}:{visitor}:{home}",
                                "from": home,
                                "to": visit.place,
                                "title": f"visit: {official.name if official else visitor} to "
                                f"{places[visit.place].name}, {_date_span(visit.start, visit.end)}"
                                + (f"\n{visit.purpose}" if visit.purpose else "")
                                + "\nsources: "
                                + _source_titles(dataset, visit.sources),
                                "kind": "visit",
                                "status": "visit",
                                "areas": list(visit.areas),
                                "color": {"color": KIND_COLOURS["visit"], "opacity": 0.9},
                                "dashes": [2, 6],
                                "arrows": "to",
                                "width": 2,
                            }
                        )
    area_ids = sorted({a for t in ties for a in t.areas})
    return {
        "nodes": nodes,
        "edges": edges,
        "physics": positions is None,
        "legend": {
            g: colours.get(g, CONTINENT_COLOURS["unknown"])
            for g in sorted({n["group"] for n in nodes})
        },
        "countries": list(countries),
        "areas": [
            {"id": a, "label": dataset.areas[a].label.get("en", a) if a in dataset.areas else a}
            for a in area_ids
        ],
        "kinds": sorted({e["kind"] for e in edges}),
    }


@cache
def _asset(name: str) -> str:
    text = resources.files("pyvis").joinpath(f"{_VIS}/{name}").read_text(encoding="utf-8")
    # The source-map comment names a file that is not shipped: drop it.
    return re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{vis_css}</style>
<style>
html, body {{ margin: 0; height: 100%; font: 14px system-ui, sans-serif; }}
body {{ display: flex; flex-direction: column; }}
#main {{ flex: 1; position: relative; }}
#bar {{ display: flex; flex-wrap: wrap; gap: .6em; align-items: center; padding: .5em .8em;
        border-bottom: 1px solid #ddd; background: #fafafa; }}
#bar h1 {{ font-size: 1.1em; margin: 0 1em 0 0; }}
#graph {{ position: absolute; top: 0; bottom: 0; left: 0; right: 16em; }}
#side {{ position: absolute; top: 0; bottom: 0; right: 0; width: 15em; overflow: auto;
         padding: .5em; border-left: 1px solid #ddd; }}
.swatch {{ display: inline-block; width: .9em; height: .9em; border-radius: 50%;
           margin-right: .4em; vertical-align: middle; }}
.line {{ display: inline-block; width: 1.8em; border-top: 3px solid; margin-right: .4em;
         vertical-align: middle; }}
#count, #found {{ color: #444; }}
#bar select {{ max-width: 12em; }}
div.vis-tooltip {{ white-space: pre-wrap; max-width: 36em; }}
</style>
</head>
<body>
<div id="bar">
  <h1>{title}</h1>
  <label>Find <input id="search" type="search" placeholder="a place, e.g. jakarta"></label>
  <button id="go" type="button">Find</button>
  <span id="found"></span>
  <label>Country <select id="country"><option value="">all</option></select></label>
  <label>Area <select id="area"><option value="">all</option></select></label>
  <label>Kind <select id="kind"><option value="">all</option></select></label>
  <span id="count"></span>
</div>
<div id="main">
<div id="graph"></div>
<div id="side"><h2>Legend</h2>{legend}</div>
</div>
<script>{vis_js}</script>
<script>
"use strict";
const DATA = {data};
const LETTERS = {{ "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "ß": "ss" }};
const fold = (s) => s.toLowerCase().replace(/[łøđðþæœıħß]/g, (c) => LETTERS[c])
  .normalize("NFD").replace(/\\p{{M}}/gu, "").replace(/[^\\p{{L}}\\p{{N}}]+/gu, " ").trim();
const nodes = new vis.DataSet(DATA.nodes);
const edges = new vis.DataSet(DATA.edges);
const filters = {{ country: "", area: "", kind: "" }};
function fill(id, values) {{
  const select = document.getElementById(id);
  for (const v of values) {{
    const option = document.createElement("option");
    option.value = typeof v === "string" ? v : v.id;
    option.textContent = typeof v === "string" ? v : v.label;
    select.appendChild(option);
  }}
  select.addEventListener("change", () => {{ filters[id] = select.value; refresh(); }});
}}
fill("country", DATA.countries);
fill("area", DATA.areas);
fill("kind", DATA.kinds);
const edgeView = new vis.DataView(edges, {{ filter: (e) =>
  (!filters.kind || e.kind === filters.kind) && (!filters.area || e.areas.includes(filters.area)) }});
const nodeView = new vis.DataView(nodes, {{ filter: (n) =>
  (!filters.country || n.country === filters.country) &&
  (!filters.area || n.areas.includes(filters.area)) &&
  (!filters.kind || n.kinds.includes(filters.kind)) }});
const options = {{
  physics: DATA.physics ? {{ stabilization: {{ iterations: 250 }}, barnesHut: {{ springLength: 120 }} }} : false,
  interaction: {{ hover: true, tooltipDelay: 120 }},
  nodes: {{ shape: "dot", scaling: {{ min: 6, max: 40, label: {{ enabled: true, min: 10, max: 26 }} }},
            font: {{ size: 12 }} }},
  edges: {{ smooth: false }},
  layout: {{ improvedLayout: DATA.nodes.length <= {physics_limit} }}
}};
const network = new vis.Network(document.getElementById("graph"),
  {{ nodes: nodeView, edges: edgeView }}, options);
function refresh() {{
  nodeView.refresh(); edgeView.refresh();
  const shown = new Set(nodeView.getIds());
  const ties = edgeView.get().filter((e) => shown.has(e.from) && shown.has(e.to) && e.kind !== "visit");
  document.getElementById("count").textContent =
    `${{shown.size}} places, ${{ties.length}} ties drawn`;
}}
function find() {{
  const query = fold(document.getElementById("search").value);
  const found = document.getElementById("found");
  if (!query) {{ found.textContent = ""; return; }}
  const candidates = nodeView.get().filter((n) => n.names.some((name) => fold(name).includes(query)));
  candidates.sort((a, b) => (fold(a.label) === query ? -1 : 0) - (fold(b.label) === query ? -1 : 0));
  if (!candidates.length) {{ found.textContent = "no place matches"; return; }}
  const hit = candidates[0];
  network.selectNodes([hit.id]);
  network.focus(hit.id, {{ scale: 1.2, animation: false }});
  found.textContent = `${{hit.label}} (${{hit.country}})`;
}}
document.getElementById("go").addEventListener("click", find);
document.getElementById("search").addEventListener("keydown", (e) => {{ if (e.key === "Enter") find(); }});
refresh();
window.sisterCities = {{ network, nodes, edges, nodeView, edgeView, find, refresh }};
</script>
</body>
</html>
"""


def _legend(data: dict[str, Any], colour_by: str) -> str:
    parts = [f"<h3>{'Continents' if colour_by == 'continent' else 'Countries'}</h3><ul>"]
    for group, colour in data["legend"].items():
        parts.append(
            f'<li><span class="swatch" style="background:{html.escape(colour)}"></span>'
            f"{html.escape(group)}</li>"
        )
    parts.append("</ul><h3>Ties</h3><ul>")
    for kind in data["kinds"]:
        colour = KIND_COLOURS.get(kind, "#777")
        style = "dotted" if kind == "visit" else "solid"
        parts.append(
            f'<li><span class="line" style="border-top: 3px {style} {colour}"></span>'
            f"{html.escape(kind.replace('-', ' '))}</li>"
        )
    parts.append(
        '<li><span class="line" style="border-top: 3px dashed #999"></span>'
        "ended, suspended or planned (dashed, faded)</li></ul>"
        "<p>Size: number of ties drawn. Hover for details; drag to move; scroll to zoom.</p>"
    )
    return "".join(parts)


def render_html(dataset: Dataset, **options: Any) -> str:
    """The whole page for `dataset`, drawn with the given `VizOptions` fields."""
    settings = VizOptions(**options)
    data = _page_data(dataset, settings)
    return _PAGE.format(
        title=html.escape(settings.title),
        vis_css=_asset("vis-network.css"),
        vis_js=_asset("vis-network.min.js"),
        legend=_legend(data, settings.colour_by),
        data=_script_json(data),
        physics_limit=PHYSICS_LIMIT,
    )
