"""Dataset → NetworkX: the city network, one edge a tie.

>>> import sistercities
>>> g = city_network(sistercities.load_dataset(sistercities.DEFAULT_DATA))
>>> g.has_edge("jakarta", "los-angeles")
True
>>> g.edges["jakarta", "los-angeles", "jakarta--los-angeles"]["kind"]
'sister-city'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dates import decade, decade_order
from .model import Dataset

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "city_network",
    "flat_city_network",
    "knowledge_graph",
    "stats",
    "stats_rows",
    "tie_network",
]


def city_network(dataset: Dataset) -> nx.MultiGraph:
    """Places as nodes, ties as edges keyed by the tie's id (a MultiGraph: a pair may have ties
    of several kinds). Node and edge attributes are the model's values (dates as `PartialDate`,
    lists as tuples); attributes that are unknown are left out."""
    import networkx as nx

    network = nx.MultiGraph()
    for place in dataset.places.values():
        attributes: dict[str, Any] = {
            "name": place.name,
            "kind": place.kind,
            "sources": place.sources,
        }
        if place.coordinates is not None:
            attributes["lat"] = place.coordinates.lat
            attributes["lon"] = place.coordinates.lon
        for key in ("country", "wikidata", "population", "part_of"):
            if getattr(place, key) is not None:
                attributes[key] = getattr(place, key)
        network.add_node(place.id, **attributes)
    for tie in dataset.partnerships.values():
        attributes = {
            "kind": tie.kind,
            "status": tie.status,
            "areas": tie.areas,
            "agreements": tie.agreements,
            "sources": tie.sources,
        }
        if tie.since is not None:
            attributes["since"] = tie.since
        if tie.until is not None:
            attributes["until"] = tie.until
        network.add_edge(*tie.between, key=tie.id, **attributes)
    return network


def _flat(value: Any) -> Any:
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, (str, int, float)):
        return value
    return str(value)


def flat_city_network(dataset: Dataset, *, timeline: bool = False) -> nx.MultiGraph:
    """The city network with only strings and numbers as attributes, for GraphML and GEXF:
    lists joined by ';', dates in EDTF, coordinates as doubles, a `label` for Gephi. With
    `timeline`, edges get `start`/`end` (ISO days of the dates' bounds) for Gephi's timeline.
    """
    network = city_network(dataset)
    for _, data in network.nodes(data=True):
        data.update({key: _flat(value) for key, value in data.items()})
        data["label"] = data["name"]
    for _, _, key, data in network.edges(keys=True, data=True):
        since, until = data.get("since"), data.get("until")
        data.update({k: _flat(v) for k, v in data.items()})
        data["id"] = key
        if timeline:
            if since is not None and since.earliest is not None:
                data["start"] = since.earliest.isoformat()
            if until is not None and until.latest is not None:
                data["end"] = until.latest.isoformat()
    return network


def knowledge_graph(dataset: Dataset) -> nx.MultiDiGraph:
    """Every entity as a typed node — ``(kind, id)`` with a ``kind`` attribute — and every link
    as a typed edge (``relation``): ties between places, roles, visits, events, agreements,
    areas and sources, for questions that cross kinds of entity.

    >>> import sistercities
    >>> k = knowledge_graph(sistercities.load_dataset(sistercities.DEFAULT_DATA))
    >>> sorted({r for _, _, r in k.in_edges(("place", "los-angeles"), data="relation")})[:4]
    ['event-at', 'office-of', 'partner', 'party-to']
    """
    import networkx as nx

    k = nx.MultiDiGraph()

    def node(kind: str, ident: str) -> tuple[str, str]:
        key = (kind, ident)
        if key not in k:
            k.add_node(key, kind=kind)
        return key

    def link(a: tuple[str, str], relation: str, b: tuple[str, str]) -> None:
        k.add_edge(a, b, relation=relation)

    for source in dataset.sources:
        node("source", source)
    for area in dataset.areas.values():
        if area.broader:
            link(node("area", area.id), "broader", node("area", area.broader))
        node("area", area.id)
    for place in dataset.places.values():
        p = node("place", place.id)
        if place.part_of:
            link(p, "part-of", node("place", place.part_of))
        for source in place.sources:
            link(p, "source", node("source", source))
    for tie in dataset.partnerships.values():
        t = node("partnership", tie.id)
        a, b = (node("place", x) for x in tie.between)
        link(t, "partner", a)
        link(t, "partner", b)
        link(a, "twinned-with", b)
        link(b, "twinned-with", a)
        for area_id in tie.areas:
            link(t, "area", node("area", area_id))
        for agreement_id in tie.agreements:
            link(t, "agreement", node("agreement", agreement_id))
        for source in tie.sources:
            link(t, "source", node("source", source))
    for official in dataset.officials.values():
        o = node("official", official.id)
        for role in official.roles:
            if role.of:
                link(o, "office-of", node("place", role.of))
        for source in official.sources:
            link(o, "source", node("source", source))
    for event in dataset.events.values():
        e = node("event", event.id)
        link(e, "event-at", node("place", event.place))
        for session in event.sessions:
            for speaker in session.speakers:
                link(node("official", speaker), "spoke-at", e)
    for visit in dataset.visits.values():
        v = node("visit", visit.id)
        link(v, "visit-to", node("place", visit.place))
        for visitor in visit.visitors:
            link(node("official", visitor), "made", v)
        for met in visit.met:
            link(v, "met", node("official", met))
        for event_id in visit.events:
            link(v, "attended", node("event", event_id))
        if visit.partnership:
            link(v, "served", node("partnership", visit.partnership))
        for area_id in visit.areas:
            link(v, "area", node("area", area_id))
    for agreement in dataset.agreements.values():
        g = node("agreement", agreement.id)
        for party in agreement.parties:
            link(g, "party-to", node("place", party))
        for area_id in agreement.areas:
            link(g, "area", node("area", area_id))
    return k


SAMPLE_ABOVE = 2_000  # places: past this, distances and betweenness are estimated from samples
SAMPLE_SIZE = 100


def tie_network(dataset: Dataset) -> nx.Graph:
    """Places (all of them) joined where a tie is, or was, in force: planned ties left out, a
    pair with several ties one edge. The graph `stats` measures."""
    import networkx as nx

    network = nx.Graph()
    network.add_nodes_from(dataset.places)
    network.add_edges_from(
        t.between for t in dataset.partnerships.values() if t.status != "planned"
    )
    network.remove_edges_from(nx.selfloop_edges(network))
    return network


def stats(dataset: Dataset, top: int = 10, seed: int = 1990) -> dict[str, Any]:
    """Measures of the tie network (see `tie_network`): size, density, components, degrees,
    clustering, assortativity, mean distance in the largest component (estimated from
    `SAMPLE_SIZE` sources past `SAMPLE_ABOVE` places, saying so), the top places by degree and
    betweenness, and ties by country pair and by decade."""
    import random
    from collections import Counter

    import networkx as nx

    network = tie_network(dataset)
    places = network.number_of_nodes()
    ties = network.number_of_edges()
    components = sorted(nx.connected_components(network), key=len, reverse=True)
    largest = network.subgraph(components[0]) if components else network
    sampled = largest.number_of_nodes() > SAMPLE_ABOVE
    rng = random.Random(seed)
    if largest.number_of_nodes() < 2:
        mean_distance = None
    elif sampled:
        sources = rng.sample(sorted(largest.nodes), SAMPLE_SIZE)
        total = count = 0
        for source in sources:
            lengths = nx.single_source_shortest_path_length(largest, source)
            total += sum(lengths.values())
            count += len(lengths) - 1
        mean_distance = total / count
    else:
        mean_distance = nx.average_shortest_path_length(largest)
    if network.number_of_nodes() > SAMPLE_ABOVE:
        betweenness = nx.betweenness_centrality(network, k=SAMPLE_SIZE, seed=seed)
    else:
        betweenness = nx.betweenness_centrality(network)
    degrees = dict(network.degree())
    degree_counts = Counter(degrees.values())
    try:
        assortativity: float | None = nx.degree_assortativity_coefficient(network)
        if assortativity != assortativity:  # NaN: every degree the same
            assortativity = None
    except (ValueError, ZeroDivisionError):
        assortativity = None

    def name(place: str) -> str:
        return dataset.places[place].name

    country_pairs: Counter[str] = Counter()
    decades: Counter[str] = Counter()
    for tie in dataset.partnerships.values():
        if tie.status == "planned":
            continue
        a, b = sorted(dataset.places[p].country or "??" for p in tie.between)
        country_pairs[f"{a}–{b}"] += 1
        decades[decade(tie.since)] += 1
    by_degree = sorted(degrees, key=lambda p: (-degrees[p], name(p)))[:top]
    by_betweenness = sorted(betweenness, key=lambda p: (-betweenness[p], name(p)))[:top]
    return {
        "places": places,
        "ties": ties,
        "density": nx.density(network),
        "average_degree": 2 * ties / places if places else 0.0,
        "max_degree": max(degrees.values(), default=0),
        "components": len(components),
        "largest_component_places": len(components[0]) if components else 0,
        "largest_component_share": len(components[0]) / places if places else 0.0,
        "clustering": nx.average_clustering(network) if places else 0.0,
        "transitivity": float(nx.transitivity(network)),
        "degree_assortativity": assortativity,
        "mean_distance": mean_distance,
        "mean_distance_sampled": sampled,
        "betweenness_sampled": network.number_of_nodes() > SAMPLE_ABOVE,
        "degree_distribution": [
            {"degree": d, "places": degree_counts[d]} for d in sorted(degree_counts)
        ],
        "top_by_degree": [{"place": p, "name": name(p), "degree": degrees[p]} for p in by_degree],
        "top_by_betweenness": [
            {"place": p, "name": name(p), "betweenness": round(betweenness[p], 6)}
            for p in by_betweenness
        ],
        "ties_by_country_pair": [
            {"countries": pair, "ties": n}
            for pair, n in sorted(country_pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        ],
        "ties_by_decade": [{"decade": d, "ties": decades[d]} for d in decade_order(decades)],
    }


def stats_rows(measures: dict[str, Any]) -> list[dict[str, Any]]:
    """The measures of `stats` flattened to ``measure, value`` rows (for CSV): the single
    values first, then each list's items as ``top_by_degree[1].place``.

    >>> stats_rows({"places": 2, "top": [{"place": "a", "degree": 1}]})
    [{'measure': 'places', 'value': 2}, {'measure': 'top[1].place', 'value': 'a'}, \
{'measure': 'top[1].degree', 'value': 1}]
    """
    rows = [{"measure": k, "value": v} for k, v in measures.items() if not isinstance(v, list)]
    for key, value in measures.items():
        if isinstance(value, list):
            rows += [
                {"measure": f"{key}[{i}].{field}", "value": item[field]}
                for i, item in enumerate(value, 1)
                for field in item
            ]
    return rows
