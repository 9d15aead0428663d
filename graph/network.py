"""Dataset → NetworkX: the city network, one edge a tie.

>>> import graph
>>> g = city_network(graph.load_dataset(graph.DEFAULT_DATA))
>>> g.has_edge("jakarta", "los-angeles")
True
>>> g.edges["jakarta", "los-angeles", "jakarta--los-angeles"]["kind"]
'sister-city'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.model import Dataset

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["city_network", "flat_city_network"]


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
            "country": place.country,
            "sources": place.sources,
        }
        if place.coordinates is not None:
            attributes["lat"] = place.coordinates.lat
            attributes["lon"] = place.coordinates.lon
        for key in ("wikidata", "population", "part_of"):
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
