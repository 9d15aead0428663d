"""Interactive HTML of the network for researchers: one self-contained, offline file.

The page draws places (coloured by continent or by country, sized by their number of ties) and
ties (styled by kind, dashed and faded when ended or suspended) with vis-network — the library
pyvis wraps, inlined from pyvis's own copy, so no CDN is needed. It has a legend, tooltips (plain
text: vis-network shows string titles as text), a search box that ignores accents, filters by
country, area and kind, and a year slider (ties begun by that year; undated ties counted apart).
Selecting a place (a click, the search, or ``#place=ID`` in the URL) highlights its ties and
partners, dims the rest and lists its partners in a side panel built as DOM text. Every string
from the data is escaped for the place it lands in: JSON in the script (with ``<``, ``>`` and
``&`` escaped), HTML elsewhere, ``textContent`` in the page.

Past `PHYSICS_LIMIT` places, positions are computed here (geographic, from the coordinates) and
physics is off; geographic pages draw Natural Earth's country outlines beneath the nodes
(`sistercities.viz_map`). Past `CLUSTER_ABOVE` places (the world's network), the page opens with one
node a country and one edge a pair of countries (weighted by their ties): a click opens a
country into its places, and a selected place is drawn with its partners and ties wherever they
are. Drawing 17,000 places and 25,000 ties at once made every frame take about a second in
Chromium; `bench/viz_world.py` measures the page against a neighbourhood page.

>>> import sistercities
>>> page = render_html(sistercities.load_dataset(sistercities.DEFAULT_DATA), focus="jakarta", depth=1)
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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from .dates import PartialDate
from .model import Coverage, Dataset, Partnership, Visit
from .viz_map import country_outlines

__all__ = [
    "CLUSTER_ABOVE",
    "PHYSICS_LIMIT",
    "VizOptions",
    "counts",
    "render_html",
    "select",
    "summary",
]

PHYSICS_LIMIT = 300  # places; past this, positions are computed in Python and physics is off
CLUSTER_ABOVE = 1000  # places; past this, the page opens with countries as nodes
SCALE = 12.0  # page units per degree of longitude or latitude (geographic positions)
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


def _continents(countries: tuple[str, ...]) -> dict[str, str]:
    from .continents import continent

    return {
        code: name if (name := continent(code)) in CONTINENT_COLOURS else "unknown"
        for code in countries
    }


def _tie_in_range(tie: Partnership, options: VizOptions) -> bool:
    if options.as_of is not None:
        from .query import in_force

        return (
            tie.status != "planned"
            and in_force(tie.since, tie.until, PartialDate.parse(options.as_of)) != "no"
        )
    if options.year_from is not None or options.year_to is not None:
        years = _start_years(tie)
        if years is None:
            return False
        first, last = years
        if options.year_from is not None and last < options.year_from:
            return False
        if options.year_to is not None and first > options.year_to:
            return False
    return True


def _start_years(tie: Partnership) -> tuple[int, int] | None:
    """The earliest and latest years the tie may have begun in; None when its start is
    unknown (no date, or a date open at both ends)."""
    if tie.since is None:
        return None
    first = tie.since.earliest or tie.since.latest
    last = tie.since.latest or tie.since.earliest
    if first is None or last is None:
        return None
    return first.year, last.year


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
        import networkx as nx

        from .network import city_network

        network = city_network(dataset).edge_subgraph((*t.between, t.id) for t in ties)
        reached = (
            set(nx.ego_graph(network, options.focus, radius=options.depth))
            if options.focus in network
            else {options.focus}
        )
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


def _settings(options: VizOptions | None, fields: dict[str, Any]) -> VizOptions:
    """The options given as a `VizOptions`, or as its fields (not both)."""
    if options is not None and fields:
        raise TypeError("give a VizOptions or its fields, not both")
    return options if options is not None else VizOptions(**fields)


def counts(dataset: Dataset, options: VizOptions | None = None, /, **fields: Any) -> dict[str, int]:
    """The places and ties the page of these `VizOptions` fields draws (as ``sistercities viz``
    reports them), and ``undated``: how many of its ties, before any year bound, have an unknown
    start (so that no year bound shows them: with ``year_to``/``year_from`` they are left out,
    counted apart). The page's year slider at a year shows ``counts(dataset, year_to=year)``.

    >>> import sistercities
    >>> by_1995 = counts(sistercities.load_dataset(sistercities.DEFAULT_DATA), year_to=1995)
    >>> sorted(by_1995)
    ['places', 'ties', 'undated']
    >>> by_1995["ties"] > 0 and by_1995["places"] > 1 and by_1995["undated"] > 0
    True
    """
    settings = _settings(options, fields)
    place_ids, ties = select(dataset, settings)
    _, unbounded = select(dataset, replace(settings, year_from=None, year_to=None))
    return {
        "places": len(place_ids),
        "ties": len(ties),
        "undated": sum(1 for t in unbounded if _start_years(t) is None),
    }


def summary(dataset: Dataset, options: VizOptions | None = None, /, **fields: Any) -> str:
    """`counts` in words, as ``sistercities viz`` reports what it drew.

    >>> import sistercities
    >>> summary(sistercities.load_dataset(sistercities.DEFAULT_DATA), year_to=1995)  # doctest: +ELLIPSIS
    '... places, ... ties; ... ties with unknown start dates left out'
    """
    settings = _settings(options, fields)
    drawn = counts(dataset, settings)
    text = f"{drawn['places']:,} places, {drawn['ties']:,} ties"
    if not drawn["undated"]:
        return text
    if settings.year_from is not None or settings.year_to is not None:
        return f"{text}; {drawn['undated']:,} ties with unknown start dates left out"
    return f"{text}, {drawn['undated']:,} of them with unknown start dates"


def _date_span(start: PartialDate | None, end: PartialDate | None, *, ended: bool) -> str:
    """``1990 – now``; the open end of an `ended` tie is unknown, not "now" (as the page's
    script says it)."""
    if start is None and end is None:
        return "dates unknown"
    if end is None and ended:
        return f"{start} – end unknown"
    return f"{start or '?'} – {end or 'now'}"


def _visit_dates(visit: Visit) -> str:
    """``2018-04-18 – 2018-04-21``, or the one date of a visit without an end."""
    if visit.end is None or visit.end == visit.start:
        return str(visit.start)
    return f"{visit.start} – {visit.end}"


def _positions(
    dataset: Dataset, place_ids: Sequence[str], geo: bool
) -> dict[str, tuple[float, float]] | None:
    """Geographic positions (x from longitude, y from latitude), or None to let physics lay
    the graph out. Places without coordinates go on a ring around the map."""
    if not geo and len(place_ids) <= PHYSICS_LIMIT:
        return None
    scale = SCALE
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


def _page_data(dataset: Dataset, options: VizOptions) -> dict[str, Any]:
    place_ids, ties = select(dataset, options)
    places = dataset.places
    degree: dict[str, int] = {}
    for tie in ties:
        for p in tie.between:
            degree[p] = degree.get(p, 0) + 1
    countries = tuple(sorted({c for p in place_ids if (c := places[p].country)}))
    continents = _continents(countries) if countries else {}
    if options.colour_by == "country":
        colours = {c: _PALETTE[i % len(_PALETTE)] for i, c in enumerate(countries)}
        group_of = {c: c for c in countries}
    else:
        colours = CONTINENT_COLOURS
        group_of = continents
    positions = _positions(dataset, place_ids, options.layout == "geo")
    nodes: list[dict[str, Any]] = []
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
        node: dict[str, Any] = {
            "id": ident,
            "label": place.name,
            "title": "\n".join(lines),
            "color": colours.get(group, CONTINENT_COLOURS["unknown"]),
            "value": 1 + degree.get(ident, 0),
            "country": place.country,
            "names": [*place.labels.values(), *place.aliases],
            "kind": place.kind,
            "sources": list(place.sources),
            "coverage": _coverage(dataset, place.coverage),
        }
        if positions is not None:
            node["x"], node["y"] = positions[ident]
        nodes.append(node)
    edges: list[dict[str, Any]] = []
    for tie in ties:
        faded = tie.status in ("ended", "suspended")
        lines = [
            f"{places[tie.between[0]].name} – {places[tie.between[1]].name}",
            f"{tie.kind}, {tie.status}, {_date_span(tie.since, tie.until, ended=tie.status == 'ended')}",
        ]
        if tie.areas:
            labels = (
                dataset.areas[a].label.get("en", a) if a in dataset.areas else a for a in tie.areas
            )
            lines.append("areas: " + ", ".join(labels))
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
                "color": {"color": KIND_COLOURS[tie.kind], "opacity": 0.35 if faded else 0.9},
                "dashes": faded or tie.status == "planned",
                "width": 1.5 if tie.kind == "sister-city" else 2.5,
                "sources": list(tie.sources),
            }
        )
        _optional(edges[-1], tie.areas, tie.since, tie.until, _start_years(tie))
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
                                f"{places[visit.place].name}, {_visit_dates(visit)}"
                                + (f"\n{visit.purpose}" if visit.purpose else ""),
                                "kind": "visit",
                                "status": "visit",
                                "color": {"color": KIND_COLOURS["visit"], "opacity": 0.9},
                                "dashes": [2, 6],
                                "arrows": "to",
                                "width": 2,
                                "sources": list(visit.sources),
                            }
                        )
                        years = _first_year(visit.start)
                        _optional(
                            edges[-1],
                            visit.areas,
                            visit.start,
                            visit.end,
                            None if years is None else (years, years),
                        )
    area_ids = sorted({a for t in ties for a in t.areas})
    return {
        "nodes": nodes,
        "edges": edges,
        "physics": positions is None,
        "legend": {
            g: colours.get(g, CONTINENT_COLOURS["unknown"])
            for g in sorted({group_of.get(places[p].country or "", "unknown") for p in place_ids})
        },
        "countries": list(countries),
        "areas": [
            {"id": a, "label": dataset.areas[a].label.get("en", a) if a in dataset.areas else a}
            for a in area_ids
        ],
        "kinds": sorted({e["kind"] for e in edges}),
        "sources": {
            ident: dataset.sources[ident].title if ident in dataset.sources else ident
            for ident in sorted(
                {s for e in edges for s in e["sources"]}
                | {s for n in nodes if n["coverage"] for s in n["coverage"]["sources"]}
            )
        },
        "clusters": _clusters(nodes, colours, group_of) if len(nodes) > CLUSTER_ABOVE else None,
        "outlines": None if positions is None else country_outlines(SCALE),
    }


def _optional(
    edge: dict[str, Any],
    areas: Sequence[str],
    since: PartialDate | None,
    until: PartialDate | None,
    years: tuple[int, int] | None,
) -> None:
    """The fields an edge has only when known (the page reads a missing one as empty): the
    world's 25,000 ties are mostly undated, with no areas."""
    if areas:
        edge["areas"] = list(areas)
    if since is not None:
        edge["since"] = str(since)
    if until is not None:
        edge["until"] = str(until)
    if years is not None:
        edge["begun"] = years[0]


def _first_year(date: PartialDate | None) -> int | None:
    day = None if date is None else (date.earliest or date.latest)
    return None if day is None else day.year


def _coverage(dataset: Dataset, coverage: Coverage | None) -> dict[str, Any] | None:
    """A place's list of partners: complete (or not) as of a date, per its sources; None when
    nothing says (not known to be complete)."""
    if coverage is None:
        return None
    return {
        "complete": coverage.complete,
        "as_of": str(coverage.as_of),
        "sources": list(coverage.sources),
        "notes": coverage.notes,
    }


def _country_names(countries: tuple[str, ...]) -> dict[str, str]:
    from .countries import country_name

    return {code: country_name(code) for code in countries}


def _clusters(
    nodes: list[dict[str, Any]], colours: dict[str, str], group_of: dict[str, str]
) -> list[dict[str, Any]]:
    """One node a country (placed at the mean position of its places), for the world view."""
    members: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        members.setdefault(node["country"] or "", []).append(node)
    names = _country_names(tuple(sorted(c for c in members if c)))
    clusters = []
    for code in sorted(members):
        inside = members[code]
        group = group_of.get(code, "unknown")
        clusters.append(
            {
                "id": f"country:{code or '?'}",
                "code": code,
                "name": names.get(code, "country unknown") if code else "country unknown",
                "x": round(sum(n["x"] for n in inside) / len(inside), 2),
                "y": round(sum(n["y"] for n in inside) / len(inside), 2),
                "color": colours.get(group, CONTINENT_COLOURS["unknown"]),
                "group": group,
            }
        )
    return clusters


@cache
def _asset(name: str) -> str:
    text = resources.files("pyvis").joinpath(f"{_VIS}/{name}").read_text(encoding="utf-8")
    # The source-map comment names a file that is not shipped: drop it.
    return re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)


@cache
def _static(name: str) -> str:
    return resources.files("sistercities").joinpath(f"static/{name}").read_text(encoding="utf-8")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{vis_css}</style>
<style>{page_css}</style>
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
  <label>Year <input id="year" type="range" step="1"></label> <span id="yearText"></span>
  <span id="count"></span> <span id="undated"></span>
  <button id="collapse" type="button" hidden>Close the countries</button>
</div>
<div id="main">
<div id="graph"></div>
<div id="side"><div id="place" hidden></div><h2>Legend</h2>{legend}</div>
</div>
<script>{vis_js}</script>
<script>
"use strict";
const DATA = {data};
const PHYSICS_LIMIT = {physics_limit};
{page_js}</script>
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
        "<p>Size: number of ties drawn. Hover for details; drag to move; scroll to zoom; click a "
        "place (or find it) to list its partners.</p>"
    )
    if data["clusters"]:
        parts.append(
            "<p>The world at once: one circle a country (its number of places), one line a pair "
            "of countries (its number of ties). Click a country to draw its places.</p>"
        )
    if data["outlines"]:
        parts.append("<p>Country outlines: Natural Earth (public domain), 1:110m.</p>")
    return "".join(parts)


def render_html(dataset: Dataset, options: VizOptions | None = None, /, **fields: Any) -> str:
    """The whole page for `dataset`, drawn with `options` (a `VizOptions`, or its fields)."""
    settings = _settings(options, fields)
    data = _page_data(dataset, settings)
    return _PAGE.format(
        title=html.escape(settings.title),
        vis_css=_asset("vis-network.css"),
        vis_js=_asset("vis-network.min.js"),
        legend=_legend(data, settings.colour_by),
        data=_script_json(data),
        physics_limit=PHYSICS_LIMIT,
        page_css=_static("viz.css"),
        page_js=_static("viz.js"),
    )
