"""The RDF vocabulary: namespaces as objects, and every term of ours with a label and a comment.

Terms of our own live in `SC`; everything else is reused (schema.org, W3C ORG, SKOS, PROV-O,
Dublin Core, WGS84, GeoSPARQL, OWL). `ontology_triples` writes the vocabulary out, with its
alignments to Wikidata and DBpedia, for ``exports/ontology.ttl``.

>>> SC.twinnedWith
'https://w3id.org/sistercities/vocab#twinnedWith'
>>> TERMS["twinnedWith"].label
'twinned with'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "DEFAULT_BASE",
    "PREFIXES",
    "SC",
    "TERMS",
    "Compactor",
    "Lit",
    "Namespace",
    "Term",
    "concept",
    "concept_triples",
    "concept_values",
    "ontology_triples",
]


class Namespace(str):
    """An IRI prefix whose attributes are the IRIs under it (plain strings, fast to build).

    A namespace given its `terms` is closed, as rdflib's ``DefinedNamespace`` with ``_fail``:
    a term it does not declare raises `AttributeError` instead of making a misspelled IRI.
    Without `terms` it is open (the data's own namespaces: ``place/``, Wikidata entities).
    Names that are also methods of `str` (``count``, ``title``, ``index`` …) must be written
    ``NS.term("count")``: the attribute would be the method.

    >>> schema = Namespace("https://schema.org/", ("City", "name"))
    >>> schema.City
    'https://schema.org/City'
    >>> schema.Cty
    Traceback (most recent call last):
    AttributeError: 'Cty' is not a term of <https://schema.org/>
    """

    _declared: frozenset[str] | None

    def __new__(cls, iri: str, terms: Iterable[str] | None = None) -> Namespace:
        namespace = super().__new__(cls, iri)
        namespace.__dict__["_declared"] = None if terms is None else frozenset(terms)
        return namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        iri = self.term(name)
        self.__dict__[name] = iri  # the next lookup finds it without calling us
        return iri

    def term(self, name: str) -> str:
        """The IRI `name` under this namespace (for names that are not identifiers)."""
        declared = self.__dict__["_declared"]
        if declared is not None and name not in declared:
            raise AttributeError(f"{name!r} is not a term of <{self}>")
        return self + name

    def close(self, terms: Iterable[str]) -> None:
        """Declare the namespace's terms (for a vocabulary whose table uses the namespace while
        it is being built): from now on, any other term raises. The terms looked up before
        must be among them."""
        declared = frozenset(terms)
        used = {name for name in self.__dict__ if not name.startswith("_")}
        if used - declared:
            raise AttributeError(f"{sorted(used - declared)} are not terms of <{self}>")
        self.__dict__["_declared"] = declared


DEFAULT_BASE = "https://w3id.org/sistercities/id/"
SC = Namespace("https://w3id.org/sistercities/vocab#")
RDF = Namespace(
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    ("type",),
)
RDFS = Namespace(
    "http://www.w3.org/2000/01/rdf-schema#",
    (
        "comment",
        "domain",
        "isDefinedBy",
        "label",
        "range",
        "subClassOf",
        "subPropertyOf",
    ),
)
OWL = Namespace(
    "http://www.w3.org/2002/07/owl#",
    (
        "Class",
        "DatatypeProperty",
        "ObjectProperty",
        "Ontology",
        "SymmetricProperty",
        "equivalentClass",
        "equivalentProperty",
        "sameAs",
    ),
)
XSD = Namespace(
    "http://www.w3.org/2001/XMLSchema#",
    (
        "anyURI",
        "boolean",
        "date",
        "double",
        "gYear",
        "gYearMonth",
        "integer",
        "string",
    ),
)
SDO = Namespace(
    "https://schema.org/",
    (
        "AdministrativeArea",
        "City",
        "CreativeWork",
        "Event",
        "Person",
        "Place",
        "Role",
        "addressCountry",
        "attendee",
        "containedInPlace",
        "description",
        "endDate",
        "location",
        "name",
        "performer",
        "roleName",
        "startDate",
        "subEvent",
        "url",
    ),
)
SKOS = Namespace(
    "http://www.w3.org/2004/02/skos/core#",
    (
        "Concept",
        "ConceptScheme",
        "altLabel",
        "broader",
        "inScheme",
        "note",
        "prefLabel",
    ),
)
PROV = Namespace(
    "http://www.w3.org/ns/prov#",
    (
        "Entity",
        "wasDerivedFrom",
    ),
)
DCTERMS = Namespace(
    "http://purl.org/dc/terms/",
    (
        "issued",
        "language",
        "publisher",
        "rights",
        "title",
    ),
)
ORG = Namespace(
    "http://www.w3.org/ns/org#",
    (
        "Membership",
        "member",
    ),
)
WGS84 = Namespace(
    "http://www.w3.org/2003/01/geo/wgs84_pos#",
    (
        "lat",
        "long",
    ),
)
GEO = Namespace(
    "http://www.opengis.net/ont/geosparql#",
    (
        "Geometry",
        "asWKT",
        "hasGeometry",
        "wktLiteral",
    ),
)
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace(
    "http://www.wikidata.org/prop/direct/",
    (
        "P1082",
        "P1566",
        "P190",
    ),
)
DBO = Namespace(
    "http://dbpedia.org/ontology/",
    ("twinCity",),
)
EDTF = Namespace(
    "http://id.loc.gov/datatypes/edtf/",
    ("EDTF",),
)

# Prefixes bound in every export (the data's own, under the base, are added per export).
PREFIXES: dict[str, str] = {
    "sc": SC,
    "schema": SDO,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "org": ORG,
    "wgs84": WGS84,
    "geo": GEO,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "wd": WD,
    "wdt": WDT,
    "dbo": DBO,
    "edtf": EDTF,
}


class Compactor:
    """IRIs as compact IRIs (``schema:name``) under the longest matching prefix: the one rule of
    the JSON-LD export and of tables for people. An IRI that is a namespace itself, or whose
    rest starts with ``//``, stays whole.

    >>> compact = Compactor({"schema": "https://schema.org/", "place": "https://x.org/place/"})
    >>> compact("https://schema.org/City"), compact("https://x.org/place/a/role/1")
    ('schema:City', 'place:a/role/1')
    >>> compact("https://schema.org/"), compact("https://elsewhere.org/x")
    ('https://schema.org/', 'https://elsewhere.org/x')
    """

    def __init__(self, binds: dict[str, str]):
        self.binds = sorted(binds.items(), key=lambda item: -len(item[1]))
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is None:
            found = iri
            for prefix, namespace in self.binds:
                local = iri[len(namespace) :]
                if iri.startswith(namespace) and local and not local.startswith("//"):
                    found = f"{prefix}:{local}"
                    break
            self.cache[iri] = found
        return found


class Lit(tuple[str, str | None, str | None]):
    """An RDF literal as plain data: lexical form, datatype IRI, language tag.

    >>> Lit("Jakarta", lang="en")
    Lit('Jakarta', None, 'en')
    """

    __slots__ = ()

    def __new__(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Lit:
        return tuple.__new__(cls, (value, datatype, lang))

    @property
    def value(self) -> str:
        """The lexical form."""
        return self[0]

    @property
    def datatype(self) -> str | None:
        """The datatype IRI (None for plain strings and language-tagged ones)."""
        return self[1]

    @property
    def lang(self) -> str | None:
        """The language tag, if any."""
        return self[2]

    def __getnewargs__(self) -> tuple[str, str | None, str | None]:  # pickles whole
        return (self[0], self[1], self[2])

    def __repr__(self) -> str:
        return f"Lit({self[0]!r}, {self[1]!r}, {self[2]!r})"


@dataclass(frozen=True)
class Term:
    """A class, property or concept of the vocabulary, with what it means and aligns to."""

    name: str
    kind: str  # "class", "object", "datatype", "concept"
    label: str
    comment: str
    parents: tuple[str, ...] = ()  # rdfs:subClassOf / rdfs:subPropertyOf / skos:broader
    equivalents: tuple[str, ...] = ()  # owl:equivalentClass / owl:equivalentProperty
    domain: str | None = None
    range: str | None = None
    symmetric: bool = False
    scheme: str | None = None  # for concepts: the scheme they belong to

    @property
    def iri(self) -> str:
        """The term's IRI."""
        return SC.term(self.name)


def _terms() -> dict[str, Term]:
    t: list[Term] = [
        # classes
        Term(
            "Place",
            "class",
            "place",
            "A place that takes part in sister-city ties: a city, "
            "province, state, region or district.",
            (SDO.Place,),
        ),
        Term(
            "Partnership",
            "class",
            "partnership",
            "A tie between two places (sister city, "
            "sister province, friendship, cooperation) as a node of its own, carrying its kind, "
            "dates, status, areas, agreements and sources (the n-ary relation pattern).",
            (PROV.Entity,),
        ),
        Term("Official", "class", "official", "A person who holds or held office.", (SDO.Person,)),
        Term(
            "Role",
            "class",
            "role",
            "An office held by an official over a term: a title, "
            "of a place, with start and end dates.",
            (ORG.Membership, SDO.Role),
        ),
        Term("Event", "class", "event", "A conference or ceremony at a place.", (SDO.Event,)),
        Term(
            "Visit", "class", "visit", "A trip of one or more officials to a place.", (SDO.Event,)
        ),
        Term(
            "Session",
            "class",
            "session",
            "A session of an event: a keynote, a panel, a private session.",
            (SDO.Event,),
        ),
        Term(
            "Agreement",
            "class",
            "agreement",
            "A document between places: a letter of "
            "intent, a memorandum of understanding, a charter.",
            (SDO.CreativeWork,),
        ),
        Term(
            "Source",
            "class",
            "source",
            "Where facts come from: an article, an official page, a data set.",
            (PROV.Entity, SDO.CreativeWork),
        ),
        Term(
            "ReportedCount",
            "class",
            "reported count",
            "A number of partners that a source states for a place at a date.",
            (PROV.Entity,),
        ),
        Term(
            "PartnerListCoverage",
            "class",
            "partner list coverage",
            "What a source says of a place's list of partners: complete or not, as of a date.",
            (PROV.Entity,),
        ),
        Term(
            "PlaceKind",
            "class",
            "place kind",
            "What kind of place: city, province, state …",
            (SKOS.Concept,),
        ),
        Term(
            "PartnershipKind",
            "class",
            "partnership kind",
            "What kind of tie: sister city, sister province, friendship, cooperation.",
            (SKOS.Concept,),
        ),
        Term(
            "Status",
            "class",
            "status",
            "The state of a tie: active, suspended, ended, planned.",
            (SKOS.Concept,),
        ),
        Term("AgreementKind", "class", "agreement kind", "What kind of document.", (SKOS.Concept,)),
        Term(
            "AgreementStatus",
            "class",
            "agreement status",
            "The state of a document: planned, signed, expired, cancelled.",
            (SKOS.Concept,),
        ),
        Term("SessionKind", "class", "session kind", "What kind of session.", (SKOS.Concept,)),
        # the direct tie
        Term(
            "twinnedWith",
            "object",
            "twinned with",
            "The direct, symmetric edge between two "
            "places with a sister-city (or sister-province, friendship, cooperation) tie that "
            "is or was in force; planned ties have no direct edge. The tie itself, with its "
            "details, is the sc:Partnership node.",
            (),
            (WDT.P190, DBO.twinCity),
            SC.Place,
            SC.Place,
            symmetric=True,
        ),
        # partnership properties
        Term(
            "partner",
            "object",
            "partner",
            "A place taking part in a partnership (two each).",
            (),
            (),
            SC.Partnership,
            SC.Place,
        ),
        Term(
            "partnershipKind",
            "object",
            "partnership kind",
            "The kind of a tie.",
            (),
            (),
            SC.Partnership,
            SC.PartnershipKind,
        ),
        Term(
            "status", "object", "status", "The state of a tie.", (), (), SC.Partnership, SC.Status
        ),
        Term(
            "area",
            "object",
            "cooperation area",
            "An area of cooperation of a tie, visit or agreement (a SKOS concept).",
            (),
            (),
            None,
            SKOS.Concept,
        ),
        Term(
            "agreement",
            "object",
            "agreement",
            "A document of a tie.",
            (),
            (),
            SC.Partnership,
            SC.Agreement,
        ),
        Term(
            "partnership",
            "object",
            "partnership",
            "The tie a visit served or a document belongs to.",
            (),
            (),
            None,
            SC.Partnership,
        ),
        # dates: a typed literal where the date is plain, its EDTF form and its bounds
        *_date_terms("Start", "start", SDO.startDate),
        *_date_terms("End", "end", SDO.endDate),
        *_date_terms("Signed", "signing", None),
        *_date_terms("Issued", "publication", DCTERMS.issued),
        *_date_terms("AsOf", "count's date", None),
        Term(
            "signed",
            "datatype",
            "signed",
            "When a document was signed (xsd:gYear, xsd:gYearMonth or xsd:date by precision).",
            (),
            (),
            SC.Agreement,
            None,
        ),
        Term(
            "asOf",
            "datatype",
            "as of",
            "When a source stated a count, or the date of the list a partner list was checked "
            "against.",
            (),
            (),
            None,
            None,
        ),
        # places
        Term(
            "placeKind",
            "object",
            "place kind",
            "What kind of place this is.",
            (),
            (),
            SC.Place,
            SC.PlaceKind,
        ),
        Term(
            "population",
            "datatype",
            "population",
            "The number of inhabitants.",
            (),
            (WDT.P1082,),
            SC.Place,
            XSD.integer,
        ),
        Term(
            "admin1",
            "datatype",
            "first-level division",
            "The place's first-level administrative division (state, province, region), as "
            "the ISO 3166-1 country code, a hyphen and GeoNames' admin1 code (US-IL).",
            (),
            (),
            SC.Place,
            XSD.string,
        ),
        Term(
            "geonamesId",
            "datatype",
            "GeoNames id",
            "The place's id in GeoNames.",
            (),
            (WDT.P1566,),
            SC.Place,
            XSD.integer,
        ),
        Term(
            "reportedPartnerCount",
            "object",
            "reported partner count",
            "A number of partners a source states for the place.",
            (),
            (),
            SC.Place,
            SC.ReportedCount,
        ),
        Term(
            "partnerListCoverage",
            "object",
            "partner list coverage",
            "Whether the place's list of partners in the data is known to be complete.",
            (),
            (),
            SC.Place,
            SC.PartnerListCoverage,
        ),
        Term(
            "partnerListComplete",
            "datatype",
            "partner list complete",
            "True when the place's list of partners was checked complete against the source.",
            (),
            (),
            SC.PartnerListCoverage,
            XSD.boolean,
        ),
        Term(
            "count",
            "datatype",
            "count",
            "The number a source states.",
            (),
            (),
            SC.ReportedCount,
            XSD.integer,
        ),
        # officials and roles
        Term(
            "holdsRole",
            "object",
            "holds role",
            "An office the official holds or held.",
            (),
            (),
            SC.Official,
            SC.Role,
        ),
        Term(
            "officeOf",
            "object",
            "office of",
            "The place whose office a role is.",
            (),
            (),
            SC.Role,
            SC.Place,
        ),
        Term(
            "organisationName",
            "datatype",
            "organisation name",
            "The body an office belongs to, as the source names it.",
            (),
            (),
            SC.Role,
            XSD.string,
        ),
        # events, sessions, visits
        Term(
            "venue",
            "datatype",
            "venue",
            "The building or site of an event.",
            (),
            (),
            SDO.Event,
            XSD.string,
        ),
        Term(
            "sessionKind",
            "object",
            "session kind",
            "The kind of a session.",
            (),
            (),
            SC.Session,
            SC.SessionKind,
        ),
        Term(
            "visitor",
            "object",
            "visitor",
            "An official who made the visit.",
            (SDO.attendee,),
            (),
            SC.Visit,
            SC.Official,
        ),
        Term(
            "attended",
            "object",
            "attended",
            "An event attended during the visit.",
            (),
            (),
            SC.Visit,
            SDO.Event,
        ),
        Term(
            "met",
            "object",
            "met",
            "An official met during the visit.",
            (),
            (),
            SC.Visit,
            SC.Official,
        ),
        Term(
            "purpose",
            "datatype",
            "purpose",
            "Why the visit was made.",
            (SDO.description,),
            (),
            SC.Visit,
            XSD.string,
        ),
        # agreements
        Term(
            "agreementKind",
            "object",
            "agreement kind",
            "The kind of a document.",
            (),
            (),
            SC.Agreement,
            SC.AgreementKind,
        ),
        Term(
            "agreementStatus",
            "object",
            "agreement status",
            "The state of a document.",
            (),
            (),
            SC.Agreement,
            SC.AgreementStatus,
        ),
        Term(
            "party",
            "object",
            "party",
            "A place that signs or is to sign the document.",
            (),
            (),
            SC.Agreement,
            SC.Place,
        ),
    ]
    return {term.name: term for term in t}


def _date_terms(suffix: str, what: str, plain: str | None) -> list[Term]:
    note = f" (the plain typed date is {plain})" if plain else ""
    return [
        Term(
            f"edtf{suffix}",
            "datatype",
            f"EDTF {what} date",
            f"The {what} date in EDTF "
            f"level 1, where it is approximate, uncertain or an interval{note}.",
            (),
            (),
            None,
            EDTF.EDTF,
        ),
        Term(
            f"earliest{suffix}",
            "datatype",
            f"earliest {what} day",
            f"The first day the {what} date can be.",
            (),
            (),
            None,
            XSD.date,
        ),
        Term(
            f"latest{suffix}",
            "datatype",
            f"latest {what} day",
            f"The last day the {what} date can be.",
            (),
            (),
            None,
            XSD.date,
        ),
    ]


TERMS = _terms()


def concept(scheme: str, value: str) -> str:
    """The IRI of a value of one of our controlled vocabularies.

    >>> concept("PartnershipKind", "sister-city")
    'https://w3id.org/sistercities/vocab#PartnershipKind-sister-city'
    """
    return SC.term(f"{scheme}-{value}")


def concept_triples() -> Iterator[tuple[str, str, str | Lit]]:
    """The values of our controlled vocabularies (kinds, statuses) as SKOS concepts, typed by
    their scheme class, so that a data export is valid on its own."""
    for scheme, value, label in _concepts():
        iri = concept(scheme, value)
        yield iri, RDF.type, SKOS.Concept
        yield iri, RDF.type, SC.term(scheme)
        yield iri, SKOS.prefLabel, Lit(label, lang="en")


def concept_values() -> Iterator[tuple[str, str, str]]:
    """Every (scheme, value, English label) of our controlled vocabularies."""
    return _concepts()


def _concepts() -> Iterator[tuple[str, str, str]]:
    from . import model

    schemes = {
        "PlaceKind": model.PLACE_KINDS,
        "PartnershipKind": model.PARTNERSHIP_KINDS,
        "Status": model.PARTNERSHIP_STATUSES,
        "AgreementKind": model.AGREEMENT_KINDS,
        "AgreementStatus": model.AGREEMENT_STATUSES,
        "SessionKind": model.SESSION_KINDS,
    }
    for scheme, values in schemes.items():
        for value in values:
            yield scheme, value, value.replace("-", " ")


ONTOLOGY = "https://w3id.org/sistercities/vocab"


def ontology_triples() -> Iterator[tuple[str, str, str | Lit]]:
    """The vocabulary as triples: every class, property and concept with label and comment."""
    yield ONTOLOGY, RDF.type, OWL.Ontology
    yield ONTOLOGY, RDFS.label, Lit("Sister-city knowledge graph vocabulary", lang="en")
    yield (
        ONTOLOGY,
        RDFS.comment,
        Lit(
            "Terms for sister-city (twin-town) ties between places, their cooperation areas, "
            "agreements, officials, visits and events. Reuses schema.org, W3C ORG, SKOS, PROV-O, "
            "Dublin Core, WGS84 and GeoSPARQL; aligned with Wikidata (P190) and DBpedia.",
            lang="en",
        ),
    )
    kinds = {
        "class": OWL.Class,
        "object": OWL.ObjectProperty,
        "datatype": OWL.DatatypeProperty,
    }
    for term in TERMS.values():
        iri = term.iri
        yield iri, RDF.type, kinds[term.kind]
        if term.symmetric:
            yield iri, RDF.type, OWL.SymmetricProperty
        yield iri, RDFS.label, Lit(term.label, lang="en")
        yield iri, RDFS.comment, Lit(term.comment, lang="en")
        yield iri, RDFS.isDefinedBy, ONTOLOGY
        parent = RDFS.subClassOf if term.kind == "class" else RDFS.subPropertyOf
        for other in term.parents:
            yield iri, parent, other
        same = OWL.equivalentClass if term.kind == "class" else OWL.equivalentProperty
        for other in term.equivalents:
            yield iri, same, other
        if term.domain:
            yield iri, RDFS.domain, term.domain
        if term.range:
            yield iri, RDFS.range, term.range
    yield from concept_triples()
    for scheme, value, label in _concepts():
        iri = concept(scheme, value)
        yield iri, RDFS.label, Lit(label, lang="en")
        yield iri, RDFS.comment, Lit(f"The {scheme} value '{value}'.", lang="en")
        yield iri, RDFS.isDefinedBy, ONTOLOGY


# Our vocabulary is closed once its table is built: its terms and the values of its schemes.
SC.close([*TERMS, *(f"{scheme}-{value}" for scheme, value, _ in _concepts())])
