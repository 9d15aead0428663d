"""A local, read-only SPARQL 1.1 endpoint over the data, for tools that want HTTP.

The data goes into an embedded, in-memory Oxigraph store (pyoxigraph, the same engine as
`sistercities sparql`). It is read-only by construction: only the query operation exists
(``GET /query?query=…`` and ``POST /query`` with ``application/sparql-query`` or a form), so no
request can change the data. Results are negotiated from the Accept header: SPARQL JSON
(default), XML, CSV or TSV; CONSTRUCT and DESCRIBE give N-Triples or Turtle.

Built to stay up under bad clients (every limit is a `ServeLimits` field):

- One thread reads every incoming request without blocking (a selector), each within
  `request_timeout` seconds in all: an idle or half-open connection, or one that sends a byte a
  second (slowloris), costs a file descriptor, never a thread, and is cut off at the deadline.
  At most `max_connections` are read at once; more get 503.
- A bad ``Content-Length`` (not a number, negative, two different values, more than the body
  that comes) is a 400; a body over `max_body` is a 413 before it is read; chunked bodies 501.
- Complete requests go to `workers` threads through a queue of `queue` places; past that, 503.
- Each query runs in a forked child (`sistercities.isolate`): killed at `query_timeout`, its answer
  cut off past `max_result` bytes, its memory bounded by `query_memory`, so a cross product
  neither blocks the server nor exhausts its memory.
- ``SERVICE`` is refused (400) unless its endpoint's host is in `allow_service`; without any,
  the query's child cannot open a socket at all.
- Requests from web pages are refused (403) when their Origin, Referer or Sec-Fetch-Site says
  they come from another site, and when the Host is not this server's (DNS rebinding): a page
  the user visits cannot make the endpoint run its queries.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
import selectors
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.client import parse_headers
from typing import IO, Any

from .errors import SisterCitiesError
from .model import Dataset
from .vocab import DEFAULT_BASE

__all__ = ["ServeLimits", "SparqlServer", "make_server", "service_endpoints"]


@dataclass(frozen=True)
class ServeLimits:
    """What one client may cost the server."""

    query_timeout: float = 30.0  # seconds a query may run
    request_timeout: float = 10.0  # seconds to receive a whole request (headers and body)
    max_body: int = 1 << 20  # bytes of a request body
    max_header: int = 64 << 10  # bytes of the request line and headers
    max_result: int = 64 << 20  # bytes of one answer
    query_memory: int = 2 << 30  # bytes a query's child may allocate beyond the server's size
    workers: int = 4  # queries answered at once
    queue: int = 32  # complete requests waiting for a worker
    max_connections: int = 256  # connections being read at once
    allow_service: tuple[str, ...] = field(default=())  # hosts SERVICE may ask


class _Refused(SisterCitiesError):
    """A request answered with an error status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class _Incoming:
    """A connection whose request is still arriving."""

    sock: socket.socket
    deadline: float
    buffer: bytearray = field(default_factory=bytearray)
    head: tuple[str, str, Message] | None = None  # method, target, headers
    body_start: int = 0
    length: int = 0
    draining: bool = False  # answered already: reading what the client still sends


@dataclass
class _Request:
    sock: socket.socket
    method: str
    target: str
    headers: Message
    body: bytes


def make_server(
    dataset: Dataset,
    host: str = "127.0.0.1",
    port: int = 7879,
    base: str = DEFAULT_BASE,
    limits: ServeLimits | None = None,
) -> SparqlServer:
    """A server (not yet started: call `serve_forever`) answering SPARQL queries at /query."""
    from .rdf import prefixes
    from .sparql import load_store

    return SparqlServer(load_store(dataset, base), prefixes(base), host, port, limits)


class SparqlServer:
    """The endpoint: `serve_forever` runs it in the calling thread until `shutdown`."""

    def __init__(
        self,
        store: Any,
        binds: dict[str, str],
        host: str = "127.0.0.1",
        port: int = 7879,
        limits: ServeLimits | None = None,
    ):
        self.store = store
        self.binds = binds
        self.limits = limits or ServeLimits()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=128)
        self.socket.setblocking(False)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._own_hosts = _own_hosts(host, self.server_address[1])
        self._jobs: queue.Queue[_Request | None] = queue.Queue(maxsize=self.limits.queue)
        self._wake_read, self._wake_write = socket.socketpair()
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._workers: list[threading.Thread] = []

    # -- the reading loop ----------------------------------------------------------------

    def serve_forever(self) -> None:
        """Accept and read requests, and answer them with the workers, until `shutdown`."""
        self._workers = [
            threading.Thread(target=self._work, name=f"sparql-worker-{n}", daemon=True)
            for n in range(self.limits.workers)
        ]
        for worker in self._workers:
            worker.start()
        incoming: dict[int, _Incoming] = {}
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                for conn in [c for c in incoming.values() if c.deadline <= now]:
                    self._expire(conn, selector, incoming)
                soonest = min((c.deadline for c in incoming.values()), default=now + 1)
                for key, _events in selector.select(max(0.0, min(1.0, soonest - now))):
                    if key.fileobj is self.socket:
                        self._accept(selector, incoming)
                    elif key.fileobj is not self._wake_read:
                        self._read(incoming[key.fd], selector, incoming)
        finally:
            for conn in incoming.values():
                conn.sock.close()
            selector.close()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop `serve_forever` (from another thread) and wait until it has stopped."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_write.send(b"x")
        self._stopped.wait()

    def server_close(self) -> None:
        """Close the listening socket and stop the workers."""
        self._stop.set()
        for _worker in self._workers:
            with contextlib.suppress(queue.Full):
                self._jobs.put_nowait(None)
        self.socket.close()
        self._wake_read.close()
        self._wake_write.close()

    def _accept(self, selector: selectors.BaseSelector, incoming: dict[int, _Incoming]) -> None:
        for _ in range(64):  # accept what is waiting, a bounded number at a time
            try:
                sock, _address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # out of file descriptors, or the client already gone
                return
            sock.setblocking(False)
            conn = _Incoming(sock, time.monotonic() + self.limits.request_timeout)
            if len(incoming) >= self.limits.max_connections:
                _send_quick(sock, 503, "too many connections at once; try again later")
                sock.close()
                continue
            incoming[sock.fileno()] = conn
            selector.register(sock, selectors.EVENT_READ)

    def _close(
        self, conn: _Incoming, selector: selectors.BaseSelector, incoming: dict[int, _Incoming]
    ) -> None:
        incoming.pop(conn.sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(conn.sock)
        conn.sock.close()

    def _answer_early(
        self,
        conn: _Incoming,
        status: int,
        message: str,
        selector: selectors.BaseSelector,
        incoming: dict[int, _Incoming],
    ) -> None:
        """Answer from the reading loop, then read (and drop) what the client still sends for
        a moment, so that closing does not reset the connection before the answer is read."""
        _send_quick(conn.sock, status, message)
        with contextlib.suppress(OSError):
            conn.sock.shutdown(socket.SHUT_WR)
        conn.draining = True
        conn.deadline = time.monotonic() + min(1.0, self.limits.request_timeout)
        if conn.sock.fileno() not in incoming:
            self._close(conn, selector, incoming)

    def _expire(
        self, conn: _Incoming, selector: selectors.BaseSelector, incoming: dict[int, _Incoming]
    ) -> None:
        if conn.draining:
            self._close(conn, selector, incoming)
            return
        seconds = f"{self.limits.request_timeout:g} s"
        if conn.head is not None:
            received = len(conn.buffer) - conn.body_start
            message = (
                f"the body is shorter than its Content-Length: {conn.length:,} bytes announced, "
                f"{received:,} received in {seconds}"
            )
            self._answer_early(conn, 400, message, selector, incoming)
        else:
            message = f"the request did not arrive whole within {seconds}"
            self._answer_early(conn, 408, message, selector, incoming)

    def _read(
        self, conn: _Incoming, selector: selectors.BaseSelector, incoming: dict[int, _Incoming]
    ) -> None:
        try:
            chunk = conn.sock.recv(1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(conn, selector, incoming)
            return
        if conn.draining:
            return
        conn.buffer += chunk
        try:
            request = self._parse(conn)
        except _Refused as refused:
            self._answer_early(conn, refused.status, str(refused), selector, incoming)
            return
        if request is None:
            return
        incoming.pop(conn.sock.fileno(), None)
        selector.unregister(conn.sock)
        try:
            self._jobs.put_nowait(request)
        except queue.Full:
            busy = "the server is busy: every worker is answering and the queue is full; retry"
            incoming[conn.sock.fileno()] = conn
            selector.register(conn.sock, selectors.EVENT_READ)
            self._answer_early(conn, 503, busy, selector, incoming)

    def _parse(self, conn: _Incoming) -> _Request | None:
        """The request, once all of it has come; None while it is still coming."""
        if conn.head is None:
            end = conn.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(conn.buffer) > self.limits.max_header:
                    raise _Refused(431, f"the headers are over {self.limits.max_header:,} bytes")
                return None
            if end > self.limits.max_header:
                raise _Refused(431, f"the headers are over {self.limits.max_header:,} bytes")
            conn.head = _parse_head(bytes(conn.buffer[:end]))
            conn.body_start = end + 4
            conn.length = self._body_length(conn.head[0], conn.head[2])
        if len(conn.buffer) - conn.body_start < conn.length:
            return None
        method, target, headers = conn.head
        body = bytes(conn.buffer[conn.body_start : conn.body_start + conn.length])
        return _Request(conn.sock, method, target, headers, body)

    def _body_length(self, method: str, headers: Message) -> int:
        if headers.get("Transfer-Encoding") is not None:
            raise _Refused(501, "chunked request bodies are not supported: send Content-Length")
        given = [
            value.strip()
            for header in headers.get_all("Content-Length") or []
            for value in str(header).split(",")
        ]
        if not given:
            if method == "POST":
                raise _Refused(411, "a POST needs a Content-Length")
            return 0
        if len(set(given)) > 1:
            raise _Refused(400, f"two different Content-Length values: {', '.join(given)}")
        text = given[0]
        if not re.fullmatch(r"[0-9]{1,19}", text):
            shown = text if len(text) <= 40 else text[:40] + "…"
            what = "negative" if text.startswith("-") else "not a number of bytes"
            raise _Refused(400, f"Content-Length '{shown}' is {what}")
        length = int(text)
        if length > self.limits.max_body:
            raise _Refused(
                413,
                f"the request body ({length:,} bytes) is larger than the limit of "
                f"{self.limits.max_body:,} bytes",
            )
        return length

    # -- the workers ---------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            request = self._jobs.get()
            if request is None:
                return
            try:
                status, media, body = self._respond(request)
            except _Refused as refused:
                status, media, body = refused.status, _TEXT, (str(refused) + "\n").encode()
            except Exception as error:  # a bug must not take a worker away
                status, media, body = 500, _TEXT, f"internal error: {error}\n".encode()
            try:
                request.sock.settimeout(self.limits.request_timeout)  # total, for sendall
                request.sock.sendall(_response(status, media, body, request.method == "HEAD"))
                request.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the client went away, or reads too slowly
            finally:
                request.sock.close()

    def _respond(self, request: _Request) -> tuple[int, str, bytes]:
        """Status, media type and body for a complete request."""
        self._check_origin(request.headers)
        url = urllib.parse.urlsplit(request.target)
        if request.method in ("GET", "HEAD"):
            if url.path == "/":
                return 200, _TEXT, b"sistercities: a read-only SPARQL endpoint at /query\n"
            if url.path != "/query":
                raise _Refused(404, "not found: the SPARQL endpoint is /query")
            return self._query(_form_value(url.query), request.headers)
        if request.method != "POST":
            raise _Refused(405, f"{request.method} is not offered: only GET and POST /query")
        if url.path != "/query":
            status = 405 if url.path in ("/update", "/store") else 404
            raise _Refused(status, "this endpoint is read-only: only /query")
        kind = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refused(400, "the request body is not UTF-8") from None
        if kind == "application/x-www-form-urlencoded":
            return self._query(_form_value(text), request.headers)
        if kind == "application/sparql-query":
            return self._query(text, request.headers)
        raise _Refused(415, "send application/sparql-query or a form with 'query'")

    def _check_origin(self, headers: Message) -> None:
        """Refuse what a web page on another site (or a rebound DNS name) made a browser send."""
        host = (headers.get("Host") or "").strip().lower()
        if self._own_hosts and host and host not in self._own_hosts:
            raise _Refused(403, f"Host '{host[:100]}' is not this server")
        site = (headers.get("Sec-Fetch-Site") or "").strip().lower()
        if site and site not in ("same-origin", "none"):
            raise _Refused(403, f"a request from another site ({site}) is refused")
        for name in ("Origin", "Referer"):
            value = headers.get(name)
            if value is None:
                continue
            origin = urllib.parse.urlsplit(value.strip())
            netloc = origin.netloc.lower().rpartition("@")[2]
            if origin.scheme not in ("http", "https") or (
                self._own_hosts and netloc not in self._own_hosts
            ):
                raise _Refused(
                    403, f"a request from another origin ({name}: {value[:100]}) is refused"
                )

    def _query(self, query: str | None, headers: Message) -> tuple[int, str, bytes]:
        from .isolate import (
            ChildFailed,
            IsolationError,
            OutputLimitExceeded,
            TimeLimitExceeded,
            run_isolated,
        )

        if not query:
            raise _Refused(400, "no query")
        for endpoint in service_endpoints(query):
            self._check_service(endpoint)
        accept = headers.get("Accept", "")
        store, binds = self.store, self.binds

        def work(output: IO[bytes]) -> None:
            _evaluate(store, binds, query, accept, output)

        limits = self.limits
        try:
            answer = run_isolated(
                work,
                timeout=limits.query_timeout,
                max_output=limits.max_result + 200,  # the media type line
                memory_limit=limits.query_memory,
                memory_name="--query-memory",
                no_new_files=not limits.allow_service,
            )
        except TimeLimitExceeded:
            raise _Refused(
                500,
                f"the query was stopped: it ran past the time limit of {limits.query_timeout:g} s",
            ) from None
        except OutputLimitExceeded:
            raise _Refused(
                500,
                f"the answer is larger than the limit of {limits.max_result:,} bytes; "
                "ask for less (LIMIT, fewer variables)",
            ) from None
        except ChildFailed as failed:
            status, _, message = str(failed).partition(" ")
            if status in ("400", "500"):
                raise _Refused(int(status), message) from None
            raise _Refused(500, str(failed)) from None
        except IsolationError as error:
            raise _Refused(500, str(error)) from None
        media, _, body = answer.partition(b"\n")
        if len(body) > limits.max_result:
            raise _Refused(
                500, f"the answer is larger than the limit of {limits.max_result:,} bytes"
            )
        return 200, media.decode(), body

    def _check_service(self, endpoint: str | None) -> None:
        allowed = self.limits.allow_service
        hint = (
            f"only hosts given with --allow-service ({', '.join(allowed)})"
            if allowed
            else "none without --allow-service HOST"
        )
        if endpoint is None:
            raise _Refused(
                400,
                f"SERVICE is refused unless its endpoint is an <IRI> of an allowed host: {hint}",
            )
        parts = urllib.parse.urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in {h.lower() for h in allowed}:
            raise _Refused(400, f"SERVICE <{endpoint[:200]}> is refused: {hint}")


_TEXT = "text/plain; charset=utf-8"
# CONSTRUCT and DESCRIBE answers, the default first (the export registry's media types)
_GRAPH_MEDIA_TYPES = ("application/n-triples", "text/turtle")


def _evaluate(
    store: Any, binds: dict[str, str], query: str, accept: str, output: IO[bytes]
) -> None:
    """Run the query (in the child) and write its media type, a newline and its answer."""
    import pyoxigraph as ox

    try:
        result = store.query(query, prefixes=binds)
    except SyntaxError as error:
        raise SisterCitiesError(f"400 the query is not valid SPARQL: {error}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise SisterCitiesError(f"500 the query failed: {error}") from None
    choices: list[tuple[str, Any]]
    if isinstance(result, ox.QueryTriples):
        choices = [(media, ox.RdfFormat.from_media_type(media)) for media in _GRAPH_MEDIA_TYPES]
    else:
        choices = [
            ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
            ("application/json", ox.QueryResultsFormat.JSON),
            ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
            ("text/csv", ox.QueryResultsFormat.CSV),
            ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ]
    media, answer_format = next(((m, f) for m, f in choices if m in accept), choices[0])
    output.write(media.encode() + b"\n")
    try:
        result.serialize(output, answer_format)
    except (OSError, SyntaxError, ValueError) as error:
        raise SisterCitiesError(f"500 the query failed: {error}") from None


def _form_value(text: str) -> str | None:
    return urllib.parse.parse_qs(text, max_num_fields=100).get("query", [None])[0]


def _own_hosts(host: str, port: int) -> set[str]:
    """The Host values this server answers to when it listens on a loopback address (empty
    when it listens elsewhere: then every name of the machine is its own)."""
    loopback = {"127.0.0.1", "localhost", "::1", "[::1]"}
    if host not in loopback:
        return set()
    names = {"127.0.0.1", "localhost", "[::1]"}
    return names | {f"{name}:{port}" for name in names}


def _parse_head(head: bytes) -> tuple[str, str, Message]:
    line, _, rest = head.partition(b"\r\n")
    parts = line.decode("latin-1").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[1].startswith("/"):
        raise _Refused(400, "a malformed request line")
    try:
        headers = parse_headers(io.BytesIO(rest + b"\r\n\r\n"))
    except Exception:  # http.client's limits (too many headers) and malformed lines
        raise _Refused(400, "malformed headers") from None
    return parts[0], parts[1], headers


def _response(status: int, media: str, body: bytes, head_only: bool = False) -> bytes:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    lines = [
        f"HTTP/1.1 {status} {reason}",
        f"Content-Type: {media}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        "Server: sistercities-sparql",
    ]
    if status == 405:
        lines.append("Allow: GET, POST")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + body


def _send_quick(sock: socket.socket, status: int, message: str) -> None:
    """A short error answer, sent without waiting (what does not fit is dropped)."""
    with contextlib.suppress(OSError):
        sock.send(_response(status, _TEXT, (message + "\n").encode()))


# SPARQL's lexical pieces that can hide the word SERVICE: comments, strings, IRIs.
_TOKEN = re.compile(
    r"""(?P<skip>\s+|\#[^\n]*
        |"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
        |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
      |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<word>[\w?$:.\-]+|.)""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(query: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "word"
        if kind != "skip":
            yield kind, match.group()


def service_endpoints(query: str) -> list[str | None]:
    """The endpoints of the query's SERVICE clauses: each an IRI, or None where it is not
    written as one (a variable, a prefixed name).

    >>> service_endpoints('SELECT * { SERVICE SILENT <http://a.example/sparql> { ?s ?p ?o } }')
    ['http://a.example/sparql']
    >>> service_endpoints('SELECT * { ?s ?p "SERVICE <x>" } # SERVICE ?x')
    []
    """
    tokens = list(_tokens(query))
    endpoints: list[str | None] = []
    for number, (kind, text) in enumerate(tokens):
        if kind != "word" or text.upper() != "SERVICE":
            continue
        following = tokens[number + 1 : number + 3]
        if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
            following = following[1:]
        if following and following[0][0] == "iri":
            endpoints.append(following[0][1][1:-1])
        else:
            endpoints.append(None)
    return endpoints
