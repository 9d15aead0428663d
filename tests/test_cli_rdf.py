"""The export and sparql commands."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from helpers import DATA, invoke, outcome
from rdflib.compare import isomorphic
from sistercities import load_dataset
from sistercities.rdf import to_rdf
from sistercities.sparql import example_queries


@pytest.mark.slow
def test_export_defaults_to_turtle_on_stdout() -> None:
    code, out, err = outcome("export")
    assert code == 0, err
    parsed = rdflib.Graph().parse(data=out, format="turtle")
    assert isomorphic(parsed, to_rdf(load_dataset(DATA)))


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [(".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld"), (".json", "json-ld")],
)
@pytest.mark.slow
def test_export_guesses_the_format_from_the_suffix(tmp_path: Path, suffix: str, fmt: str) -> None:
    target = tmp_path / f"out{suffix}"
    code, out, err = outcome("export", "-o", str(target))
    assert code == 0, err
    assert out == ""
    assert f"wrote {target}" in err
    assert isomorphic(rdflib.Graph().parse(target, format=fmt), to_rdf(load_dataset(DATA)))


def test_export_unknown_suffix_is_one_clear_error(tmp_path: Path) -> None:
    code, out, err = outcome("export", "-o", str(tmp_path / "out.xyz"))
    assert code == 1
    assert out == ""
    assert "cannot tell the format of" in err and "Traceback" not in err
    assert not (tmp_path / "out.xyz").exists()


def test_export_with_another_base_iri() -> None:
    code, out, _ = outcome(
        "export", "--format", "n-triples", "--base-iri", "https://example.org/x/"
    )
    assert code == 0
    assert "<https://example.org/x/place/jakarta>" in out
    assert "w3id.org/sistercities/id/" not in out


@pytest.mark.parametrize("name", sorted(example_queries()))
@pytest.mark.slow
def test_every_example_query_runs_in_every_format(name: str) -> None:
    binds = ["--bind", "city=place:jakarta"] if name == "partners" else []
    code, table, err = outcome("sparql", "-e", name, *binds)
    assert code == 0, err
    assert len(table.splitlines()) >= 3
    code, out, _ = outcome("sparql", "-e", name, *binds, "--format", "json")
    document = json.loads(out)
    assert document["head"]["vars"] and document["results"]["bindings"]
    code, out, _ = outcome("sparql", "-e", name, *binds, "--format", "csv")
    assert out.splitlines()[0] == ",".join(document["head"]["vars"])


def test_partners_example_lists_jakartas_partners() -> None:
    code, out, _ = outcome(
        "sparql", "-e", "partners", "--bind", "city=place:jakarta", "--format", "json"
    )
    assert code == 0
    rows = json.loads(out)["results"]["bindings"]
    active = [r for r in rows if r["status"]["value"] == "active"]
    assert len(active) == 25
    assert rows[0]["name"]["value"] == "Jeddah"  # 1979, the first


def test_visits_example_answers_who_visited_whom_in_2018() -> None:
    code, out, _ = outcome("sparql", "-e", "visits-2018", "--format", "json")
    assert code == 0
    rows = json.loads(out)["results"]["bindings"]
    assert [(r["visitor"]["value"], r["place"]["value"]) for r in rows] == [
        ("Anies Baswedan", "Casablanca"),
        ("Anies Baswedan", "Istanbul"),
        ("Anies Baswedan", "Los Angeles"),
    ]


def test_sparql_json_equals_oxigraphs_own_results_json() -> None:
    query = (
        "SELECT ?p ?name WHERE { place:casablanca sc:twinnedWith ?p . ?p schema:name ?name } "
        "ORDER BY ?p"
    )
    code, out, _ = outcome("sparql", query, "--format", "json")
    assert code == 0
    store = ox.Store()
    store.load(outcome("export", "--format", "n-triples")[1].encode(), ox.RdfFormat.N_TRIPLES)
    from sistercities.rdf import prefixes

    theirs = store.query(query, prefixes=prefixes()).serialize(format=ox.QueryResultsFormat.JSON)
    assert json.loads(out) == json.loads(theirs)


def test_ask_and_construct() -> None:
    code, out, _ = outcome("sparql", "ASK { place:jakarta sc:twinnedWith place:istanbul }")
    assert code == 0 and out.split()[-1] == "true"
    code, out, _ = outcome(
        "sparql", "ASK { place:jakarta sc:twinnedWith place:paris }", "--format", "json"
    )
    assert json.loads(out) == {"head": {}, "boolean": True}
    code, out, _ = outcome(
        "sparql",
        "CONSTRUCT { ?a sc:twinnedWith ?b } "
        "WHERE { ?a sc:twinnedWith ?b FILTER (?a = place:jakarta) }",
    )
    assert code == 0
    g = rdflib.Graph().parse(data=out, format="turtle")
    assert len(g) == 25


def test_query_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a sc:Place }", encoding="utf-8")
    code, from_file, _ = outcome("sparql", "-f", str(query), "--format", "csv")
    assert code == 0
    code, from_stdin, _ = outcome("sparql", "-", "--format", "csv", input=query.read_text())
    assert code == 0
    assert from_file == from_stdin
    assert from_file.splitlines()[1] == str(len(load_dataset(DATA).places))


def test_a_query_syntax_error_is_one_clear_message() -> None:
    code, out, err = outcome("sparql", "SELECT ?x WHERE { ?x ")
    assert code == 1
    assert out == ""
    assert err.startswith("Error: the query is not valid SPARQL")
    assert "Traceback" not in err


def test_bound_values_never_become_query_text() -> None:
    hostile = 'x" } ; DROP ALL ; #'
    code, out, err = outcome(
        "sparql",
        "SELECT ?name ?p WHERE { ?p schema:name ?name }",
        "--bind",
        f'name="{hostile}"',
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["results"]["bindings"] == []


def test_usage_errors_exit_2() -> None:
    assert outcome("sparql")[0] == 2
    assert outcome("sparql", "-e", "nope")[0] == 2
    assert outcome("sparql", "ASK {}", "--bind", "oops")[0] == 2


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT { _:b <http://x/p> ?o . ?o <http://x/q> _:c } WHERE { place:jakarta ?p ?o }",
        "CONSTRUCT { ?s <http://x/p> [ <http://x/q> ?o ] } WHERE { ?s sc:twinnedWith ?o }",
        "DESCRIBE place:jakarta",
    ],
    ids=["blank-subject-and-object", "nested-blank-node", "describe"],
)
def test_construct_and_describe_answers_with_blank_nodes(query: str) -> None:
    """Blank nodes (as Wikidata and DBpedia send them) are written as blank nodes (issue 23:
    they were taken for IRIs, a traceback)."""
    import pyoxigraph

    result = invoke("sparql", query)
    assert result.exit_code == 0, result.output
    triples = list(pyoxigraph.parse(result.stdout.encode(), pyoxigraph.RdfFormat.TURTLE))
    assert triples
    if "_:" in query or "[" in query:
        assert any(isinstance(t.subject, pyoxigraph.BlankNode) for t in triples)


def test_a_remote_answer_with_blank_nodes_is_written() -> None:
    from sistercities.sparql import parse_answer

    body = b"_:b1 <http://x/p> <http://x/o> .\n<http://x/s> <http://x/p> _:b1 .\n"
    answer = parse_answer("application/n-triples", body)
    turtle = answer.turtle()
    import pyoxigraph

    triples = list(pyoxigraph.parse(turtle, pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == 2
    assert triples[0].subject == triples[1].object or triples[1].subject == triples[0].object
