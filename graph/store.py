"""SPARQL 1.1 stores over HTTP: publish with the Graph Store Protocol, ask with the SPARQL
Protocol.

Publishing (`publish`)
    The data is streamed as N-Triples in chunks, each an HTTP POST to the store's Graph Store
    endpoint. ``replace`` uploads into a fresh temporary graph, counts it, swaps it in with one
    SPARQL Update (``MOVE <temporary> TO <graph>``, one transaction in the store) and counts the
    graph again: it holds its old content or the complete new content, never anything else, and
    the count is checked against the (distinct) triples sent. ``append`` posts into the graph
    itself and checks the count against what it held and what was sent.

Requests whose outcome is unknown
    A request that never reached the store (connection refused) is sent again. A request that
    was sent but whose answer never came (a timeout, a dropped connection, a gateway's 502/504)
    may or may not have been run by the store. Queries are repeated, and so are chunk uploads (an
    RDF graph is a set: triples posted twice are stored once). Updates never are: after an
    unknown swap, the temporary and target graphs are counted until they show the swap done
    (success, said so) or the time runs out (an error that says what the graph holds). Repeating
    the ``MOVE`` would be wrong: once the first has run, the temporary graph is gone, and moving
    a missing graph empties the target (Virtuoso does so even without ``SILENT``).

Endpoints as people give them (`Endpoint.parse`)
    - a URL ending in ``/sparql`` or ``/sparql-auth`` is the query (and update) endpoint itself;
      the Graph Store is Virtuoso's ``/sparql-graph-crud`` (``-auth``) beside it;
    - Oxigraph: the server's base URL (``http://localhost:7878``) → ``/query``, ``/update``,
      ``/store``; or one of those URLs;
    - Apache Jena Fuseki: the dataset URL (``http://localhost:3030/ds``) → ``/ds/query``,
      ``/ds/update``, ``/ds/data``;
    - GraphDB: the repository URL (``http://localhost:7200/repositories/repo``) → the URL itself,
      ``…/statements``, ``…/rdf-graphs/service``;
    - any other store: its three URLs given as ``query``, ``update`` and ``store``, which also
      override what the URL gives.

Credentials
    The user and password (from the caller, or the URL's ``user:password@``, taken out of it
    whatever the user part) are sent only to the origins of the endpoint's URLs, after the store
    asks: HTTP Digest when it offers Digest, Basic otherwise; once asked, with every request to
    that origin. Redirects to another origin are refused when credentials are set, and a
    redirect that would turn a POST into a GET is refused always. No message holds a password:
    URLs are printed without user, password or query, and a store's error text is cut short and
    stripped of header-like and credential-like lines.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import http.client
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import SisterCitiesError
from .model import Dataset
from .vocab import DEFAULT_BASE

__all__ = [
    "Endpoint",
    "Progress",
    "PublishInterrupted",
    "PublishReport",
    "StoreError",
    "absolute_iri",
    "publish",
    "remote_query",
]

RETRIES = 3
CHUNK_TRIPLES = 50_000
# Seconds to wait for one answer. The swap (MOVE) is the longest: Oxigraph took 160-250 s to
# swap in the 403,282 triples of the imported world network on a busy 2-core machine
# (bench/publish.py), so the default leaves more than twice that.
TIMEOUT = 600.0
ERROR_TEXT_CHARS = 300
# The largest answer read from a store (a query's results, an error page): past it the
# request fails, rather than an endless body being held in memory.
MAX_ANSWER_BYTES = 256 << 20
FORM = "application/x-www-form-urlencoded"
RESULTS_JSON = "application/sparql-results+json"


class StoreError(SisterCitiesError):
    """A store that cannot be reached, refuses us, or fails."""


class _Unsettled(StoreError):
    """A swap whose outcome is still unknown: the temporary graph must stay."""


# ---------------------------------------------------------------------------------------------
# IRIs and URLs


def absolute_iri(value: str, what: str = "the IRI") -> str:
    """`value` if it is an absolute IRI (RFC 3987), else a `StoreError` naming `what`.

    >>> absolute_iri("https://example.org/graphs/twins")
    'https://example.org/graphs/twins'
    >>> absolute_iri("http://x/g> ; DROP ALL ; <http://x/y", "--graph")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sistercities.store.StoreError: --graph 'http://x/g> ; DROP ALL ; <http://x/y' is not...
    """
    import pyoxigraph as ox

    try:
        return str(ox.NamedNode(value).value)
    except (ValueError, TypeError) as error:
        raise StoreError(f"{what} '{_printable(value)}' is not an absolute IRI ({error})") from None


def _iri_term(value: str) -> str:
    """An IRI written as a SPARQL term, ``<…>``: checked, never pasted raw into update text."""
    import pyoxigraph as ox

    return str(ox.NamedNode(absolute_iri(value)))


def _printable(text: str, limit: int = 120) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_userinfo(netloc: str) -> tuple[str, str | None, str | None]:
    """(host[:port], user, password) of a URL's authority; user and password None if absent."""
    if "@" not in netloc:
        return netloc, None, None
    userinfo, _, hostport = netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    unquote = urllib.parse.unquote
    return hostport, unquote(user), unquote(password) if colon else None


def _safe(url: str) -> str:
    """A URL without any user, password, query or fragment in it, for messages.

    >>> _safe("http://:secret@host:8890/sparql?key=k")
    'http://host:8890/sparql'
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(a malformed URL)"
    hostport = _split_userinfo(parts.netloc)[0]
    return _printable(urllib.parse.urlunsplit((parts.scheme, hostport, parts.path, "", "")))


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{parts.scheme.lower()}://{host}:{port}"


def _http_url(url: str) -> tuple[str, str | None, str | None]:
    """An http(s) URL without its credentials, and the user and password it held."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as error:
        # urllib says why: "Port out of range 0-65535", "Invalid IPv6 URL" …
        why = _printable(str(error)).replace("Port", "port").replace("Invalid", "invalid")
        shown = _safe(url)
        what = "a URL" if shown.startswith("(") else f"'{shown}'"  # unsplittable: not shown
        raise StoreError(f"{what} is not a valid URL: {why}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise StoreError(f"'{_safe(url)}' is not an http(s) URL")
    hostport, user, password = _split_userinfo(parts.netloc)
    return urllib.parse.urlunsplit(parts._replace(netloc=hostport)), user, password


def _derive(url: str) -> tuple[str, str, str]:
    """The query, update and Graph Store URLs a store's URL stands for (see the module doc)."""
    parts = urllib.parse.urlsplit(url)
    base = urllib.parse.urlunsplit(parts._replace(query="", fragment="")).rstrip("/")
    path = parts.path.rstrip("/")
    if not path:  # Oxigraph's server
        return f"{base}/query", f"{base}/update", f"{base}/store"
    last = path.rsplit("/", 1)[-1]
    root = base[: -len(last) - 1]
    if last in ("sparql", "sparql-auth"):  # Virtuoso, and query services such as Wikidata's
        return base, base, f"{root}/sparql-graph-crud" + last.removeprefix("sparql")
    if last in ("sparql-graph-crud", "sparql-graph-crud-auth"):
        sparql = f"{root}/sparql" + last.removeprefix("sparql-graph-crud")
        return sparql, sparql, base
    if "/repositories/" in path:  # GraphDB (RDF4J)
        return base, f"{base}/statements", f"{base}/rdf-graphs/service"
    if last in ("store", "query", "update"):  # one of Oxigraph's own URLs
        return f"{root}/query", f"{root}/update", f"{root}/store"
    return f"{base}/query", f"{base}/update", f"{base}/data"  # a Fuseki dataset


@dataclass(frozen=True)
class Endpoint:
    """The URLs of one SPARQL store, the credentials to send, and how long to wait.

    A URL is None when it is not known; `url` gives it or says how to.
    """

    query: str | None
    update: str | None
    store: str | None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = TIMEOUT

    @classmethod
    def parse(
        cls,
        url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        *,
        query: str | None = None,
        update: str | None = None,
        store: str | None = None,
        timeout: float = TIMEOUT,
    ) -> Endpoint:
        """A store's URLs from its URL as people give it (see above), the explicit `query`,
        `update` and `store` URLs overriding what `url` gives.

        `user` and `password` win over those in a URL; a URL's are taken out of it.

        >>> Endpoint.parse("http://localhost:7878").store
        'http://localhost:7878/store'
        >>> Endpoint.parse("http://localhost:3030/ds").update
        'http://localhost:3030/ds/update'
        >>> Endpoint.parse("http://h:7200/repositories/twins").store
        'http://h:7200/repositories/twins/rdf-graphs/service'
        >>> e = Endpoint.parse("http://dba:pw@localhost:8890/sparql-auth")
        >>> e.query, e.store, e.user
        ('http://localhost:8890/sparql-auth', 'http://localhost:8890/sparql-graph-crud-auth', 'dba')
        >>> Endpoint.parse("https://query.wikidata.org/sparql").query
        'https://query.wikidata.org/sparql'
        >>> Endpoint.parse("http://h/sparql", store="http://h/gsp").store
        'http://h/gsp'
        """
        if timeout <= 0:
            raise StoreError(f"the timeout must be more than 0 seconds, not {timeout}")
        found_user: str | None = None
        found_password: str | None = None
        urls: list[str | None] = [None, None, None]
        given = [url, query, update, store]
        if all(u is None for u in given):
            raise StoreError("no store given: give its URL, or its query, update and store URLs")
        for position, value in enumerate(given):
            if value is None:
                continue
            clean, url_user, url_password = _http_url(value)
            found_user = found_user if found_user is not None else url_user
            found_password = found_password if found_password is not None else url_password
            if position == 0:
                urls = list(_derive(clean))
            else:
                urls[position - 1] = clean
        user = user if user is not None else found_user
        password = password if password is not None else found_password
        if user is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in user):
            # It goes into a Digest header: a CR LF there would start a header of its own.
            raise StoreError("the user name holds a control character (a line break?)")
        if password is not None and user is None:
            user = ""
        return cls(urls[0], urls[1], urls[2], user, password, timeout)

    def url(self, kind: str) -> str:
        """The query, update or store URL, or a `StoreError` that says how to give it."""
        value: str | None = getattr(self, kind)
        if value is None:
            raise StoreError(
                f"the store's {kind} URL is not known: give --endpoint, or --{kind}-url"
            )
        return value

    @property
    def has_credentials(self) -> bool:
        """True when a user or a password is set."""
        return self.user is not None or self.password is not None


# ---------------------------------------------------------------------------------------------
# HTTP: authentication, redirects, outcomes


class _NotSent(Exception):
    """The request did not reach the store (whole): it did not run, sending it again is safe."""

    def __init__(self, reason: str, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.timed_out = timed_out


class _Unknown(Exception):
    """The request was sent but its answer did not come: the store may or may not have run it."""

    def __init__(self, reason: str, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.timed_out = timed_out


class _Answered(Exception):
    """The store answered with an HTTP error status."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.text = text


def _digest_challenge(headers: Iterable[str]) -> dict[str, str] | None:
    """The parameters of a Digest challenge among WWW-Authenticate headers; None: use Basic.
    A malformed challenge is a `StoreError` that says so."""
    for header in headers:
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() == "digest":
            try:
                items = [item for item in urllib.request.parse_http_list(rest) if item.strip()]
                found = urllib.request.parse_keqv_list(items)
            except (ValueError, IndexError):
                raise StoreError(
                    "the store asks for HTTP Digest with a malformed challenge "
                    f"({_printable(rest, 80)!r}): cannot answer it"
                ) from None
            return {name.strip().lower(): value for name, value in found.items()}
    return None


# RFC 7616's algorithms: name → hashlib's name
_DIGESTS = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}
_TOKEN_VALUE = re.compile(r"[\x20-\x7e]*")


def _digest_answer(
    challenge: dict[str, str],
    request: urllib.request.Request,
    user: str,
    password: str,
    count: int,
) -> str:
    """The Authorization value (after ``Digest``) answering `challenge` (RFC 7616: MD5,
    SHA-256, SHA-512-256 and their ``-sess`` forms; ``qop`` auth or auth-int; UTF-8 user
    names and passwords). What cannot be answered is a `StoreError` saying why."""
    realm, nonce = challenge.get("realm"), challenge.get("nonce")
    if realm is None or nonce is None:
        raise StoreError("the store asks for HTTP Digest without a realm or a nonce: cannot answer")
    opaque = challenge.get("opaque")
    for value in (realm, nonce, opaque or ""):
        if not _TOKEN_VALUE.fullmatch(value) or '"' in value or "\\" in value:
            raise StoreError("the store's HTTP Digest challenge holds characters it may not")
    algorithm = challenge.get("algorithm", "MD5").strip()
    name = algorithm.upper()
    session = name.endswith("-SESS")
    hash_name = _DIGESTS.get(name.removesuffix("-SESS"))
    if hash_name is None or hash_name not in hashlib.algorithms_available:
        raise StoreError(
            f"the store asks for HTTP Digest with algorithm {_printable(algorithm, 40)}, which "
            "is not supported (MD5, SHA-256, SHA-512-256 and their -sess forms are)"
        )

    def digest(data: bytes) -> str:
        return hashlib.new(hash_name, data).hexdigest()

    def text(*parts: str) -> str:
        return digest(":".join(parts).encode("utf-8"))

    offered = [q.strip().lower() for q in challenge.get("qop", "").split(",") if q.strip()]
    if offered and not {"auth", "auth-int"} & set(offered):
        raise StoreError(
            f"the store asks for HTTP Digest with qop {_printable(','.join(offered), 40)}, "
            "which is not supported (auth, auth-int are)"
        )
    qop = "auth" if "auth" in offered else "auth-int" if offered else None
    if session and qop is None:
        raise StoreError(
            f"the store asks for HTTP Digest with algorithm {_printable(algorithm, 40)} but no "
            "qop, which cannot be answered (a -sess algorithm needs the client nonce of a qop)"
        )
    cnonce = secrets.token_hex(16)
    nc = f"{count:08x}"
    secret = text(user, realm, password)
    if session:
        secret = text(secret, nonce, cnonce)
    uri = request.selector
    method = request.get_method()
    if qop == "auth-int":
        body = request.data if isinstance(request.data, bytes) else b""
        scope = text(method, uri, digest(body))
    else:
        scope = text(method, uri)
    response = text(secret, nonce, nc, cnonce, qop, scope) if qop else text(secret, nonce, scope)
    if _TOKEN_VALUE.fullmatch(user) and '"' not in user and "\\" not in user:
        who = f'username="{user}"'
    else:  # RFC 7616 3.4.4: a user name that a quoted string cannot carry
        who = "username*=UTF-8''" + urllib.parse.quote(user, safe="")
    parts = [
        who,
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f"algorithm={algorithm}",
        f'response="{response}"',
    ]
    if opaque is not None:
        parts.append(f'opaque="{opaque}"')
    if qop:
        parts += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
    return ", ".join(parts)


class _Auth(urllib.request.HTTPDigestAuthHandler):
    """Credentials for the endpoint's own origins only: Digest when the server asks for it
    (the standard library's digest computation), Basic otherwise. After an origin's first
    challenge every request to it carries the answer, so a large upload is not sent twice."""

    def __init__(self, user: str, password: str, origins: set[str]) -> None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for origin in origins:
            manager.add_password(None, origin + "/", user, password)
        super().__init__(manager)
        self.origins = origins
        self.basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.known: dict[str, dict[str, str] | None] = {}  # origin → Digest challenge or Basic
        self.lock = threading.Lock()
        self.user, self.password, self.count = user, password, 0

    def _sign(self, request: urllib.request.Request, challenge: dict[str, str] | None) -> None:
        if challenge is None:
            value = self.basic
        else:
            with self.lock:  # the digest's nonce count is shared state
                self.count += 1
                count = self.count
            value = "Digest " + _digest_answer(challenge, request, self.user, self.password, count)
        request.add_unredirected_header("Authorization", value)

    def http_request(self, request: urllib.request.Request) -> urllib.request.Request:
        origin = _origin(request.full_url)
        if origin in self.origins and origin in self.known:
            self._sign(request, self.known[origin])
        return request

    https_request = http_request

    def http_error_401(
        self, request: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
    ) -> Any:
        origin = _origin(request.full_url)
        if origin not in self.origins or getattr(request, "_sc_answered_401", False):
            return None  # not ours to answer, or our answer was refused: the 401 stands
        challenge = _digest_challenge(headers.get_all("WWW-Authenticate") or [])
        self.known[origin] = challenge
        request._sc_answered_401 = True  # type: ignore[attr-defined]
        fp.read()
        fp.close()
        self._sign(request, challenge)
        return self.parent.open(request, timeout=request.timeout)

    def prime(self, url: str) -> bool:
        """True if requests to `url`'s origin should first learn how it authenticates."""
        origin = _origin(url)
        return origin in self.origins and origin not in self.known


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows only redirects that keep the method and body, and only within the origin when
    credentials are set."""

    def __init__(self, credential_origins: set[str]) -> None:
        self.credential_origins = credential_origins

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        method = req.get_method()
        here, there = _safe(req.full_url), _safe(newurl)
        if code not in (307, 308) and method not in ("GET", "HEAD"):
            raise StoreError(
                f"the store at {here} redirected a {method} to {there} (HTTP {code}), which would "
                "turn it into a GET and drop what was sent: refused; give the URL it redirects to"
            )
        origin = _origin(req.full_url)
        if origin in self.credential_origins and _origin(newurl) != origin:
            raise StoreError(
                f"the store at {here} redirected to another origin, {there} (HTTP {code}): not "
                "followed, so that the credentials are not sent there; give that URL if you "
                "trust it"
            )
        kept = {
            name: value
            for name, value in req.header_items()
            if name.lower() not in ("authorization", "cookie", "host", "content-length")
        }
        return urllib.request.Request(newurl, data=req.data, headers=kept, method=method)


_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*\s*:(\s|$)")
_MESSAGE_WORDS = frozenset(
    {"error", "errors", "warning", "message", "detail", "details", "reason", "cause", "info"}
)
_CREDENTIAL_LINE = re.compile(
    r"authori[sz]ation|authenticat|cookie|passw|secret|token|credential|bearer|api.?key", re.I
)


def _clean_text(body: bytes, secrets: Iterable[str] = ()) -> str:
    """A store's error text for a message: tags and control characters out, lines that look
    like HTTP headers or hold credentials dropped, secrets masked, at most a few hundred
    characters.

    >>> _clean_text(b"<h1>Bad</h1>\\nAuthorization: Basic YTpi\\nHost: x\\nError: no such graph")
    'Bad Error: no such graph'
    """
    text = body[:20_000].decode("utf-8", "replace")
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "\n", text)
    # Tags, not IRIs such as <http://x/g>: a tag's name ends with a space, "/" or ">".
    text = re.sub(r"<!--.*?-->|<![^<>]*>|</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>", "\n", text)
    text = html.unescape(text)
    kept = []
    for raw in text.splitlines():
        line = "".join(ch if ch.isprintable() else " " for ch in raw).strip()
        header = _HEADER_LINE.match(line)
        if header and line.split(":", 1)[0].strip().lower() not in _MESSAGE_WORDS:
            continue
        if not line or _CREDENTIAL_LINE.search(line):
            continue
        for secret in secrets:
            line = line.replace(secret, "***")
        kept.append(line)
    text = re.sub(r"\s+", " ", " ".join(kept)).strip()
    return text if len(text) <= ERROR_TEXT_CHARS else text[: ERROR_TEXT_CHARS - 1] + "…"


_WATCH = threading.local()  # the deadline of the request this thread is sending


class _Deadline:
    """A whole request's deadline: at `seconds` the sockets it opened are shut down, so no
    read waits past it however the store drips its answer (a byte every half second, an
    endless stream of ``100 Continue``)."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()

    def add(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                _shut(sock)

    def cancel(self) -> None:
        self.timer.cancel()

    def abort(self) -> None:
        """Shut the request's sockets now (an interrupt), without calling it a timeout."""
        self.timer.cancel()
        with self.lock:
            for sock in self.sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedHTTP(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        watch = getattr(_WATCH, "deadline", None)
        if watch is not None:
            watch.add(self.sock)


class _WatchedHTTPS(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        watch = getattr(_WATCH, "deadline", None)
        if watch is not None:
            watch.add(self.sock)


class _HttpHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_WatchedHTTP, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_WatchedHTTPS, req)


def _read_bounded(response: Any, url: str, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The body of an answer, read in pieces, never more than `limit` bytes."""
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read(1 << 16):
        total += len(chunk)
        if total > limit:
            raise StoreError(
                f"the store at {_safe(url)} sent an answer larger than {limit:,} bytes: "
                "stopped reading (ask for less: LIMIT, fewer variables)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


class _Http:
    """The requests of one publish or query: one opener with the handlers above."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.timeout = endpoint.timeout
        origins = {
            _origin(u) for u in (endpoint.query, endpoint.update, endpoint.store) if u is not None
        }
        self.secrets: list[str] = []
        self.auth: _Auth | None = None
        handlers: list[Any] = [_Redirects(origins if endpoint.has_credentials else set())]
        if endpoint.has_credentials:
            user, password = endpoint.user or "", endpoint.password or ""
            self.auth = _Auth(user, password, origins)
            handlers.append(self.auth)
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.secrets = [s for s in (password, token, user) if len(s) >= 3]
        handlers += [_HttpHandler(), _HttpsHandler()]
        self.opener = urllib.request.build_opener(*handlers)

    def send(
        self,
        url: str,
        data: bytes | None,
        content_type: str | None,
        accept: str | None,
        method: str = "POST",
        timeout: float | None = None,
    ) -> tuple[str, bytes]:
        """One request: (content type, body), or `_NotSent`, `_Unknown`, `_Answered`."""
        headers = {"User-Agent": "sistercities"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        wait = self.timeout if timeout is None else timeout
        deadline = _Deadline(wait)  # the whole request, not each read
        _WATCH.deadline = deadline
        try:
            with self.opener.open(request, timeout=wait) as response:
                body = _read_bounded(response, url)
                if deadline.expired:  # cut off: what came is not the whole answer
                    raise TimeoutError
                return response.headers.get("Content-Type", ""), body
        except urllib.error.HTTPError as error:
            try:
                text = _clean_text(error.read(20_000), self.secrets)
            except (OSError, http.client.HTTPException):
                text = ""
            raise _Answered(error.code, text) from None
        except urllib.error.URLError as error:
            # Raised while connecting or sending: the store did not get the whole request.
            reason = error.reason
            timed_out = isinstance(reason, TimeoutError) or deadline.expired
            shown = TimeoutError() if deadline.expired else reason
            raise _NotSent(_reason(shown, wait), timed_out) from None
        except (OSError, http.client.HTTPException) as error:
            # Raised while waiting for or reading the answer: the request was sent.
            timed_out = isinstance(error, TimeoutError) or deadline.expired
            shown = TimeoutError() if deadline.expired else error
            raise _Unknown(_reason(shown, wait), timed_out) from None
        except KeyboardInterrupt:
            # Ctrl-C or SIGTERM: shut this request's sockets now, so that a half-sent chunk
            # never reaches the store whole after we have cleaned up.
            deadline.abort()
            raise
        finally:
            deadline.cancel()
            _WATCH.deadline = None

    def call(
        self,
        url: str,
        data: bytes,
        content_type: str,
        *,
        accept: str | None = None,
        repeatable: bool,
        tries: int = RETRIES + 1,
        timeout: float | None = None,
    ) -> tuple[str, bytes]:
        """A request, sent again on transient failures where that is safe (`repeatable`).

        An unrepeatable request is sent again only if it never reached the store; if its
        outcome is unknown, `_Unknown` is raised for the caller to find out what happened.
        """
        last = ""
        timeouts = 0
        for attempt in range(tries):
            if attempt:
                time.sleep(min(0.25 * 2**attempt, 4.0))
            try:
                return self.send(url, data, content_type, accept, timeout=timeout)
            except _NotSent as failure:
                if failure.timed_out:
                    raise StoreError(f"cannot connect to {_safe(url)}: {failure}") from None
                last = f"cannot connect: {failure}"
            except _Unknown as failure:
                if not repeatable:
                    raise
                timeouts += failure.timed_out
                if timeouts > 1:  # a store that is this slow will be so again
                    raise StoreError(f"the store at {_safe(url)} {failure}") from None
                last = str(failure)
            except _Answered as answer:
                status = answer.status
                if status in (401, 403):
                    raise StoreError(
                        f"the store at {_safe(url)} refused us (HTTP {status}): check the user "
                        "and password (SISTERCITIES_ENDPOINT_USER, SISTERCITIES_ENDPOINT_PASSWORD)"
                    ) from None
                if status == 404:
                    raise StoreError(
                        f"nothing answers at {_safe(url)} (HTTP 404): check the endpoint URL "
                        "(see `sistercities publish --help` for the forms each store takes)"
                    ) from None
                detail = f"HTTP {status}" + (f": {answer.text}" if answer.text else "")
                if not repeatable and status in (502, 503, 504):  # a gateway's: unknown outcome
                    raise _Unknown(f"answered {detail}") from None
                if status == 429 or (repeatable and status >= 500):
                    last = detail
                    continue
                raise StoreError(f"the store at {_safe(url)} answered {detail}") from None
        raise StoreError(f"the store at {_safe(url)} failed after {tries} tries ({last})")

    def prime(self, url: str) -> None:
        """Learn how `url`'s origin authenticates with a small request (HEAD), so that a large
        upload carries its credentials the first time."""
        if self.auth is None or not self.auth.prime(url):
            return
        with contextlib.suppress(_NotSent, _Unknown, _Answered):
            self.send(url, None, None, None, method="HEAD")


def _reason(error: BaseException | str, timeout: float) -> str:
    if isinstance(error, TimeoutError):
        return (
            f"did not answer within {timeout:g} s "
            "(--timeout SECONDS, $SISTERCITIES_ENDPOINT_TIMEOUT)"
        )
    if isinstance(error, http.client.RemoteDisconnected | ConnectionResetError):
        return "closed the connection without answering"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return _printable(str(text))


def _form(name: str, text: str) -> bytes:
    return urllib.parse.urlencode({name: text}).encode("ascii")


def _query(
    http: _Http,
    text: str,
    *,
    tries: int = RETRIES + 1,
    timeout: float | None = None,
    base: str = DEFAULT_BASE,
) -> Any:
    """A query's answer as a `sparql.QueryAnswer`. Queries are read-only: safe to repeat."""
    from .sparql import SparqlError, parse_answer

    accept = (
        f"{RESULTS_JSON}, application/sparql-results+xml;q=0.9"
        if _query_form(text) in ("SELECT", "ASK")
        else "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"
    )
    url = http.endpoint.url("query")
    # The query goes as a form (SPARQL 1.1 Protocol's URL-encoded POST): every store reads it,
    # while Virtuoso 7.2 never answers a POST of application/sparql-query.
    content_type, body = http.call(
        url,
        _form("query", text),
        FORM,
        accept=accept,
        repeatable=True,
        tries=tries,
        timeout=timeout,
    )
    try:
        return parse_answer(content_type, body, base)
    except SparqlError as error:
        raise StoreError(f"the store at {_safe(url)}: {error}") from None


def _query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside IRIs and comments.

    >>> _query_form("PREFIX s: <http://x/select#> # ask\\nconstruct { ?a ?b ?c } WHERE {}")
    'CONSTRUCT'
    """
    plain = re.sub(r"<[^<>\s]*>|#[^\n]*", " ", text)
    found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", plain, re.I)
    return found.group(1).upper() if found else "SELECT"


def _count(
    http: _Http, graph: str | None, *, tries: int = RETRIES + 1, timeout: float | None = None
) -> int:
    """The number of (distinct) triples in a graph, None being the default graph."""
    where = "?s ?p ?o" if graph is None else f"GRAPH {_iri_term(graph)} {{ ?s ?p ?o }}"
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    answer = _query(http, text, tries=tries, timeout=timeout)
    rows = list(answer.rows(compact=False))
    value = rows[0].get("n") if len(rows) == 1 else None
    try:
        return int(str(value))
    except ValueError:
        raise StoreError("the store did not answer a COUNT query with a number") from None


def _update(http: _Http, text: str, timeout: float | None = None) -> None:
    """Run a SPARQL Update once: never repeated when its outcome is unknown (`_Unknown`)."""
    http.call(
        http.endpoint.url("update"), _form("update", text), FORM, repeatable=False, timeout=timeout
    )


# ---------------------------------------------------------------------------------------------
# publishing


def _graph_url(store: str, graph: str | None) -> str:
    param = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
    return store + ("&" if "?" in store else "?") + param


def _nt_chunks(dataset: Dataset, base: str, size: int) -> Iterator[tuple[int, bytes]]:
    """The dataset's distinct triples as N-Triples, in chunks of at most `size` triples:
    (triples, bytes). Each triple is one line; a line seen before is not sent again."""
    import pyoxigraph as ox

    from .rdf import oxigraph_triples, triples

    seen: set[bytes] = set()

    def serialized(batch: list[Any]) -> tuple[int, bytes]:
        lines = []
        for line in (ox.serialize(batch, None, ox.RdfFormat.N_TRIPLES) or b"").splitlines():
            digest = hashlib.blake2b(line, digest_size=16).digest()
            if line and digest not in seen:
                seen.add(digest)
                lines.append(line)
        return len(lines), b"\n".join([*lines, b""])

    batch: list[Any] = []
    for triple in oxigraph_triples(triples(dataset, base)):
        batch.append(triple)
        if len(batch) >= size:
            yield serialized(batch)
            batch = []
    if batch:
        yield serialized(batch)


@dataclass(frozen=True)
class Progress:
    """Where a publish is, for a progress line: ``upload`` (`triples` sent so far), ``swap``
    (waiting for the store to swap the graph in), ``check`` (counting the graphs after an
    unknown outcome) or ``verify``; `seconds` since the stage began."""

    stage: str
    triples: int
    seconds: float


@dataclass
class PublishReport:
    """What `publish` did (or, with dry_run, would do)."""

    triples: int
    chunks: int
    seconds: float
    graph: str
    mode: str
    dry_run: bool
    upload_seconds: float = 0.0
    swap_seconds: float = 0.0
    verify_seconds: float = 0.0
    before: int | None = None  # triples the graph held before
    holds: int | None = None  # triples the graph holds after, counted
    notes: list[str] = field(default_factory=list)  # what a person should know (e.g. a retry)

    @property
    def triples_per_second(self) -> float:
        """Throughput of the whole publish."""
        return self.triples / self.seconds if self.seconds else 0.0

    def lines(self, store: str | None = None) -> list[str]:
        """The report as lines of text, for people (`store`: the store URL a dry run names).

        >>> report = PublishReport(10, 1, 2.0, "https://ex.org/g", "append", False, holds=12,
        ...                        before=2)
        >>> report.lines()[1]
        'verified: the graph holds 12 triples (2 before, 10 sent)'
        """
        if self.dry_run:
            return [
                f"would {self.mode} graph {self.graph} with {self.triples:,} triples "
                f"in {self.chunks} chunks at {store or '(no store URL given)'}"
            ]
        swap = f", swap {self.swap_seconds:.2f} s" if self.mode == "replace" else ""
        done = f"{self.mode}{'d' if self.mode == 'replace' else 'ed'}"
        lines = [
            f"{done} graph {self.graph}: {self.triples:,} triples in {self.chunks} chunks, "
            f"{self.seconds:.2f} s ({self.triples_per_second:,.0f} triples/s; upload "
            f"{self.upload_seconds:.2f} s{swap}, verification {self.verify_seconds:.2f} s)"
        ]
        if self.mode == "replace":
            lines.append(f"verified: the graph holds {self.holds:,} triples, as many as were sent")
        else:
            lines.append(
                f"verified: the graph holds {self.holds:,} triples ({self.before:,} before, "
                f"{self.triples:,} sent)"
            )
        return lines


@contextlib.contextmanager
def _ticking(
    progress: Callable[[Progress], None] | None, stage: str, triples: int
) -> Iterator[None]:
    """Tell `progress` every second that `stage` is still going on."""
    if progress is None:
        yield
        return
    stop = threading.Event()
    start = time.monotonic()

    def tick() -> None:
        while not stop.wait(1.0):
            progress(Progress(stage, triples, time.monotonic() - start))

    thread = threading.Thread(target=tick, name="publish-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def publish(
    dataset: Dataset,
    endpoint: Endpoint,
    *,
    graph: str | None = None,
    replace: bool = True,
    dry_run: bool = False,
    base: str = DEFAULT_BASE,
    chunk_triples: int = CHUNK_TRIPLES,
    progress: Callable[[Progress], None] | None = None,
) -> PublishReport:
    """Upload the dataset into `graph` (None: the default graph) of a SPARQL store, and check
    by counting that the graph holds what was sent.

    With `replace` the graph's old content is swapped for the new one in one SPARQL Update
    after a complete upload into a temporary graph; otherwise triples are added to it. Raises
    `StoreError` with one clear message: the graph then holds its old content, or (after an
    unknown outcome) the message says what it holds.
    """
    target = None if graph is None else absolute_iri(graph, "the graph")
    staging = None
    if replace:
        staging = absolute_iri(
            f"{base.rstrip('/')}/upload/{uuid.uuid4()}", "the temporary graph (from the base IRI)"
        )
    report = PublishReport(0, 0, 0.0, target or "default", _mode(replace), dry_run)
    chunks = _nt_chunks(dataset, base, chunk_triples)
    if dry_run:
        for count, _ in chunks:
            report.triples += count
            report.chunks += 1
        return report
    store_url = endpoint.url("store")
    endpoint.url("query")
    if replace:
        endpoint.url("update")
    http = _Http(endpoint)
    stage = ["count"]  # what publish is doing, for the message should it be interrupted
    try:
        return _publish(http, chunks, target, staging, store_url, report, progress, stage)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (the command line makes it one)
        raise PublishInterrupted(_interrupted(http, stage[0], staging, report)) from None


class PublishInterrupted(StoreError):
    """`publish` was stopped by Ctrl-C or SIGTERM; the message says what the store holds."""


_CLEANUP_SECONDS = 10.0  # at most this long for each request of the clean-up after an interrupt


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM ignored for a moment (in the main thread only), so that a second
    Ctrl-C cannot cut the clean-up short; each of its requests is bounded in time."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in names}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _drop_ours(http: _Http, staging: str) -> str | None:
    """Drop the temporary graph of this publish (its name holds a fresh UUID: no one else's)
    and count it to be sure it is gone; None once it is, else the reason it may remain."""
    reason = "it still held triples after two DROPs"
    timeout = min(http.timeout, _CLEANUP_SECONDS)
    for _ in range(2):  # a chunk the store was still storing may land after the first DROP
        try:
            _update(http, f"DROP SILENT GRAPH {_iri_term(staging)}", timeout=timeout)
            if _count(http, staging, tries=1, timeout=timeout) == 0:
                return None
        except (StoreError, _Unknown) as failure:
            reason = str(failure)
    return reason


def _interrupted(http: _Http, stage: str, staging: str | None, report: PublishReport) -> str:
    """What the store holds after an interrupt at `stage`, having cleaned up what is ours."""
    graph, sent, before = report.graph, report.triples, report.before
    old = "" if before is None else f" ({before:,} triples)"
    if stage == "count":
        return f"interrupted before anything was sent: the graph {graph} is untouched"
    if stage == "upload" and staging is None:
        return (
            f"interrupted during the upload: the graph {graph} holds its old content{old} "
            f"and part of the new ({sent:,} triples sent): publish again to add the rest "
            "(triples sent twice are stored once)"
        )
    if stage == "upload":
        assert staging is not None
        with _signals_held():
            left = _drop_ours(http, staging)
        cleaned = (
            f"the temporary graph <{staging}> was dropped"
            if left is None
            else f"the temporary graph <{staging}> may remain ({left}): drop it with "
            f"DROP SILENT GRAPH <{staging}>"
        )
        return (
            f"interrupted during the upload ({sent:,} triples sent): the graph {graph} still "
            f"holds its old content{old}, untouched; {cleaned}"
        )
    if stage == "swap":
        return (
            f"interrupted while the store swaps the new content in: the graph {graph} holds "
            f"either its old content{old} or the complete new content ({sent:,} triples), never "
            "a mix, as the store runs MOVE as one transaction; the temporary graph "
            f"<{staging}> is left (dropping it while the swap may still run could empty the "
            "graph): once the store is idle, count the graph, then drop that graph or publish "
            "again"
        )
    if staging is None:
        return (
            f"interrupted after the upload, before the count: the graph {graph} holds its old "
            f"content{old} and the {sent:,} triples sent, not verified"
        )
    return (
        f"interrupted after the swap, before the count: the graph {graph} holds the new "
        f"content ({sent:,} triples sent and swapped in), not verified"
    )


def _publish(
    http: _Http,
    chunks: Iterator[tuple[int, bytes]],
    target: str | None,
    staging: str | None,
    store_url: str,
    report: PublishReport,
    progress: Callable[[Progress], None] | None,
    stage: list[str],
) -> PublishReport:
    """`publish` once the store's URLs are known; `stage[0]` says what it is doing."""
    start = time.perf_counter()
    report.before = _count(http, target)
    upload_url = _graph_url(store_url, staging if staging is not None else target)
    http.prime(upload_url)
    stage[0] = "upload"
    try:
        for count, body in chunks:
            # A chunk whose answer is lost is sent again: harmless, as an RDF graph is a set
            # and the data has no blank nodes, so triples posted twice are stored once.
            http.call(upload_url, body, "application/n-triples", repeatable=True)
            report.triples += count
            report.chunks += 1
            if progress:
                progress(Progress("upload", report.triples, time.perf_counter() - start))
        report.upload_seconds = time.perf_counter() - start
        if report.triples == 0:
            raise StoreError("the data gives no triples: nothing was published")
        if staging is not None:
            staged = _count(http, staging)
            if staged != report.triples:
                raise StoreError(
                    f"the temporary graph holds {staged:,} triples, not the {report.triples:,} "
                    "sent: the store lost some; the graph was not touched"
                )
            stage[0] = "swap"
            _swap(http, staging, target, report, progress)
    except _Unsettled:
        raise
    except (StoreError, _Unknown) as failure:
        message = str(failure)
        if isinstance(failure, _Unknown):
            message = f"the store at {_safe(store_url)} {failure}"
        if staging is not None:
            # No swap ran (none was sent, or the store refused it), so the graph is as it was;
            # the temporary graph goes, with one DROP (never repeated either).
            stage[0] = "upload"
            try:
                _update(http, f"DROP SILENT GRAPH {_iri_term(staging)}")
            except (StoreError, _Unknown) as drop:
                message += f"; the temporary graph <{staging}> may remain ({drop})"
        raise StoreError(message) from None
    stage[0] = "verify"
    verify_start = time.perf_counter()
    if progress:
        progress(Progress("verify", report.triples, 0.0))
    report.holds = _count(http, target)
    report.verify_seconds = time.perf_counter() - verify_start
    report.seconds = time.perf_counter() - start
    _verify(report)
    return report


def _swap(
    http: _Http,
    staging: str,
    target: str | None,
    report: PublishReport,
    progress: Callable[[Progress], None] | None,
) -> None:
    """MOVE the temporary graph onto the target, once; after an unknown outcome, find out."""
    into = "DEFAULT" if target is None else _iri_term(target)
    # Not SILENT: where the store follows SPARQL 1.1 (Oxigraph), a MOVE of a graph that is not
    # there is then an error that leaves the target alone, instead of emptying it.
    move = f"MOVE {_iri_term(staging)} TO {into}"
    start = time.perf_counter()
    try:
        with _ticking(progress, "swap", report.triples):
            _update(http, move)
    except _Unknown as unknown:
        # Never sent again: if the store ran it, the temporary graph is gone and a second MOVE
        # would empty the target. Count both graphs instead.
        with _ticking(progress, "check", report.triples):
            _settle(http, staging, target, report, str(unknown))
    report.swap_seconds = time.perf_counter() - start


def _settle(
    http: _Http, staging: str, target: str | None, report: PublishReport, reason: str
) -> None:
    """After a swap whose answer was lost: count the graphs until they show it done, or say
    what the graph holds when the time (`http.timeout`) runs out."""
    old, sent = report.before or 0, report.triples
    deadline = time.monotonic() + http.timeout
    held: int | None = None
    staged: int | None = None
    while True:
        left = max(deadline - time.monotonic(), 1.0)
        try:
            held = _count(http, target, tries=1, timeout=left)
            staged = _count(http, staging, tries=1, timeout=left)
        except (StoreError, _Unknown):
            held = staged = None
        if staged == 0 and held == sent:
            report.notes.append(
                f"the store's answer to the swap was lost (it {reason}); counting the graphs "
                "showed the swap done"
            )
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))
    graph = report.graph
    if held is None or staged is None:
        raise _Unsettled(
            f"the store did not answer the swap (it {reason}) and then stopped answering: the "
            f"graph {graph} holds either its old content ({old:,} triples) or the complete new "
            f"content ({sent:,}), never a mix, as the store runs MOVE as one transaction; the "
            f"new content may remain in the temporary graph <{staging}>"
        )
    if staged == sent and held == old:
        raise _Unsettled(
            f"the store did not confirm the swap (it {reason}), and {http.timeout:g} s later "
            f"the graph {graph} still holds its old content ({old:,} triples). If the store is "
            f"still running the swap, the graph will hold the complete new content ({sent:,} "
            f"triples) when it is done. The new content is left in the temporary graph "
            f"<{staging}> (dropping it while the swap may still run could empty the graph): once "
            "the store is idle, count the graph, and drop that graph or publish again"
        )
    raise _Unsettled(
        f"the store did not confirm the swap (it {reason}), and the graph {graph} now holds "
        f"{held:,} triples, neither its old {old:,} nor the new {sent:,} (the temporary graph "
        f"<{staging}> holds {staged:,}): the store is still running the swap, or does not run "
        "MOVE as one transaction; publish again once it is idle"
    )


def _verify(report: PublishReport) -> None:
    """The count after a publish against what was sent; a `StoreError` with both numbers."""
    holds, sent, before = report.holds or 0, report.triples, report.before or 0
    if report.mode == "replace":
        if holds != sent:
            raise StoreError(
                f"verification failed: the graph {report.graph} holds {holds:,} triples, but "
                f"{sent:,} were sent"
            )
    elif not max(before, sent) <= holds <= before + sent:
        raise StoreError(
            f"verification failed: the graph {report.graph} holds {holds:,} triples; with the "
            f"{before:,} it held and the {sent:,} sent it should hold from {max(before, sent):,} "
            f"to {before + sent:,}"
        )


def _mode(replace: bool) -> str:
    return "replace" if replace else "append"


# ---------------------------------------------------------------------------------------------
# asking


def remote_query(endpoint: Endpoint, query: str, base: str = DEFAULT_BASE) -> Any:
    """Ask a store (SPARQL 1.1 Protocol) and return a `sparql.QueryAnswer`, as the local
    `run_query` does. The exports' prefixes are declared before the query."""
    from .rdf import prefixes

    preamble = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes(base).items())
    return _query(_Http(endpoint), preamble + query, base=base)
