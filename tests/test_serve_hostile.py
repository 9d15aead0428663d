"""`sistercities serve` against the classes of round 3 (issue 23): host checks that compare
addresses rather than spellings, bounded forms, well-formed XML, workers that survive a killed
query, a quiet Ctrl-C, one Host, Accept q-values, a burst of a thousand queries."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import xml.dom.minidom
from collections.abc import Iterator
from pathlib import Path

import pytest
import sistercities
from helpers import MINIMAL, SCRIPT, run_cli
from sistercities.serve import ServeLimits, SparqlServer, make_server, negotiate

ASK = "ASK { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def dataset() -> sistercities.Dataset:
    return sistercities.load_dataset(MINIMAL)


class Running:
    """A server in this process, on a free port, stopped at the end."""

    def __init__(self, dataset: sistercities.Dataset, host: str = "127.0.0.1", **limits: object):
        self.server: SparqlServer = make_server(
            dataset,
            host=host,
            port=0,
            limits=ServeLimits(**limits),  # type: ignore[arg-type]
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.address = self.server.server_address[0]
        self.port = self.server.server_address[1]
        self.family = socket.AF_INET6 if ":" in self.address else socket.AF_INET

    def raw(self, data: bytes, timeout: float = 10) -> tuple[int, bytes]:
        with socket.socket(self.family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect((self.address, self.port))
            sock.sendall(data)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        answer = b"".join(chunks)
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    def post(
        self, body: str, *headers: str, kind: str = "application/sparql-query"
    ) -> tuple[int, bytes]:
        data = body.encode()
        lines = [
            "POST /query HTTP/1.1",
            f"Content-Type: {kind}",
            f"Content-Length: {len(data)}",
            *headers,
        ]
        return self.raw(("\r\n".join(lines) + "\r\n\r\n").encode() + data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def running(dataset: sistercities.Dataset) -> Iterator[Running]:
    server = Running(dataset, query_timeout=10, workers=1)
    yield server
    server.close()


# ---------------------------------------------------------------------------------------------
# host checks compare addresses, not spellings


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.2", "127.1", "LOCALHOST", "0:0:0:0:0:0:0:1", "::1"]
)
def test_the_cross_site_checks_hold_whatever_the_spelling_of_the_bind_address(
    dataset: sistercities.Dataset, host: str
) -> None:
    server = Running(dataset, host=host)
    try:
        port = server.port
        form = urllib.parse.urlencode({"query": ASK})
        for header in (
            f"Host: evil.example:{port}",
            "Host: rebound.example",
            f"Host: 127.0.0.1:{port}\r\nOrigin: http://evil.example",
            f"Host: 127.0.0.1:{port}\r\nOrigin: null",
            f"Host: 127.0.0.1:{port}\r\nReferer: http://evil.example/page",
            f"Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port + 1}",
        ):
            status, body = server.post(form, header, kind=FORM)
            assert status == 403, (header, body)
        own = f"[{server.address}]" if ":" in server.address else server.address
        for header in (
            f"Host: {own}:{port}",
            f"Host: localhost:{port}",
            f"Host: {own}:{port}\r\nOrigin: http://localhost:{port}",
        ):
            status, body = server.post(form, header, kind=FORM)
            assert status == 200 and b"true" in body, (header, body)
    finally:
        server.close()


def test_an_empty_host_is_refused() -> None:
    result = run_cli(["--no-cache", "--data", str(MINIMAL), "serve", "--host", "", "--port", "0"])
    assert result.exit_code == 2
    assert "every interface" in result.output
    with pytest.raises(ValueError, match="every interface"):
        make_server(sistercities.load_dataset(MINIMAL), host=" ", port=0)


def _serve_process(*options: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [str(SCRIPT), "--no-cache", "--data", str(MINIMAL), "serve", "--port", "0", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    return process, process.stderr.readline()


def test_an_ipv6_url_is_printed_in_brackets() -> None:
    process, line = _serve_process("--host", "::1")
    try:
        assert line.startswith("SPARQL endpoint: http://[::1]:"), line
        url = line.split()[2]
        parts = urllib.parse.urlsplit(url)
        assert parts.hostname == "::1" and parts.port
        connection = http.client.HTTPConnection("::1", parts.port, timeout=10)
        connection.request("GET", "/query?" + urllib.parse.urlencode({"query": ASK}))
        assert connection.getresponse().status == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)


# ---------------------------------------------------------------------------------------------
# requests: one Host, bounded forms


def test_two_host_headers_are_refused(running: Running) -> None:
    status, body = running.post(ASK, "Host: 127.0.0.1", "Host: evil.example")
    assert status == 400 and b"more than one Host" in body


@pytest.mark.parametrize("fields", [101, 150, 5000])
def test_a_form_with_too_many_fields_is_a_400(running: Running, fields: int) -> None:
    form = "&".join(f"f{n}=x" for n in range(fields)) + "&" + urllib.parse.urlencode({"query": ASK})
    status, body = running.post(form, kind=FORM)
    assert status == 400 and b"more than 100 fields" in body
    status, body = running.raw(f"GET /query?{form} HTTP/1.1\r\n\r\n".encode())
    assert status == 400
    assert running.post(ASK)[0] == 200


# ---------------------------------------------------------------------------------------------
# answers: well-formed XML, Accept q-values


@pytest.mark.parametrize("character", ["\\u0001", "\\u001B", "\\u0000", "\\uFFFE", "\\u0008"])
def test_an_xml_answer_is_well_formed_or_a_clear_406(running: Running, character: str) -> None:
    query = f'SELECT ?x WHERE {{ BIND("a{character}b" AS ?x) }}'
    status, body = running.post(query, "Accept: application/sparql-results+xml")
    if status == 200:
        xml.dom.minidom.parseString(body)
    else:
        assert status == 406 and b"XML 1.0 cannot" in body, body
    status, body = running.post(query, "Accept: application/sparql-results+json")
    assert status == 200
    value = json.loads(body)["results"]["bindings"][0]["x"]["value"]
    assert value == "a" + character.encode().decode("unicode_escape") + "b"
    status, body = running.post(
        'SELECT ?x WHERE { BIND("tab\\tand\\nline <&>" AS ?x) }',
        "Accept: application/sparql-results+xml",
    )
    assert status == 200
    xml.dom.minidom.parseString(body)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json;q=0.1, text/csv", "text/csv"),
        ("application/sparql-results+json;q=0, */*", "application/json"),
        (
            "application/sparql-results+json; q=0.5, application/sparql-results+xml; q=0.9",
            "application/sparql-results+xml",
        ),
        ("text/*;q=0.3, text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
    ],
)
def test_accept_q_values_are_honoured(running: Running, accept: str, media: str) -> None:
    header = [f"Accept: {accept}"] if accept else []
    status, _body = running.post("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", *header)
    assert status == 200
    offers = (
        "application/sparql-results+json",
        "application/json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    )
    assert negotiate(accept or None, offers)[0] == media


def test_an_accept_that_nothing_meets_is_a_406(running: Running) -> None:
    status, body = running.post(ASK, "Accept: text/html, application/sparql-results+json;q=0")
    assert status == 406 and b"application/sparql-results+json" in body


def test_the_negotiated_media_type_is_the_one_sent(running: Running) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
    connection.request(
        "POST",
        "/query",
        body=b"SELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json;q=0.2, text/csv;q=0.8",
        },
    )
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/csv"
    connection.close()


# ---------------------------------------------------------------------------------------------
# faults: a killed query, Ctrl-C


def _query_children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL, signal.SIGSEGV])
def test_a_worker_survives_a_query_killed_by_a_signal(
    dataset: sistercities.Dataset, signum: int
) -> None:
    server = Running(dataset, query_timeout=60, workers=1)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    try:
        for _ in range(3):  # more than the workers: each must survive
            answers: list[tuple[int, bytes]] = []
            # Other children of this process (a session's Oxigraph server) are not the query's.
            before = set(_query_children(os.getpid()))

            def ask(into: list[tuple[int, bytes]] = answers) -> None:
                into.append(server.post(runaway))

            client = threading.Thread(target=ask)
            client.start()
            deadline = time.monotonic() + 20
            while not (children := sorted(set(_query_children(os.getpid())) - before)):
                assert time.monotonic() < deadline, "the query's child never started"
                time.sleep(0.01)
            os.kill(children[0], signum)
            client.join(timeout=20)
            status, body = answers[0]
            assert status == 500 and signal.Signals(signum).name.encode() in body, body
        status, body = server.post(ASK)
        assert status == 200 and b"true" in body
    finally:
        server.close()


def test_ctrl_c_stops_the_server_quietly() -> None:
    process, line = _serve_process("--workers", "2", "--query-timeout", "60")
    assert "SPARQL endpoint" in line
    port = int(line.rsplit(":", 1)[1].split("/")[0])
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    clients = []
    for _ in range(2):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(
            "POST",
            "/query",
            body=runaway.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        clients.append(connection)
    deadline = time.monotonic() + 20
    while len(_query_children(process.pid)) < 2:
        assert time.monotonic() < deadline, "the queries never started"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _out, stderr = process.communicate(timeout=20)
    assert "Traceback" not in stderr, stderr
    assert "Exception" not in stderr, stderr
    for connection in clients:
        connection.close()


# ---------------------------------------------------------------------------------------------
# load: a burst of a thousand small queries is queued and answered; past the bound, 503


async def _burst(port: int, count: int, query: str) -> list[int]:
    body = query.encode()
    request = (
        f"POST /query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/sparql-query\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def one() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return int(answer.split(b" ", 2)[1]) if answer else 0

    return list(await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), 240))


def test_a_burst_of_a_thousand_small_queries_is_answered_whole(
    dataset: sistercities.Dataset,
) -> None:
    server = Running(dataset)  # the default limits
    try:
        statuses = asyncio.run(_burst(server.port, 1000, ASK))
        assert statuses.count(200) == 1000, {s: statuses.count(s) for s in set(statuses)}
    finally:
        server.close()


def test_past_the_stated_queue_requests_are_shed(dataset: sistercities.Dataset) -> None:
    server = Running(dataset, workers=1, queue=20, max_connections=2000)
    try:
        statuses = asyncio.run(_burst(server.port, 300, ASK))
        assert set(statuses) <= {200, 503}
        assert statuses.count(200) >= 21 and statuses.count(503) > 0
    finally:
        server.close()
