"""Publishing to and querying a second real store: Debian's Virtuoso (the engine behind
DBpedia), started on 127.0.0.1 with the user dba/dba.

Virtuoso's anonymous endpoints (`/sparql`, `/sparql-graph-crud`) only read; its `-auth`
endpoints take updates from dba with HTTP Digest authentication, which is what these tests use
(no grant to Virtuoso's anonymous SPARQL user is needed)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from stores import (
    EXAMPLES,
    ROOT,
    VIRTUOSO_USER,
    count,
    example_query,
    graphs,
    local_triples,
    run,
    same_answer,
)
from stores import virtuoso as virtuoso_server

pytestmark = pytest.mark.store  # a real Virtuoso server

DATA = ROOT / "data" / "cities.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
GRAPH = "https://example.org/graphs/virtuoso"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Virtuoso server (virtuoso-t, from Debian's virtuoso-opensource)."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


def publish(
    virtuoso: str, data: Path, graph: str, *options: str
) -> subprocess.CompletedProcess[str]:
    return run(
        "--data",
        str(data),
        "publish",
        "--endpoint",
        virtuoso + "/sparql-auth",
        "--graph",
        graph,
        *options,
        env=VIRTUOSO_USER,
    )


def test_publish_with_digest_and_every_example_answers_as_locally(virtuoso: str) -> None:
    result = run(
        "--data",
        str(DATA),
        "publish",
        "--endpoint",
        virtuoso + "/sparql-auth",
        "--user",
        "dba",
        "--graph",
        GRAPH,
        env={"SISTERCITIES_ENDPOINT_PASSWORD": "dba"},
    )
    assert result.returncode == 0, result.stderr
    n = local_triples(DATA)
    assert f"verified: the graph holds {n:,} triples, as many as were sent" in result.stdout
    assert count(virtuoso + "/sparql", GRAPH) == n
    for example in EXAMPLES:
        query, scoped = example_query(example, GRAPH)
        remote = run("sparql", "--endpoint", virtuoso + "/sparql", scoped, "--format", "json")
        local = run("--data", str(DATA), "sparql", query, "--format", "json")
        assert remote.returncode == 0, remote.stderr
        assert same_answer(remote.stdout, local.stdout), example


def test_replace_twice_doubles_nothing_and_swaps_old_for_new(virtuoso: str) -> None:
    graph = GRAPH + "/replace"
    for _ in range(2):
        result = publish(virtuoso, DATA, graph)
        assert result.returncode == 0, result.stderr
    assert count(virtuoso + "/sparql", graph) == local_triples(DATA)
    smaller = publish(virtuoso, MINIMAL, graph)
    assert smaller.returncode == 0, smaller.stderr
    assert count(virtuoso + "/sparql", graph) == local_triples(MINIMAL)
    assert not any("/upload/" in g for g in graphs(virtuoso + "/sparql"))


def test_append_adds_and_is_verified(virtuoso: str) -> None:
    graph = GRAPH + "/append"
    publish(virtuoso, MINIMAL, graph)
    before = count(virtuoso + "/sparql", graph)
    result = publish(virtuoso, DATA, graph, "--append", "--chunk-triples", "1000")
    assert result.returncode == 0, result.stderr
    after = count(virtuoso + "/sparql", graph)
    assert after > before
    assert f"verified: the graph holds {after:,} triples ({before:,} before" in result.stdout


def test_dry_run_uploads_nothing(virtuoso: str) -> None:
    graph = GRAPH + "/dry"
    result = publish(virtuoso, DATA, graph, "--dry-run")
    assert result.returncode == 0
    assert result.stdout.startswith(f"would replace graph {graph} with ")
    assert f"at {virtuoso}/sparql-graph-crud-auth" in result.stdout
    assert count(virtuoso + "/sparql", graph) == 0


def test_sparql_endpoint_urls_are_used_as_given(virtuoso: str) -> None:
    """`/sparql` (anonymous) and `/sparql-auth` (Digest) are query endpoints as they are."""
    publish(virtuoso, MINIMAL, GRAPH + "/ask")
    query = f"ASK {{ GRAPH <{GRAPH}/ask> {{ ?s ?p ?o }} }}"
    anonymous = run("sparql", "--endpoint", virtuoso + "/sparql", query)
    assert anonymous.returncode == 0, anonymous.stderr
    assert anonymous.stdout.split() == ["result", "------", "true"]
    digest = run("sparql", "--endpoint", virtuoso + "/sparql-auth", query, env=VIRTUOSO_USER)
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout.split() == ["result", "------", "true"]
    construct = run(
        "sparql",
        "--endpoint",
        virtuoso + "/sparql",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}/ask> {{ ?s ?p ?o }} }}",
    )
    assert construct.returncode == 0, construct.stderr
    assert "@prefix place:" in construct.stdout and "sc:twinnedWith" in construct.stdout
    rows = run(
        "sparql",
        "--endpoint",
        virtuoso + "/sparql",
        f"SELECT ?p WHERE {{ GRAPH <{GRAPH}/ask> {{ ?p a sc:Place }} }} ORDER BY ?p",
        "--format",
        "json",
    )
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout)["results"]["bindings"]


def test_the_three_urls_given_explicitly(virtuoso: str) -> None:
    """Anonymous queries, Digest for the update and the Graph Store: each URL as given."""
    graph = GRAPH + "/explicit"
    result = run(
        "--data",
        str(MINIMAL),
        "publish",
        "--query-url",
        virtuoso + "/sparql",
        "--update-url",
        virtuoso + "/sparql-auth",
        "--store-url",
        virtuoso + "/sparql-graph-crud-auth",
        "--graph",
        graph,
        env=VIRTUOSO_USER,
    )
    assert result.returncode == 0, result.stderr
    assert count(virtuoso + "/sparql", graph) == local_triples(MINIMAL)


def test_a_wrong_password_is_refused_and_never_printed(virtuoso: str) -> None:
    graph = GRAPH + "/refused"
    result = run(
        "--data",
        str(MINIMAL),
        "publish",
        "--endpoint",
        virtuoso + "/sparql-auth",
        "--graph",
        graph,
        env={"SISTERCITIES_ENDPOINT_USER": "dba", "SISTERCITIES_ENDPOINT_PASSWORD": "wrong-pw"},
    )
    assert result.returncode == 1
    assert "refused us (HTTP 401)" in result.stderr
    assert "wrong-pw" not in result.stdout + result.stderr
    assert count(virtuoso + "/sparql", graph) == 0


def test_anonymous_publishing_is_refused_with_one_clear_message(virtuoso: str) -> None:
    graph = GRAPH + "/anonymous"
    result = run(
        "--data", str(MINIMAL), "publish", "--endpoint", virtuoso + "/sparql", "--graph", graph
    )
    assert result.returncode == 1
    assert "refused us (HTTP 403)" in result.stderr and "Traceback" not in result.stderr
    assert count(virtuoso + "/sparql", graph) == 0


def test_the_default_graph_is_one_clear_message(virtuoso: str) -> None:
    """Virtuoso has no default graph of its own (queries see every graph): --graph is needed."""
    result = run(
        "--data",
        str(MINIMAL),
        "publish",
        "--endpoint",
        virtuoso + "/sparql-auth",
        env=VIRTUOSO_USER,
    )
    assert result.returncode == 1
    assert "default graph" in result.stderr
    assert "<html" not in result.stderr.lower() and "Traceback" not in result.stderr
    assert not any("/upload/" in g for g in graphs(virtuoso + "/sparql"))
