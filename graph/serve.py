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
import ipaddress
import queue
import re
import resource
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

__all__ = ["ServeLimits", "SparqlServer", "make_server", "negotiate", "service_endpoints"]


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
    queue: int = 1024  # complete requests waiting for a worker (past it: 503)
    max_connections: int = 2048  # connections being read at once (past it: 503)
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
        family, address = _listen_address(host, port)
        descriptors = _raise_file_limit()
        # Each connection read, each request queued and each query running holds a file
        # descriptor (a query two more, its pipes): never accept more than the limit allows.
        spare = descriptors - 3 * self.limits.workers - self.limits.queue - 64
        self.max_connections = max(1, min(self.limits.max_connections, spare))
        backlog = max(128, min(4096, self.max_connections))
        self.socket = socket.create_server(address, family=family, backlog=backlog)
        self.socket.setblocking(False)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._bound = _ip(self.server_address[0])
        self._names = _machine_names() if not self._is_loopback() else set()
        self._jobs: queue.Queue[_Request | None] = queue.Queue(maxsize=self.limits.queue)
        self._wake_read, self._wake_write = socket.socketpair()
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._workers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """The endpoint's URL (an IPv6 address in brackets)."""
        host, port = self.server_address
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/query"

    def _is_loopback(self) -> bool:
        return self._bound is not None and self._bound.is_loopback

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

    def request_stop(self) -> None:
        """Make `serve_forever` return soon; safe in a signal handler (it never blocks nor
        raises), so that Ctrl-C stops the server without an exception landing anywhere."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_write.setblocking(False)
            self._wake_write.send(b"x")

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
            if len(incoming) >= self.max_connections:
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
            with contextlib.suppress(BaseException):  # nothing may take a worker away
                self._answer(request)

    def _answer(self, request: _Request) -> None:
        try:
            status, media, body = self._respond(request)
        except _Refused as refused:
            status, media, body = refused.status, _TEXT, (str(refused) + "\n").encode()
        except Exception as error:  # a bug must not take a worker away
            status, media, body = 500, _TEXT, f"internal error: {error}\n".encode()
        except BaseException:  # an interrupt meant for the main thread: no answer
            status, media, body = 503, _TEXT, b"the server is stopping\n"
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
        """Refuse what a web page on another site (or a rebound DNS name) made a browser send.
        Hosts are compared as addresses (`ipaddress`), never as spellings."""
        hosts = headers.get_all("Host") or []
        if len(hosts) > 1:
            raise _Refused(400, "the request has more than one Host header")
        host = str(hosts[0]).strip() if hosts else ""
        if host and not self._is_own(host, None):
            raise _Refused(403, f"Host '{host[:100]}' is not this server")
        site = (headers.get("Sec-Fetch-Site") or "").strip().lower()
        if site and site not in ("same-origin", "none"):
            raise _Refused(403, f"a request from another site ({site}) is refused")
        for name in ("Origin", "Referer"):
            values = headers.get_all(name) or []
            if len(values) > 1:
                raise _Refused(400, f"the request has more than one {name} header")
            if not values:
                continue
            value = str(values[0])
            try:
                origin = urllib.parse.urlsplit(value.strip())
            except ValueError:
                origin = urllib.parse.urlsplit("")
            scheme = origin.scheme.lower()
            netloc = origin.netloc.rpartition("@")[2]
            port = 443 if scheme == "https" else 80
            if scheme not in ("http", "https") or not self._is_own(netloc, port):
                raise _Refused(
                    403, f"a request from another origin ({name}: {value[:100]}) is refused"
                )

    def _is_own(self, hostport: str, default_port: int | None) -> bool:
        """Whether HOST[:PORT] (a Host header, an origin's authority) names this server. The
        port (if given, else `default_port` if there is one) is ours, and the host is
        ``localhost`` or a loopback address when it listens on one; its address, any
        literal address or the machine's own names when it listens on every interface; its
        address otherwise."""
        host, port = _split_hostport(hostport)
        port = default_port if port is None else port
        if host is None or (port is not None and port != self.server_address[1]):
            return False
        address = _ip(host)
        bound = self._bound
        if address is None:
            name = host.lower().rstrip(".")
            if name == "localhost" or name.endswith(".localhost"):
                return bound is None or bound.is_loopback or bound.is_unspecified
            return not self._is_loopback() and name in self._names
        if bound is None or bound.is_unspecified:
            return True
        if bound.is_loopback:
            return address.is_loopback
        return address == bound

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
        accepts = headers.get_all("Accept") or []
        accept = ", ".join(str(value) for value in accepts) if accepts else None
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
            if status in ("400", "406", "500"):
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


_RESULT_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)


def _evaluate(
    store: Any, binds: dict[str, str], query: str, accept: str | None, output: IO[bytes]
) -> None:
    """Run the query (in the child) and write its media type, a newline and its answer."""
    import pyoxigraph as ox

    try:
        result = store.query(query, prefixes=binds)
    except SyntaxError as error:
        raise SisterCitiesError(f"400 the query is not valid SPARQL: {error}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise SisterCitiesError(f"500 the query failed: {error}") from None
    graph = isinstance(result, ox.QueryTriples)
    offers = _GRAPH_MEDIA_TYPES if graph else _RESULT_MEDIA_TYPES
    ranked = negotiate(accept, offers)
    if not ranked:
        raise SisterCitiesError(
            f"406 none of the media types this answer is offered in is acceptable "
            f"(Accept: {(accept or '')[:200]}): {', '.join(offers)}"
        )
    if graph:
        output.write(ranked[0].encode() + b"\n")
        _serialize(result, output, ox.RdfFormat.from_media_type(ranked[0]))
        return
    formats = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }
    media = ranked[0]
    output.write(media.encode() + b"\n")
    # XML 1.0 cannot hold most C0 controls, even escaped: an answer holding one is refused
    # (406, saying which) rather than sent as XML that is not well-formed.
    target: Any = _XmlCharacters(output) if "xml" in media else output
    _serialize(result, target, formats[media])


class _XmlCharacters(io.RawIOBase):
    """Passes bytes on to `output`, raising the 406 error at the first character that XML
    1.0 cannot hold (C0 controls but tab and line breaks; U+FFFE, U+FFFF)."""

    def __init__(self, output: IO[bytes]):
        super().__init__()
        self.output = output
        self.tail = b""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        found = _NOT_IN_XML_BYTES.search(self.tail + chunk)
        if found is not None:
            character = found.group().decode("utf-8")
            raise SisterCitiesError(
                f"406 the answer holds U+{ord(character):04X}, a character XML 1.0 cannot "
                "carry: ask for application/sparql-results+json (or CSV, TSV)"
            )
        self.tail = chunk[-2:]
        self.output.write(chunk)
        return len(chunk)


_NOT_IN_XML_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _serialize(result: Any, output: IO[bytes], answer_format: Any) -> None:
    try:
        result.serialize(output, answer_format)
    except SisterCitiesError:
        raise
    except (OSError, SyntaxError, ValueError) as error:
        raise SisterCitiesError(f"500 the query failed: {error}") from None


def negotiate(accept: str | None, offers: tuple[str, ...]) -> list[str]:
    """The offered media types the Accept header accepts, best first: by quality (``q``),
    then by the most specific range that matches, then in the order offered; ``q=0`` refuses.
    No header: every offer, in order.

    >>> negotiate("application/json;q=0.1, text/csv", ("application/json", "text/csv"))
    ['text/csv', 'application/json']
    >>> negotiate("text/*;q=0, */*", ("text/csv", "application/json"))
    ['application/json']
    """
    if accept is None or not accept.strip():
        return list(offers)
    ranges: list[tuple[str, str, float]] = []
    for item in accept.split(",")[:64]:
        kind, *parameters = item.split(";")
        main, _, sub = kind.strip().lower().partition("/")
        if not main or not sub:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
                if quality != quality:  # NaN
                    quality = 0.0
        ranges.append((main, sub, quality))
    ranked: list[tuple[float, int, str]] = []
    for position, offer in enumerate(offers):
        main, _, sub = offer.partition("/")
        best: tuple[int, float] | None = None  # (specificity, quality) of the closest range
        for range_main, range_sub, quality in ranges:
            if (range_main, range_sub) == (main, sub):
                specificity = 2
            elif (range_main, range_sub) == (main, "*"):
                specificity = 1
            elif (range_main, range_sub) == ("*", "*"):
                specificity = 0
            else:
                continue
            if best is None or specificity > best[0]:
                best = (specificity, quality)
        if best is not None and best[1] > 0:
            ranked.append((-best[1], position, offer))
    return [offer for _q, _position, offer in sorted(ranked)]


def _form_value(text: str) -> str | None:
    try:
        fields = urllib.parse.parse_qs(text, max_num_fields=_MAX_FIELDS)
    except ValueError:
        raise _Refused(
            400, f"the form has more than {_MAX_FIELDS} fields: send the query alone"
        ) from None
    values = fields.get("query", [])
    if len(values) > 1:
        raise _Refused(400, "the form gives 'query' more than once")
    return values[0] if values else None


_MAX_FIELDS = 100


def _listen_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    """The family and address to listen on for `host` (a name is looked up). An empty host,
    which would mean every interface, is a ValueError: that must be asked for by address."""
    if not host.strip():
        raise ValueError(
            "an empty host would listen on every interface: give 127.0.0.1 (this machine "
            "only), or 0.0.0.0 or :: (every interface) if that is meant"
        )
    literal = _ip(host)
    if literal is not None:
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        return family, (str(literal), port)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise OSError(f"cannot find the address of '{host}': {error}") from None
    family, _type, _proto, _name, address = found[0]
    return socket.AddressFamily(family), (str(address[0]), port)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `text` writes, in any of its spellings (``127.1``, ``0x7f.1``, the long
    IPv6 form, ``[::1]``, a zone); None for a name."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.partition("%")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if re.fullmatch(r"(0[xX][0-9a-fA-F]*|[0-9]+)(\.(0[xX][0-9a-fA-F]*|[0-9]+)){0,3}", text):
        with contextlib.suppress(OSError):  # the forms inet_aton takes: 127.1, 0x7f.1 …
            return ipaddress.IPv4Address(socket.inet_aton(text))
    return None


def _split_hostport(value: str) -> tuple[str | None, int | None]:
    """(host, port) of ``host``, ``host:port``, ``[v6]`` or ``[v6]:port`` (port None when not
    given); host None when malformed."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None, 0
        host, rest = value[: end + 1], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None, 0
        port_text = rest[1:]
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
    elif ":" in value:
        return None, 0  # a bare IPv6 address: not a valid Host
    else:
        host, port_text = value, ""
    if not host:
        return None, 0
    if not port_text:
        return host, None
    if not re.fullmatch(r"[0-9]{1,5}", port_text):
        return None, 0
    return host, int(port_text)


def _machine_names() -> set[str]:
    names = set()
    with contextlib.suppress(OSError):
        names.add(socket.gethostname().lower().rstrip("."))
    with contextlib.suppress(OSError):
        names.add(socket.getfqdn().lower().rstrip("."))
    return names - {""}


def _raise_file_limit() -> int:
    """Raise the soft limit of open files to the hard limit (a burst of clients needs one a
    connection); the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 16
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return 1 << 16 if soft == resource.RLIM_INFINITY else soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (OSError, ValueError):
        return soft
    return wanted


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
