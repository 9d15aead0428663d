"""Exports: a registry of formats and streaming RDF writers (written atomically: `atomic`).

Every format is an `ExportFormat` in `FORMATS` (looked up by name or by a file's suffix); a
writer takes the dataset, a binary stream and the base IRI. RDF is streamed from
`sistercities.rdf.triples` into pyoxigraph's serializers (Turtle, N-Triples) or into our own JSON-LD
writer, without building an rdflib Graph. `build_exports` writes the files of `build_files`
all together.

>>> from sistercities.dates import parse_date
>>> from sistercities.model import Dataset, Partnership, Place
>>> a, b = Place("a", "Aa", "city", "ID", ("s",)), Place("b", "Bé", "city", "MA", ("s",))
>>> tie = Partnership("a--b", ("a", "b"), "sister-city", "active", ("s",), since=parse_date(1991))
>>> ds = Dataset(places={"a": a, "b": b}, partnerships={"a--b": tie})
>>> print(export_bytes(ds, "csv").decode(), end="")
id,place_a,place_b,name_a,name_b,country_a,country_b,kind,status,since,until,areas,agreements,sources
a--b,a,b,Aa,Bé,ID,MA,sister-city,active,1991,,,,s
>>> format_for_path("exports/sister-cities.ttl").name
'turtle'
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

from .atomic import atomic_batch, atomic_writer
from .errors import ExportError
from .gc import no_garbage_collection
from .model import Dataset
from .rdf import Triple, base_iri, oxigraph_triples, prefixes, triples
from .schema import json_schema
from .vocab import DEFAULT_BASE, PREFIXES, RDF, XSD, Compactor, Lit, ontology_triples

__all__ = [
    "BUILD_FILES",
    "DEFAULT_FOCUS",
    "FORMATS",
    "WORLD_EXPORTS",
    "ExportFormat",
    "build_exports",
    "build_files",
    "export_bytes",
    "export_to_path",
    "focus_page_name",
    "format_for_path",
    "partnership_rows",
    "spreadsheet_safe",
    "write_csv",
]

Writer = Callable[[Dataset, IO[bytes], str], None]


@dataclass(frozen=True)
class ExportFormat:
    """A format the data can be exported to."""

    name: str
    suffixes: tuple[str, ...]
    media_type: str
    description: str
    write: Writer


# ---------------------------------------------------------------------------------------------
# RDF


def write_rdf_triples(
    stream: Iterable[Triple], out: IO[bytes], format_name: str, binds: dict[str, str] | None
) -> None:
    """Serialize plain triples with pyoxigraph (`format_name`: TURTLE, N_TRIPLES …)."""
    import pyoxigraph as ox

    rdf_format = getattr(ox.RdfFormat, format_name)
    with no_garbage_collection():
        ox.serialize(oxigraph_triples(stream), out, rdf_format, prefixes=binds)


def _oxigraph_writer(format_name: str) -> Writer:
    def write(dataset: Dataset, out: IO[bytes], base: str) -> None:
        binds = prefixes(base) if format_name == "TURTLE" else None
        write_rdf_triples(triples(dataset, base), out, format_name, binds)

    return write


def write_jsonld(stream: Iterable[Triple], out: IO[bytes], binds: dict[str, str]) -> None:
    """JSON-LD 1.1: a ``@context`` holding the prefixes and a ``@graph`` of node objects, one
    a subject, in the order subjects first appear; IRIs compacted with the prefixes."""
    compact = Compactor(binds)
    nodes: dict[str, dict[str, Any]] = {}
    for s, p, o in stream:
        node = nodes.get(s)
        if node is None:
            node = nodes[s] = {"@id": compact(s)}
        if p == RDF.type and not isinstance(o, Lit):
            node.setdefault("@type", []).append(compact(o))
            continue
        if isinstance(o, Lit):
            value: dict[str, str] = {"@value": o.value}
            if o.lang is not None:
                value["@language"] = o.lang
            elif o.datatype is not None and o.datatype != XSD.string:
                value["@type"] = compact(o.datatype)
        else:
            value = {"@id": compact(o)}
        node.setdefault(compact(p), []).append(value)
    document = {"@context": dict(sorted(binds.items())), "@graph": list(nodes.values())}
    text = json.dumps(document, indent=1, ensure_ascii=False)
    out.write(text.encode("utf-8"))
    out.write(b"\n")


def _write_jsonld(dataset: Dataset, out: IO[bytes], base: str) -> None:
    with no_garbage_collection():
        write_jsonld(triples(dataset, base), out, prefixes(base))


# ---------------------------------------------------------------------------------------------
# tables and graphs


PARTNERSHIP_COLUMNS = (
    "id",
    "place_a",
    "place_b",
    "name_a",
    "name_b",
    "country_a",
    "country_b",
    "kind",
    "status",
    "since",
    "until",
    "areas",
    "agreements",
    "sources",
)


def partnership_rows(dataset: Dataset) -> Iterator[dict[str, Any]]:
    """One plain dict a partnership, in file order: an edge list with names and countries."""
    places = dataset.places
    for tie in dataset.partnerships.values():
        a, b = tie.between
        yield {
            "id": tie.id,
            "place_a": a,
            "place_b": b,
            "name_a": places[a].name if a in places else "",
            "name_b": places[b].name if b in places else "",
            "country_a": (places[a].country or "") if a in places else "",
            "country_b": (places[b].country or "") if b in places else "",
            "kind": tie.kind,
            "status": tie.status,
            "since": str(tie.since) if tie.since else "",
            "until": str(tie.until) if tie.until else "",
            "areas": ";".join(tie.areas),
            "agreements": ";".join(tie.agreements),
            "sources": ";".join(tie.sources),
        }


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def spreadsheet_safe(cell: Any) -> str:
    """A CSV cell that no spreadsheet runs as a formula (the OWASP way): a text that begins
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``. A plain
    number (``-6.2``, ``1e5``) is left as it is: a spreadsheet reads it as a number. A text
    that already begins with ``'`` gets one more, so that dropping one leading ``'`` always
    gives the exact value back. None is the empty cell.

    >>> [spreadsheet_safe(c) for c in ["=1+1", "+33 1", "-cmd", "@SUM(A1)", "\\tx", "'q", "Bé"]]
    ["'=1+1", "'+33 1", "'-cmd", "'@SUM(A1)", "'\\tx", "''q", 'Bé']
    >>> [spreadsheet_safe(c) for c in [-6.2, "-6.2", "1990", 7, None, "-"]]
    ['-6.2', '-6.2', '1990', '7', '', "'-"]
    """
    text = "" if cell is None else str(cell)
    if text.startswith((*_FORMULA_START, "'")) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Write `rows` as CSV with a header row, every cell `spreadsheet_safe`: the one writer of
    every CSV the tool makes (the export and the answers of ``--format csv``)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([spreadsheet_safe(c) for c in columns])
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])


def _write_csv(dataset: Dataset, out: IO[bytes], base: str) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    write_csv(text, PARTNERSHIP_COLUMNS, partnership_rows(dataset))
    text.detach()


def _write_graphml(dataset: Dataset, out: IO[bytes], base: str) -> None:
    import networkx as nx

    from .network import flat_city_network

    nx.write_graphml(flat_city_network(dataset), out, encoding="utf-8")


_GEXF_META = re.compile(rb'<meta lastmodifieddate="[^"]*">\s*<creator>[^<]*</creator>')


def _write_gexf(dataset: Dataset, out: IO[bytes], base: str) -> None:
    import networkx as nx

    from .network import flat_city_network

    buffer = io.BytesIO()
    nx.write_gexf(flat_city_network(dataset, timeline=True), buffer, encoding="utf-8")
    # networkx stamps today's date and its version: keep the export reproducible instead.
    out.write(_GEXF_META.sub(b"<meta>\n      <creator>sistercities</creator>", buffer.getvalue()))


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "turtle",
            (".ttl",),
            "text/turtle",
            "RDF Turtle, prefixes bound",
            _oxigraph_writer("TURTLE"),
        ),
        ExportFormat(
            "n-triples",
            (".nt",),
            "application/n-triples",
            "RDF N-Triples, one triple a line",
            _oxigraph_writer("N_TRIPLES"),
        ),
        ExportFormat(
            "json-ld",
            (".jsonld", ".json"),
            "application/ld+json",
            "JSON-LD with a @context of the prefixes",
            _write_jsonld,
        ),
        ExportFormat(
            "graphml",
            (".graphml",),
            "application/graphml+xml",
            "GraphML of the city network (Gephi, yEd, networkx)",
            _write_graphml,
        ),
        ExportFormat(
            "gexf",
            (".gexf",),
            "application/gexf+xml",
            "GEXF of the city network with start/end for Gephi's timeline",
            _write_gexf,
        ),
        ExportFormat(
            "csv", (".csv",), "text/csv", "an edge list, one row a partnership", _write_csv
        ),
    )
}


def format_for_path(path: str | os.PathLike[str]) -> ExportFormat:
    """The format a file name's suffix names; `ExportError` when none does."""
    name = Path(path).name.lower()
    for export_format in FORMATS.values():
        if name.endswith(export_format.suffixes):
            return export_format
    known = ", ".join(s for f in FORMATS.values() for s in f.suffixes)
    raise ExportError(f"cannot tell the format of '{path}' from its suffix (known: {known})")


def export_bytes(dataset: Dataset, format_name: str, base: str = DEFAULT_BASE) -> bytes:
    """The export of `dataset` in `format_name`, in memory."""
    buffer = io.BytesIO()
    FORMATS[format_name].write(dataset, buffer, base)
    return buffer.getvalue()


def export_to_path(
    dataset: Dataset,
    path: str | os.PathLike[str],
    format_name: str | None = None,
    base: str = DEFAULT_BASE,
) -> Path:
    """Write an export atomically; the format from `format_name` or the path's suffix."""
    export_format = FORMATS[format_name] if format_name else format_for_path(path)
    with atomic_writer(path) as out:
        export_format.write(dataset, out, base)
    return Path(path)


# ---------------------------------------------------------------------------------------------
# build


def _write_ontology(dataset: Dataset, out: IO[bytes], base: str) -> None:
    write_rdf_triples(ontology_triples(), out, "TURTLE", PREFIXES)


def _write_shapes(dataset: Dataset, out: IO[bytes], base: str) -> None:
    out.write(resources.files("sistercities").joinpath("shapes.ttl").read_bytes())


def _write_schema(dataset: Dataset, out: IO[bytes], base: str) -> None:
    out.write(schema_json().encode("utf-8"))


def _write_html(**options: Any) -> Writer:
    def write(dataset: Dataset, out: IO[bytes], base: str) -> None:
        from .viz import render_html

        out.write(render_html(dataset, **options).encode("utf-8"))

    return write


def schema_json() -> str:
    """The JSON Schema of the YAML format, as stable, indented JSON text (the noncharacters its
    patterns name written as escapes, so that the file holds none)."""
    from .text import json_escaped

    return json_escaped(json.dumps(json_schema(), indent=2, ensure_ascii=False)) + "\n"


DEFAULT_FOCUS = "jakarta"  # the place of build's focus page on the curated data


def focus_page_name(place: str) -> str:
    """The file name of a place's focus page (``jakarta.html``)."""
    return f"{place}.html"


def build_files(
    dataset: Dataset | None = None, focus: str | None = DEFAULT_FOCUS
) -> dict[str, Writer]:
    """The files `sistercities build` writes, by name: the data in every format, the vocabulary,
    the shapes, the JSON Schema, the HTML graph, and (`focus` not None) the focus place's
    neighbourhood two ties away, named by `focus_page_name`."""
    files: dict[str, Writer] = {
        "sister-cities.ttl": FORMATS["turtle"].write,
        "sister-cities.jsonld": FORMATS["json-ld"].write,
        "sister-cities.nt": FORMATS["n-triples"].write,
        "sister-cities.graphml": FORMATS["graphml"].write,
        "sister-cities.gexf": FORMATS["gexf"].write,
        "partnerships.csv": FORMATS["csv"].write,
        "ontology.ttl": _write_ontology,
        "shapes.ttl": _write_shapes,
        "cities.schema.json": _write_schema,
        "sister-cities.html": _write_html(title="Sister cities: every tie in the data"),
    }
    if focus is not None:
        if dataset is not None and focus in dataset.places:
            name = dataset.places[focus].name
        else:
            name = focus.replace("-", " ").title()
        files[focus_page_name(focus)] = _write_html(
            focus=focus, depth=2, title=f"{name}'s sister cities and theirs (two ties away)"
        )
    return files


# The files `sistercities build` writes on the curated data, by name.
BUILD_FILES: dict[str, Writer] = build_files(None, DEFAULT_FOCUS)


# The world's exports (`sistercities build --world`): the data files, not the vocabulary.
WORLD_EXPORTS = (
    "sister-cities.ttl",
    "sister-cities.nt",
    "sister-cities.gexf",
    "partnerships.csv",
    "sister-cities.html",
)


def build_exports(
    dataset: Dataset,
    folder: str | os.PathLike[str],
    base: str = DEFAULT_BASE,
    only: Iterable[str] | None = None,
    focus: str | None = DEFAULT_FOCUS,
) -> list[Path]:
    """Write the files of `build_files` (those named in `only`; the focus page of `focus`
    among them unless it is None) into `folder`, all together (`sistercities.atomic.atomic_batch`):
    a failure midway leaves every old file as it was. Returns the paths.

    What the files need is checked before anything is written: the base IRI
    (`sistercities.rdf.base_iri`), the focus place (an `ExportError` when the data has none by that
    id) and the names in `only`.
    """
    base = base_iri(base)
    if focus is not None and focus not in dataset.places:
        raise ExportError(f"the focus page's place '{focus}' is not in the data")
    files = build_files(dataset, focus)
    names = list(files) if only is None else list(only)
    unknown = [name for name in names if name not in files]
    if unknown:
        raise ExportError(f"build writes no file named {', '.join(map(repr, unknown))}")
    written = []
    with atomic_batch() as batch:
        for name in names:
            target = Path(folder) / name
            with batch.open(target) as out:
                files[name](dataset, out, base)
            written.append(target)
    return written
