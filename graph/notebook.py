"""A `Dataset` in a notebook: its short reprs, a place's neighbourhood, and the forms people
already use — a networkx graph, an rdflib graph (or a pyoxigraph store), a pandas DataFrame and
a pyvis Network. `Dataset`'s methods of the same names call these.

>>> import sistercities
>>> curated = sistercities.load(curated_only=True)
>>> near = neighbourhood(curated, "jakarta", 1)
>>> summary(near)  # doctest: +ELLIPSIS
'<Dataset: ... places, ... partnerships, ... sources, ...>'
>>> partners = {p for t in curated.partnerships_of("jakarta") for p in t.between}
>>> set(near.places) == partners
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import SisterCitiesError
from .extras import require
from .model import Dataset

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

__all__ = [
    "DATAFRAME_COLUMNS",
    "PYVIS_LIMIT",
    "TooLarge",
    "html_counts",
    "neighbourhood",
    "summary",
    "to_dataframe",
    "to_networkx",
    "to_oxigraph",
    "to_pyvis",
    "to_rdflib",
]

# What a short repr names, in this order (the rest of `Dataset.counts` only when not empty).
_SHOWN = ("places", "partnerships", "sources")
PYVIS_LIMIT = 1000  # places: pyvis draws every one with physics; past this, a page is unusable
DATAFRAME_COLUMNS = (
    "id",
    "a",
    "a_name",
    "a_country",
    "b",
    "b_name",
    "b_country",
    "kind",
    "status",
    "since",
    "until",
    "areas",
    "sources",
)


class TooLarge(SisterCitiesError, ValueError):
    """A dataset too large for the conversion asked (a pyvis page of the whole world)."""


def summary(dataset: Dataset) -> str:
    """The short repr of a dataset: its counts.

    >>> summary(Dataset())
    '<Dataset: 0 places, 0 partnerships, 0 sources>'
    """
    counts = dataset.counts()
    shown = [*_SHOWN, *(k for k in dataset.SECTIONS if k not in _SHOWN and counts[k])]
    return "<Dataset: " + ", ".join(f"{counts[k]:,} {k}" for k in shown) + ">"


def html_counts(dataset: Dataset) -> str:
    """The HTML repr of a dataset for Jupyter: a table of its counts.

    >>> print(html_counts(Dataset()))  # doctest: +ELLIPSIS
    <table><caption>Dataset</caption><tr><th>places</th><td>0</td></tr>...</table>
    """
    counts = dataset.counts()
    order = [*_SHOWN, *(k for k in dataset.SECTIONS if k not in _SHOWN)]
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{counts[k]:,}</td></tr>" for k in order)
    return f"<table><caption>Dataset</caption>{rows}</table>"


def _place_id(dataset: Dataset, place: str) -> str:
    if place in dataset.places:
        return place
    from .names import NameIndex

    return NameIndex.of_places(dataset).find(place)


def neighbourhood(dataset: Dataset, place: str, depth: int = 1) -> Dataset:
    """The places at most `depth` ties away from `place` (an id or a name as a person types
    it), the ties between them, and what concerns only them: agreements between them, events
    and visits held there, officials of those places or visiting them. Sources and areas are
    kept whole (they are few).

    >>> import sistercities
    >>> curated = sistercities.load(curated_only=True)
    >>> one = curated.neighbourhood("Jakarta", 1)
    >>> two = curated.neighbourhood("jakarta", 2)
    >>> 1 < len(one.places) < len(two.places)
    True
    """
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    start = _place_id(dataset, place)
    reached = {start}
    frontier = [start]
    for _ in range(depth):
        following = []
        for here in frontier:
            for tie in dataset.partnerships_of(here):
                for other in tie.between:
                    if other not in reached and other in dataset.places:
                        reached.add(other)
                        following.append(other)
        frontier = following
        if not frontier:
            break
    places = {k: v for k, v in dataset.places.items() if k in reached}
    ties = {k: t for k, t in dataset.partnerships.items() if set(t.between) <= reached}
    agreements = {
        k: a for k, a in dataset.agreements.items() if a.parties and set(a.parties) <= reached
    }
    events = {k: e for k, e in dataset.events.items() if getattr(e, "place", None) in reached}
    visits = {k: v for k, v in dataset.visits.items() if v.place in reached}
    visitors = {person for v in visits.values() for person in v.visitors}
    officials = {
        k: o
        for k, o in dataset.officials.items()
        if k in visitors or any(r.of in reached for r in o.roles)
    }
    return replace(
        dataset,
        sources=dict(dataset.sources),
        areas=dict(dataset.areas),
        places=places,
        partnerships=ties,
        officials=officials,
        events=events,
        visits=visits,
        agreements=agreements,
    )


def to_networkx(dataset: Dataset) -> nx.MultiGraph:
    """Places as nodes, ties as edges keyed by the tie's id (`sistercities.network.city_network`).

    >>> import sistercities
    >>> network = sistercities.load(curated_only=True).neighbourhood("jakarta", 1).to_networkx()
    >>> network.nodes["jakarta"]["name"], network.degree("jakarta") > 5
    ('Jakarta', True)
    """
    from .network import city_network

    return city_network(dataset)


def to_rdflib(dataset: Dataset, base: str | None = None) -> rdflib.Graph:
    """The dataset as an ``rdflib.Graph``, every prefix bound (the triples of the exports).

    >>> import sistercities
    >>> graph = sistercities.load(curated_only=True).to_rdflib()
    >>> len(graph) > 1000
    True
    """
    from .rdf import to_rdf
    from .vocab import DEFAULT_BASE

    return to_rdf(dataset, base or DEFAULT_BASE)


def to_oxigraph(dataset: Dataset, base: str | None = None) -> Any:
    """The dataset in an in-memory ``pyoxigraph.Store``: for SPARQL over the world's network,
    many times faster to build and to query than rdflib.

    >>> import sistercities
    >>> store = sistercities.load(curated_only=True).to_oxigraph()
    >>> bool(store.query("ASK { ?tie ?p <https://w3id.org/sistercities/id/place/jakarta> }"))
    True
    """
    import pyoxigraph as ox

    from .rdf import oxigraph_triples, triples
    from .vocab import DEFAULT_BASE

    store = ox.Store()
    graph = ox.DefaultGraph()
    store.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in oxigraph_triples(triples(dataset, base or DEFAULT_BASE))
    )
    return store


def _dataframe_rows(dataset: Dataset) -> Iterable[dict[str, Any]]:
    places = dataset.places
    for tie in dataset.partnerships.values():
        a, b = tie.between
        first, second = places.get(a), places.get(b)
        yield {
            "id": tie.id,
            "a": a,
            "a_name": first.name if first else None,
            "a_country": first.country if first else None,
            "b": b,
            "b_name": second.name if second else None,
            "b_country": second.country if second else None,
            "kind": tie.kind,
            "status": tie.status,
            "since": None if tie.since is None else str(tie.since),
            "until": None if tie.until is None else str(tie.until),
            "areas": list(tie.areas),
            "sources": list(tie.sources),
        }


def to_dataframe(dataset: Dataset) -> Any:
    """One row a tie, as a ``pandas.DataFrame``: its id, both places (``a``, ``b``) with their
    names and countries, kind, status, ``since`` and ``until`` (EDTF text, as in the data),
    areas and sources (lists). Needs pandas (``pip install 'sistercities[notebook]'``).

    >>> import sistercities
    >>> ties = sistercities.load(curated_only=True).to_dataframe()
    >>> list(ties.columns[:4])
    ['id', 'a', 'a_name', 'a_country']
    >>> ties.loc[ties["id"] == "jakarta--los-angeles", "since"].item()
    '1990'
    """
    pandas = require("pandas", "notebook", "Dataset.to_dataframe")
    return pandas.DataFrame(list(_dataframe_rows(dataset)), columns=list(DATAFRAME_COLUMNS))


@cache
def _pyvis_environment() -> Any:
    """pyvis's templates, with its page template's links to a CDN (Bootstrap, which the graph
    does not need) left out, so that a written page loads nothing from the network."""
    from pathlib import Path

    import jinja2
    import pyvis

    folder = Path(pyvis.__file__).parent / "templates"
    page = (folder / "template.html").read_text(encoding="utf-8")
    offline = re.sub(
        r"<(link|script)\b[^>]*https://cdn\.jsdelivr\.net[^>]*>(\s*</script>)?", "", page
    )
    loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"sistercities.html": offline}), jinja2.FileSystemLoader(folder)]
    )
    return jinja2.Environment(loader=loader, autoescape=False)


def to_pyvis(dataset: Dataset, *, limit: int = PYVIS_LIMIT, **options: Any) -> Any:
    """A ``pyvis.network.Network`` of a small dataset, with the colours (by continent) and
    tooltips of our pages, and vis-network written inline (offline): ready for
    ``net.write_html("jakarta.html")`` or, in a notebook, ``net.show("jakarta.html")``.
    `options` go to ``pyvis.network.Network`` (height, width, notebook …). A dataset of more
    than `limit` places is refused (`TooLarge`): take a neighbourhood first.

    >>> import sistercities
    >>> near = sistercities.load(curated_only=True).neighbourhood("jakarta", 1)
    >>> net = near.to_pyvis()
    >>> len(net.nodes) == len(near.places), len(net.edges) == len(near.partnerships)
    (True, True)
    >>> page = net.generate_html()
    >>> re.search(r"(src|href)=.?(https?:)?//", page) is None, "vis.Network" in page
    (True, True)
    """
    if len(dataset.places) > limit:
        raise TooLarge(
            f"to_pyvis draws at most {limit:,} places and this dataset has "
            f"{len(dataset.places):,}: take a neighbourhood first (dataset.neighbourhood("
            f"'jakarta', 2)), or write the whole network with `sistercities viz`"
        )
    from pyvis.network import Network

    from .viz import VizOptions, _page_data

    settings: dict[str, Any] = {"height": "600px", "width": "100%", "cdn_resources": "in_line"}
    net = Network(**{**settings, **options})
    environment = _pyvis_environment()
    net.templateEnv = environment
    net.path = "sistercities.html"
    net.template = environment.get_template("sistercities.html")
    data = _page_data(dataset, VizOptions())
    for node in data["nodes"]:
        net.add_node(
            node["id"],
            label=node["label"],
            title=node["title"],
            color=node["color"],
            value=node["value"],
        )
    for edge in data["edges"]:
        net.add_edge(
            edge["from"],
            edge["to"],
            title=edge["title"],
            color=edge["color"]["color"],
            dashes=edge["dashes"],
            width=edge["width"],
        )
    return net
