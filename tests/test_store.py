"""Publishing to and querying a real SPARQL store: an Oxigraph server started on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from stores import (
    EXAMPLES,
    ROOT,
    SCRIPT,
    example_query,
    free_port,
    local_triples,
    run,
    same_answer,
    wait_for,
)

pytestmark = pytest.mark.store  # a real Oxigraph server (the session's)

DATA = ROOT / "data" / "cities.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
GRAPH = "https://example.org/graphs/twins"


def count(url: str, graph: str | None = GRAPH) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    result = run(
        "sparql",
        "--endpoint",
        url,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


def graphs(url: str) -> set[str]:
    result = run(
        "sparql",
        "--endpoint",
        url,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--format",
        "json",
    )
    return {row["g"]["value"] for row in json.loads(result.stdout)["results"]["bindings"]}


def test_publish_the_curated_data_and_every_example_answers_as_locally(oxigraph: str) -> None:
    published = run("--data", str(DATA), "publish", "--endpoint", oxigraph, "--graph", GRAPH)
    assert published.returncode == 0, published.stderr
    assert "triples/s" in published.stdout
    assert count(oxigraph) == local_triples(DATA)
    expected = f"verified: the graph holds {local_triples(DATA):,} triples, as many as were sent"
    assert expected in published.stdout
    for example in EXAMPLES:
        query, scoped = example_query(example, GRAPH)
        remote = run("sparql", "--endpoint", oxigraph, scoped, "--format", "json")
        local = run("--data", str(DATA), "sparql", query, "--format", "json")
        assert remote.returncode == 0, remote.stderr
        assert same_answer(remote.stdout, local.stdout), example


def test_publish_again_with_replace_doubles_nothing_and_leaves_no_staging_graph(
    oxigraph: str,
) -> None:
    for _ in range(2):
        result = run("--data", str(DATA), "publish", "--endpoint", oxigraph, "--graph", GRAPH)
        assert result.returncode == 0, result.stderr
    assert count(oxigraph) == local_triples(DATA)
    assert GRAPH in graphs(oxigraph)
    assert not any("/upload/" in g for g in graphs(oxigraph))


def test_replace_swaps_the_old_content_for_the_new(oxigraph: str) -> None:
    graph = GRAPH + "/swap"
    run("--data", str(DATA), "publish", "--endpoint", oxigraph, "--graph", graph)
    result = run("--data", str(MINIMAL), "publish", "--endpoint", oxigraph, "--graph", graph)
    assert result.returncode == 0, result.stderr
    assert count(oxigraph, graph) == local_triples(MINIMAL)


def test_append_adds(oxigraph: str) -> None:
    graph = GRAPH + "/append"
    run("--data", str(MINIMAL), "publish", "--endpoint", oxigraph, "--graph", graph)
    before = count(oxigraph, graph)
    result = run(
        "--data", str(DATA), "publish", "--endpoint", oxigraph, "--graph", graph, "--append"
    )
    assert result.returncode == 0, result.stderr
    assert count(oxigraph, graph) > before


def test_dry_run_uploads_nothing(oxigraph: str) -> None:
    graph = GRAPH + "/dry"
    result = run(
        "--data", str(DATA), "publish", "--endpoint", oxigraph, "--graph", graph, "--dry-run"
    )
    assert result.returncode == 0
    assert result.stdout.startswith(f"would replace graph {graph} with ")
    assert count(oxigraph, graph) == 0


def test_publish_the_imported_world_network(oxigraph: str, tmp_path: Path) -> None:
    """The Wikipedia twin-town lists, imported, in chunks; the figure goes to stdout."""
    world = tmp_path / "world.yaml"
    imported = run(
        "import",
        "wikipedia-csv",
        str(ROOT / "data" / "world" / "sources" / "twin_cities_wikipedia.csv"),
        "-o",
        str(world),
    )
    assert imported.returncode == 0, imported.stderr
    graph = GRAPH + "/world"
    result = run(
        "--data",
        str(world),
        "publish",
        "--endpoint",
        oxigraph,
        "--graph",
        graph,
        "--chunk-triples",
        "50000",
        timeout=1800,  # Oxigraph's MOVE of 400,000 triples takes minutes on a busy machine
    )
    assert result.returncode == 0, result.stderr
    print(result.stdout)
    assert f"verified: the graph holds {local_triples(world):,} triples" in result.stdout
    assert count(oxigraph, graph) == local_triples(world)
    hub_query = (
        "SELECT ?p (COUNT(?o) AS ?n) WHERE { %s ?p sc:twinnedWith ?o } "
        "GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 5"
    )
    remote = run(
        "sparql",
        "--endpoint",
        oxigraph,
        hub_query.replace("%s ?p", f"GRAPH <{graph}> {{ ?p").replace("?o }", "?o } }"),
        "--format",
        "json",
    )
    local = run("--data", str(world), "sparql", hub_query.replace("%s ", ""), "--format", "json")
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)["results"]["bindings"]
    assert same_answer(remote.stdout, local.stdout)


class _FailingProxy(BaseHTTPRequestHandler):
    """Forwards to the real store, but answers HTTP 500 to every upload after the first two."""

    target: ClassVar[str] = ""
    uploads: ClassVar[int] = 0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _forward(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        if method == "POST" and self.path.startswith("/store"):
            type(self).uploads += 1
            if type(self).uploads > 2:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"disk full")
                return
        request = urllib.request.Request(
            self.target + self.path,
            data=body,
            method=method,
            headers={
                k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload, kind = (
                    response.status,
                    response.read(),
                    response.headers.get("Content-Type", ""),
                )
        except urllib.error.HTTPError as error:
            status, payload, kind = error.code, error.read(), "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")


def test_a_store_failing_midway_leaves_the_graph_as_it_was(oxigraph: str, tmp_path: Path) -> None:
    graph = GRAPH + "/midway"
    first = run("--data", str(DATA), "publish", "--endpoint", oxigraph, "--graph", graph)
    assert first.returncode == 0
    before = count(oxigraph, graph)
    _FailingProxy.target = oxigraph
    _FailingProxy.uploads = 0
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _FailingProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        result = run(
            "--data",
            str(MINIMAL),
            "publish",
            "--endpoint",
            url,
            "--graph",
            graph,
            "--chunk-triples",
            "20",
        )
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert result.returncode == 1
    assert "HTTP 500" in result.stderr and "Traceback" not in result.stderr
    assert count(oxigraph, graph) == before
    assert not any("/upload/" in g for g in graphs(oxigraph))


def test_a_server_that_is_down_is_one_clear_message() -> None:
    result = run("--data", str(MINIMAL), "publish", "--endpoint", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "cannot connect" in result.stderr and "Traceback" not in result.stderr
    query = run("sparql", "--endpoint", f"http://127.0.0.1:{free_port()}", "ASK {}")
    assert query.returncode == 1 and "cannot connect" in query.stderr


def test_a_wrong_url_is_one_clear_message(oxigraph: str) -> None:
    result = run("--data", str(MINIMAL), "publish", "--endpoint", oxigraph + "/no/such/path")
    assert result.returncode == 1
    assert "HTTP 404" in result.stderr and "Traceback" not in result.stderr
    assert run("--data", str(MINIMAL), "publish", "--endpoint", "ftp://x").returncode == 1


class _Refusing(BaseHTTPRequestHandler):
    """Asks for HTTP Basic authentication, and refuses whatever comes."""

    seen_authorization: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        type(self).seen_authorization.append(self.headers.get("Authorization", ""))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="twins"')
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.mark.parametrize(
    ("userinfo", "password", "expected"),
    [("alice:urlsecret", "envsecret", "alice:envsecret"), (":urlsecret", None, ":urlsecret")],
)
def test_credentials_are_sent_and_never_echoed(
    userinfo: str, password: str | None, expected: str
) -> None:
    """The password from the environment (else the URL's, whatever its user part) goes as HTTP
    Basic when the store asks for Basic, and is never printed."""
    import base64

    _Refusing.seen_authorization = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://{userinfo}@127.0.0.1:{server.server_address[1]}"
        env = {"SISTERCITIES_ENDPOINT_PASSWORD": password} if password else {}
        result = run("--data", str(MINIMAL), "publish", "--endpoint", url, env=env)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert "refused us (HTTP 401)" in result.stderr
    output = result.stdout + result.stderr
    assert "urlsecret" not in output and "envsecret" not in output and "alice" not in output
    sent = [a for a in _Refusing.seen_authorization if a]
    assert sent == ["Basic " + base64.b64encode(expected.encode()).decode()]


def test_serve_answers_sparql_over_http_read_only() -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(SCRIPT), "--no-cache", "--data", str(DATA), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/")
        result = run(
            "sparql",
            "--endpoint",
            url,
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "--format",
            "json",
        )
        assert result.returncode == 0, result.stderr
        assert int(
            json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"]
        ) == local_triples(DATA)
        partners = run("sparql", "--endpoint", url, "-e", "partners", "--format", "json")
        local = run("--data", str(DATA), "sparql", "-e", "partners", "--format", "json")
        assert same_answer(partners.stdout, local.stdout)
        update = urllib.request.Request(
            url + "/update",
            data=b"DROP ALL",
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=5)
        assert refused.value.code == 405
        bad = run("sparql", "--endpoint", url, "SELECT ?x WHERE {")
        assert bad.returncode == 1 and "HTTP 400" in bad.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_append_is_verified_against_what_the_graph_held(oxigraph: str) -> None:
    graph = GRAPH + "/append-verified"
    run("--data", str(MINIMAL), "publish", "--endpoint", oxigraph, "--graph", graph)
    result = run(
        "--data", str(MINIMAL), "publish", "--endpoint", oxigraph, "--graph", graph, "--append"
    )
    assert result.returncode == 0, result.stderr
    n = local_triples(MINIMAL)
    assert f"verified: the graph holds {n:,} triples ({n:,} before, {n:,} sent)" in result.stdout


def test_the_three_urls_given_explicitly_override_the_endpoint(oxigraph: str) -> None:
    """--query-url, --update-url and --store-url (or their environment variables) give a
    store's URLs as they are; they win over what --endpoint gives."""
    graph = GRAPH + "/explicit"
    result = run(
        "--data",
        str(MINIMAL),
        "publish",
        "--endpoint",
        oxigraph + "/no/such/dataset",
        "--query-url",
        oxigraph + "/query",
        "--store-url",
        oxigraph + "/store",
        "--graph",
        graph,
        env={"SISTERCITIES_UPDATE_URL": oxigraph + "/update"},
    )
    assert result.returncode == 0, result.stderr
    assert count(oxigraph, graph) == local_triples(MINIMAL)
    asked = run(
        "sparql",
        "--query-url",
        oxigraph + "/query",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
        "--format",
        "csv",
    )
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.split() == ["n", str(local_triples(MINIMAL))]
    missing = run("--data", str(MINIMAL), "publish", "--query-url", oxigraph + "/query")
    assert missing.returncode == 1
    assert "store URL is not known: give --endpoint, or --store-url" in missing.stderr


def test_a_graph_that_is_not_an_absolute_iri_is_a_usage_error(oxigraph: str) -> None:
    for bad in ("twins", "http://x/g> ; DROP ALL ; <http://x/y", "http://x/a b"):
        result = run("--data", str(MINIMAL), "publish", "--endpoint", oxigraph, "--graph", bad)
        assert result.returncode == 2, result.stderr
        assert "is not an absolute IRI" in result.stderr
