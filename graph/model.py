"""The data model: frozen dataclasses for every kind of fact, and the `Dataset` holding them.

Fields mirror ``data/cities.yaml`` (see docs/data-format.md); lists are tuples and every
entity keeps the `Location` it was read from (ignored when entities are compared).

>>> from sistercities.dates import parse_date
>>> tie = Partnership(
...     id="jakarta--los-angeles", between=("jakarta", "los-angeles"), kind="sister-city",
...     status="active", since=parse_date(1990), sources=("merahputih-2018-la",))
>>> tie.other("jakarta")
'los-angeles'
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .dates import PartialDate
from .errors import Location

__all__ = [
    "ADMIN1_PATTERN",
    "AGREEMENT_KINDS",
    "AGREEMENT_STATUSES",
    "ENTITY_NAMES",
    "PARTNERSHIP_KINDS",
    "PARTNERSHIP_STATUSES",
    "PLACE_KINDS",
    "SECTION_ATTRIBUTES",
    "SESSION_KINDS",
    "Agreement",
    "Area",
    "Coordinates",
    "Coverage",
    "Dataset",
    "Event",
    "Official",
    "Partnership",
    "Place",
    "ReportedCount",
    "Role",
    "Session",
    "Source",
    "Visit",
    "tie_id",
]

PLACE_KINDS = (
    "city",
    "municipality",
    "district",
    "county",
    "province",
    "state",
    "region",
    "prefecture",
    "metropolis",
    "territory",
)
# A first-level division: the country code and GeoNames' admin1 code (US-IL).
ADMIN1_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{1,6}$"
PARTNERSHIP_KINDS = ("sister-city", "sister-province", "friendship", "cooperation")
PARTNERSHIP_STATUSES = ("active", "suspended", "ended", "planned", "listed")
AGREEMENT_KINDS = (
    "letter-of-intent",
    "memorandum-of-understanding",
    "agreement",
    "charter",
    "declaration",
)
AGREEMENT_STATUSES = ("planned", "signed", "expired", "cancelled")
SESSION_KINDS = ("keynote", "session", "private-session", "panel")

# The sections of the YAML data: the `Dataset` attribute each fills, and what one entry is
# called in messages ("unknown place 'atlantis'").
SECTION_ATTRIBUTES = {
    "sources": "sources",
    "areas": "areas",
    "cities": "places",
    "partnerships": "partnerships",
    "officials": "officials",
    "events": "events",
    "visits": "visits",
    "agreements": "agreements",
}
ENTITY_NAMES = {
    "sources": "source",
    "areas": "area",
    "cities": "place",
    "partnerships": "partnership",
    "officials": "official",
    "events": "event",
    "visits": "visit",
    "agreements": "agreement",
}


def tie_id(a: str, b: str, kind: str | None = None) -> str:
    """The default id of a tie: the two place ids in sorted order joined by ``--``, plus
    ``--kind`` for a later tie of a pair already tied.

    >>> tie_id("los-angeles", "jakarta"), tie_id("jakarta", "casablanca", "friendship")
    ('jakarta--los-angeles', 'casablanca--jakarta--friendship')
    """
    first, second = sorted((a, b))
    return f"{first}--{second}" if kind is None else f"{first}--{second}--{kind}"


_NOWHERE = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Source:
    """Where facts come from: a news article, an official page, a data file."""

    id: str
    title: str
    publisher: str | None = None
    published: PartialDate | None = None
    url: str | None = None
    language: str | None = None
    licence: str | None = None
    notes: str | None = None
    location: Location | None = _NOWHERE


@dataclass(frozen=True)
class Area:
    """A cooperation area (tourism, fire and rescue …): a concept of a controlled vocabulary."""

    id: str
    label: Mapping[str, str]
    broader: str | None = None
    notes: str | None = None
    location: Location | None = _NOWHERE


@dataclass(frozen=True)
class Coordinates:
    """A point in WGS 84 degrees.

    >>> round(Coordinates(-6.2, 106.8).km_to(Coordinates(33.6, -7.6)))
    12642
    """

    lat: float
    lon: float

    def km_to(self, other: Coordinates) -> float:
        """The great-circle distance to `other`, in kilometres."""
        la1, lo1, la2, lo2 = map(math.radians, (self.lat, self.lon, other.lat, other.lon))
        h = (
            math.sin((la2 - la1) / 2) ** 2
            + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        )
        return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class ReportedCount:
    """A number of partners that a source states for a place at some date."""

    count: int
    as_of: PartialDate
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """What a source says of a place's list of partners: complete (or not) as of a date."""

    complete: bool
    as_of: PartialDate
    sources: tuple[str, ...]
    notes: str | None = None


@dataclass(frozen=True)
class Place:
    """A place that partners: a city, a province, a state, a region, a district …"""

    id: str
    name: str
    kind: str
    country: str | None  # None where no source gives it (bulk imports of Wikidata pairs)
    sources: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    coordinates: Coordinates | None = None
    wikidata: str | None = None
    geonames: int | None = None
    population: int | None = None
    admin1: str | None = None  # the first-level division, as CC-CODE (GeoNames' admin1 code)
    part_of: str | None = None
    reported_partner_counts: tuple[ReportedCount, ...] = ()
    coverage: Coverage | None = None
    notes: str | None = None
    location: Location | None = _NOWHERE

    def names(self) -> Iterator[str]:
        """Every name the place goes by: its name, labels and aliases."""
        yield self.name
        yield from self.labels.values()
        yield from self.aliases


@dataclass(frozen=True)
class Partnership:
    """A tie between two places; `between` is unordered (kept as written)."""

    id: str
    between: tuple[str, str]
    kind: str
    status: str
    sources: tuple[str, ...]
    since: PartialDate | None = None
    until: PartialDate | None = None
    areas: tuple[str, ...] = ()
    agreements: tuple[str, ...] = ()
    notes: str | None = None
    location: Location | None = _NOWHERE

    def other(self, place_id: str) -> str:
        """The partner of `place_id` in this tie."""
        a, b = self.between
        if place_id == a:
            return b
        if place_id == b:
            return a
        raise KeyError(place_id)


@dataclass(frozen=True)
class Role:
    """An office held by an official: a title, of a place, over a term."""

    title: str
    sources: tuple[str, ...]
    of: str | None = None
    organisation: str | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    location: Location | None = _NOWHERE


@dataclass(frozen=True)
class Official:
    """A person who holds or held office."""

    id: str
    name: str
    sources: tuple[str, ...]
    wikidata: str | None = None
    roles: tuple[Role, ...] = ()
    notes: str | None = None
    location: Location | None = _NOWHERE


@dataclass(frozen=True)
class Session:
    """A session of an event: a keynote, a panel, a private session."""

    title: str
    kind: str | None = None
    date: PartialDate | None = None
    speakers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """A conference or ceremony at a place."""

    id: str
    name: str
    place: str
    start: PartialDate
    sources: tuple[str, ...]
    end: PartialDate | None = None
    venue: str | None = None
    url: str | None = None
    sessions: tuple[Session, ...] = ()
    notes: str | None = None
    location: Location | None = _NOWHERE


@dataclass(frozen=True)
class Visit:
    """A trip of one or more officials to a place."""

    id: str
    visitors: tuple[str, ...]
    place: str
    start: PartialDate
    sources: tuple[str, ...]
    end: PartialDate | None = None
    purpose: str | None = None
    partnership: str | None = None
    events: tuple[str, ...] = ()
    met: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    notes: str | None = None
    location: Location | None = _NOWHERE


@dataclass(frozen=True)
class Agreement:
    """A document between places: a letter of intent, a memorandum, a charter …"""

    id: str
    kind: str
    parties: tuple[str, ...]
    status: str
    sources: tuple[str, ...]
    title: str | None = None
    signed: PartialDate | None = None
    partnership: str | None = None
    areas: tuple[str, ...] = ()
    notes: str | None = None
    location: Location | None = _NOWHERE


@dataclass(frozen=True)
class Dataset:
    """Every fact, by kind, each a mapping from id to entity in file order (treat as read-only).

    >>> ds = Dataset()
    >>> ds.counts()["places"]
    0
    """

    sources: Mapping[str, Source] = field(default_factory=dict)
    areas: Mapping[str, Area] = field(default_factory=dict)
    places: Mapping[str, Place] = field(default_factory=dict)
    partnerships: Mapping[str, Partnership] = field(default_factory=dict)
    officials: Mapping[str, Official] = field(default_factory=dict)
    events: Mapping[str, Event] = field(default_factory=dict)
    visits: Mapping[str, Visit] = field(default_factory=dict)
    agreements: Mapping[str, Agreement] = field(default_factory=dict)

    # The attributes, in the order of the YAML sections they are read from.
    SECTIONS: ClassVar[tuple[str, ...]] = tuple(SECTION_ATTRIBUTES.values())

    def counts(self) -> dict[str, int]:
        """How many entities of each kind the dataset holds."""
        return {name: len(getattr(self, name)) for name in self.SECTIONS}

    # In a notebook (`sistercities.notebook` holds the code; its imports wait until used).

    def __repr__(self) -> str:
        """Its counts, not its 100,000 entities: ``<Dataset: 88 places, 120 partnerships …>``."""
        from .notebook import summary

        return summary(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: a table of the counts."""
        from .notebook import html_counts

        return html_counts(self)

    def neighbourhood(self, place: str, depth: int = 1) -> Dataset:
        """The places at most `depth` ties away from `place` (an id or a name), with their
        ties (`sistercities.notebook.neighbourhood`).

        >>> import sistercities
        >>> sistercities.load(curated_only=True).neighbourhood("jakarta", 0)
        <Dataset: 1 places, 0 partnerships, ... sources, ...>
        """
        from .notebook import neighbourhood

        return neighbourhood(self, place, depth)

    def to_networkx(self) -> Any:
        """A ``networkx.MultiGraph``: places as nodes, ties as edges keyed by their ids.

        >>> import sistercities
        >>> sistercities.load(curated_only=True).to_networkx().has_edge("jakarta", "seoul")
        True
        """
        from .notebook import to_networkx

        return to_networkx(self)

    def to_rdflib(self, base: str | None = None) -> Any:
        """An ``rdflib.Graph`` of the triples the exports hold (`base`: the IRIs' base).

        >>> import sistercities
        >>> graph = sistercities.load(curated_only=True).to_rdflib()
        >>> len(graph.query("SELECT ?p WHERE { place:jakarta sc:twinnedWith ?p }")) > 10
        True
        """
        from .notebook import to_rdflib

        return to_rdflib(self, base)

    def to_oxigraph(self, base: str | None = None) -> Any:
        """A ``pyoxigraph.Store`` of the same triples: faster than rdflib on the world's data.

        >>> import sistercities
        >>> len(sistercities.load(curated_only=True).to_oxigraph()) > 1000
        True
        """
        from .notebook import to_oxigraph

        return to_oxigraph(self, base)

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame``, one row a tie (the ``notebook`` extra installs pandas).

        >>> import sistercities
        >>> ties = sistercities.load(curated_only=True).to_dataframe()
        >>> ties[["a_name", "b_name", "kind", "since"]].iloc[0].tolist()  # doctest: +ELLIPSIS
        [...]
        """
        from .notebook import to_dataframe

        return to_dataframe(self)

    def to_pyvis(self, **options: Any) -> Any:
        """A ``pyvis.network.Network`` of a small dataset, offline, with our colours and
        tooltips (`sistercities.notebook.to_pyvis`).

        >>> import sistercities
        >>> net = sistercities.load(curated_only=True).neighbourhood("jakarta", 1).to_pyvis()
        >>> net.nodes[0]["title"].count("\\n") >= 1
        True
        """
        from .notebook import to_pyvis

        return to_pyvis(self, **options)

    def partnerships_of(self, place_id: str) -> Iterator[Partnership]:
        """The ties a place takes part in, in file order (through an index of ties by place,
        built on first use: treat the dataset as read-only)."""
        index = self.__dict__.get("_ties_by_place")
        if index is None:
            index = self.ties_by_place()
            object.__setattr__(self, "_ties_by_place", index)
        partnerships = self.partnerships
        return (partnerships[tie] for tie in index.get(place_id, ()))

    def ties_by_place(self) -> dict[str, tuple[str, ...]]:
        """The ids of each place's ties, in file order."""
        index: dict[str, list[str]] = {}
        for tie in self.partnerships.values():
            # (`between` is None in a tie too broken to use, which validation still checks)
            for place in dict.fromkeys(tie.between or ()):
                index.setdefault(place, []).append(tie.id)
        return {place: tuple(ties) for place, ties in index.items()}
