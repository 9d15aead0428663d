"""Dataset ↔ RDF. `triples` streams the triples of a dataset as plain data (IRIs as strings,
literals as `Lit`); `to_rdf` collects them into an ``rdflib.Graph``; `from_rdf` reads a Dataset
back, so YAML → RDF → Dataset → RDF is lossless.

Every entity is an IRI under one base (`DEFAULT_BASE` unless told otherwise); intermediate
nodes (roles, sessions, geometries, reported counts) get IRIs under their owner, so there are
no blank nodes.

>>> import graph
>>> g = to_rdf(graph.load_dataset(graph.DEFAULT_DATA))
>>> from rdflib import URIRef
>>> URIRef(DEFAULT_BASE + "place/los-angeles") in set(g.objects(
...     URIRef(DEFAULT_BASE + "place/jakarta"), URIRef(SC.twinnedWith)))
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from graph.dates import PartialDate, Precision
from graph.model import (
    Agreement,
    Area,
    Coordinates,
    Dataset,
    Event,
    Official,
    Partnership,
    Place,
    ReportedCount,
    Role,
    Session,
    Source,
    Visit,
)
from graph.vocab import (
    DCTERMS,
    DEFAULT_BASE,
    EDTF,
    GEO,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SC,
    SDO,
    SKOS,
    WD,
    WGS84,
    XSD,
    Lit,
    Namespace,
    concept,
    concept_triples,
)

if TYPE_CHECKING:
    import rdflib

__all__ = [
    "DEFAULT_BASE",
    "Iris",
    "Triple",
    "from_rdf",
    "oxigraph_triples",
    "prefixes",
    "to_rdf",
    "triples",
]

Triple = tuple[str, str, "str | Lit"]

_XSD_BY_PRECISION = {
    Precision.YEAR: XSD.gYear,
    Precision.MONTH: XSD.gYearMonth,
    Precision.DAY: XSD.date,
}
_CITY_KINDS = frozenset({"city", "municipality", "metropolis"})

# Each date role: (plain typed-literal property, suffix of the EDTF and bound properties)
_DATE_ROLES = {
    "start": (SDO.startDate, "Start"),
    "end": (SDO.endDate, "End"),
    "signed": (SC.signed, "Signed"),
    "issued": (DCTERMS.issued, "Issued"),
    "as_of": (SC.asOf, "AsOf"),
}


class Iris:
    """The IRIs of a dataset's entities under a base.

    >>> Iris("https://example.org/").place.jakarta
    'https://example.org/place/jakarta'
    """

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self.place = Namespace(base + "place/")
        self.partnership = Namespace(base + "partnership/")
        self.official = Namespace(base + "official/")
        self.event = Namespace(base + "event/")
        self.visit = Namespace(base + "visit/")
        self.agreement = Namespace(base + "agreement/")
        self.source = Namespace(base + "source/")
        self.area = Namespace(base + "area/")
        self.areas = base + "areas"

    def prefixes(self) -> dict[str, str]:
        """Prefixes for the data's own namespaces."""
        return {
            "place": self.place,
            "tie": self.partnership,
            "official": self.official,
            "event": self.event,
            "visit": self.visit,
            "agreement": self.agreement,
            "source": self.source,
            "area": self.area,
        }


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Every prefix an export binds: the vocabularies' and the data's."""
    return {**PREFIXES, **Iris(base).prefixes()}


def _date(subject: str, role: str, date: PartialDate | None) -> Iterator[Triple]:
    if date is None:
        return
    plain, suffix = _DATE_ROLES[role]
    if date.is_interval or date.approximate or date.uncertain:
        yield subject, SC.term("edtf" + suffix), Lit(date.text, EDTF.EDTF)
    else:
        yield subject, plain, Lit(date.text, _XSD_BY_PRECISION[date.precision])
    if date.earliest is not None:
        yield subject, SC.term("earliest" + suffix), Lit(date.earliest.isoformat(), XSD.date)
    if date.latest is not None:
        yield subject, SC.term("latest" + suffix), Lit(date.latest.isoformat(), XSD.date)


def _text(
    subject: str, predicate: str, value: str | None, lang: str | None = None
) -> Iterator[Triple]:
    if value is not None:
        yield subject, predicate, Lit(value, None, lang)


def _links(
    subject: str, predicate: str, namespace: Namespace, ids: Iterable[str]
) -> Iterator[Triple]:
    for ident in ids:
        yield subject, predicate, namespace.term(ident)


def _double(value: float) -> Lit:
    return Lit(repr(float(value)), XSD.double)


def triples(dataset: Dataset, base: str = DEFAULT_BASE) -> Iterator[Triple]:
    """Every triple of the dataset, in a stable order (entities in file order).

    >>> from graph.model import Place
    >>> ds = Dataset(places={"x": Place("x", "X", "city", "ID", ("s",))})
    >>> len(list(triples(ds))) > 5
    True
    """
    iris = Iris(base)
    yield from concept_triples()
    yield iris.areas, RDF.type, SKOS.ConceptScheme
    yield iris.areas, SKOS.prefLabel, Lit("Cooperation areas", lang="en")
    for source in dataset.sources.values():
        yield from _source(iris, source)
    for area in dataset.areas.values():
        yield from _area(iris, area)
    for place in dataset.places.values():
        yield from _place(iris, place)
    twinned: set[tuple[str, str]] = set()
    for tie in dataset.partnerships.values():
        yield from _partnership(iris, tie, twinned)
    for official in dataset.officials.values():
        yield from _official(iris, official)
    for event in dataset.events.values():
        yield from _event(iris, event)
    for visit in dataset.visits.values():
        yield from _visit(iris, visit)
    for agreement in dataset.agreements.values():
        yield from _agreement(iris, agreement)


def _source(iris: Iris, source: Source) -> Iterator[Triple]:
    s = iris.source.term(source.id)
    yield s, RDF.type, SC.Source
    yield s, DCTERMS.term("title"), Lit(source.title)
    yield from _text(s, DCTERMS.publisher, source.publisher)
    yield from _date(s, "issued", source.published)
    if source.url is not None:
        yield s, SDO.url, Lit(source.url, XSD.anyURI)
    yield from _text(s, DCTERMS.language, source.language)
    yield from _text(s, DCTERMS.rights, source.licence)
    yield from _text(s, SKOS.note, source.notes)


def _area(iris: Iris, area: Area) -> Iterator[Triple]:
    s = iris.area.term(area.id)
    yield s, RDF.type, SKOS.Concept
    yield s, SKOS.inScheme, iris.areas
    for lang, label in sorted(area.label.items()):
        yield s, SKOS.prefLabel, Lit(label, lang=lang)
    if area.broader is not None:
        yield s, SKOS.broader, iris.area.term(area.broader)
    yield from _text(s, SKOS.note, area.notes)


def _place(iris: Iris, place: Place) -> Iterator[Triple]:
    s = iris.place.term(place.id)
    yield s, RDF.type, SC.Place
    yield s, RDF.type, SDO.City if place.kind in _CITY_KINDS else SDO.AdministrativeArea
    yield s, SC.placeKind, concept("PlaceKind", place.kind)
    yield s, SDO.name, Lit(place.name, lang="en")
    yield s, RDFS.label, Lit(place.name, lang="en")
    for lang, label in sorted(place.labels.items()):
        yield s, SKOS.prefLabel, Lit(label, lang=lang)
    for alias in place.aliases:
        yield s, SKOS.altLabel, Lit(alias)
    yield s, SDO.addressCountry, Lit(place.country)
    if place.coordinates is not None:
        yield from _coordinates(s, place.coordinates)
    if place.wikidata is not None:
        yield s, OWL.sameAs, WD.term(place.wikidata)
    if place.geonames is not None:
        yield s, SC.geonamesId, Lit(str(place.geonames), XSD.integer)
    if place.population is not None:
        yield s, SC.population, Lit(str(place.population), XSD.integer)
    if place.part_of is not None:
        yield s, SDO.containedInPlace, iris.place.term(place.part_of)
    for index, count in enumerate(place.reported_partner_counts, 1):
        yield from _reported_count(iris, f"{s}/count/{index}", s, count)
    yield from _links(s, PROV.wasDerivedFrom, iris.source, place.sources)
    yield from _text(s, SKOS.note, place.notes)


def _coordinates(s: str, point: Coordinates) -> Iterator[Triple]:
    yield s, WGS84.lat, _double(point.lat)
    yield s, WGS84.long, _double(point.lon)
    geometry = f"{s}/geometry"
    yield s, GEO.hasGeometry, geometry
    yield geometry, RDF.type, GEO.Geometry
    yield geometry, GEO.asWKT, Lit(f"POINT({point.lon!r} {point.lat!r})", GEO.wktLiteral)


def _reported_count(iris: Iris, node: str, place: str, count: ReportedCount) -> Iterator[Triple]:
    yield place, SC.reportedPartnerCount, node
    yield node, RDF.type, SC.ReportedCount
    yield node, SC.term("count"), Lit(str(count.count), XSD.integer)
    yield from _date(node, "as_of", count.as_of)
    yield from _links(node, PROV.wasDerivedFrom, iris.source, count.sources)


def _partnership(iris: Iris, tie: Partnership, twinned: set[tuple[str, str]]) -> Iterator[Triple]:
    s = iris.partnership.term(tie.id)
    a, b = (iris.place.term(p) for p in tie.between)
    if tie.status != "planned":
        for x, y in ((a, b), (b, a)):
            if (x, y) not in twinned:
                twinned.add((x, y))
                yield x, SC.twinnedWith, y
    yield s, RDF.type, SC.Partnership
    yield s, SC.partner, a
    if b != a:
        yield s, SC.partner, b
    yield s, SC.partnershipKind, concept("PartnershipKind", tie.kind)
    yield s, SC.status, concept("Status", tie.status)
    yield from _date(s, "start", tie.since)
    yield from _date(s, "end", tie.until)
    yield from _links(s, SC.area, iris.area, tie.areas)
    yield from _links(s, SC.agreement, iris.agreement, tie.agreements)
    yield from _links(s, PROV.wasDerivedFrom, iris.source, tie.sources)
    yield from _text(s, SKOS.note, tie.notes)


def _official(iris: Iris, official: Official) -> Iterator[Triple]:
    s = iris.official.term(official.id)
    yield s, RDF.type, SC.Official
    yield s, RDF.type, SDO.Person
    yield s, SDO.name, Lit(official.name)
    if official.wikidata is not None:
        yield s, OWL.sameAs, WD.term(official.wikidata)
    for index, role in enumerate(official.roles, 1):
        yield from _role(iris, f"{s}/role/{index}", s, role)
    yield from _links(s, PROV.wasDerivedFrom, iris.source, official.sources)
    yield from _text(s, SKOS.note, official.notes)


def _role(iris: Iris, node: str, official: str, role: Role) -> Iterator[Triple]:
    yield official, SC.holdsRole, node
    yield node, RDF.type, SC.Role
    yield node, ORG.member, official
    yield node, SDO.roleName, Lit(role.title)
    if role.of is not None:
        yield node, SC.officeOf, iris.place.term(role.of)
    yield from _text(node, SC.organisationName, role.organisation)
    yield from _date(node, "start", role.start)
    yield from _date(node, "end", role.end)
    yield from _links(node, PROV.wasDerivedFrom, iris.source, role.sources)


def _event(iris: Iris, event: Event) -> Iterator[Triple]:
    s = iris.event.term(event.id)
    yield s, RDF.type, SC.Event
    yield s, RDF.type, SDO.Event
    yield s, SDO.name, Lit(event.name)
    yield s, SDO.location, iris.place.term(event.place)
    yield from _text(s, SC.venue, event.venue)
    yield from _date(s, "start", event.start)
    yield from _date(s, "end", event.end)
    if event.url is not None:
        yield s, SDO.url, Lit(event.url, XSD.anyURI)
    for index, session in enumerate(event.sessions, 1):
        yield from _session(iris, f"{s}/session/{index}", s, session)
    yield from _links(s, PROV.wasDerivedFrom, iris.source, event.sources)
    yield from _text(s, SKOS.note, event.notes)


def _session(iris: Iris, node: str, event: str, session: Session) -> Iterator[Triple]:
    yield event, SDO.subEvent, node
    yield node, RDF.type, SC.Session
    yield node, RDF.type, SDO.Event
    yield node, SDO.name, Lit(session.title)
    if session.kind is not None:
        yield node, SC.sessionKind, concept("SessionKind", session.kind)
    yield from _date(node, "start", session.date)
    yield from _links(node, SDO.performer, iris.official, session.speakers)


def _visit(iris: Iris, visit: Visit) -> Iterator[Triple]:
    s = iris.visit.term(visit.id)
    yield s, RDF.type, SC.Visit
    yield s, RDF.type, SDO.Event
    yield from _links(s, SC.visitor, iris.official, visit.visitors)
    yield s, SDO.location, iris.place.term(visit.place)
    yield from _date(s, "start", visit.start)
    yield from _date(s, "end", visit.end)
    yield from _text(s, SC.purpose, visit.purpose)
    if visit.partnership is not None:
        yield s, SC.partnership, iris.partnership.term(visit.partnership)
    yield from _links(s, SC.attended, iris.event, visit.events)
    yield from _links(s, SC.met, iris.official, visit.met)
    yield from _links(s, SC.area, iris.area, visit.areas)
    yield from _links(s, PROV.wasDerivedFrom, iris.source, visit.sources)
    yield from _text(s, SKOS.note, visit.notes)


def _agreement(iris: Iris, agreement: Agreement) -> Iterator[Triple]:
    s = iris.agreement.term(agreement.id)
    yield s, RDF.type, SC.Agreement
    yield s, SC.agreementKind, concept("AgreementKind", agreement.kind)
    yield from _text(s, DCTERMS.term("title"), agreement.title)
    yield from _links(s, SC.party, iris.place, agreement.parties)
    yield s, SC.agreementStatus, concept("AgreementStatus", agreement.status)
    yield from _date(s, "signed", agreement.signed)
    if agreement.partnership is not None:
        yield s, SC.partnership, iris.partnership.term(agreement.partnership)
    yield from _links(s, SC.area, iris.area, agreement.areas)
    yield from _links(s, PROV.wasDerivedFrom, iris.source, agreement.sources)
    yield from _text(s, SKOS.note, agreement.notes)


# ---------------------------------------------------------------------------------------------
# pyoxigraph and rdflib terms


def oxigraph_triples(stream: Iterable[Triple]) -> Iterator[Any]:
    """The plain triples as pyoxigraph `Triple`s (each IRI and datatype built once)."""
    import pyoxigraph as ox

    named: dict[str, Any] = {}
    named_node, literal, triple = ox.NamedNode, ox.Literal, ox.Triple

    def iri(value: str) -> Any:
        node = named.get(value)
        if node is None:
            node = named[value] = named_node(value)
        return node

    for s, p, o in stream:
        if isinstance(o, Lit):
            if o.lang is not None:
                obj = literal(o.value, language=o.lang)
            elif o.datatype is not None and o.datatype != XSD.string:
                obj = literal(o.value, datatype=iri(o.datatype))
            else:
                obj = literal(o.value)
        else:
            obj = iri(o)
        yield triple(iri(s), iri(p), obj)


def to_rdflib_term(term: str | Lit) -> Any:
    """An rdflib term for a plain IRI string or a `Lit`."""
    from rdflib import Literal, URIRef

    if isinstance(term, Lit):
        return Literal(
            term.value, lang=term.lang, datatype=URIRef(term.datatype) if term.datatype else None
        )
    return URIRef(term)


def to_rdf(dataset: Dataset, base: str = DEFAULT_BASE) -> rdflib.Graph:
    """The dataset as an ``rdflib.Graph``, with every prefix bound."""
    from rdflib import Graph, Literal, URIRef

    graph = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, namespace)
    iri_cache: dict[str, URIRef] = {}
    add = graph.add
    for s, p, o in triples(dataset, base):
        subject = iri_cache.get(s) or iri_cache.setdefault(s, URIRef(s))
        predicate = iri_cache.get(p) or iri_cache.setdefault(p, URIRef(p))
        if isinstance(o, Lit):
            datatype = URIRef(o.datatype) if o.datatype else None
            obj: Any = Literal(o.value, lang=o.lang, datatype=datatype)
        else:
            obj = iri_cache.get(o) or iri_cache.setdefault(o, URIRef(o))
        add((subject, predicate, obj))
    return graph


class _Node:
    """The triples of one subject, by predicate, as plain strings and `Lit`s."""

    def __init__(self) -> None:
        self.values: dict[str, list[str | Lit]] = defaultdict(list)

    def iris(self, predicate: str) -> list[str]:
        return sorted(v for v in self.values.get(predicate, ()) if not isinstance(v, Lit))

    def iri(self, predicate: str) -> str | None:
        found = self.iris(predicate)
        return found[0] if found else None

    def lits(self, predicate: str) -> list[Lit]:
        return sorted(v for v in self.values.get(predicate, ()) if isinstance(v, Lit))

    def text(self, predicate: str, lang: str | None = None) -> str | None:
        for value in self.lits(predicate):
            if value.lang == lang:
                return value.value
        return None

    def date(self, role: str) -> PartialDate | None:
        plain, suffix = _DATE_ROLES[role]
        edtf = self.lits(SC.term("edtf" + suffix)) or self.lits(plain)
        return PartialDate.parse(edtf[0].value) if edtf else None


def _local(iri: str, namespace: str) -> str:
    return iri[len(namespace) :] if iri.startswith(namespace) else iri


def _concept_value(iri: str | None, scheme: str) -> Any:
    if iri is None:
        return None
    return _local(iri, concept(scheme, ""))


def _index(iri: str) -> int:
    return int(iri.rsplit("/", 1)[1])


def _plain_data(graph: rdflib.Graph) -> dict[str, _Node]:
    from rdflib import Literal

    nodes: dict[str, _Node] = defaultdict(_Node)
    for s, p, o in graph:
        if isinstance(o, Literal):
            datatype = str(o.datatype) if o.datatype else None
            value: str | Lit = Lit(str(o), datatype, o.language)
        else:
            value = str(o)
        nodes[str(s)].values[str(p)].append(value)
    return nodes


def from_rdf(graph: rdflib.Graph, base: str = DEFAULT_BASE) -> Dataset:
    """Read a Dataset back from RDF written by `to_rdf` (lists come back sorted).

    >>> import graph as g
    >>> from rdflib.compare import isomorphic
    >>> first = to_rdf(g.load_dataset(g.DEFAULT_DATA))
    >>> isomorphic(to_rdf(from_rdf(first)), first)
    True
    """
    iris = Iris(base)
    nodes = _plain_data(graph)

    def of_type(cls: str, namespace: str) -> list[tuple[str, str, _Node]]:
        found = [
            (_local(s, namespace), s, node)
            for s, node in nodes.items()
            if s.startswith(namespace)
            and "/" not in s[len(namespace) :]
            and cls in node.values.get(RDF.type, ())
        ]
        return sorted(found, key=lambda item: item[0])

    def ids(node: _Node, predicate: str, namespace: str) -> tuple[str, ...]:
        return tuple(_local(i, namespace) for i in node.iris(predicate))

    def ref(node: _Node, predicate: str, namespace: str) -> str | None:
        found = node.iri(predicate)
        return _local(found, namespace) if found else None

    sources = {}
    for ident, _, n in of_type(SC.Source, iris.source):
        url = n.lits(SDO.url)
        sources[ident] = Source(
            id=ident,
            title=n.text(DCTERMS.term("title")) or "",
            publisher=n.text(DCTERMS.publisher),
            published=n.date("issued"),
            url=url[0].value if url else None,
            language=n.text(DCTERMS.language),
            licence=n.text(DCTERMS.rights),
            notes=n.text(SKOS.note),
        )
    areas = {}
    for ident, _, n in of_type(SKOS.Concept, iris.area):
        areas[ident] = Area(
            id=ident,
            label={lit.lang: lit.value for lit in n.lits(SKOS.prefLabel) if lit.lang},
            broader=ref(n, SKOS.broader, iris.area),
            notes=n.text(SKOS.note),
        )
    places = {}
    for ident, _, n in of_type(SC.Place, iris.place):
        lat, lon = n.lits(WGS84.lat), n.lits(WGS84.long)
        counts = []
        for count_iri in sorted(n.iris(SC.reportedPartnerCount), key=_index):
            c = nodes[count_iri]
            as_of = c.date("as_of")
            assert as_of is not None
            counts.append(
                ReportedCount(
                    count=int(c.lits(SC.term("count"))[0].value),
                    as_of=as_of,
                    sources=ids(c, PROV.wasDerivedFrom, iris.source),
                )
            )
        geonames, population = n.lits(SC.geonamesId), n.lits(SC.population)
        places[ident] = Place(
            id=ident,
            name=n.text(SDO.name, "en") or "",
            kind=_concept_value(n.iri(SC.placeKind), "PlaceKind"),
            country=n.text(SDO.addressCountry) or "",
            sources=ids(n, PROV.wasDerivedFrom, iris.source),
            labels={lit.lang: lit.value for lit in n.lits(SKOS.prefLabel) if lit.lang},
            aliases=tuple(lit.value for lit in n.lits(SKOS.altLabel)),
            coordinates=Coordinates(float(lat[0].value), float(lon[0].value))
            if lat and lon
            else None,
            wikidata=ref(n, OWL.sameAs, WD),
            geonames=int(geonames[0].value) if geonames else None,
            population=int(population[0].value) if population else None,
            part_of=ref(n, SDO.containedInPlace, iris.place),
            reported_partner_counts=tuple(counts),
            notes=n.text(SKOS.note),
        )
    partnerships = {}
    for ident, _, n in of_type(SC.Partnership, iris.partnership):
        partners = ids(n, SC.partner, iris.place)
        between = (partners[0], partners[-1]) if partners else ("", "")
        partnerships[ident] = Partnership(
            id=ident,
            between=between,
            kind=_concept_value(n.iri(SC.partnershipKind), "PartnershipKind"),
            status=_concept_value(n.iri(SC.status), "Status"),
            sources=ids(n, PROV.wasDerivedFrom, iris.source),
            since=n.date("start"),
            until=n.date("end"),
            areas=ids(n, SC.area, iris.area),
            agreements=ids(n, SC.agreement, iris.agreement),
            notes=n.text(SKOS.note),
        )
    officials = {}
    for ident, _, n in of_type(SC.Official, iris.official):
        roles = []
        for role_iri in sorted(n.iris(SC.holdsRole), key=_index):
            r = nodes[role_iri]
            roles.append(
                Role(
                    title=r.text(SDO.roleName) or "",
                    sources=ids(r, PROV.wasDerivedFrom, iris.source),
                    of=ref(r, SC.officeOf, iris.place),
                    organisation=r.text(SC.organisationName),
                    start=r.date("start"),
                    end=r.date("end"),
                )
            )
        officials[ident] = Official(
            id=ident,
            name=n.text(SDO.name) or "",
            sources=ids(n, PROV.wasDerivedFrom, iris.source),
            wikidata=ref(n, OWL.sameAs, WD),
            roles=tuple(roles),
            notes=n.text(SKOS.note),
        )
    events = {}
    for ident, _, n in of_type(SC.Event, iris.event):
        sessions = []
        for session_iri in sorted(n.iris(SDO.subEvent), key=_index):
            x = nodes[session_iri]
            sessions.append(
                Session(
                    title=x.text(SDO.name) or "",
                    kind=_concept_value(x.iri(SC.sessionKind), "SessionKind"),
                    date=x.date("start"),
                    speakers=ids(x, SDO.performer, iris.official),
                )
            )
        url = n.lits(SDO.url)
        start = n.date("start")
        assert start is not None
        events[ident] = Event(
            id=ident,
            name=n.text(SDO.name) or "",
            place=ref(n, SDO.location, iris.place) or "",
            start=start,
            sources=ids(n, PROV.wasDerivedFrom, iris.source),
            end=n.date("end"),
            venue=n.text(SC.venue),
            url=url[0].value if url else None,
            sessions=tuple(sessions),
            notes=n.text(SKOS.note),
        )
    visits = {}
    for ident, _, n in of_type(SC.Visit, iris.visit):
        start = n.date("start")
        assert start is not None
        visits[ident] = Visit(
            id=ident,
            visitors=ids(n, SC.visitor, iris.official),
            place=ref(n, SDO.location, iris.place) or "",
            start=start,
            sources=ids(n, PROV.wasDerivedFrom, iris.source),
            end=n.date("end"),
            purpose=n.text(SC.purpose),
            partnership=ref(n, SC.partnership, iris.partnership),
            events=ids(n, SC.attended, iris.event),
            met=ids(n, SC.met, iris.official),
            areas=ids(n, SC.area, iris.area),
            notes=n.text(SKOS.note),
        )
    agreements = {}
    for ident, _, n in of_type(SC.Agreement, iris.agreement):
        agreements[ident] = Agreement(
            id=ident,
            kind=_concept_value(n.iri(SC.agreementKind), "AgreementKind"),
            parties=ids(n, SC.party, iris.place),
            status=_concept_value(n.iri(SC.agreementStatus), "AgreementStatus"),
            sources=ids(n, PROV.wasDerivedFrom, iris.source),
            title=n.text(DCTERMS.term("title")),
            signed=n.date("signed"),
            partnership=ref(n, SC.partnership, iris.partnership),
            areas=ids(n, SC.area, iris.area),
            notes=n.text(SKOS.note),
        )
    return Dataset(
        sources=sources,
        areas=areas,
        places=places,
        partnerships=partnerships,
        officials=officials,
        events=events,
        visits=visits,
        agreements=agreements,
    )
