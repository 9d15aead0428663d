"""A local, read-only SPARQL 1.1 endpoint over the data, for tools that want HTTP.

The data goes into an embedded, in-memory Oxigraph store (pyoxigraph, the same engine as
`sistercities sparql`), served by Python's threading HTTP server. It is read-only by
construction: only the query operation exists (``GET /query?query=…`` and ``POST /query`` with
``application/sparql-query`` or a form), so no request can change the data. Results are
negotiated from the Accept header: SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT and DESCRIBE
give N-Triples or Turtle.
"""

from __future__ import annotations

import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from graph.model import Dataset
from graph.vocab import DEFAULT_BASE

__all__ = ["make_server"]


def make_server(
    dataset: Dataset, host: str = "127.0.0.1", port: int = 7879, base: str = DEFAULT_BASE
) -> ThreadingHTTPServer:
    """A server (not yet started: call `serve_forever`) answering SPARQL queries at /query."""
    import pyoxigraph as ox

    from graph.export import FORMATS
    from graph.rdf import prefixes
    from graph.sparql import load_store

    store = load_store(dataset, base)
    binds = prefixes(base)
    results_formats = [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/csv", ox.QueryResultsFormat.CSV),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ]
    graph_formats = [  # the export registry's media types, N-Triples first (the default)
        (media, ox.RdfFormat.from_media_type(media))
        for media in (FORMATS["n-triples"].media_type, FORMATS["turtle"].media_type)
    ]

    class Handler(BaseHTTPRequestHandler):
        server_version = "sistercities-sparql"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: a terminal full of access lines helps nobody here

        def send(
            self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/":
                self.send(200, b"sistercities: a read-only SPARQL endpoint at /query\n")
                return
            if url.path != "/query":
                self.send(404, b"not found: the SPARQL endpoint is /query\n")
                return
            query = urllib.parse.parse_qs(url.query).get("query", [None])[0]
            self.answer(query)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/query":
                self.send(
                    405 if url.path in ("/update", "/store") else 404,
                    b"this endpoint is read-only: only /query\n",
                )
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            kind = self.headers.get("Content-Type", "").split(";")[0].strip()
            if kind == "application/x-www-form-urlencoded":
                query = urllib.parse.parse_qs(body).get("query", [None])[0]
            elif kind == "application/sparql-query":
                query = body
            else:
                self.send(415, b"send application/sparql-query or a form with 'query'\n")
                return
            self.answer(query)

        def answer(self, query: str | None) -> None:
            if not query:
                self.send(400, b"no query\n")
                return
            try:
                result = store.query(query, prefixes=binds)
            except SyntaxError as error:
                self.send(400, f"the query is not valid SPARQL: {error}\n".encode())
                return
            accept = self.headers.get("Accept", "")
            if isinstance(result, ox.QueryTriples):
                media, rdf_format = next(
                    ((m, f) for m, f in graph_formats if m in accept), graph_formats[0]
                )
                self.send(200, result.serialize(format=rdf_format) or b"", media)
                return
            media, results_format = next(
                ((m, f) for m, f in results_formats if m in accept), results_formats[0]
            )
            self.send(200, result.serialize(format=results_format) or b"", media)

    return ThreadingHTTPServer((host, port), Handler)
