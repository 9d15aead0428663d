"""Dataset ↔ RDF: lossless round trips, exports any parser reads alike, shapes, vocabulary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from helpers import DATA, ROOT
from hypothesis import HealthCheck, given, settings
from rdflib.compare import isomorphic, to_isomorphic
from sistercities import Dataset, load_dataset
from sistercities.export import export_bytes
from sistercities.rdf import Iris, from_rdf, to_rdf
from sistercities.sparql import run_query
from sistercities.vocab import SC, TERMS, ontology_triples
from strategies import datasets

SHAPES = ROOT / "graph" / "shapes.ttl"
BASE = "https://w3id.org/sistercities/id/"
RDF_FORMATS = {
    "turtle": ("turtle", "TURTLE"),
    "n-triples": ("nt", "N_TRIPLES"),
    "json-ld": ("json-ld", "JSON_LD"),
}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(DATA)


@pytest.fixture(scope="module")
def graph(dataset: Dataset) -> rdflib.Graph:
    return to_rdf(dataset)


def plain_triples_rdflib(g: rdflib.Graph) -> set[tuple[str, str, str]]:
    def term(t: Any) -> str:
        if isinstance(t, rdflib.Literal):
            return f"{t!s}|{t.datatype or ''}|{(t.language or '').lower()}"
        return str(t)

    return {(term(s), term(p), term(o)) for s, p, o in g}


def plain_triples_oxigraph(data: bytes, format_name: str) -> set[tuple[str, str, str]]:
    def term(t: Any) -> str:
        if isinstance(t, ox.Literal):
            datatype = t.datatype.value
            if t.language or datatype == "http://www.w3.org/2001/XMLSchema#string":
                datatype = ""
            return f"{t.value}|{datatype}|{(t.language or '').lower()}"  # tags ignore case
        return str(t.value)

    return {
        (term(q.subject), term(q.predicate), term(q.object))
        for q in ox.parse(data, getattr(ox.RdfFormat, format_name))
    }


def test_round_trip_of_the_curated_data_is_isomorphic(graph: rdflib.Graph) -> None:
    back = from_rdf(graph)
    assert isomorphic(to_rdf(back), graph)
    assert back.counts() == load_dataset(DATA).counts()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
@pytest.mark.slow
def test_round_trip_of_random_datasets_is_isomorphic(dataset: Dataset) -> None:
    first = to_rdf(dataset)
    second = to_rdf(from_rdf(first))
    assert isomorphic(first, second), set(to_isomorphic(first)) ^ set(to_isomorphic(second))


@settings(max_examples=30, deadline=None)
@given(datasets())
@pytest.mark.slow
def test_random_datasets_export_in_every_rdf_format_alike(dataset: Dataset) -> None:
    expected = plain_triples_rdflib(to_rdf(dataset))
    for name, (rdflib_format, ox_format) in RDF_FORMATS.items():
        data = export_bytes(dataset, name)
        assert (
            plain_triples_rdflib(rdflib.Graph().parse(data=data, format=rdflib_format)) == expected
        ), name
        assert plain_triples_oxigraph(data, ox_format) == expected, name


@pytest.mark.parametrize("name", sorted(RDF_FORMATS))
@pytest.mark.slow
def test_exports_parse_alike_with_rdflib_and_oxigraph(
    dataset: Dataset, graph: rdflib.Graph, name: str
) -> None:
    rdflib_format, ox_format = RDF_FORMATS[name]
    data = export_bytes(dataset, name)
    parsed = rdflib.Graph().parse(data=data, format=rdflib_format)
    assert isomorphic(parsed, graph)
    assert plain_triples_rdflib(parsed) == plain_triples_oxigraph(data, ox_format)


def test_no_blank_nodes_and_every_entity_under_the_base(graph: rdflib.Graph) -> None:
    for s, _, o in graph:
        assert not isinstance(s, rdflib.BNode)
        assert not isinstance(o, rdflib.BNode)
    subjects = {str(s) for s in graph.subjects()}
    ours = {s for s in subjects if not s.startswith(str(SC))}
    assert all(s.startswith(BASE) for s in ours)


def test_another_base_iri(dataset: Dataset) -> None:
    base = "https://example.org/twins/"
    g = to_rdf(dataset, base)
    assert (rdflib.URIRef(base + "place/jakarta"), rdflib.RDF.type, rdflib.URIRef(SC.Place)) in g
    assert not any(str(s).startswith(BASE) for s in g.subjects())
    assert isomorphic(to_rdf(from_rdf(g, base), base), g)


def test_twinned_with_is_symmetric_and_written_both_ways(graph: rdflib.Graph) -> None:
    twinned = rdflib.URIRef(SC.twinnedWith)
    pairs = {(s, o) for s, o in graph.subject_objects(twinned)}
    assert pairs and all((o, s) in pairs for s, o in pairs)
    jakarta = rdflib.URIRef(BASE + "place/jakarta")
    assert len(set(graph.objects(jakarta, twinned))) == 25  # the planned ties are not twins yet


def test_partnership_node_carries_the_tie(graph: rdflib.Graph) -> None:
    tie = rdflib.URIRef(BASE + "partnership/jakarta--los-angeles")
    values = {str(p): {str(o) for o in graph.objects(tie, p)} for p in graph.predicates(tie)}
    assert values["https://schema.org/startDate"] == {"1990"}
    start = next(graph.objects(tie, rdflib.URIRef("https://schema.org/startDate")))
    assert start.datatype == rdflib.XSD.gYear
    assert values[SC.partnershipKind] == {SC.term("PartnershipKind-sister-city")}
    assert {BASE + "area/tourism", BASE + "area/energy-conservation"} <= values[SC.area]
    assert BASE + "source/merahputih-2018-la" in values["http://www.w3.org/ns/prov#wasDerivedFrom"]


def test_uncertain_dates_keep_their_form_and_bounds(graph: rdflib.Graph) -> None:
    q = """SELECT ?tie ?edtf ?earliest ?latest WHERE {
        ?tie sc:edtfStart ?edtf ; sc:earliestStart ?earliest .
        OPTIONAL { ?tie sc:latestStart ?latest } }"""
    rows = list(graph.query(q, initNs={"sc": rdflib.Namespace(SC)}))
    assert rows, "the curated data has uncertain or bounded start dates"
    for _, edtf, earliest, _ in rows:
        assert edtf.datatype == rdflib.URIRef("http://id.loc.gov/datatypes/edtf/EDTF")
        assert earliest.datatype == rdflib.XSD.date


def test_places_have_typed_names_coordinates_and_wikidata(graph: rdflib.Graph) -> None:
    jakarta = rdflib.URIRef(BASE + "place/jakarta")
    names = set(graph.objects(jakarta, rdflib.URIRef("https://schema.org/name")))
    assert rdflib.Literal("Jakarta", lang="en") in names
    assert (
        jakarta,
        rdflib.OWL.sameAs,
        rdflib.URIRef("http://www.wikidata.org/entity/Q3630"),
    ) in graph
    lat = next(graph.objects(jakarta, rdflib.URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")))
    assert lat.datatype == rdflib.XSD.double and -7 < float(lat) < -6
    geometry = next(
        graph.objects(jakarta, rdflib.URIRef("http://www.opengis.net/ont/geosparql#hasGeometry"))
    )
    wkt = next(graph.objects(geometry, rdflib.URIRef("http://www.opengis.net/ont/geosparql#asWKT")))
    assert str(wkt).startswith("POINT(106.")


def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES)


def test_the_export_conforms_to_the_shapes(graph: rdflib.Graph) -> None:
    conforms, _, text = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none")
    assert conforms, text


@pytest.mark.parametrize(
    "breakage",
    ["self-partnership", "no-source", "country-name", "bad-start-date", "second-name"],
)
@pytest.mark.slow
def test_a_broken_graph_does_not_conform(graph: rdflib.Graph, breakage: str) -> None:
    g = rdflib.Graph() + graph
    sc = rdflib.Namespace(SC)
    tie = rdflib.URIRef(BASE + "partnership/jakarta--los-angeles")
    jakarta = rdflib.URIRef(BASE + "place/jakarta")
    schema = rdflib.Namespace("https://schema.org/")
    if breakage == "self-partnership":
        g.remove((tie, sc.partner, rdflib.URIRef(BASE + "place/los-angeles")))
    elif breakage == "no-source":
        g.remove((tie, rdflib.PROV.wasDerivedFrom, None))
    elif breakage == "country-name":
        g.set((jakarta, schema.addressCountry, rdflib.Literal("Indonesia")))
    elif breakage == "bad-start-date":
        g.set((tie, schema.startDate, rdflib.Literal("around 1990")))
    else:
        g.add((jakarta, schema.name, rdflib.Literal("Djakarta", lang="en")))
    conforms, report, _ = pyshacl.validate(g, shacl_graph=_shapes(), inference="none")
    assert not conforms
    focus = set(report.objects(None, rdflib.SH.focusNode))
    assert focus == ({jakarta} if breakage in ("country-name", "second-name") else {tie})


def test_every_term_the_export_uses_is_in_the_ontology(graph: rdflib.Graph) -> None:
    ontology = rdflib.Graph()
    for s, p, o in ontology_triples():
        ontology.add(
            (
                rdflib.URIRef(s),
                rdflib.URIRef(p),
                rdflib.Literal(o[0], lang=o[2]) if isinstance(o, tuple) else rdflib.URIRef(o),
            )
        )
    used = {str(p) for p in graph.predicates()} | {
        str(o) for o in graph.objects(None, rdflib.RDF.type)
    }
    ours = {iri for iri in used if iri.startswith(str(SC))}
    assert ours
    for iri in ours:
        term = rdflib.URIRef(iri)
        assert (term, rdflib.RDFS.label, None) in ontology, iri
        assert (term, rdflib.RDFS.comment, None) in ontology, iri
    twinned = rdflib.URIRef(SC.twinnedWith)
    assert (twinned, rdflib.RDF.type, rdflib.OWL.SymmetricProperty) in ontology
    assert (
        twinned,
        rdflib.OWL.equivalentProperty,
        rdflib.URIRef("http://www.wikidata.org/prop/direct/P190"),
    ) in ontology
    assert (
        twinned,
        rdflib.OWL.equivalentProperty,
        rdflib.URIRef("http://dbpedia.org/ontology/twinCity"),
    ) in ontology
    assert all(t.label and t.comment for t in TERMS.values())


@pytest.mark.slow
def test_turtle_is_byte_identical_across_processes(tmp_path: Path) -> None:
    script = (
        "import sys, graph; from graph.export import export_bytes; "
        "sys.stdout.buffer.write(export_bytes(graph.load_dataset(graph.DEFAULT_DATA), 'turtle'))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert runs[0].startswith(b"@prefix ")


def test_jsonld_has_a_context_with_the_prefixes(dataset: Dataset) -> None:
    document = json.loads(export_bytes(dataset, "json-ld"))
    assert document["@context"]["sc"] == str(SC)
    assert document["@context"]["place"] == BASE + "place/"
    jakarta = next(n for n in document["@graph"] if n["@id"] == "place:jakarta")
    assert "sc:Place" in jakarta["@type"]


@pytest.mark.parametrize("name", sorted(RDF_FORMATS))
def test_sparql_over_each_export_finds_the_seed_facts(dataset: Dataset, name: str) -> None:
    store = ox.Store()
    store.load(export_bytes(dataset, name), getattr(ox.RdfFormat, RDF_FORMATS[name][1]))
    partners = run_query(
        store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { place:jakarta sc:twinnedWith ?p }"
    )
    assert list(partners.rows()) == [{"n": "25"}]
    areas = run_query(
        store, "SELECT ?area WHERE { tie:casablanca--jakarta sc:area ?area } ORDER BY ?area"
    )
    assert {r["area"] for r in areas.rows()} >= {
        "area:information-technology",
        "area:fire-rescue",
        "area:religious-culture",
    }
    visitors = run_query(
        store,
        """SELECT DISTINCT ?name WHERE {
             ?v a sc:Visit ; schema:location place:los-angeles ; sc:visitor/schema:name ?name ;
                sc:earliestStart ?d .
             FILTER (?d >= "2018-04-01"^^xsd:date && ?d <= "2018-04-30"^^xsd:date) }""",
    )
    assert list(visitors.rows()) == [{"name": "Anies Baswedan"}]


def test_iris_namespace() -> None:
    assert Iris("https://x.org/base").place.jakarta == "https://x.org/base/place/jakarta"


def test_the_vocabulary_namespaces_refuse_unknown_terms() -> None:
    from sistercities.vocab import SC, SDO, Namespace

    assert SC.Place.endswith("#Place") and SDO.City == "https://schema.org/City"
    for namespace, misspelled in ((SC, "Plaec"), (SDO, "Cty")):
        with pytest.raises(AttributeError, match="is not a term"):
            getattr(namespace, misspelled)
    assert Namespace("https://example.org/id/").anything == "https://example.org/id/anything"
