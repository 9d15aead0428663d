"""SPARQL 1.1 stores over HTTP: publish with the Graph Store Protocol, ask with the SPARQL
Protocol, and serve the data read-only.

`publish` streams N-Triples in chunks (HTTP POST to the Graph Store endpoint). ``replace``
uploads into a fresh temporary graph and swaps it in with one SPARQL Update (``MOVE``), so the
target graph is never half-replaced: if any chunk fails, the temporary graph is dropped and the
target is untouched. Transient failures (connection errors, HTTP 429 and 5xx) are retried with
back-off. Credentials go in an Authorization header and never into a message.

`Endpoint.parse` understands the URL forms of common stores:

- Oxigraph: the server's base URL (``http://localhost:7878``) → ``/query``, ``/update``,
  ``/store``; or its ``/store`` URL;
- Apache Jena Fuseki: the dataset URL (``http://localhost:3030/ds``) → ``/ds/query``,
  ``/ds/update``, ``/ds/data``;
- GraphDB: the repository URL (``http://localhost:7200/repositories/repo``) → the URL itself,
  ``…/statements``, ``…/rdf-graphs/service``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graph.errors import SisterCitiesError
from graph.model import Dataset
from graph.vocab import DEFAULT_BASE, Lit

__all__ = ["Endpoint", "PublishReport", "StoreError", "publish", "remote_query"]

RETRIES = 3
CHUNK_TRIPLES = 50_000
TIMEOUT = 60.0


class StoreError(SisterCitiesError):
    """A store that cannot be reached, refuses us, or fails."""


@dataclass(frozen=True)
class Endpoint:
    """The URLs of one SPARQL store, and the credentials to send."""

    query: str
    update: str
    store: str
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str, user: str | None = None, password: str | None = None) -> Endpoint:
        """The query, update and Graph Store URLs of a store, from its base URL (see above).

        >>> Endpoint.parse("http://localhost:7878").store
        'http://localhost:7878/store'
        >>> Endpoint.parse("http://localhost:3030/ds").update
        'http://localhost:3030/ds/update'
        >>> Endpoint.parse("http://h:7200/repositories/twins").store
        'http://h:7200/repositories/twins/rdf-graphs/service'
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreError(f"'{_safe(url)}' is not an http(s) URL")
        if parts.username:  # credentials in the URL: take them out of it
            user = user or urllib.parse.unquote(parts.username)
            password = password or urllib.parse.unquote(parts.password or "")
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        base = urllib.parse.urlunsplit(parts._replace(query="", fragment="")).rstrip("/")
        path = parts.path.rstrip("/")
        if path.endswith(("/store", "/query", "/update")) and "/repositories/" not in path:
            root = base.rsplit("/", 1)[0]
            return cls(f"{root}/query", f"{root}/update", f"{root}/store", user, password)
        if "/repositories/" in path:
            return cls(base, f"{base}/statements", f"{base}/rdf-graphs/service", user, password)
        if path in ("", "/"):
            return cls(f"{base}/query", f"{base}/update", f"{base}/store", user, password)
        return cls(f"{base}/query", f"{base}/update", f"{base}/data", user, password)


def _safe(url: str) -> str:
    """A URL without any user, password or query in it, for messages."""
    parts = urllib.parse.urlsplit(url)._replace(query="", fragment="")
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    return urllib.parse.urlunsplit(parts)


def _request(
    endpoint: Endpoint,
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[str, bytes]:
    """One HTTP request with retries on transient failures; (content type, body)."""
    headers = dict(headers or {})
    if endpoint.user is not None:
        token = f"{endpoint.user}:{endpoint.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
    last: str = ""
    for attempt in range(RETRIES + 1):
        if attempt:
            sleep(min(0.25 * 2**attempt, 4.0))
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            detail = error.read(500).decode("utf-8", "replace").strip()
            if error.code in (401, 403):
                raise StoreError(
                    f"the store at {_safe(url)} refused us (HTTP {error.code}): check the user "
                    "and password (SISTERCITIES_ENDPOINT_USER, SISTERCITIES_ENDPOINT_PASSWORD)"
                ) from None
            if error.code == 404:
                raise StoreError(
                    f"nothing answers at {_safe(url)} (HTTP 404): check the endpoint URL "
                    "(see `sistercities publish --help` for the forms each store takes)"
                ) from None
            if error.code == 429 or error.code >= 500:
                last = f"HTTP {error.code}: {detail[:200]}"
                continue
            raise StoreError(
                f"the store at {_safe(url)} answered HTTP {error.code}: {detail[:300]}"
            ) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            last = f"cannot connect: {reason}"
            continue
    raise StoreError(f"the store at {_safe(url)} failed after {RETRIES + 1} tries ({last})")


def _nt_chunks(dataset: Dataset, base: str, size: int) -> Iterator[tuple[int, bytes]]:
    """The dataset as N-Triples, in chunks of at most `size` triples: (triples, bytes)."""
    import pyoxigraph as ox

    from graph.rdf import oxigraph_triples, triples

    def serialized(batch: list[Any]) -> bytes:
        return ox.serialize(batch, None, ox.RdfFormat.N_TRIPLES) or b""

    batch: list[Any] = []
    for triple in oxigraph_triples(triples(dataset, base)):
        batch.append(triple)
        if len(batch) >= size:
            yield len(batch), serialized(batch)
            batch = []
    if batch:
        yield len(batch), serialized(batch)


@dataclass
class PublishReport:
    """What `publish` did (or, with dry_run, would do)."""

    triples: int
    chunks: int
    seconds: float
    graph: str
    mode: str
    dry_run: bool

    @property
    def triples_per_second(self) -> float:
        """Throughput of the upload."""
        return self.triples / self.seconds if self.seconds else 0.0


def _graph_param(graph: str | None) -> str:
    return "?default" if graph is None else "?graph=" + urllib.parse.quote(graph, safe="")


def publish(
    dataset: Dataset,
    endpoint: Endpoint,
    *,
    graph: str | None = None,
    replace: bool = True,
    dry_run: bool = False,
    base: str = DEFAULT_BASE,
    chunk_triples: int = CHUNK_TRIPLES,
    progress: Callable[[int], None] | None = None,
) -> PublishReport:
    """Upload the dataset into `graph` (None: the default graph) of a SPARQL store.

    With `replace` the graph's old content is swapped for the new one in one SPARQL Update
    after a complete upload into a temporary graph; otherwise triples are added to it.
    """
    start = time.perf_counter()
    target = graph
    staging = f"{base.rstrip('/')}/upload/{uuid.uuid4()}" if replace else None
    upload_to = staging if replace else target
    total = chunks = 0
    if dry_run:
        for count, _ in _nt_chunks(dataset, base, chunk_triples):
            total += count
            chunks += 1
        return PublishReport(total, chunks, 0.0, target or "default", _mode(replace), True)
    try:
        for count, body in _nt_chunks(dataset, base, chunk_triples):
            _request(
                endpoint,
                endpoint.store + _graph_param(upload_to),
                method="POST",
                data=body,
                headers={"Content-Type": "application/n-triples"},
            )
            total += count
            chunks += 1
            if progress:
                progress(total)
        if staging is not None:
            into = "DEFAULT" if target is None else f"<{target}>"
            _update(endpoint, f"MOVE SILENT <{staging}> TO {into}")
            staging = None
    finally:
        if staging is not None:  # a failed upload: leave the target as it was
            with contextlib.suppress(StoreError):
                _update(endpoint, f"DROP SILENT GRAPH <{staging}>")
    seconds = time.perf_counter() - start
    return PublishReport(total, chunks, seconds, target or "default", _mode(replace), False)


def _mode(replace: bool) -> str:
    return "replace" if replace else "append"


def _update(endpoint: Endpoint, update: str) -> None:
    _request(
        endpoint,
        endpoint.update,
        method="POST",
        data=update.encode("utf-8"),
        headers={"Content-Type": "application/sparql-update"},
    )


def remote_query(endpoint: Endpoint, query: str) -> Any:
    """Ask a store (SPARQL 1.1 Protocol) and return a `graph.sparql.QueryAnswer`, as the local
    `run_query` does."""
    from graph.rdf import prefixes
    from graph.sparql import QueryAnswer

    binds = prefixes()
    preamble = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in binds.items())
    content_type, body = _request(
        endpoint,
        endpoint.query,
        method="POST",
        data=(preamble + query).encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
        },
    )
    if "json" in content_type:
        document = json.loads(body)
        if "boolean" in document:
            return QueryAnswer("ask", boolean=bool(document["boolean"]), prefixes=binds)
        variables = tuple(document["head"]["vars"])
        solutions = [
            tuple(_term(row.get(v)) for v in variables) for row in document["results"]["bindings"]
        ]
        return QueryAnswer("select", variables, solutions, prefixes=binds)
    import pyoxigraph as ox

    from graph.sparql import _plain

    graph = [
        (str(t.subject.value), str(t.predicate.value), _plain(t.object))
        for t in ox.parse(io.BytesIO(body), ox.RdfFormat.N_TRIPLES)
    ]
    return QueryAnswer("graph", graph=graph, prefixes=binds)


def _term(value: dict[str, str] | None) -> str | Lit | None:
    if value is None:
        return None
    if value["type"] == "uri":
        return value["value"]
    if value["type"] == "bnode":
        return "_:" + value["value"]
    datatype = value.get("datatype")
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return Lit(value["value"], datatype, value.get("xml:lang"))
