"""Stores that try to get what they should not: redirects that would carry the password to
another origin or turn an upload into a GET, error pages that echo the request's headers, and
graph names crafted to run their own SPARQL Update. Small fake stores on 127.0.0.1, and a real
Oxigraph server where the attack is against the data."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sistercities
from sistercities.store import Endpoint, StoreError, publish
from stores import ROOT, count, free_port, graphs, run

pytestmark = pytest.mark.store  # fake stores and a real Oxigraph server

MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
SECRET = "pa55-w0rd-s3cret"
CREDENTIALS = {"SISTERCITIES_ENDPOINT_USER": "alice", "SISTERCITIES_ENDPOINT_PASSWORD": SECRET}
TOKEN = base64.b64encode(f"alice:{SECRET}".encode()).decode()


Respond = Callable[[BaseHTTPRequestHandler, str, bytes], None]


class Fake:
    """A fake store: `respond` answers every request; `seen` keeps (method, path, headers)."""

    def __init__(self, respond: Respond) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def serve(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.seen.append((method, self.path, dict(self.headers.items())))
                respond(self, method, body)

            def do_GET(self) -> None:
                self.serve("GET")

            def do_POST(self) -> None:
                self.serve("POST")

            def do_HEAD(self) -> None:
                self.serve("HEAD")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Fake:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def authorizations(self) -> list[str]:
        return [h["Authorization"] for _, _, h in self.seen if "Authorization" in h]


def answer(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def asks_for_basic(then: Respond) -> Respond:
    """A store that asks for HTTP Basic authentication, then answers with `then`."""

    def respond(handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        if "Authorization" not in handler.headers:
            answer(handler, 401, headers={"WWW-Authenticate": 'Basic realm="twins"'})
        else:
            then(handler, method, body)

    return respond


def publish_to(url: str, *options: str, env: dict[str, str] | None = None) -> Any:
    return run("--data", str(MINIMAL), "publish", "--endpoint", url, *options, env=env)


def no_secret_in(result: Any) -> None:
    output = result.stdout + result.stderr
    assert SECRET not in output and TOKEN not in output
    assert "Authorization" not in output and "Traceback" not in output


def test_a_redirect_to_another_origin_never_gets_the_password() -> None:
    with Fake(lambda h, m, b: answer(h, 200, b"{}")) as elsewhere:

        def redirect(handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
            answer(handler, 307, headers={"Location": elsewhere.url + handler.path})

        with Fake(asks_for_basic(redirect)) as store:
            result = publish_to(store.url, env=CREDENTIALS)
    assert result.returncode == 1
    assert "redirected to another origin" in result.stderr and "not followed" in result.stderr
    assert elsewhere.seen == []
    assert store.authorizations() == ["Basic " + TOKEN]
    no_secret_in(result)


def test_a_redirect_that_keeps_method_and_body_is_followed_without_credentials(
    oxigraph: str,
) -> None:
    """Without credentials, a 307 to a real store is followed: the upload arrives whole."""

    def redirect(handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        answer(handler, 307, headers={"Location": oxigraph + handler.path})

    graph_iri = "https://example.org/graphs/redirected"
    with Fake(redirect) as store:
        result = publish_to(store.url, "--graph", graph_iri)
    assert result.returncode == 0, result.stderr
    assert count(oxigraph + "/query", graph_iri) > 0
    assert "verified" in result.stdout


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirect_that_would_turn_an_upload_into_a_get_is_an_error(status: int) -> None:
    """urllib would follow these as a GET without the body, and the GET's 200 would look like
    a successful upload."""

    def respond(handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        if method == "POST":
            answer(handler, status, headers={"Location": "/elsewhere"})
        else:
            answer(handler, 200, b"ok", {"Content-Type": "text/plain"})

    with Fake(respond) as store:
        result = publish_to(store.url)
        query = run("sparql", "--endpoint", store.url, "ASK { ?s ?p ?o }")
    assert result.returncode == 1
    assert f"(HTTP {status}), which would turn it into a GET" in result.stderr
    assert query.returncode == 1 and "turn it into a GET" in query.stderr
    assert all(method == "POST" for method, _, _ in store.seen)


def test_an_error_page_that_echoes_the_request_prints_no_credential() -> None:
    def echo(handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        echoed = "".join(f"{name}: {value}\n" for name, value in handler.headers.items())
        page = (
            "<html><body><h1>400 Bad Request</h1>\n"
            f"<pre>{echoed}</pre>\n"
            f"<p>the graph is read-only</p>\nyour password was {SECRET}\n"
            f"debug: token={TOKEN}\n" + "x" * 5000 + "</body></html>"
        ).encode()
        answer(handler, 400, page, {"Content-Type": "text/html"})

    with Fake(asks_for_basic(echo)) as store:
        result = publish_to(store.url, env=CREDENTIALS)
    assert result.returncode == 1
    assert "HTTP 400: 400 Bad Request the graph is read-only" in result.stderr
    assert "alice" not in result.stderr and "Host:" not in result.stderr
    assert len(result.stderr) < 600
    no_secret_in(result)


def test_digest_is_answered_when_the_store_asks_for_it() -> None:
    """A store that offers Digest gets Digest (never the password in Basic form)."""

    def respond(handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        challenge = 'Digest realm="twins", nonce="abc123", qop="auth", algorithm="MD5"'
        answer(handler, 401, headers={"WWW-Authenticate": challenge})

    with Fake(respond) as store:
        result = publish_to(store.url, env=CREDENTIALS)
    assert result.returncode == 1 and "refused us (HTTP 401)" in result.stderr
    sent = store.authorizations()
    assert sent and all(a.startswith('Digest username="alice", realm="twins"') for a in sent)
    assert not any(SECRET in a or TOKEN in a for a in sent)
    no_secret_in(result)


INJECTIONS = [
    "https://example.org/g> ; DROP GRAPH <https://example.org/graphs/victim> ; MOVE <https://x/y",
    "https://example.org/g>\nDROP ALL",
    'https://example.org/g" } ; DROP ALL ; #',
    "<https://example.org/g>",
]


@pytest.mark.parametrize("bad", INJECTIONS)
def test_a_crafted_graph_name_never_becomes_update_text(oxigraph: str, bad: str) -> None:
    victim = "https://example.org/graphs/victim"
    first = publish_to(oxigraph, "--graph", victim)
    assert first.returncode == 0, first.stderr
    before = count(oxigraph + "/query", victim)
    result = publish_to(oxigraph, "--graph", bad)
    assert result.returncode == 2
    assert "is not an absolute IRI" in result.stderr
    assert count(oxigraph + "/query", victim) == before
    assert victim in graphs(oxigraph + "/query")


def test_the_library_checks_every_iri_before_any_request() -> None:
    dataset = sistercities.load_dataset(MINIMAL)
    nobody = Endpoint.parse(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match=r"the graph .* is not an absolute IRI"):
        publish(dataset, nobody, graph=INJECTIONS[0])
    with pytest.raises(StoreError, match=r"temporary graph .* is not an absolute IRI"):
        publish(dataset, nobody, graph="https://example.org/g", base="x> ; DROP ALL ; <y")


def test_a_password_in_the_url_is_taken_out_whatever_the_user_part() -> None:
    for url in ("http://:s3cret@h:1/sparql", "http://a:s3cret@h:1/sparql", "http://a:@h:1"):
        endpoint = Endpoint.parse(url)
        assert "s3cret" not in f"{endpoint.query}{endpoint.update}{endpoint.store}{endpoint!r}"
    assert Endpoint.parse("http://:s3cret@h:1/sparql").user == ""
    assert Endpoint.parse("http://:s3cret@h:1/sparql").password == "s3cret"
