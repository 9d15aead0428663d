"""Real SPARQL stores for the store tests and bench/publish.py, started on free ports of
127.0.0.1 in a temporary folder and stopped afterwards:

- Oxigraph (`oxigraph serve`, from the PyPI package `oxigraph`);
- Virtuoso (Debian's `virtuoso-opensource`: `virtuoso-t -f -c INI`), with the user dba/dba.
  Its anonymous `/sparql` and `/sparql-graph-crud` are read-only; `/sparql-auth` and
  `/sparql-graph-crud-auth` take updates from dba with HTTP Digest authentication.

A missing store program is a failed test, never a skipped one.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRIPT = BIN / "sistercities"
VIRTUOSO = Path("/usr/bin/virtuoso-t")
VIRTUOSO_USER = {"SISTERCITIES_ENDPOINT_USER": "dba", "SISTERCITIES_ENDPOINT_PASSWORD": "dba"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 60, process: subprocess.Popen[bytes] | None = None) -> None:
    """Until something answers at `url` (any HTTP status)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {process.returncode})") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


@contextlib.contextmanager
def oxigraph(location: Path) -> Iterator[str]:
    """An Oxigraph server storing into `location`; yields its base URL."""
    binary = BIN / "oxigraph"
    assert binary.exists(), "the store tests need the `oxigraph` package (pip install oxigraph)"
    port = free_port()
    server = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/query?query=ASK%7B%7D", process=server)
        yield url
    finally:
        _stop(server)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 40000
MaxDirtyBuffers = 30000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 6
MaxKeepAlives = 6
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


@contextlib.contextmanager
def virtuoso(folder: Path) -> Iterator[str]:
    """A Virtuoso server with its database, log, lock and transaction files in `folder`, its
    HTTP and SQL ports on 127.0.0.1; yields its base URL (``…/sparql`` and the rest under it).
    """
    assert VIRTUOSO.exists() or shutil.which("virtuoso-t"), (
        "the store tests need Debian's virtuoso-opensource (apt-get install virtuoso-opensource)"
    )
    binary = str(VIRTUOSO) if VIRTUOSO.exists() else str(shutil.which("virtuoso-t"))
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port),
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [binary, "-f", "-c", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}"
    try:
        # A new database takes a few seconds (more on a busy machine) to be created.
        wait_for(url + "/sparql?query=ASK%7B%7D", timeout=180, process=server)
        yield url
    finally:
        _stop(server)


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The command line as a real process."""
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SISTERCITIES_NO_CACHE": "1", **(env or {})},
        check=False,
    )


def ask(query_url: str, query: str) -> dict[str, object]:
    """A query's SPARQL JSON results, asked with urllib alone (not with the tool under test)."""
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        query_url, data=data, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer: dict[str, object] = json.loads(response.read())
        return answer


def count(query_url: str, graph: str | None) -> int:
    """Triples in a graph (None: the default graph), asked with urllib alone."""
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    answer = ask(query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    bindings = answer["results"]["bindings"]  # type: ignore[index]
    return int(bindings[0]["n"]["value"])


def graphs(query_url: str) -> set[str]:
    """The named graphs that hold triples, asked with urllib alone."""
    answer = ask(query_url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {row["g"]["value"] for row in answer["results"]["bindings"]}  # type: ignore[index]


@functools.cache
def local_triples(path: Path) -> int:
    """Triples in the data at `path`, counted by the tool's local SPARQL."""
    result = run(
        "--data",
        str(path),
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


XSD = "http://www.w3.org/2001/XMLSchema#"
EXAMPLES = ("partners", "ties-by-decade", "visits-2018", "ties-by-area")


def example_query(name: str, graph: str) -> tuple[str, str]:
    """A shipped example query, as it is and scoped to a named graph of a store."""
    query = (ROOT / "graph" / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    scoped = query.replace("WHERE {", f"WHERE {{ GRAPH <{graph}> {{", 1).rstrip()
    # close the GRAPH block before the solution modifiers
    head, _, tail = scoped.rpartition("}")
    return query, head + "} }" + tail


def same_answer(first: str, second: str) -> bool:
    """Two SPARQL JSON results with the same variables and rows (ties in ORDER BY may swap)."""
    a, b = json.loads(first), json.loads(second)

    def canonical(value: dict[str, str]) -> dict[str, str]:
        # GROUP_CONCAT's order is undefined in SPARQL: compare the parts, in any order.
        if value["type"] == "literal" and "; " in value["value"]:
            return {**value, "value": "; ".join(sorted(value["value"].split("; ")))}
        # Virtuoso types FLOOR(YEAR(?d) / 10) as xsd:integer where SPARQL says xsd:decimal (an
        # integer division is a decimal): the same number either way.
        if value.get("datatype") in (XSD + "integer", XSD + "decimal"):
            number = decimal.Decimal(value["value"]).normalize()
            return {"type": "literal", "value": f"{number:f}", "datatype": "(a number)"}
        return value

    def bound(value: dict[str, str]) -> bool:
        # GROUP_CONCAT over no values: "" in Virtuoso, unbound in Oxigraph.
        return not (value["type"] == "literal" and value["value"] == "" and len(value) == 2)

    def rows(doc: dict[str, Any]) -> list[str]:
        return sorted(
            json.dumps({k: canonical(v) for k, v in row.items() if bound(v)}, sort_keys=True)
            for row in doc["results"]["bindings"]
        )

    return bool(a["head"].get("vars") == b["head"].get("vars") and rows(a) == rows(b))
