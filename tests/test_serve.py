"""`sistercities serve` under bad clients (issue 16): real sockets on 127.0.0.1 against a real
server process with short limits. Every test ends with the server still answering."""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph
import pytest
import sistercities
from helpers import DATA, MINIMAL, SCRIPT
from sistercities.export import FORMATS
from sistercities.serve import ServeLimits, SparqlServer, make_server, service_endpoints

pytestmark = pytest.mark.store  # real `sistercities serve` processes

LIMITS = [
    "--query-timeout",
    "1",
    "--request-timeout",
    "1",
    "--max-body",
    "10000",
    "--max-result",
    "200000",
    "--workers",
    "3",
]
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Server:
    """A `sistercities serve` process on a free port."""

    def __init__(self, *options: str):
        self.process = subprocess.Popen(
            [str(SCRIPT), "--no-cache", "--data", str(DATA), "serve", "--port", "0", *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        assert "SPARQL endpoint: http://127.0.0.1:" in line, line
        self.port = int(line.split("127.0.0.1:")[1].split("/")[0])

    def request(
        self,
        method: str,
        path: str = "/query",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> tuple[int, bytes]:
        """Status and body of one request with http.client."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def query(self, text: str, **headers: str) -> tuple[int, bytes]:
        """POST a query as application/sparql-query."""
        return self.request(
            "POST",
            body=text.encode(),
            headers={"Content-Type": "application/sparql-query", **headers},
        )

    def answers(self) -> None:
        """The server still answers a good query, at once."""
        started = time.monotonic()
        status, body = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert status == 200, body
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 1000
        assert time.monotonic() - started < 2
        assert self.process.poll() is None

    def raw(self, data: bytes, timeout: float = 5) -> bytes:
        """Everything the server answers to `data` sent as is, until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            return read_all(sock)

    def threads(self) -> int:
        """The server process's number of threads."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("Threads:"))[8:])

    def stop(self) -> str:
        """Stop the server; its stderr."""
        self.process.terminate()
        _, stderr = self.process.communicate(timeout=10)
        return stderr


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server(*LIMITS)
    yield running
    stderr = running.stop()
    assert "Traceback" not in stderr


def post(content_length: str, body: bytes) -> bytes:
    return (
        b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        + content_length.encode()
        + b"\r\n\r\n"
        + body
    )


@pytest.mark.parametrize(
    ("header", "body", "expected"),
    [
        ("Content-Length: -5", b"ASK {}", "is negative"),
        ("Content-Length: ten", b"ASK {}", "is not a number of bytes"),
        ("Content-Length: 0x10", b"ASK {}", "is not a number of bytes"),
        ("Content-Length: 6\r\nContent-Length: 7", b"ASK {}", "two different Content-Length"),
        ("Content-Length: 6, 9", b"ASK {}", "two different Content-Length"),
        ("Content-Length: " + "9" * 40, b"ASK {}", "is not a number of bytes"),
        ("Content-Length: 600", b"ASK {}", "the body is shorter than its Content-Length"),
    ],
    ids=["negative", "word", "hex", "two-headers", "two-values", "huge-number", "short-body"],
)
def test_a_bad_content_length_is_a_clear_400(
    server: Server, header: str, body: bytes, expected: str
) -> None:
    started = time.monotonic()
    answer = server.raw(post(header, body))
    assert status_of(answer) == 400, answer
    assert expected.encode() in answer
    assert time.monotonic() - started < 3  # the short body: the 1 s request timeout
    server.answers()


def test_the_same_content_length_twice_is_accepted(server: Server) -> None:
    answer = server.raw(post("Content-Length: 6\r\nContent-Length: 6", b"ASK {}"))
    assert status_of(answer) == 200 and b'"boolean":true' in answer
    server.answers()


def test_a_huge_body_is_refused_before_it_is_read(server: Server) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(post("Content-Length: 50000000", b"#" * 65536))
        answer = read_all(sock)
    assert status_of(answer) == 413, answer
    assert b"larger than the limit of 10,000 bytes" in answer
    assert time.monotonic() - started < 3
    # http.client sending the whole body gets the same answer (or a reset: never a hang)
    try:
        status, _ = server.request("POST", body=b"#" * 2_000_000)
    except ConnectionError:
        pass
    else:
        assert status == 413
    server.answers()


def test_chunked_bodies_and_missing_lengths_are_refused(server: Server) -> None:
    chunked = server.raw(
        b"POST /query HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n"
    )
    assert status_of(chunked) == 501
    no_length = server.raw(b"POST /query HTTP/1.0\r\n\r\n")
    assert status_of(no_length) == 411
    garbage = server.raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")  # TLS hello
    assert status_of(garbage) == 400
    server.answers()


def test_a_slowloris_client_is_cut_off_after_the_request_timeout(server: Server) -> None:
    """Headers at one byte every 0.1 s: the deadline is for the whole request, not a recv."""
    request = post("Content-Length: 6", b"ASK {}")
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for byte in request:  # until the server answers (or 5 s: far too long)
            with contextlib.suppress(OSError):
                sock.send(bytes([byte]))
            if select.select([sock], [], [], 0.1)[0] or time.monotonic() - started > 5:
                break
        elapsed = time.monotonic() - started
        answer = read_all(sock)
    assert elapsed < 2, elapsed  # cut off at about 1 s, not after the whole request
    assert status_of(answer) == 408 and b"did not arrive whole within 1 s" in answer
    server.answers()


def test_idle_half_open_connections_cost_no_thread(server: Server) -> None:
    threads_before = server.threads()
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(50)]
    try:
        server.answers()  # at once, with 50 idle connections open
        assert server.threads() <= threads_before
        for sock in idle:  # each one closed by the server after the request timeout
            assert status_of(read_all(sock)) == 408
    finally:
        for sock in idle:
            sock.close()
    server.answers()


def test_a_cross_product_is_stopped_and_the_server_survives(server: Server) -> None:
    started = time.monotonic()
    status, body = server.query(CROSS_COUNT)
    assert status == 500
    assert body == b"the query was stopped: it ran past the time limit of 1 s\n"
    assert time.monotonic() - started < 3
    server.answers()
    status, body = server.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")  # streams fast
    assert status == 500
    assert b"the answer is larger than the limit of 200,000 bytes" in body
    server.answers()


def test_a_query_past_its_memory_limit_is_stopped() -> None:
    """Sorting 21 million rows: past 100 MiB in a fraction of a second (the time limit is 10 s,
    far away, so that the memory limit is what stops it, however busy the machine)."""
    limits = ServeLimits(query_timeout=10, query_memory=100 << 20, workers=1)
    running = make_server(sistercities.load_dataset(DATA), port=0, limits=limits)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        port = running.server_address[1]
        started = time.monotonic()
        status, body = _post_query(port, "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f LIMIT 1")
        assert status == 500
        assert body.startswith(b"the query failed: it ran out of memory (its limit: 100 MiB")
        assert b"--query-memory" in body
        assert time.monotonic() - started < 8
        status, body = _post_query(port, "ASK { ?s ?p ?o }")
        assert status == 200 and b"true" in body
    finally:
        running.shutdown()
        running.server_close()
        thread.join(timeout=5)


def test_construct_answers_in_the_export_registrys_media_types(server: Server) -> None:
    construct = b"CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
    for accept, name in (("", "n-triples"), ("text/turtle", "turtle")):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        headers = {"Content-Type": "application/sparql-query", "Accept": accept}
        connection.request("POST", "/query", body=construct, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == FORMATS[name].media_type
        media = FORMATS[name].media_type
        triples = pyoxigraph.parse(response.read(), pyoxigraph.RdfFormat.from_media_type(media))
        assert len(list(triples)) == 3
        connection.close()
    server.answers()


def test_a_query_that_is_not_sparql_is_a_400(server: Server) -> None:
    status, body = server.query("SELECT ?x WHERE {")
    assert status == 400 and body.startswith(b"the query is not valid SPARQL")
    server.answers()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "PREFIX x: <http://127.0.0.1:9/>\nSELECT * WHERE {SERVICE x:sparql{?s ?p ?o}}",
    ],
    ids=["iri", "silent-lower-case", "variable", "prefixed-name"],
)
def test_service_is_refused_by_default(server: Server, query: str) -> None:
    status, body = server.query(query)
    assert status == 400, body
    assert b"SERVICE" in body and b"--allow-service" in body
    server.answers()


def test_service_in_a_string_or_a_comment_is_not_a_service_clause(server: Server) -> None:
    status, body = server.query('ASK { ?s ?p ?o FILTER(?o != "SERVICE <x> {}") } # SERVICE ?x')
    assert status == 200, body
    assert service_endpoints("SELECT * { ?s <http://ex.org/SERVICE> ?o }") == []
    server.answers()


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/page.html"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Host": "evil.example:7879"},
    ],
    ids=["origin", "null-origin", "referer", "sec-fetch-site", "rebound-host"],
)
def test_a_form_from_another_site_is_refused(server: Server, headers: dict[str, str]) -> None:
    form = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    status, body = server.request(
        "POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    assert status == 403, body
    server.answers()


def test_the_server_itself_and_tools_without_origin_may_post_forms(server: Server) -> None:
    form = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    for headers in ({}, {"Origin": f"http://127.0.0.1:{server.port}"}):
        status, body = server.request(
            "POST",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        assert status == 200 and b'"boolean":true' in body
    status, _ = server.request("POST", body=form, headers={"Content-Type": "text/plain"})
    assert status == 415
    server.answers()


def test_twenty_concurrent_clients_are_all_answered(server: Server) -> None:
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def client() -> None:
        answer = server.query("SELECT ?p WHERE { place:jakarta sc:twinnedWith ?p }")
        with lock:
            results.append(answer)

    threads_before = server.threads()
    clients = [threading.Thread(target=client) for _ in range(20)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=20)
    assert len(results) == 20
    assert {status for status, _ in results} == {200}
    assert len({body for _, body in results}) == 1
    assert server.threads() <= threads_before  # three workers, whatever comes
    server.answers()


class _Sparql(BaseHTTPRequestHandler):
    """A tiny SPARQL endpoint, the target of SERVICE: one solution, and a record of asks."""

    asked: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        _Sparql.asked.append(self.path)
        body = json.dumps(
            {
                "head": {"vars": ["x"]},
                "results": {"bindings": [{"x": {"type": "literal", "value": "from-service"}}]},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()


def test_service_runs_for_an_allowed_host_only() -> None:
    target = ThreadingHTTPServer(("127.0.0.1", 0), _Sparql)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    allowed = Server(*LIMITS, "--allow-service", "127.0.0.1")
    port = target.server_address[1]
    try:
        status, body = allowed.query(
            f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?x ?y ?z }} }}"
        )
        assert status == 200, body
        assert json.loads(body)["results"]["bindings"] == [
            {"x": {"type": "literal", "value": "from-service"}}
        ]
        assert len(_Sparql.asked) == 1
        other = f"SELECT ?x WHERE {{ SERVICE <http://localhost:{port}/sparql> {{ ?x ?y ?z }} }}"
        status, body = allowed.query(other)
        assert status == 400 and b"only hosts given with --allow-service (127.0.0.1)" in body
        assert len(_Sparql.asked) == 1
        allowed.answers()
    finally:
        assert "Traceback" not in allowed.stop()
        target.shutdown()
        target.server_close()


@pytest.fixture
def small_server() -> Iterator[SparqlServer]:
    """A server in this process with one worker, one place in the queue, five connections."""
    limits = ServeLimits(query_timeout=1, request_timeout=2, workers=1, queue=1, max_connections=5)
    running = make_server(sistercities.load_dataset(MINIMAL), port=0, limits=limits)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(timeout=5)


def _post_query(port: int, text: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/sparql-query"}
        connection.request("POST", "/query", body=text.encode(), headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_clients_past_the_workers_and_the_queue_get_503(small_server: SparqlServer) -> None:
    port = small_server.server_address[1]
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answers: list[tuple[int, bytes]] = []

    def client() -> None:
        answers.append(_post_query(port, runaway))

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:  # one runs, one waits, the other two are turned away
        thread.start()
        time.sleep(0.1)
    for thread in clients:
        thread.join(timeout=10)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [500, 500, 503, 503], answers
    assert all(b"the server is busy" in body for status, body in answers if status == 503)
    status, body = _post_query(port, "ASK { ?s ?p ?o }")
    assert status == 200 and b"true" in body


def test_connections_past_the_limit_get_503_at_once(small_server: SparqlServer) -> None:
    port = small_server.server_address[1]
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(5)]
    try:
        time.sleep(0.2)  # accepted and waiting for their requests
        with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
            answer = read_all(extra)
        assert status_of(answer) == 503 and b"too many connections" in answer
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.2)  # their close is seen
    status, body = _post_query(port, "ASK { ?s ?p ?o }")
    assert status == 200 and b"true" in body
