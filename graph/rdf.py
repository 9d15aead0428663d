"""Dataset ↔ RDF. `triples` streams the triples of a dataset as plain data (IRIs as strings,
literals as `Lit`); `to_rdf` collects them into an ``rdflib.Graph``; `from_rdf` reads a Dataset
back, so YAML → RDF → Dataset → RDF is lossless.

Every entity is an IRI under one base (`DEFAULT_BASE` unless told otherwise); intermediate
nodes (roles, sessions, geometries, reported counts) get IRIs under their owner, so there are
no blank nodes.

>>> import sistercities
>>> g = to_rdf(sistercities.load_dataset(sistercities.DEFAULT_DATA))
>>> from rdflib import URIRef
>>> URIRef(DEFAULT_BASE + "place/los-angeles") in set(g.objects(
...     URIRef(DEFAULT_BASE + "place/jakarta"), URIRef(SC.twinnedWith)))
True
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .dates import PartialDate, Precision
from .errors import SisterCitiesError
from .model import (
    Agreement,
    Area,
    Coordinates,
    Coverage,
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
from .vocab import (
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
    concept_values,
)

if TYPE_CHECKING:
    import rdflib

__all__ = [
    "DEFAULT_BASE",
    "BaseIriError",
    "Iris",
    "Triple",
    "base_iri",
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


class BaseIriError(SisterCitiesError, ValueError):
    """A base IRI that entity IRIs cannot be built under."""


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# RFC 3987 forbids these in an IRI (besides controls and spaces); `\`, `^` and `|` too.
_NOT_IN_IRIS = frozenset('<>"{}|\\^`')
# RFC 3987 section 4.1: no bidirectional formatting characters.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def base_iri(value: str) -> str:
    """`value` as the base of entity IRIs: an absolute http(s) IRI (RFC 3987) with a host,
    ending in ``/`` or ``#`` (``/`` is added otherwise); `BaseIriError` saying what is wrong.

    >>> base_iri("https://example.org/id")
    'https://example.org/id/'
    >>> base_iri("https://ex.org/a b/")
    Traceback (most recent call last):
    sistercities.rdf.BaseIriError: the base IRI 'https://ex.org/a b/' holds a space at...
    """
    shown = repr(value)  # repr escapes controls, bidi overrides and other unprintables
    if not value:
        raise BaseIriError("the base IRI is empty; give an absolute IRI such as " + DEFAULT_BASE)
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) == "Cc":
            what = f"the control character U+{ord(char):04X}"
        elif char.isspace():
            what = "a space" if char == " " else f"the space U+{ord(char):04X}"
        elif char in _BIDI_CONTROLS:
            what = f"the bidirectional control U+{ord(char):04X}"
        elif char in _NOT_IN_IRIS:
            what = f"'{char}'"
        else:
            continue
        raise BaseIriError(
            f"the base IRI {shown} holds {what} at position {position}; an IRI cannot"
        )
    scheme = _SCHEME.match(value)
    if scheme is None:
        raise BaseIriError(
            f"the base IRI {shown} has no scheme: it must be absolute, such as {DEFAULT_BASE}"
        )
    if scheme.group(1).lower() not in ("http", "https"):
        raise BaseIriError(
            f"the base IRI {shown} is a '{scheme.group(1)}:' IRI; it must be http or https"
        )
    rest = value[scheme.end() :]
    if not rest.startswith("//") or rest[2:3] in ("", "/", "?", "#"):
        raise BaseIriError(f"the base IRI {shown} has no host (https://HOST/…)")
    if not value.endswith(("/", "#")):
        value += "/"
    import pyoxigraph as ox

    try:
        ox.NamedNode(value + "place/x")
    except ValueError as error:
        raise BaseIriError(f"the base IRI {shown} is not a valid IRI: {error}") from None
    return value


class Iris:
    """The IRIs of a dataset's entities under a base (checked by `base_iri`).

    >>> Iris("https://example.org/").place.jakarta
    'https://example.org/place/jakarta'
    """

    def __init__(self, base: str = DEFAULT_BASE):
        base = base_iri(base)
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


_new_lit = tuple.__new__  # Lit(...) without a Python-level call: this is the hot path


def _date_pairs(role: str, date: PartialDate) -> tuple[tuple[str, Lit], ...]:
    """The (predicate, literal) pairs that state a date in a role."""
    plain, suffix = _DATE_ROLES[role]
    pairs = []
    if date.is_interval or date.approximate or date.uncertain:
        pairs.append((SC.term("edtf" + suffix), Lit(date.text, EDTF.EDTF)))
    else:
        pairs.append((plain, Lit(date.text, _XSD_BY_PRECISION[date.precision])))
    if date.earliest is not None:
        pairs.append((SC.term("earliest" + suffix), Lit(date.earliest.isoformat(), XSD.date)))
    if date.latest is not None:
        pairs.append((SC.term("latest" + suffix), Lit(date.latest.isoformat(), XSD.date)))
    return tuple(pairs)


class _Emitter:
    """Appends the triples of entities to a list (faster than nested generators: exports of
    the world's network write close to a million triples)."""

    def __init__(self, base: str):
        self.iris = Iris(base)
        self.out: list[Triple] = []
        self.add = self.out.append
        self.dates: dict[tuple[str, str], tuple[tuple[str, Lit], ...]] = {}
        self.twinned: set[tuple[str, str]] = set()

    def take(self) -> list[Triple]:
        """The triples so far, emptying the buffer."""
        out = self.out
        self.out = []
        self.add = self.out.append
        return out

    def date(self, subject: str, role: str, date: PartialDate | None) -> None:
        if date is None:
            return
        key = (role, date.text)
        pairs = self.dates.get(key)
        if pairs is None:
            pairs = self.dates[key] = _date_pairs(role, date)
        add = self.add
        for predicate, literal in pairs:
            add((subject, predicate, literal))

    def text(
        self, subject: str, predicate: str, value: str | None, lang: str | None = None
    ) -> None:
        if value is not None:
            self.add((subject, predicate, _new_lit(Lit, (value, None, lang))))

    def links(self, subject: str, predicate: str, namespace: str, ids: Iterable[str]) -> None:
        add = self.add
        for ident in ids:
            add((subject, predicate, namespace + ident))

    def source(self, source: Source) -> None:
        s = self.iris.source + source.id
        add = self.add
        add((s, RDF.type, SC.Source))
        add((s, _TITLE, _new_lit(Lit, (source.title, None, None))))
        self.text(s, DCTERMS.publisher, source.publisher)
        self.date(s, "issued", source.published)
        if source.url is not None:
            add((s, SDO.url, Lit(source.url, XSD.anyURI)))
        self.text(s, DCTERMS.language, source.language)
        self.text(s, DCTERMS.rights, source.licence)
        self.text(s, SKOS.note, source.notes)

    def area(self, area: Area) -> None:
        iris, add = self.iris, self.add
        s = iris.area + area.id
        add((s, RDF.type, SKOS.Concept))
        add((s, SKOS.inScheme, iris.areas))
        for lang, label in sorted(area.label.items()):
            add((s, SKOS.prefLabel, Lit(label, lang=lang)))
        if area.broader is not None:
            add((s, SKOS.broader, iris.area + area.broader))
        self.text(s, SKOS.note, area.notes)

    def place(self, place: Place) -> None:
        iris, add = self.iris, self.add
        s = iris.place + place.id
        add((s, RDF.type, SC.Place))
        add((s, RDF.type, SDO.City if place.kind in _CITY_KINDS else SDO.AdministrativeArea))
        add((s, SC.placeKind, _CONCEPTS["PlaceKind", place.kind]))
        name = _new_lit(Lit, (place.name, None, "en"))
        add((s, SDO.name, name))
        add((s, RDFS.label, name))
        for lang, label in sorted(place.labels.items()):
            add((s, SKOS.prefLabel, Lit(label, lang=lang)))
        for alias in place.aliases:
            add((s, SKOS.altLabel, _new_lit(Lit, (alias, None, None))))
        if place.country is not None:
            add((s, SDO.addressCountry, _new_lit(Lit, (place.country, None, None))))
        point = place.coordinates
        if point is not None:
            add((s, WGS84.lat, _double(point.lat)))
            add((s, WGS84.long, _double(point.lon)))
            geometry = s + "/geometry"
            add((s, GEO.hasGeometry, geometry))
            add((geometry, RDF.type, GEO.Geometry))
            wkt = f"POINT({point.lon!r} {point.lat!r})"
            add((geometry, GEO.asWKT, _new_lit(Lit, (wkt, GEO.wktLiteral, None))))
        if place.wikidata is not None:
            add((s, OWL.sameAs, WD + place.wikidata))
        if place.geonames is not None:
            add((s, SC.geonamesId, Lit(str(place.geonames), XSD.integer)))
        if place.population is not None:
            add((s, SC.population, Lit(str(place.population), XSD.integer)))
        if place.admin1 is not None:
            add((s, SC.admin1, Lit(place.admin1)))
        if place.part_of is not None:
            add((s, SDO.containedInPlace, iris.place + place.part_of))
        for index, count in enumerate(place.reported_partner_counts, 1):
            node = f"{s}/count/{index}"
            add((s, SC.reportedPartnerCount, node))
            add((node, RDF.type, SC.ReportedCount))
            add((node, _COUNT, Lit(str(count.count), XSD.integer)))
            self.date(node, "as_of", count.as_of)
            self.links(node, PROV.wasDerivedFrom, iris.source, count.sources)
        if place.coverage is not None:
            coverage = place.coverage
            node = f"{s}/coverage"
            add((s, SC.partnerListCoverage, node))
            add((node, RDF.type, SC.PartnerListCoverage))
            complete = "true" if coverage.complete else "false"
            add((node, SC.partnerListComplete, Lit(complete, XSD.boolean)))
            self.date(node, "as_of", coverage.as_of)
            self.links(node, PROV.wasDerivedFrom, iris.source, coverage.sources)
            self.text(node, SKOS.note, coverage.notes)
        self.links(s, PROV.wasDerivedFrom, iris.source, place.sources)
        self.text(s, SKOS.note, place.notes)

    def partnership(self, tie: Partnership) -> None:
        iris, add = self.iris, self.add
        s = iris.partnership + tie.id
        a, b = iris.place + tie.between[0], iris.place + tie.between[1]
        if tie.status != "planned":
            pair = (a, b) if a < b else (b, a)
            if pair not in self.twinned:  # a pair with two ties gets one direct edge
                self.twinned.add(pair)
                add((a, _TWINNED, b))
                add((b, _TWINNED, a))
        add((s, RDF.type, SC.Partnership))
        add((s, SC.partner, a))
        if b != a:
            add((s, SC.partner, b))
        add((s, SC.partnershipKind, _CONCEPTS["PartnershipKind", tie.kind]))
        add((s, SC.status, _CONCEPTS["Status", tie.status]))
        self.date(s, "start", tie.since)
        self.date(s, "end", tie.until)
        self.links(s, SC.area, iris.area, tie.areas)
        self.links(s, SC.agreement, iris.agreement, tie.agreements)
        self.links(s, PROV.wasDerivedFrom, iris.source, tie.sources)
        self.text(s, SKOS.note, tie.notes)

    def official(self, official: Official) -> None:
        iris, add = self.iris, self.add
        s = iris.official + official.id
        add((s, RDF.type, SC.Official))
        add((s, RDF.type, SDO.Person))
        add((s, SDO.name, Lit(official.name)))
        if official.wikidata is not None:
            add((s, OWL.sameAs, WD + official.wikidata))
        for index, role in enumerate(official.roles, 1):
            node = f"{s}/role/{index}"
            add((s, SC.holdsRole, node))
            add((node, RDF.type, SC.Role))
            add((node, ORG.member, s))
            add((node, SDO.roleName, Lit(role.title)))
            if role.of is not None:
                add((node, SC.officeOf, iris.place + role.of))
            self.text(node, SC.organisationName, role.organisation)
            self.date(node, "start", role.start)
            self.date(node, "end", role.end)
            self.links(node, PROV.wasDerivedFrom, iris.source, role.sources)
        self.links(s, PROV.wasDerivedFrom, iris.source, official.sources)
        self.text(s, SKOS.note, official.notes)

    def event(self, event: Event) -> None:
        iris, add = self.iris, self.add
        s = iris.event + event.id
        add((s, RDF.type, SC.Event))
        add((s, RDF.type, SDO.Event))
        add((s, SDO.name, Lit(event.name)))
        add((s, SDO.location, iris.place + event.place))
        self.text(s, SC.venue, event.venue)
        self.date(s, "start", event.start)
        self.date(s, "end", event.end)
        if event.url is not None:
            add((s, SDO.url, Lit(event.url, XSD.anyURI)))
        for index, session in enumerate(event.sessions, 1):
            node = f"{s}/session/{index}"
            add((s, SDO.subEvent, node))
            add((node, RDF.type, SC.Session))
            add((node, RDF.type, SDO.Event))
            add((node, SDO.name, Lit(session.title)))
            if session.kind is not None:
                add((node, SC.sessionKind, concept("SessionKind", session.kind)))
            self.date(node, "start", session.date)
            self.links(node, SDO.performer, iris.official, session.speakers)
        self.links(s, PROV.wasDerivedFrom, iris.source, event.sources)
        self.text(s, SKOS.note, event.notes)

    def visit(self, visit: Visit) -> None:
        iris, add = self.iris, self.add
        s = iris.visit + visit.id
        add((s, RDF.type, SC.Visit))
        add((s, RDF.type, SDO.Event))
        self.links(s, SC.visitor, iris.official, visit.visitors)
        add((s, SDO.location, iris.place + visit.place))
        self.date(s, "start", visit.start)
        self.date(s, "end", visit.end)
        self.text(s, SC.purpose, visit.purpose)
        if visit.partnership is not None:
            add((s, SC.partnership, iris.partnership + visit.partnership))
        self.links(s, SC.attended, iris.event, visit.events)
        self.links(s, SC.met, iris.official, visit.met)
        self.links(s, SC.area, iris.area, visit.areas)
        self.links(s, PROV.wasDerivedFrom, iris.source, visit.sources)
        self.text(s, SKOS.note, visit.notes)

    def agreement(self, agreement: Agreement) -> None:
        iris, add = self.iris, self.add
        s = iris.agreement + agreement.id
        add((s, RDF.type, SC.Agreement))
        add((s, SC.agreementKind, concept("AgreementKind", agreement.kind)))
        self.text(s, _TITLE, agreement.title)
        self.links(s, SC.party, iris.place, agreement.parties)
        add((s, SC.agreementStatus, concept("AgreementStatus", agreement.status)))
        self.date(s, "signed", agreement.signed)
        if agreement.partnership is not None:
            add((s, SC.partnership, iris.partnership + agreement.partnership))
        self.links(s, SC.area, iris.area, agreement.areas)
        self.links(s, PROV.wasDerivedFrom, iris.source, agreement.sources)
        self.text(s, SKOS.note, agreement.notes)


_TITLE = DCTERMS.term("title")
_TWINNED = SC.twinnedWith
_CONCEPTS = {(scheme, value): concept(scheme, value) for scheme, value, _ in concept_values()}
_COUNT = SC.term("count")
_BATCH = 20_000  # triples buffered between yields


def _double(value: float) -> Lit:
    return Lit(repr(float(value)), XSD.double)


def triples(dataset: Dataset, base: str = DEFAULT_BASE) -> Iterator[Triple]:
    """Every triple of the dataset, in a stable order (entities in file order).

    IRIs are plain strings and literals `Lit`s, so any RDF library (or none) can take them.

    >>> from sistercities.model import Place
    >>> ds = Dataset(places={"x": Place("x", "X", "city", "ID", ("s",))})
    >>> ("https://w3id.org/sistercities/id/place/x", RDF.type, SC.Place) in set(triples(ds))
    True
    """
    emit = _Emitter(base)
    yield from concept_triples()
    yield emit.iris.areas, RDF.type, SKOS.ConceptScheme
    yield emit.iris.areas, SKOS.prefLabel, Lit("Cooperation areas", lang="en")
    sections: list[tuple[Iterable[Any], Any]] = [
        (dataset.sources.values(), emit.source),
        (dataset.areas.values(), emit.area),
        (dataset.places.values(), emit.place),
        (dataset.partnerships.values(), emit.partnership),
        (dataset.officials.values(), emit.official),
        (dataset.events.values(), emit.event),
        (dataset.visits.values(), emit.visit),
        (dataset.agreements.values(), emit.agreement),
    ]
    for entities, write in sections:
        for entity in entities:
            write(entity)
            if len(emit.out) >= _BATCH:
                yield from emit.take()
    yield from emit.take()


# ---------------------------------------------------------------------------------------------
# pyoxigraph and rdflib terms


def oxigraph_triples(stream: Iterable[Triple]) -> Iterator[Any]:
    """The plain triples as pyoxigraph `Triple`s (each IRI and literal built once)."""
    import pyoxigraph as ox

    terms: dict[Any, Any] = {}
    named_node, literal, triple = ox.NamedNode, ox.Literal, ox.Triple

    def make(value: str | Lit) -> Any:
        term: Any
        if not isinstance(value, Lit):
            if value.startswith("_:"):  # a blank node (CONSTRUCT and DESCRIBE answers)
                term = terms[value] = _blank_node(value[2:])
                return term
            term = terms[value] = named_node(value)
            return term
        text, datatype, lang = value
        if lang is not None:
            term = literal(text, language=lang)
        elif datatype is not None and datatype != XSD.string:
            term = literal(text, datatype=terms.get(datatype) or make(datatype))
        else:
            term = literal(text)
        terms[value] = term
        return term

    get = terms.get
    for s, p, o in stream:
        yield triple(get(s) or make(s), get(p) or make(p), get(o) or make(o))


def _blank_node(label: str) -> Any:
    """The blank node of a label (``_:label`` in an answer); a fresh one for a label that
    pyoxigraph would not write (each term is made once, so one label stays one node)."""
    import pyoxigraph as ox

    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode()


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
    return _local(iri, f"{SC}{scheme}-")  # the IRIs of the scheme's values start so


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

    >>> import sistercities as g
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
        coverage = None
        for coverage_iri in n.iris(SC.partnerListCoverage):
            c = nodes[coverage_iri]
            as_of = c.date("as_of")
            assert as_of is not None
            coverage = Coverage(
                complete=c.lits(SC.partnerListComplete)[0].value == "true",
                as_of=as_of,
                sources=ids(c, PROV.wasDerivedFrom, iris.source),
                notes=c.text(SKOS.note),
            )
        geonames, population = n.lits(SC.geonamesId), n.lits(SC.population)
        admin1 = n.lits(SC.admin1)
        places[ident] = Place(
            id=ident,
            name=n.text(SDO.name, "en") or "",
            kind=_concept_value(n.iri(SC.placeKind), "PlaceKind"),
            country=n.text(SDO.addressCountry),
            sources=ids(n, PROV.wasDerivedFrom, iris.source),
            labels={lit.lang: lit.value for lit in n.lits(SKOS.prefLabel) if lit.lang},
            aliases=tuple(lit.value for lit in n.lits(SKOS.altLabel)),
            coordinates=Coordinates(float(lat[0].value), float(lon[0].value))
            if lat and lon
            else None,
            wikidata=ref(n, OWL.sameAs, WD),
            geonames=int(geonames[0].value) if geonames else None,
            population=int(population[0].value) if population else None,
            admin1=str(admin1[0].value) if admin1 else None,
            part_of=ref(n, SDO.containedInPlace, iris.place),
            reported_partner_counts=tuple(counts),
            coverage=coverage,
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
