"""The ``sistercities`` command line: parse arguments, call `graph`, format the answer.

Answers go to stdout, messages to stderr. Exit codes: 0 success, 1 bad data or a failed
lookup (one clear message, no traceback), 2 usage error.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

import graph

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DATA = Path("data") / "cities.yaml"
ENV_DATA = "SISTERCITIES_DATA"


def default_data() -> list[Path]:
    """``data/cities.yaml`` in the current folder, else the copy beside the package."""
    return [DEFAULT_DATA if DEFAULT_DATA.exists() else graph.DEFAULT_DATA]


def data_option(command: F) -> F:
    """The ``--data`` option every command that reads the data takes."""
    return click.option(
        "--data",
        "data_paths",
        multiple=True,
        # Not `readable=True`: an unreadable file is bad data (exit 1), named by the loader.
        type=click.Path(path_type=Path, readable=False),
        help=f"A YAML file or a folder of *.yaml files (repeatable). "
        f"Default: ${ENV_DATA}, else {DEFAULT_DATA}.",
    )(command)


def resolve_data(ctx: click.Context, given: Sequence[Path]) -> list[Path]:
    """The data paths: the command's --data, else the group's, else the environment, else the
    default."""
    if given:
        return list(given)
    group_given = (ctx.find_root().obj or {}).get("data_paths")
    if group_given:
        return list(group_given)
    if os.environ.get(ENV_DATA):
        return [Path(p) for p in os.environ[ENV_DATA].split(os.pathsep) if p]
    return default_data()


def load(ctx: click.Context, given: Sequence[Path]) -> graph.Dataset:
    """Load the data or exit 1, printing every error on stderr."""
    try:
        return graph.load_dataset(resolve_data(ctx, given))
    except graph.DataError as error:
        errors = [p for p in error.problems if p.is_error]
        for problem in errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"the data has {len(errors)} error{'s' if len(errors) != 1 else ''}; "
            "`sistercities validate` lists every problem"
        ) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(graph.__version__, prog_name="sistercities")
@data_option
@click.pass_context
def cli(ctx: click.Context, data_paths: tuple[Path, ...]) -> None:
    """Sister-city ties: curated facts with sources, checked, queried and exported.

    \b
    Examples:
      sistercities validate
      sistercities --data my-cities.yaml build
    """
    ctx.ensure_object(dict)
    ctx.obj["data_paths"] = data_paths


def _counts_line(counts: dict[str, int]) -> str:
    order = ("places", "partnerships", "officials", "visits", "events", "agreements", "sources")
    return ", ".join(f"{counts[name]} {name}" for name in order) + f", {counts['areas']} areas"


@cli.command()
@data_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line a problem, as a compiler prints; json: one object.",
)
@click.pass_context
def validate(ctx: click.Context, data_paths: tuple[Path, ...], output_format: str) -> None:
    """Check the data and list every problem with file:line:col and a rule id.

    Exits 1 when there is any error (warnings alone exit 0).

    \b
    Examples:
      sistercities validate
      sistercities validate --data data/ --format json
    """
    report = graph.validate(resolve_data(ctx, data_paths))
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        where = ", ".join(report.files) or "no files"
        click.echo(
            f"{where}: {_counts_line(report.counts)}; "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings"
        )
    if not report.ok:
        ctx.exit(1)


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of stdout.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the YAML data format.

    Editors with the YAML language server use it to check and complete fields while typing
    (data/cities.yaml names it in its first line).

    \b
    Examples:
      sistercities schema > cities.schema.json
      sistercities schema -o exports/cities.schema.json
    """
    from graph.export import schema_json

    text = schema_json()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        graph.write_atomic(output, text.encode("utf-8"))
    except graph.ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {output}", err=True)


def _write_stdout_bytes(data: bytes) -> None:
    """Write bytes to stdout as they are (exports are UTF-8 already)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def base_iri_option(command: F) -> F:
    """The ``--base-iri`` option of commands that make RDF."""
    from graph.vocab import DEFAULT_BASE

    return click.option(
        "--base-iri",
        default=DEFAULT_BASE,
        show_default=True,
        envvar="SISTERCITIES_BASE_IRI",
        help="The IRI every entity's IRI starts with (place/…, partnership/…).",
    )(command)


def format_option(command: F) -> F:
    """The ``--format table|json|csv`` option of every question command."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="table for people; json and csv for pipes.",
    )(command)


def emit_rows(
    rows: Iterable[dict[str, Any]], output_format: str, columns: Sequence[str] = ()
) -> None:
    """Print plain rows as an aligned table, a JSON array, or CSV with a header row."""
    rows = list(rows)
    columns = list(columns) or (list(rows[0]) if rows else [])
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    cells = [[("" if row.get(c) is None else str(row.get(c))) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row_cells in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row_cells, widths, strict=True)).rstrip())


@cli.command()
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("exports"),
    show_default=True,
    help="The folder to write into.",
)
@base_iri_option
@click.pass_context
def build(ctx: click.Context, data_paths: tuple[Path, ...], out_dir: Path, base_iri: str) -> None:
    """Validate the data and write every export into a folder.

    Prints each file written. Nothing is written when the data has errors, and each file is
    replaced atomically.

    \b
    Examples:
      sistercities build
      sistercities build --data data/ --out /tmp/exports
    """
    dataset = load(ctx, data_paths)
    try:
        written = graph.build_exports(dataset, out_dir, base_iri)
    except graph.ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"data: {_counts_line(dataset.counts())}", err=True)
    for path in written:
        click.echo(f"wrote {path}")


@cli.command()
@data_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["turtle", "json-ld", "n-triples", "graphml", "gexf", "csv"]),
    help="The format; guessed from -o's suffix when left out (turtle on stdout).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (atomically) instead of stdout.",
)
@base_iri_option
@click.pass_context
def export(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    format_name: str | None,
    output: Path | None,
    base_iri: str,
) -> None:
    """Export the data as RDF (Turtle, JSON-LD, N-Triples), a graph (GraphML, GEXF) or CSV.

    \b
    Examples:
      sistercities export > sister-cities.ttl
      sistercities export -o network.gexf
      sistercities export --format json-ld --base-iri https://example.org/id/
    """
    from graph import export as exports

    dataset = load(ctx, data_paths)
    try:
        if output is None:
            data = exports.export_bytes(dataset, format_name or "turtle", base_iri)
            _write_stdout_bytes(data)
            return
        exports.export_to_path(dataset, output, format_name, base_iri)
    except graph.ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {output}", err=True)


@cli.command()
@data_option
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from a file ('-' for stdin).",
)
@click.option(
    "-e",
    "--example",
    help="Run a shipped example query: partners, ties-by-decade, visits-2018, ties-by-area.",
)
@click.option(
    "--bind",
    "bindings",
    multiple=True,
    metavar="NAME=VALUE",
    help='Give a variable a value: an IRI such as place:jakarta, or "text" in quotes.',
)
@format_option
@base_iri_option
@click.pass_context
def sparql(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    query: str | None,
    query_file: Any,
    example: str | None,
    bindings: tuple[str, ...],
    output_format: str,
    base_iri: str,
) -> None:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the data.

    The exports' prefixes (sc:, schema:, skos:, place:, tie: …) need no PREFIX lines.
    QUERY '-' reads stdin. json is the W3C SPARQL results JSON; CONSTRUCT prints Turtle.

    \b
    Examples:
      sistercities sparql 'SELECT ?p WHERE { place:jakarta sc:twinnedWith ?p }'
      sistercities sparql -e partners --bind city=place:casablanca
      sistercities sparql -f my-query.rq --format csv
    """
    from graph.sparql import SparqlError, example_queries, run_query
    from graph.vocab import Lit

    sources = [query is not None, query_file is not None, example is not None]
    if sum(sources) != 1:
        raise click.UsageError("give exactly one of QUERY, -f FILE or -e EXAMPLE")
    if example is not None:
        examples = example_queries()
        if example not in examples:
            raise click.UsageError(f"no example '{example}'; examples: {', '.join(examples)}")
        text = examples[example]
    elif query_file is not None:
        text = query_file.read()
    else:
        text = sys.stdin.read() if query == "-" else str(query)
    values: dict[str, str | Lit] = {}
    for binding in bindings:
        name, equals, value = binding.partition("=")
        if not equals or not name:
            raise click.UsageError(f"--bind takes NAME=VALUE, not '{binding}'")
        is_text = len(value) >= 2 and value[0] == value[-1] == '"'
        values[name.lstrip("?$")] = Lit(value[1:-1]) if is_text else value
    dataset = load(ctx, data_paths)
    try:
        answer = run_query(dataset, text, base=base_iri, bindings=values)
    except SparqlError as error:
        raise click.ClickException(str(error)) from None
    if answer.kind == "graph":
        from graph.export import write_rdf_triples
        from graph.rdf import prefixes

        buffer = io.BytesIO()
        write_rdf_triples(answer.graph, buffer, "TURTLE", prefixes(base_iri))
        _write_stdout_bytes(buffer.getvalue())
    elif output_format == "json":
        click.echo(answer.sparql_json(), nl=False)
    elif output_format == "csv":
        click.echo(answer.sparql_csv(), nl=False)
    else:
        columns = ("result",) if answer.kind == "ask" else answer.variables
        emit_rows(answer.rows(), "table", columns)


def main() -> None:
    """The console script's entry point."""
    cli(prog_name="sistercities")


if __name__ == "__main__":
    main()
