"""SPARQL over the data: an in-memory Oxigraph store, queries with bound values, and results
as plain rows, W3C SPARQL JSON or CSV, or Turtle for CONSTRUCT.

This module is the one home of the SPARQL results codec: `QueryAnswer.sparql_json` and
`QueryAnswer.sparql_csv` write results, `parse_answer` reads a store's answer (SPARQL JSON, XML
or TSV results, or N-Triples/Turtle for CONSTRUCT) into the same `QueryAnswer` a local query
gives; `sistercities.store` only moves the bytes.

The exports' prefixes (``sc:``, ``schema:``, ``place:`` …) are predeclared, and values given
with `bindings` are substituted as RDF terms, never pasted into the query text.

>>> import sistercities
>>> ds = sistercities.load_dataset(sistercities.DEFAULT_DATA)
>>> answer = run_query(ds, "SELECT (COUNT(*) AS ?n) WHERE { place:jakarta sc:twinnedWith ?p }")
>>> list(answer.rows())
[{'n': '25'}]
>>> run_query(ds, "ASK { place:jakarta sc:twinnedWith place:los-angeles }").boolean
True
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import IO, Any

from .errors import SisterCitiesError
from .model import Dataset
from .rdf import Triple, oxigraph_triples, prefixes, triples
from .vocab import DEFAULT_BASE, XSD, Compactor, Lit

__all__ = [
    "QUERY_LIMIT",
    "QueryAnswer",
    "QueryTextError",
    "SparqlError",
    "SparqlTimeout",
    "SparqlUsageError",
    "example_queries",
    "example_query",
    "load_store",
    "parse_answer",
    "parse_bindings",
    "read_query",
    "run_query",
]


class SparqlError(SisterCitiesError):
    """A query that cannot be parsed or run."""


class SparqlTimeout(SparqlError):
    """A query that ran past its time limit and was stopped."""


class SparqlUsageError(SparqlError):
    """A query asked for wrongly: a binding that is not NAME=VALUE, an unknown example."""


class QueryTextError(SparqlError):
    """A query text that cannot be read: not a regular file, too long, not UTF-8."""


QUERY_LIMIT = 16 * 1024 * 1024  # bytes: a query text past this is refused, not read whole


def read_query(name: str, stdin: IO[bytes]) -> str:
    """The query in the file `name` (``-``: `stdin`), as UTF-8 text of at most `QUERY_LIMIT`
    bytes. Only a regular file is opened (a FIFO would block, a device never end), as data
    files are (`sistercities.files`); anything else raises `QueryTextError` naming the file and,
    for bytes that are not UTF-8, the line."""
    from pathlib import Path

    from .files import FileRefused, read_regular_file

    if name == "-":
        shown = "stdin"
        try:
            data = stdin.read(QUERY_LIMIT + 1)
        except OSError as error:
            raise QueryTextError(f"cannot read stdin: {error.strerror or error}") from None
        if len(data) > QUERY_LIMIT:
            raise QueryTextError(
                f"stdin: the query is longer than {QUERY_LIMIT // (1024 * 1024)} MB; not read"
            )
    else:
        shown = name
        try:
            data = read_regular_file(Path(name), limit=QUERY_LIMIT)
        except FileRefused as error:
            raise QueryTextError(str(error)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise QueryTextError(
            f"{shown}:{line}: the query is not UTF-8 text (byte 0x{data[error.start]:02x} "
            f"at offset {error.start})"
        ) from None


def parse_bindings(texts: Iterable[str]) -> dict[str, str | Lit]:
    """``NAME=VALUE`` bindings as `run_query` takes them: a value in double quotes is a string
    literal, anything else an IRI (``place:jakarta`` or a full IRI); ``?`` or ``$`` before the
    name is dropped.

    >>> parse_bindings(["city=place:jakarta", '?name="Jakarta"'])
    {'city': 'place:jakarta', 'name': Lit('Jakarta', None, None)}
    """
    import pyoxigraph as ox

    values: dict[str, str | Lit] = {}
    for text in texts:
        name, equals, value = text.partition("=")
        if not equals or not name:
            raise SparqlUsageError(f"--bind takes NAME=VALUE, not {text!r}")
        name = name.lstrip("?$")
        try:
            ox.Variable(name)
        except ValueError:
            raise SparqlUsageError(
                f"--bind {text!r}: {name!r} is not a SPARQL variable name (letters, digits "
                "and _, as in ?city)"
            ) from None
        is_text = len(value) >= 2 and value[0] == value[-1] == '"'
        values[name] = Lit(value[1:-1]) if is_text else value
    return values


def load_store(dataset: Dataset, base: str = DEFAULT_BASE) -> Any:
    """An in-memory pyoxigraph Store holding the dataset's triples (default graph)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object) for t in oxigraph_triples(triples(dataset, base))
    )
    return store


def _plain(term: Any) -> str | Lit:
    import pyoxigraph as ox

    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language:
            return Lit(term.value, None, term.language)
        return Lit(term.value, None if datatype == XSD.string else datatype)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term.value)


@dataclass
class QueryAnswer:
    """What a query gave: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples.

    Terms are plain data: IRIs as strings, literals as `Lit`, blank nodes as ``_:id``.
    """

    kind: str  # "select", "ask" or "graph"
    variables: tuple[str, ...] = ()
    solutions: list[tuple[str | Lit | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: list[Triple] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _compactor(self) -> Compactor:
        return Compactor(self.prefixes)

    def compact(self, term: str | Lit | None) -> str | None:
        """A term as a person reads it: a literal's text, an IRI as ``prefix:local``."""
        if term is None:
            return None
        if isinstance(term, Lit):
            return term.value
        return self._compactor(term)

    def rows(self, *, compact: bool = True) -> Iterator[dict[str, str | None]]:
        """SELECT solutions as plain dicts (ASK: one row with ``result``)."""
        if self.kind == "ask":
            yield {"result": "true" if self.boolean else "false"}
            return
        for solution in self.solutions:
            yield {
                name: (self.compact(v) if compact else (v.value if isinstance(v, Lit) else v))
                for name, v in zip(self.variables, solution, strict=True)
            }

    def turtle(self) -> bytes:
        """CONSTRUCT and DESCRIBE answers as Turtle, with the exports' prefixes bound."""
        import io

        from .export import write_rdf_triples

        buffer = io.BytesIO()
        write_rdf_triples(self.graph, buffer, "TURTLE", self.prefixes)
        return buffer.getvalue()

    def sparql_json(self) -> str:
        """The W3C SPARQL 1.1 Query Results JSON document."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}, indent=2) + "\n"
        bindings = []
        for solution in self.solutions:
            row: dict[str, dict[str, str]] = {}
            for name, term in zip(self.variables, solution, strict=True):
                if term is None:
                    continue
                if isinstance(term, Lit):
                    value = {"type": "literal", "value": term.value}
                    if term.lang:
                        value["xml:lang"] = term.lang
                    elif term.datatype:
                        value["datatype"] = term.datatype
                elif term.startswith("_:"):
                    value = {"type": "bnode", "value": term[2:]}
                else:
                    value = {"type": "uri", "value": term}
                row[name] = value
            bindings.append(row)
        document = {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def sparql_csv(self) -> str:
        """The W3C SPARQL 1.1 Query Results CSV (ASK: a ``result`` column), every cell
        `spreadsheet_safe` like every other CSV the tool writes: a value beginning with ``=``,
        ``+``, ``-``, ``@``, a tab or a carriage return (or ``'``) gets a leading ``'``, plain
        numbers are left alone. ``--format json`` keeps the exact values."""
        from .export import spreadsheet_safe

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.kind == "ask":
            writer.writerows([["result"], ["true" if self.boolean else "false"]])
            return buffer.getvalue()
        writer.writerow([spreadsheet_safe(name) for name in self.variables])
        for row in self.rows(compact=False):
            writer.writerow([spreadsheet_safe(v) for v in row.values()])
        return buffer.getvalue()


def run_query(
    dataset: Dataset | Any,
    text: str,
    *,
    base: str = DEFAULT_BASE,
    bindings: Mapping[str, str | Lit] | None = None,
    timeout: float | None = None,
    memory_limit: int | None = None,
    memory_name: str = "the memory limit",
) -> QueryAnswer:
    """Run a SPARQL query over a dataset (or an already loaded pyoxigraph Store).

    `bindings` maps variable names to values substituted as RDF terms: an IRI (a string, or
    ``prefix:local`` with a known prefix) or a `Lit`. With a `timeout` (seconds) the query runs
    in a forked child (`sistercities.isolate`), so that the time limit, Ctrl-C and SIGTERM stop it:
    `SparqlTimeout` past the limit, KeyboardInterrupt on a signal; `memory_limit` then bounds
    the bytes the query may take (past it: `SparqlError`, out of memory, naming `memory_name`
    or the address-space limit in force, whichever is lower).
    """
    import pyoxigraph as ox

    from .isolate import IsolationError, TimeLimitExceeded, can_isolate, run_isolated

    store = load_store(dataset, base) if isinstance(dataset, Dataset) else dataset
    binds = prefixes(base)
    substitutions = {
        ox.Variable(name): _term(value, binds) for name, value in (bindings or {}).items()
    }
    if timeout is None or not can_isolate():
        return _run(store, text, binds, substitutions)

    def work(output: IO[bytes]) -> None:
        answer = _run(store, text, binds, substitutions)
        pickle.dump(answer, output, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        output = run_isolated(
            work, timeout=timeout, memory_limit=memory_limit, memory_name=memory_name
        )
        answer: QueryAnswer = pickle.loads(output)
    except TimeLimitExceeded:
        raise SparqlTimeout(
            f"the query was stopped: it ran past its time limit of {timeout:g} s"
        ) from None
    except IsolationError as error:
        raise SparqlError(str(error)) from None
    return answer


def _run(
    store: Any, text: str, binds: dict[str, str], substitutions: dict[Any, Any]
) -> QueryAnswer:
    """The query's answer, in this process."""
    try:
        result = store.query(text, prefixes=binds, substitutions=substitutions or None)
    except SyntaxError as error:
        raise SparqlError(f"the query is not valid SPARQL: {error}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise SparqlError(f"the query failed: {error}") from None
    return _answer(result, binds)


def _answer(result: Any, binds: dict[str, str]) -> QueryAnswer:
    """A pyoxigraph result (boolean, solutions or triples) as a `QueryAnswer` of plain terms."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return QueryAnswer("ask", boolean=bool(result), prefixes=binds)
    try:
        if isinstance(result, ox.QuerySolutions):
            variables = tuple(v.value for v in result.variables)
            solutions = [
                tuple(_plain(s[v]) if s[v] is not None else None for v in variables) for s in result
            ]
            return QueryAnswer("select", variables, solutions, prefixes=binds)
        graph = [(_plain_iri(t.subject), str(t.predicate.value), _plain(t.object)) for t in result]
    except (OSError, SyntaxError) as error:
        raise SparqlError(f"the query failed: {error}") from None
    return QueryAnswer("graph", graph=graph, prefixes=binds)


def parse_answer(content_type: str, body: bytes, base: str = DEFAULT_BASE) -> QueryAnswer:
    """A store's answer to a query, by its media type: SPARQL JSON, XML or TSV results, or
    N-Triples or Turtle (CONSTRUCT, DESCRIBE), read as a local query's `QueryAnswer`.

    >>> answer = parse_answer(
    ...     "application/sparql-results+json",
    ...     b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "typed-literal",'
    ...     b' "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "2"}}]}}',
    ... )
    >>> list(answer.rows())
    [{'n': '2'}]
    >>> parse_answer("application/sparql-results+json", b'{"head": {}, "boolean": true}').boolean
    True
    """
    import pyoxigraph as ox

    media_type = content_type.partition(";")[0].strip().lower() or "-"
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    # text/plain is N-Triples to some stores (Virtuoso) and CSV results to pyoxigraph; CSV
    # results lose the kind of each term, so they are never read.
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    binds = prefixes(base)
    try:
        if results_format not in (None, ox.QueryResultsFormat.CSV):
            return _answer(ox.parse_query_results(body, results_format), binds)
        if rdf_format is not None and not rdf_format.supports_datasets:
            return _answer(ox.parse(body, rdf_format), binds)
    except (SyntaxError, ValueError) as error:
        raise SparqlError(f"the store's answer ({media_type}) cannot be read: {error}") from None
    raise SparqlError(
        f"the store answered with media type '{media_type}', which is not SPARQL results "
        "(JSON, XML, TSV) nor N-Triples or Turtle"
    )


def _plain_iri(term: Any) -> str:
    value = _plain(term)
    return value if isinstance(value, str) else value.value


def _term(value: str | Lit, binds: dict[str, str]) -> Any:
    import pyoxigraph as ox

    if isinstance(value, Lit):
        if value.lang:
            return ox.Literal(value.value, language=value.lang)
        if value.datatype:
            return ox.Literal(value.value, datatype=ox.NamedNode(value.datatype))
        return ox.Literal(value.value)
    prefix, colon, local = value.partition(":")
    if colon and prefix in binds and not local.startswith("//"):
        value = binds[prefix] + local
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise SparqlError(f"'{value}' is not an IRI: {error}") from None


def example_query(name: str) -> str:
    """The text of the shipped example query `name`; `SparqlUsageError` naming the examples
    when there is none."""
    examples = example_queries()
    if name not in examples:
        raise SparqlUsageError(f"no example '{name}'; examples: {', '.join(examples)}")
    return examples[name]


def example_queries() -> dict[str, str]:
    """The example queries shipped with the package, by name (``partners`` …)."""
    folder = resources.files("sistercities").joinpath("queries")
    return {
        entry.name.removesuffix(".rq"): entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".rq")
    }
