"""Publishing through faults, in front of a real Oxigraph server: a proxy on 127.0.0.1 that
loses the answer to the swap, never delivers the swap, loses the answer to a chunk, or is slower
than --timeout. Each time the graph ends with its old content or the complete new content, and
publish says one clear thing: an honest success, or exit 1."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from stores import ROOT, count, graphs, local_triples, run

pytestmark = pytest.mark.store  # a real Oxigraph server behind a faulty proxy

DATA = ROOT / "data" / "cities.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
GRAPH = "https://example.org/graphs/faults"

# What the proxy does with one request: pass it on, "drop" it (close the connection, never
# forward it), "lose" its answer (forward it, then close without answering), or wait so many
# seconds "before" forwarding it or "after" (then answer).
Action = tuple[str, float]
Rule = Callable[[str, str, bytes], Action]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a delayed request forwarded after the store stopped: nobody waits for it


class Proxy:
    """An HTTP proxy to `target` whose `rule` picks what happens to each request; it records
    the requests it forwarded."""

    def __init__(self, target: str, rule: Rule) -> None:
        self.target, self.rule = target, rule
        self.forwarded: list[tuple[str, str, bytes]] = []
        # Requests received and not yet done with (forwarded and answered, or dropped): a delayed
        # request may still reach the store after the client gave up on it.
        self.in_flight = 0
        self.changed = threading.Condition()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy.handle(self, "GET")

            def do_POST(self) -> None:
                proxy.handle(self, "POST")

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        with self.changed:
            self.in_flight += 1
        try:
            self.pass_on(handler, method)
        finally:
            with self.changed:
                self.in_flight -= 1
                self.changed.notify_all()

    def settled(self, timeout: float = 60) -> bool:
        """Waits until every request the proxy received is done with (a delayed one forwarded
        to the store and its answer written, or not): False if `timeout` runs out first."""
        with self.changed:
            return self.changed.wait_for(lambda: self.in_flight == 0, timeout)

    def pass_on(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        action, seconds = self.rule(method, handler.path, body)
        if action == "drop":
            handler.close_connection = True
            return
        if action == "before":
            time.sleep(seconds)
        status, payload, kind = self.forward(handler, method, body)
        if action == "lose":
            handler.close_connection = True
            return
        if action == "after":
            time.sleep(seconds)
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def forward(
        self, handler: BaseHTTPRequestHandler, method: str, body: bytes
    ) -> tuple[int, bytes, str]:
        self.forwarded.append((method, handler.path, body))
        headers = {
            k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")
        }
        request = urllib.request.Request(
            self.target + handler.path, data=body or None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), "text/plain"

    def __enter__(self) -> Proxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def swaps(self) -> int:
        return sum(1 for _, path, body in self.forwarded if is_swap(path, body))


def is_swap(path: str, body: bytes) -> bool:
    return path.startswith("/update") and b"MOVE" in urllib.parse.unquote_to_bytes(body)


def on_swap(action: str, seconds: float = 0.0) -> Rule:
    def rule(method: str, path: str, body: bytes) -> Action:
        return (action, seconds) if is_swap(path, body) else ("pass", 0.0)

    return rule


def old_content(oxigraph: str, graph: str) -> int:
    """Publish the curated data into `graph` directly; its triple count."""
    result = run("--data", str(DATA), "publish", "--endpoint", oxigraph, "--graph", graph)
    assert result.returncode == 0, result.stderr
    return count(oxigraph + "/query", graph)


def publish_through(proxy: Proxy, graph: str, *options: str) -> Any:
    return run(
        "--data", str(MINIMAL), "publish", "--endpoint", proxy.url, "--graph", graph, *options
    )


def staging_graphs(oxigraph: str) -> set[str]:
    return {g for g in graphs(oxigraph + "/query") if "/upload/" in g}


def test_a_lost_answer_to_the_swap_is_found_out_and_nothing_is_lost(oxigraph: str) -> None:
    """The store ran the MOVE but its answer never came: publish does not send it again (a
    second MOVE would empty the graph), counts the graphs, and reports an honest success."""
    graph = GRAPH + "/lost-swap-answer"
    old_content(oxigraph, graph)
    with Proxy(oxigraph, on_swap("lose")) as proxy:
        result = publish_through(proxy, graph)
    assert result.returncode == 0, result.stderr
    assert proxy.swaps() == 1
    assert count(oxigraph + "/query", graph) == local_triples(MINIMAL)
    assert "note: the store's answer to the swap was lost" in result.stderr
    assert "counting the graphs showed the swap done" in result.stderr
    assert "verified: the graph holds" in result.stdout
    assert not staging_graphs(oxigraph)


def test_a_swap_that_never_reached_the_store_leaves_the_old_content(oxigraph: str) -> None:
    """The connection drops before the MOVE reaches the store: the graph keeps its old content,
    exit 1 says so, and the temporary graph is left for the person to drop (a DROP racing a
    swap that might still run could empty the graph)."""
    graph = GRAPH + "/dropped-swap"
    before = old_content(oxigraph, graph)
    with Proxy(oxigraph, on_swap("drop")) as proxy:
        result = publish_through(proxy, graph, "--timeout", "2")
    assert result.returncode == 1
    assert proxy.swaps() == 0
    assert "Traceback" not in result.stderr
    assert f"still holds its old content ({before:,} triples)" in result.stderr
    assert count(oxigraph + "/query", graph) == before
    left = re.search(r"temporary graph <([^>]+)>", result.stderr)
    assert left and staging_graphs(oxigraph) == {left.group(1)}
    assert count(oxigraph + "/query", left.group(1)) == local_triples(MINIMAL)
    request = urllib.request.Request(
        oxigraph + "/update",
        data=urllib.parse.urlencode({"update": f"DROP GRAPH <{left.group(1)}>"}).encode(),
    )
    urllib.request.urlopen(request, timeout=30).read()


def test_a_lost_answer_to_a_chunk_is_sent_again(oxigraph: str) -> None:
    """A chunk whose answer is lost is sent again (a graph is a set: nothing doubles)."""
    graph = GRAPH + "/lost-chunk-answer"
    old_content(oxigraph, graph)
    uploads = 0

    def rule(method: str, path: str, body: bytes) -> Action:
        nonlocal uploads
        if method == "POST" and path.startswith("/store"):
            uploads += 1
            if uploads == 2:
                return ("lose", 0.0)
        return ("pass", 0.0)

    with Proxy(oxigraph, rule) as proxy:
        result = publish_through(proxy, graph, "--chunk-triples", "50")
    assert result.returncode == 0, result.stderr
    chunks = [body for method, path, body in proxy.forwarded if path.startswith("/store")]
    assert len(chunks) == len(set(chunks)) + 1  # the second chunk, twice
    assert count(oxigraph + "/query", graph) == local_triples(MINIMAL)
    assert f"verified: the graph holds {local_triples(MINIMAL):,} triples" in result.stdout
    assert not staging_graphs(oxigraph)


def test_a_swap_slower_than_the_timeout_is_an_honest_success(oxigraph: str) -> None:
    """The store answers the MOVE after --timeout: publish counts, finds it done, says so."""
    graph = GRAPH + "/slow-swap"
    old_content(oxigraph, graph)
    with Proxy(oxigraph, on_swap("after", 4.0)) as proxy:
        result = publish_through(proxy, graph, "--timeout", "1.5")
    assert result.returncode == 0, result.stderr
    assert proxy.swaps() == 1
    assert "did not answer within 1.5 s" in result.stderr
    assert "showed the swap done" in result.stderr
    assert count(oxigraph + "/query", graph) == local_triples(MINIMAL)


def test_a_store_slower_than_the_timeout_is_one_clear_message(oxigraph: str) -> None:
    graph = GRAPH + "/slow-store"
    before = old_content(oxigraph, graph)
    with Proxy(oxigraph, lambda method, path, body: ("before", 3.0)) as proxy:
        started = time.monotonic()
        result = publish_through(proxy, graph, "--timeout", "1")
        took = time.monotonic() - started
    assert result.returncode == 1
    assert "did not answer within 1 s (--timeout SECONDS" in result.stderr
    assert "Traceback" not in result.stderr
    assert took < 30
    # The proxy's delayed requests reach the store after publish gave up on them, harmlessly.
    assert proxy.settled(), "the proxy's delayed requests were still not forwarded"
    delayed = [path for _, path, _ in proxy.forwarded]
    assert delayed and all(path.startswith("/query") for path in delayed), delayed
    assert count(oxigraph + "/query", graph) == before
    assert proxy.swaps() == 0


def test_the_timeout_comes_from_the_environment_too(oxigraph: str) -> None:
    graph = GRAPH + "/slow-store-env"
    with Proxy(oxigraph, lambda method, path, body: ("before", 3.0)) as proxy:
        result = run(
            "--data",
            str(MINIMAL),
            "publish",
            "--endpoint",
            proxy.url,
            "--graph",
            graph,
            env={"SISTERCITIES_ENDPOINT_TIMEOUT": "1"},
        )
        query = run(
            "sparql",
            "--endpoint",
            proxy.url,
            "ASK { ?s ?p ?o }",
            env={"SISTERCITIES_ENDPOINT_TIMEOUT": "1"},
        )
    assert result.returncode == 1 and "did not answer within 1 s" in result.stderr
    assert query.returncode == 1 and "did not answer within 1 s" in query.stderr
    assert proxy.settled()  # nothing of this test reaches the shared store after it


def test_a_long_swap_is_said_on_a_terminal(oxigraph: str) -> None:
    """While the store works on the swap, stderr (a terminal) says so every second."""
    import os
    import pty
    import subprocess

    from stores import SCRIPT

    graph = GRAPH + "/long-swap"
    old_content(oxigraph, graph)
    leader, follower = pty.openpty()
    with Proxy(oxigraph, on_swap("after", 3.0)) as proxy:
        command = [str(SCRIPT), "--data", str(MINIMAL), "publish", "--endpoint", proxy.url]
        command += ["--graph", graph]
        result = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            timeout=120,
            env={**os.environ, "SISTERCITIES_NO_CACHE": "1"},
            check=False,
        )
    os.close(follower)
    terminal = b""
    with contextlib.suppress(OSError):
        while chunk := os.read(leader, 65536):
            terminal += chunk
    os.close(leader)
    assert result.returncode == 0, terminal
    shown = terminal.decode()
    assert "triples uploaded" in shown
    assert "swapping the new content in (MOVE): 2 s, waiting for the store" in shown
    assert "\\r" not in shown


class _ScriptedStore(BaseHTTPRequestHandler):
    """A fake store for the outcomes a real one rarely shows: it keeps triple counts per graph,
    loses the answer to the MOVE, and afterwards reports `after_swap` (graph → count, or None
    to close every connection)."""

    counts: ClassVar[dict[str, int]] = {}
    after_swap: ClassVar[dict[str, int] | None] = {}
    swapped: ClassVar[bool] = False

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form = urllib.parse.parse_qs(body.decode())
        store = type(self)
        if self.path.startswith("/store"):
            graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]
            store.counts[graph] = store.counts.get(graph, 0) + body.count(b"\n")
            return self.reply(204, b"")
        if "update" in form:
            if "MOVE" in form["update"][0]:
                store.swapped = True
                self.close_connection = True
                return None
            return self.reply(204, b"")
        if store.swapped and store.after_swap is None:
            self.close_connection = True
            return None
        graph_match = re.search(r"GRAPH <([^>]+)>", form["query"][0])
        graph = graph_match.group(1) if graph_match else ""
        counts = store.after_swap if store.swapped and store.after_swap else store.counts
        n = counts.get(graph, store.counts.get(graph, 0) if graph.find("/upload/") > 0 else 0)
        answer = {
            "head": {"vars": ["n"]},
            "results": {
                "bindings": [
                    {
                        "n": {
                            "type": "literal",
                            "value": str(n),
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                        }
                    }
                ]
            },
        }
        return self.reply(200, json.dumps(answer).encode(), "application/sparql-results+json")

    def reply(self, status: int, body: bytes, kind: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize(
    ("after_swap", "expected"),
    [
        ({GRAPH: 7}, "now holds 7 triples, neither its old 100 nor the new"),
        (
            None,
            "then stopped answering: the graph https://example.org/graphs/faults holds either "
            "its old content (100 triples) or the complete new content",
        ),
    ],
)
def test_what_the_graph_holds_is_said_when_the_swap_cannot_be_settled(
    after_swap: dict[str, int] | None, expected: str
) -> None:
    _ScriptedStore.counts = {GRAPH: 100}
    _ScriptedStore.after_swap = after_swap
    _ScriptedStore.swapped = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = run(
            "--data",
            str(MINIMAL),
            "publish",
            "--endpoint",
            url,
            "--graph",
            GRAPH,
            "--timeout",
            "1",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert expected in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def _interrupt_mid_upload(
    oxigraph: str, graph: str, signum: int, *options: str, hold: str = "chunk"
) -> tuple[Any, Proxy, int]:
    """Publish MINIMAL through a proxy that holds the second chunk (or the swap: `hold`),
    never forwarding it, and send `signum` to publish once it is held; (the finished process,
    the proxy, the graph's old count)."""
    import os
    import subprocess

    from stores import SCRIPT

    before = old_content(oxigraph, graph)
    held, release = threading.Event(), threading.Event()
    uploads = 0

    def rule(method: str, path: str, body: bytes) -> Action:
        nonlocal uploads
        if method == "POST" and path.startswith("/store"):
            uploads += 1
        chunk = hold == "chunk" and uploads == 2 and path.startswith("/store")
        if (chunk or (hold == "swap" and is_swap(path, body))) and not held.is_set():
            held.set()
            release.wait(120)
            return ("drop", 0.0)
        return ("pass", 0.0)

    with Proxy(oxigraph, rule) as proxy:
        command = [str(SCRIPT), "--data", str(MINIMAL), "publish", "--endpoint", proxy.url]
        command += ["--graph", graph, "--chunk-triples", "50", *options]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SISTERCITIES_NO_CACHE": "1"},
        )
        try:
            assert held.wait(120), "publish never sent its second chunk"
            process.send_signal(signum)
            stdout, stderr = process.communicate(timeout=120)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
                process.wait()
        assert proxy.settled()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), proxy, before


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_a_signal_mid_upload_drops_our_temporary_graph_and_says_what_the_store_holds(
    oxigraph: str, signame: str
) -> None:
    """SIGTERM or Ctrl-C while a chunk is on its way: the temporary graph (ours, and only
    ours) is dropped, stderr says the graph holds its old content, untouched; exit 1."""
    import signal

    graph = GRAPH + "/interrupted-" + signame.lower()
    # another publish's temporary graph, which must survive ours being dropped
    other = "http://example.org/upload/00000000-0000-0000-0000-000000000000"
    ask_update(oxigraph, f"INSERT DATA {{ GRAPH <{other}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    try:
        result, proxy, before = _interrupt_mid_upload(oxigraph, graph, getattr(signal, signame))
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and "Aborted" not in result.stderr
        said = " ".join(result.stderr.split())
        assert f"still holds its old content ({before:,} triples), untouched" in said, said
        ours = re.search(r"the temporary graph <([^>]+)> was dropped", said)
        assert ours, said
        stored = [p for m, p, _ in proxy.forwarded if m == "POST" and p.startswith("/store")]
        assert len(stored) == 1  # the first chunk reached the store, into our graph
        assert urllib.parse.quote(ours.group(1), safe="") in stored[0]
        assert count(oxigraph + "/query", ours.group(1)) == 0
        assert count(oxigraph + "/query", graph) == before
        assert count(oxigraph + "/query", other) == 1  # not ours: left alone
        assert proxy.swaps() == 0
    finally:
        ask_update(oxigraph, f"DROP SILENT GRAPH <{other}>")


def test_a_signal_mid_append_says_part_of_the_data_was_added(oxigraph: str) -> None:
    import signal

    graph = GRAPH + "/interrupted-append"
    result, _, before = _interrupt_mid_upload(oxigraph, graph, signal.SIGTERM, "--append")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    said = " ".join(result.stderr.split())
    assert f"holds its old content ({before:,} triples) and part of the new" in said, said
    assert "publish again to add the rest" in said


def test_a_signal_mid_swap_says_the_graph_is_old_or_new_never_a_mix(oxigraph: str) -> None:
    """Interrupted while the MOVE is on its way: its outcome is unknown, so the temporary
    graph is left (a DROP racing the swap could empty the graph) and stderr says so."""
    import signal

    graph = GRAPH + "/interrupted-swap"
    result, _, before = _interrupt_mid_upload(oxigraph, graph, signal.SIGINT, hold="swap")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    said = " ".join(result.stderr.split())
    assert f"holds either its old content ({before:,} triples) or the complete new" in said
    left = re.search(r"the temporary graph <([^>]+)> is left", said)
    assert left, said
    assert count(oxigraph + "/query", graph) == before  # the proxy never passed the MOVE on
    ask_update(oxigraph, f"DROP GRAPH <{left.group(1)}>")


def ask_update(oxigraph: str, update: str) -> None:
    """A SPARQL Update sent with urllib alone (not with the tool under test)."""
    request = urllib.request.Request(
        oxigraph + "/update", data=urllib.parse.urlencode({"update": update}).encode()
    )
    urllib.request.urlopen(request, timeout=30).read()
