"""The ``sistercities`` command line: parse arguments, call `graph`, format the answer.

Answers go to stdout, messages to stderr. Exit codes: 0 success, 1 bad data or a failed
lookup (one clear message, no traceback), 2 usage error.
"""

from __future__ import annotations

import io
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import (
    RULES,
    DataError,
    Dataset,
    ExportError,
    SisterCitiesError,
    __version__,
    build_exports,
    write_atomic,
)
from . import validate as validate_data
from .export import FORMATS
from .importers import IMPORTERS
from .merge import MATCHES
from .model import (
    AGREEMENT_STATUSES,
    PARTNERSHIP_KINDS,
    PARTNERSHIP_STATUSES,
    PLACE_KINDS,
)
from .resolve import ENV_DATA
from .text import SHOWN_NAMES, json_dumps, json_escaped, some_of, visible

if TYPE_CHECKING:
    from .names import NameIndex

F = TypeVar("F", bound=Callable[..., Any])


def _echo(message: object = "", *, err: bool = False, nl: bool = True, start: str = "") -> None:
    """Print one line for people (a message, a table row, a profile line): every control,
    bidi or invisible character of it escaped (`sistercities.text.visible`), so that data cannot act
    on the terminal or break the line. `start` (such as ``\\r``) is printed before it as it is.
    JSON and CSV answers are not printed through here: they keep the data exact."""
    click.echo(start + visible(str(message)), err=err, nl=nl)


class VisibleGroup(click.Group):
    """A command group whose error messages (ours and click's, which may quote the data or the
    command line) are printed with `sistercities.text.visible`, on one line."""

    @staticmethod
    def _make_visible(error: click.ClickException) -> None:
        if not getattr(error, "made_visible", False):
            error.message = visible(error.message)  # type: ignore[misc]
            error.made_visible = True  # type: ignore[attr-defined]

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as error:
            self._make_visible(error)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            except SisterCitiesError as error:
                raise click_error(error) from None
        except click.ClickException as error:
            self._make_visible(error)
            raise


def click_error(error: SisterCitiesError) -> click.ClickException:
    """The one place where the library's errors become the command line's: a usage error
    (exit 2) for a wrong option value the library found, else one message (exit 1); a
    `DataError` first prints every error of the data on stderr."""
    from .importers import ImportOptionError
    from .merge import LayerConflict
    from .sparql import SparqlUsageError

    if isinstance(error, (ImportOptionError, SparqlUsageError)):
        return click.UsageError(str(error))
    if isinstance(error, DataError):
        errors = [p for p in error.problems if p.is_error]
        for problem in errors:
            _echo(str(problem), err=True)
        if isinstance(error, LayerConflict):
            return click.ClickException(
                f"the layers of the data give {len(errors)} id{'s' if len(errors) != 1 else ''} "
                "to two different entries"
            )
        return click.ClickException(
            f"the data has {len(errors)} error{'s' if len(errors) != 1 else ''}; "
            "`sistercities validate` lists every problem"
        )
    return click.ClickException(str(error))


def _shown(path: Path) -> Path:
    """A packaged data path as a person in a checkout would type it (data/cities.yaml), for
    messages."""
    here = Path.cwd()
    return path.relative_to(here) if path.is_relative_to(here) else path


class OutputPath(click.Path):
    """A path to write to: `click.Path`, refusing an empty path (which would mean the current
    folder) and a NUL character (no file name holds one) as usage errors."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and (value.strip() == "" or "\0" in value):
            what = "is empty" if "\0" not in value else "holds a NUL character"
            self.fail(f"the path {value!r} {what}", param, ctx)
        return super().convert(value, param, ctx)


class Seconds(click.FloatRange):
    """A number of seconds to wait: finite, more than 0 and at most a week (not NaN, which
    `click.FloatRange` lets through, nor infinity, which would turn a limit off)."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(min=0, max=7 * 24 * 3600, min_open=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return number


class Date(click.ParamType):  # type: ignore[type-arg]
    """A date as the data writes them (1995, 2018-04, 1990~ …), checked when the command line
    is read (a usage error, before any data is read); the value stays the text given."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .dates import DateSyntaxError, PartialDate

        try:
            PartialDate.parse(str(value))
        except DateSyntaxError as error:
            self.fail(str(error), param, ctx)
        return str(value)


SECONDS = Seconds()
DATE = Date()


def data_option(command: F) -> F:
    """The ``--data`` option every command that reads the data takes."""
    return click.option(
        "--data",
        "data_paths",
        multiple=True,
        # Not `readable=True`: an unreadable file is bad data (exit 1), named by the loader.
        type=click.Path(path_type=Path, readable=False),
        help=f"A YAML (or JSON) file or a folder of them (repeatable: later ones are layers "
        f"under the first). Default: ${ENV_DATA}, else the curated data with the world "
        f"layers under it (see --curated-only).",
    )(command)


def resolve_data(
    ctx: click.Context, given: Sequence[Path], *, curated_default: bool = False
) -> list[Path]:
    """The data paths: the command's --data, else the group's, else the library's policy
    (`sistercities.data_paths`: the environment, else the packaged data, the curated file alone
    with `curated_default` or --curated-only)."""
    from .resolve import data_paths

    obj = ctx.find_root().obj or {}
    chosen = tuple(given) or tuple(obj.get("data_paths") or ())
    curated = bool(obj.get("curated_only", False) or curated_default)
    paths = data_paths(*chosen, curated_only=curated)
    return paths if chosen or os.environ.get(ENV_DATA) else [_shown(p) for p in paths]


def refuse_overwriting_inputs(
    output: Path | None,
    inputs: Sequence[Path],
    *,
    folder: bool = False,
    files: Sequence[str] = (),
) -> None:
    """Exit 2 (before anything is read or written) when the output is one of the inputs or
    lies in a data folder the command reads (`sistercities.files.check_output`)."""
    from .files import WritesOverInput, check_output

    if output is None:
        return
    try:
        check_output(output, list(inputs), folder=folder, files=list(files))
    except WritesOverInput as error:
        raise click.UsageError(str(error)) from None


def load(
    ctx: click.Context,
    given: Sequence[Path],
    *,
    cached: bool = False,
    curated_default: bool = False,
) -> Dataset:
    """Load the data (from the cache, for questions, unless --no-cache); a `DataError` is
    exit 1 with every error on stderr (`click_error`)."""
    from .resolve import load as load_data

    paths = resolve_data(ctx, given, curated_default=curated_default)
    use_cache = cached and not (ctx.find_root().obj or {}).get("no_cache", False)
    return load_data(
        *paths,
        cache=use_cache,
        on_rebuild=_say_reading(paths),
        on_warning=lambda message: _echo(f"warning: {message}", err=True),
    )


OUTPUT_FORMATS = ("table", "json", "csv")


def _set_wide(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(dict)
        ctx.find_root().ensure_object(dict)["wide"] = True


def wide_option(command: F) -> F:
    """``--wide``: tables show every cell whole (on the group, or on any question)."""
    return click.option(
        "--wide",
        is_flag=True,
        expose_value=False,
        callback=_set_wide,
        help="Tables: show long lists and cells whole, however wide the table gets.",
    )(command)


def format_option(command: F) -> F:
    """The ``--format table|json|csv`` and ``--wide`` options of every question command."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="table for people (fits the terminal; --wide: everything); json and csv for pipes.",
    )(wide_option(command))


def _wide() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and (ctx.find_root().obj or {}).get("wide"))


def _files_line(given: Sequence[Path], files: Sequence[str]) -> str:
    """The files read, for a summary line that stays short however many there are: each
    file when there are at most `SHOWN_NAMES`, else the paths given, a folder with its count
    of files, at most `SHOWN_NAMES` of them, each shortened (`some_of`)."""
    if len(files) <= SHOWN_NAMES:
        return ", ".join(files) or "no files"
    entries = []
    for path in given:
        inside = sum(1 for name in files if Path(name).parent == path)
        entries.append(f"{path} ({inside:,} files)" if inside and path.is_dir() else str(path))
    listed = some_of(entries, what="more paths")
    return f"{len(files):,} files: {listed}" if len(entries) > SHOWN_NAMES else listed


def _say_reading(paths: Sequence[Path]) -> Callable[[], None]:
    """What to say on a terminal while the data is read afresh (the first question, a cold
    cache: a few seconds on the world layers)."""

    def say() -> None:
        if sys.stderr.isatty():
            names = some_of([p.name for p in paths], what="more paths")
            _echo(f"reading {names} (once: later questions use the cache)…", err=True)

    return say


@click.group(cls=VisibleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sistercities")
@data_option
@click.option(
    "--curated-only",
    is_flag=True,
    help="Answer from the curated data alone, without the world layers under it.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="SISTERCITIES_NO_CACHE",
    help="Parse the data afresh instead of using the cache of parsed data.",
)
@wide_option
@click.pass_context
def cli(
    ctx: click.Context, data_paths: tuple[Path, ...], curated_only: bool, no_cache: bool
) -> None:
    """Sister-city ties: curated facts with sources, checked, queried and exported.

    Places are named as you type them: case, accents and aliases don't matter (kiev,
    SAO PAULO); also by id, Wikidata QID, or Name,CC.

    \b
    Examples:
      sistercities partners jakarta
      sistercities validate
      sistercities --data my-cities.yaml build
    """
    ctx.ensure_object(dict)
    ctx.obj["data_paths"] = data_paths
    ctx.obj["curated_only"] = curated_only
    ctx.obj["no_cache"] = no_cache


def _counts_line(counts: dict[str, int]) -> str:
    order = ("places", "partnerships", "officials", "visits", "events", "agreements", "sources")
    return ", ".join(f"{counts[name]} {name}" for name in order) + f", {counts['areas']} areas"


SHOWN_WARNINGS = 3  # warnings of a rule that validate shows without --verbose


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
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="List every warning (by default: each rule's count and first few places).",
)
@click.pass_context
def validate(
    ctx: click.Context, data_paths: tuple[Path, ...], output_format: str, verbose: bool
) -> None:
    """Check the data and list every problem with file:line:col and a rule id.

    Every error is printed; warnings are grouped by rule, with their count and the first
    few places (--verbose lists each). Exits 1 when there is any error (warnings alone
    exit 0).

    \b
    Examples:
      sistercities validate
      sistercities validate --verbose
      sistercities validate --data data/ --format json
    """
    given = resolve_data(ctx, data_paths, curated_default=True)
    report = validate_data(given)
    if output_format == "json":
        click.echo(json_dumps(report.as_dict()))
    else:
        for problem in report.problems if verbose else report.errors:
            _echo(str(problem))
        if not verbose:
            for rule, warnings in report.warnings_by_rule().items():
                what = RULES.get(rule, rule).removeprefix("warning: ")
                _echo(f"warning[{rule}] × {len(warnings)}: {what}")
                for problem in warnings[:SHOWN_WARNINGS]:
                    _echo(f"  {problem.location}: {problem.message}")
                if len(warnings) > SHOWN_WARNINGS:
                    _echo(f"  … and {len(warnings) - SHOWN_WARNINGS} more (--verbose lists each)")
        where = _files_line(given, report.files)
        _echo(
            f"{where}: {_counts_line(report.counts)}; "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings"
        )
    if not report.ok:
        ctx.exit(1)


@cli.command()
@click.option(
    "-o",
    "--output",
    type=OutputPath(path_type=Path, dir_okay=False),
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
    from .export import schema_json

    text = schema_json()
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text.encode("utf-8"))
    _echo(f"wrote {output}", err=True)


def _write_stdout_bytes(data: bytes) -> None:
    """Write bytes to stdout as they are (exports are UTF-8 already)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _base_iri(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from .rdf import BaseIriError, base_iri

    try:
        return base_iri(value)
    except BaseIriError as error:
        raise click.BadParameter(str(error)) from None


def base_iri_option(command: F) -> F:
    """The ``--base-iri`` option of commands that make RDF: an absolute http(s) IRI, checked
    (a usage error) before anything is read or written."""
    from .vocab import DEFAULT_BASE

    return click.option(
        "--base-iri",
        default=DEFAULT_BASE,
        show_default=True,
        envvar="SISTERCITIES_BASE_IRI",
        callback=_base_iri,
        help="The IRI every entity's IRI starts with (place/…, partnership/…): an absolute "
        "http(s) IRI ending in / or # (/ is added otherwise).",
    )(command)


def emit_rows(
    rows: Iterable[dict[str, Any]], output_format: str, columns: Sequence[str] = ()
) -> None:
    """Print plain rows as a table that fits the terminal (`sistercities.tables`), a JSON array, or
    CSV with a header row."""
    rows = list(rows)
    columns = list(columns) or (list(rows[0]) if rows else [])
    if output_format == "json":
        click.echo(json_dumps(rows))
        return
    if output_format == "csv":
        from .export import write_csv

        buffer = io.StringIO()
        write_csv(buffer, columns, rows)  # cells a spreadsheet would run get a leading '
        click.echo(buffer.getvalue(), nl=False)
        return
    from .tables import render

    for line in render(rows, columns, wide=_wide()):
        click.echo(line)  # `render` has made every cell visible (and measured it so)


def _complete_focus_place(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    return complete_place(ctx, param, incomplete)  # defined further down, with the questions


@cli.command()
@data_option
@click.option(
    "--out",
    "out_dir",
    type=OutputPath(path_type=Path, file_okay=False),
    help="The folder to write into (default: exports/, or exports-world/ with --world).",
)
@click.option(
    "--world",
    is_flag=True,
    help="Write the world's exports (the curated data with the world layers under it: "
    "Turtle, N-Triples, GEXF, CSV, HTML) into --out (default: exports-world/, not committed).",
)
@click.option(
    "--focus-page",
    "focus_page",
    metavar="PLACE",
    shell_complete=_complete_focus_place,
    help="Also write PLACE.html: the place's neighbourhood, two ties away. Default: jakarta "
    "(skipped, said so, when the data has no Jakarta; not written with --world).",
)
@base_iri_option
@click.pass_context
def build(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    out_dir: Path | None,
    world: bool,
    focus_page: str | None,
    base_iri: str,
) -> None:
    """Validate the data and write every export into a folder.

    Without --data, the curated data (exports/ is committed and tested to be current); with
    --world, the world network's exports. Prints each file written. Nothing is written when the
    data has errors, and the files are replaced all together: a failure midway leaves every
    old file as it was.

    \b
    Examples:
      sistercities build
      sistercities build --world --out /tmp/world-exports
      sistercities build --data data/ --out /tmp/exports --focus-page istanbul
    """
    from .export import WORLD_EXPORTS, build_files, focus_page_name

    if out_dir is None:
        out_dir = Path("exports-world") if world else Path("exports")
    inputs = resolve_data(ctx, data_paths, curated_default=not world)
    refuse_overwriting_inputs(out_dir, inputs, folder=True, files=_build_names(world))
    dataset = load(ctx, data_paths, curated_default=not world)
    focus = _focus_place(ctx, dataset, focus_page, world)
    names = list(WORLD_EXPORTS) if world else list(build_files(None, None))
    if focus is not None:
        names.append(focus_page_name(focus))
        refuse_overwriting_inputs(out_dir, inputs, folder=True, files=names)
    written = build_exports(dataset, out_dir, base_iri, only=names, focus=focus)
    _echo(f"data: {_counts_line(dataset.counts())}", err=True)
    for path in written:
        _echo(f"wrote {path}")


def _build_names(world: bool) -> list[str]:
    from .export import WORLD_EXPORTS, build_files

    return list(WORLD_EXPORTS) if world else list(build_files(None, None))


def _focus_place(
    ctx: click.Context, dataset: Dataset, given: str | None, world: bool
) -> str | None:
    """The id of build's focus place: the one --focus-page names (exit 1 when the data has no
    such place), else Jakarta when the data has it (but for --world), else none, said so."""
    from .export import DEFAULT_FOCUS, focus_page_name
    from .names import LookupFailed

    if given is not None:
        if given in dataset.places:
            return given
        try:
            return _name_index(dataset, "place").find(given)
        except LookupFailed as error:
            raise click.ClickException(f"--focus-page: {error}") from None
    if world:
        return None
    if DEFAULT_FOCUS in dataset.places:
        return DEFAULT_FOCUS
    click.echo(
        f"note: the data has no place '{DEFAULT_FOCUS}': {focus_page_name(DEFAULT_FOCUS)} is "
        "not written (--focus-page PLACE writes another place's page)",
        err=True,
    )
    return None


@cli.command()
@data_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(FORMATS)),
    help="The format; guessed from -o's suffix when left out (turtle on stdout).",
)
@click.option(
    "-o",
    "--output",
    type=OutputPath(path_type=Path, dir_okay=False),
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
    from . import export as exports

    refuse_overwriting_inputs(output, resolve_data(ctx, data_paths))
    dataset = load(ctx, data_paths)
    if output is None:
        _write_stdout_bytes(exports.export_bytes(dataset, format_name or "turtle", base_iri))
        return
    exports.export_to_path(dataset, output, format_name, base_iri)
    _echo(f"wrote {output}", err=True)


# ---------------------------------------------------------------------------------------------
# SPARQL stores

ENV_USER = "SISTERCITIES_ENDPOINT_USER"
ENV_PASSWORD = "SISTERCITIES_ENDPOINT_PASSWORD"
ENV_TIMEOUT = "SISTERCITIES_ENDPOINT_TIMEOUT"
URL_HELP = {
    "query": "The store's SPARQL query URL, as it is (overrides what --endpoint gives).",
    "update": "The store's SPARQL Update URL (overrides what --endpoint gives).",
    "store": "The store's Graph Store Protocol URL (overrides what --endpoint gives).",
}


def store_options(*kinds: str) -> Callable[[F], F]:
    """The options that address a SPARQL store: --query-url, --update-url, --store-url (those
    in `kinds`), --user and --timeout, each also an environment variable."""
    from .store import TIMEOUT

    def decorate(command: F) -> F:
        command = click.option(
            "--timeout",
            type=SECONDS,
            default=TIMEOUT,
            show_default=True,
            envvar=ENV_TIMEOUT,
            show_envvar=True,
            metavar="SECONDS",
            help="How long to wait for each answer of the store (a big swap takes minutes); "
            "a local `sparql` query is stopped after this long.",
        )(command)
        command = click.option(
            "--user",
            envvar=ENV_USER,
            show_envvar=True,
            help=f"User name for the store (HTTP Digest when the store asks for it, Basic "
            f"otherwise); the password comes only from ${ENV_PASSWORD} or the URL.",
        )(command)
        for kind in reversed(kinds):
            command = click.option(
                f"--{kind}-url",
                f"{kind}_url",
                metavar="URL",
                envvar=f"SISTERCITIES_{kind.upper()}_URL",
                show_envvar=True,
                help=URL_HELP[kind],
            )(command)
        return command

    return decorate


def _endpoint(
    url: str | None,
    user: str | None,
    timeout: float,
    query_url: str | None = None,
    update_url: str | None = None,
    store_url: str | None = None,
) -> Any:
    """The store's URLs and credentials: the password only from the environment or the URL
    (never from the command line, where others could see it)."""
    from .store import Endpoint

    return Endpoint.parse(
        url,
        user,
        os.environ.get(ENV_PASSWORD),
        query=query_url,
        update=update_url,
        store=store_url,
        timeout=timeout,
    )


@cli.command()
@data_option
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    metavar="FILE",
    help="Read the query from a file ('-' for stdin), UTF-8 text.",
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
@click.option(
    "--endpoint",
    metavar="URL",
    help="Ask this SPARQL store instead of the local data: a query URL such as "
    "http://HOST/sparql, or a store's URL (forms: see `publish --help`).",
)
@store_options("query")
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
    endpoint: str | None,
    query_url: str | None,
    user: str | None,
    timeout: float,
    output_format: str,
    base_iri: str,
) -> None:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the data, or over a
    SPARQL store with --endpoint or --query-url.

    The exports' prefixes (sc:, schema:, skos:, place:, tie: …) need no PREFIX lines.
    QUERY '-' reads stdin. json is the W3C SPARQL results JSON; CONSTRUCT prints Turtle.

    \b
    Examples:
      sistercities sparql 'SELECT ?p WHERE { place:jakarta sc:twinnedWith ?p }'
      sistercities sparql -e partners --bind city=place:casablanca
      sistercities sparql -f my-query.rq --format csv
      sistercities sparql --endpoint http://localhost:7878 -e ties-by-area
      sistercities sparql --endpoint https://dbpedia.org/sparql 'ASK { ?s ?p ?o }'
    """
    from .sparql import SparqlTimeout, example_query, parse_bindings, read_query, run_query

    sources = [query is not None, query_file is not None, example is not None]
    if sum(sources) != 1:
        raise click.UsageError("give exactly one of QUERY, -f FILE or -e EXAMPLE")
    if example is not None:
        text = example_query(example)
    elif query_file is not None:
        text = read_query(query_file, sys.stdin.buffer)
    else:
        text = read_query("-", sys.stdin.buffer) if query == "-" else str(query)
    values = parse_bindings(bindings)
    if endpoint is not None or query_url is not None:
        from .store import remote_query

        if values:
            raise click.UsageError("--bind works on the local data only, not with --endpoint")
        target = _endpoint(endpoint, user, timeout, query_url=query_url)
        answer = remote_query(target, text, base_iri)
    else:
        dataset = load(ctx, data_paths)
        try:
            answer = run_query(
                dataset,
                text,
                base=base_iri,
                bindings=values,
                timeout=timeout,
                memory_limit=_half_the_memory(),
                memory_name="half the machine's memory",
            )
        except SparqlTimeout as error:
            raise click.ClickException(f"{error} (--timeout)") from None
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the query's child is already killed
            raise click.ClickException("the query was stopped: interrupted") from None
    if answer.kind == "graph":
        _write_stdout_bytes(answer.turtle())
    elif output_format == "json":
        click.echo(json_escaped(answer.sparql_json()), nl=False)
    elif output_format == "csv":
        click.echo(answer.sparql_csv(), nl=False)
    else:
        columns = ("result",) if answer.kind == "ask" else answer.variables
        emit_rows(answer.rows(), "table", columns)


def _half_the_memory() -> int | None:
    """Half the machine's memory in bytes (what a local query may take), if it is known."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (AttributeError, ValueError, OSError):
        return None


# ---------------------------------------------------------------------------------------------
# questions


def _name_index(dataset: Dataset, kind: str) -> NameIndex:
    from .names import NameIndex

    return NameIndex.of_places(dataset) if kind == "place" else NameIndex.of_officials(dataset)


def _names_of(ctx: click.Context, kind: str) -> NameIndex:
    # While completing, click has parsed the options but run no callback: read --data here.
    root = ctx.find_root()
    given = ctx.params.get("data_paths") or root.params.get("data_paths") or ()
    curated = bool(root.params.get("curated_only"))
    return _name_index(load(ctx, given, cached=True, curated_default=curated), kind)


def resolve(ctx: click.Context, dataset: Dataset, text: str, kind: str = "place") -> str:
    """The id of the place (or official) `text` names (a `LookupFailed` with candidates or
    suggestions otherwise); a note on stderr where a shared name was taken as one place."""
    if text in (dataset.places if kind == "place" else dataset.officials):
        return text  # an id: no need to index every name
    found = _name_index(dataset, kind).lookup(text)
    if found.note is not None:
        _echo(found.note, err=True)
    return found.id


def _completer(kind: str) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """Shell completion of the ids of places (or officials) whose names start with what was
    typed, in the data named by --data."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        try:
            index = _names_of(ctx, kind)
        except (click.ClickException, SisterCitiesError, OSError):
            return []
        return [CompletionItem(ident) for ident in index.complete(incomplete)]

    return complete


complete_place = _completer("place")
complete_official = _completer("official")


@cli.command()
@data_option
@click.option("--country", help="Only places in this country (ISO code, e.g. ID).")
@click.option("--kind", type=click.Choice(PLACE_KINDS), help="Only places of this kind.")
@format_option
@click.pass_context
def cities(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    country: str | None,
    kind: str | None,
    output_format: str,
) -> None:
    """List places and their number of partners (planned ties counted apart).

    \b
    Examples:
      sistercities cities
      sistercities cities --country US --format csv
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    emit_rows(
        query.cities(dataset, country=country, kind=kind), output_format, query.CITIES_COLUMNS
    )


@cli.command()
@data_option
@click.argument("city", shell_complete=complete_place)
@format_option
@click.pass_context
def show(ctx: click.Context, data_paths: tuple[Path, ...], city: str, output_format: str) -> None:
    """Show a place: names, country, coordinates, Wikidata, every tie, officials, visits.

    json gives the whole profile; csv gives its ties.

    \b
    Examples:
      sistercities show jakarta
      sistercities show "los angeles" --format json
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    place = query.profile(dataset, resolve(ctx, dataset, city))
    if output_format == "json":
        click.echo(json_dumps(place))
        return
    if output_format == "csv":
        emit_rows(place["partnerships"], "csv", query.partners_columns())
        return
    _say_coverage(dataset, place["id"])
    _echo(f"{place['name']} ({place['id']})")
    covered = place["coverage"]
    facts = [
        ("kind", place["kind"]),
        ("country", place["country"]),
        ("part of", place["part_of"]),
        ("labels", ", ".join(f"{v} ({k})" for k, v in place["labels"].items()) or None),
        ("aliases", ", ".join(place["aliases"]) or None),
        (
            "coordinates",
            f"{place['coordinates']['lat']}, {place['coordinates']['lon']}"
            if place["coordinates"]
            else None,
        ),
        ("wikidata", place["wikidata"]),
        ("sources", ", ".join(place["sources"])),
        (
            "partners",
            f"list complete as of {covered['as_of']} ({', '.join(covered['sources'])})"
            if covered["complete"]
            else "list not known to be complete",
        ),
        ("ties from", _provenance_text(place["provenance"])),
    ]
    for label, value in facts:
        if value:
            _echo(f"  {label + ':':<13}{value}")
    for title, rows, columns in (
        ("Ties", place["partnerships"], query.partners_table_columns()),
        ("Officials", place["officials"], query.PROFILE_OFFICIAL_COLUMNS),
        ("Visits", place["visits"], query.PROFILE_VISIT_COLUMNS),
    ):
        _echo()
        _echo(f"{title} ({len(rows)})")
        if rows:
            emit_rows(rows, "table", columns)


def _say_coverage(dataset: Dataset, place: str) -> None:
    """On stderr, one line: where a place's ties come from, and whether its list of partners
    is known to be complete."""
    from .query import coverage_note

    _echo(coverage_note(dataset, place), err=True)


def _provenance_text(counts: dict[str, int]) -> str:
    parts = [f"{name} {n}" for name, n in counts.items() if n and name != "in every layer"]
    if counts.get("in every layer"):
        parts.append(f"{counts['in every layer']} in both world layers")
    return ", ".join(parts) or "none"


@cli.command()
@data_option
@click.argument("city", shell_complete=complete_place)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    help="Ties in force at this date (1995, 2018-04): certainly or possibly.",
)
@click.option("--since", type=int, help="Ties that may have begun in or after this year.")
@click.option("--until", type=int, help="Ties that may have begun in or before this year.")
@click.option("--kind", type=click.Choice(PARTNERSHIP_KINDS), help="Only ties of this kind.")
@click.option("--area", help="Only ties with this cooperation area (its id).")
@click.option("--status", type=click.Choice(PARTNERSHIP_STATUSES), help="Only ties in this state.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Also the ties of weak evidence that the default answer leaves out.",
)
@format_option
@click.pass_context
def partners(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    city: str,
    as_of: str | None,
    since: int | None,
    until: int | None,
    kind: str | None,
    area: str | None,
    status: str | None,
    everything: bool,
    output_format: str,
) -> None:
    """List a place's ties in date order (undated ones last), each with the sources that
    assert it.

    The default answer leaves out ties of weak evidence (only in one world source where the
    other speaks of both places, or dropped by Wikidata since 2016) and says on stderr how many;
    --all shows them. json gives the answer whole: the place, whether its list is known to be
    complete, where its ties come from, what was left out, and the ties.

    With --as-of, uncertain dates count honestly: a tie "since about 1990" is "possibly" in
    force in 1989, "certainly" in 1992.

    \b
    Examples:
      sistercities partners jakarta
      sistercities partners "kiev" --as-of 1995 --format json
      sistercities partners istanbul --since 2000 --format csv
    """
    from . import query
    from .evidence import legend

    dataset = load(ctx, data_paths, cached=True)
    place = resolve(ctx, dataset, city)
    answer = query.partners_answer(
        dataset,
        place,
        as_of=as_of,
        since=since,
        until=until,
        kind=kind,
        area=area,
        status=status,
        everything=everything,
    )
    if output_format == "json":
        click.echo(json_dumps(answer))
        return
    rows = answer["partners"]
    if output_format == "table":
        _echo(answer["note"], err=True)
        if rows:
            _echo(f"evidence: {legend({row['evidence'] for row in rows})}", err=True)
        note = query.left_out_note(answer["left_out"])
        if note:
            _echo(note, err=True)
    if output_format == "table":
        emit_rows(rows, output_format, query.partners_table_columns(as_of))
    else:
        emit_rows(rows, output_format, query.partners_columns(as_of))


@cli.command()
@data_option
@click.argument("first", shell_complete=complete_place)
@click.argument("second", shell_complete=complete_place)
@click.option("--max-hops", default=6, show_default=True, type=click.IntRange(1, 100))
@format_option
@click.pass_context
def path(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    first: str,
    second: str,
    max_hops: int,
    output_format: str,
) -> None:
    """Show the shortest chains of ties between two places, each hop with its kind and year.

    \b
    Examples:
      sistercities path jakarta bordeaux
      sistercities path jakarta chicago --max-hops 3 --format json
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    a, b = resolve(ctx, dataset, first), resolve(ctx, dataset, second)
    emit_rows(list(query.path(dataset, a, b, max_hops)), output_format, query.PATH_COLUMNS)


@cli.command()
@data_option
@click.argument("first", shell_complete=complete_place)
@click.argument("second", shell_complete=complete_place)
@format_option
@click.pass_context
def common(
    ctx: click.Context, data_paths: tuple[Path, ...], first: str, second: str, output_format: str
) -> None:
    """List the partners two places share.

    \b
    Examples:
      sistercities common jakarta istanbul
      sistercities common "los angeles" berlin --format csv
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    a, b = resolve(ctx, dataset, first), resolve(ctx, dataset, second)
    emit_rows(query.common(dataset, a, b), output_format, query.common_columns(a, b))


@cli.command()
@data_option
@click.option("--official", shell_complete=complete_official, help="Visits by this official.")
@click.option("--city", shell_complete=complete_place, help="Visits to this place.")
@click.option("--year", type=int, help="Visits (possibly) in this year.")
@format_option
@click.pass_context
def visits(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    official: str | None,
    city: str | None,
    year: int | None,
    output_format: str,
) -> None:
    """List officials' visits in date order.

    \b
    Examples:
      sistercities visits --year 2018
      sistercities visits --official "anies baswedan" --format json
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    rows = query.visits(
        dataset,
        official=resolve(ctx, dataset, official, "official") if official else None,
        city=resolve(ctx, dataset, city) if city else None,
        year=year,
    )
    emit_rows(rows, output_format, query.VISITS_COLUMNS)


@cli.command()
@data_option
@click.option("--city", shell_complete=complete_place, help="Offices of this place.")
@click.option(
    "--as-of", "as_of", type=DATE, help="Offices held at this date (certainly or possibly)."
)
@format_option
@click.pass_context
def officials(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    city: str | None,
    as_of: str | None,
    output_format: str,
) -> None:
    """List officials and their offices (one row a term of office).

    \b
    Examples:
      sistercities officials --city jakarta
      sistercities officials --as-of 2018-04 --format csv
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    rows = query.officials(dataset, city=resolve(ctx, dataset, city) if city else None, as_of=as_of)
    emit_rows(rows, output_format, query.officials_columns(as_of))


@cli.command()
@data_option
@format_option
@click.pass_context
def events(ctx: click.Context, data_paths: tuple[Path, ...], output_format: str) -> None:
    """List events (conferences, ceremonies) in date order, with their sessions.

    \b
    Examples:
      sistercities events
      sistercities events --format json
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    emit_rows(query.events(dataset), output_format, query.EVENTS_COLUMNS)


@cli.command()
@data_option
@click.option(
    "--status", type=click.Choice(AGREEMENT_STATUSES), help="Only agreements in this state."
)
@format_option
@click.pass_context
def agreements(
    ctx: click.Context, data_paths: tuple[Path, ...], status: str | None, output_format: str
) -> None:
    """List agreements (letters of intent, memoranda, charters) by date; planned ones last.

    \b
    Examples:
      sistercities agreements
      sistercities agreements --status planned --format json
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    emit_rows(query.agreements(dataset, status=status), output_format, query.AGREEMENTS_COLUMNS)


@cli.command()
@data_option
@click.option("--city", shell_complete=complete_place, help="Only what involves this place.")
@format_option
@click.pass_context
def areas(
    ctx: click.Context, data_paths: tuple[Path, ...], city: str | None, output_format: str
) -> None:
    """List cooperation areas and how many ties, visits and agreements name each.

    \b
    Examples:
      sistercities areas
      sistercities areas --city casablanca --format csv
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    rows = query.areas(dataset, city=resolve(ctx, dataset, city) if city else None)
    emit_rows(rows, output_format, query.AREAS_COLUMNS)


@cli.command()
@data_option
@click.argument("city", required=False, shell_complete=complete_place)
@format_option
@click.pass_context
def timeline(
    ctx: click.Context, data_paths: tuple[Path, ...], city: str | None, output_format: str
) -> None:
    """List ties, visits, events and agreements in date order (of one place, or all).

    The table ends with a histogram of the decades.

    \b
    Examples:
      sistercities timeline jakarta
      sistercities timeline --format json
    """
    from . import query

    dataset = load(ctx, data_paths, cached=True)
    rows = list(query.timeline(dataset, resolve(ctx, dataset, city) if city else None))
    emit_rows(rows, output_format, query.TIMELINE_COLUMNS)
    if output_format == "table":
        _echo("")
        histogram = query.decade_histogram(rows)
        widest = max((sum(v for k, v in r.items() if k != "decade") for r in histogram), default=0)
        for row in histogram:
            total = sum(v for k, v in row.items() if k != "decade")
            bar = "#" * max(1, round(40 * total / widest)) if widest else ""
            detail = ", ".join(f"{v} {k}" for k, v in row.items() if k != "decade" and v)
            _echo(f"{row['decade']:>8}  {bar:<40}  {detail}")


@cli.command()
@data_option
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--plot",
    "plot_dir",
    type=OutputPath(path_type=Path, file_okay=False),
    help="Also write PNG charts here: degree.png, decades.png, countries.png.",
)
@format_option
@click.pass_context
def stats(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    top: int,
    plot_dir: Path | None,
    output_format: str,
) -> None:
    """Measure the network of ties: size, density, components, degrees, clustering,
    assortativity, distances, the top places, ties by country pair and by decade.

    Past 2,000 places, the mean distance and betweenness are estimated from samples (the
    output says so).

    \b
    Examples:
      sistercities stats
      sistercities stats --top 5 --format json
      sistercities --data data/cities.yaml --data world.yaml stats --plot charts/
    """
    from .network import stats as network_stats
    from .network import stats_rows

    refuse_overwriting_inputs(plot_dir, resolve_data(ctx, data_paths), folder=True)
    dataset = load(ctx, data_paths, cached=True)
    measures = network_stats(dataset, top)
    if plot_dir is not None:
        from .plots import write_plots

        try:
            for path in write_plots(dataset, plot_dir):
                _echo(f"wrote {path}", err=True)
        except (OSError, ExportError) as error:  # the message says which files
            raise click.ClickException(f"cannot write the charts: {error}") from None
    if output_format == "json":
        click.echo(json_dumps(measures))
        return
    if output_format == "csv":
        emit_rows(stats_rows(measures), "csv", ("measure", "value"))
        return
    for key, value in ((k, v) for k, v in measures.items() if not isinstance(v, list)):
        shown = f"{value:.4f}" if isinstance(value, float) else value
        _echo(f"{key.replace('_', ' '):<28}{shown}")
    for key, value in measures.items():
        if isinstance(value, list) and value:
            _echo()
            _echo(key.replace("_", " "))
            emit_rows(value, "table")


@cli.command()
@data_option
@click.option(
    "-o",
    "--output",
    type=OutputPath(path_type=Path, dir_okay=False),
    default=Path("sister-cities.html"),
    show_default=True,
    help="The HTML file to write (atomically).",
)
@click.option("--focus", shell_complete=complete_place, help="Draw this place's neighbourhood.")
@click.option(
    "--depth",
    default=2,
    show_default=True,
    type=click.IntRange(1, 10),
    help="How many ties away from --focus to draw.",
)
@click.option(
    "--country", "countries", multiple=True, help="Only ties touching this country (repeatable)."
)
@click.option("--area", "areas", multiple=True, help="Only ties with this area (repeatable).")
@click.option("--kind", type=click.Choice(PARTNERSHIP_KINDS), help="Only ties of this kind.")
@click.option("--as-of", "as_of", type=DATE, help="Only ties (possibly) in force at this date.")
@click.option("--from", "year_from", type=int, help="Only ties begun in or after this year.")
@click.option("--to", "year_to", type=int, help="Only ties begun in or before this year.")
@click.option(
    "--layout",
    type=click.Choice(["force", "geo"]),
    default="force",
    show_default=True,
    help="force: physics (computed positions past 300 places); geo: by longitude and latitude.",
)
@click.option(
    "--colour-by",
    "colour_by",
    type=click.Choice(["continent", "country"]),
    default="continent",
    show_default=True,
)
@click.option("--with-visits", is_flag=True, help="Add officials' visits as a second kind of edge.")
@click.option("--title", default="Sister cities", show_default=True, help="The page's title.")
@click.pass_context
def viz(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    output: Path,
    focus: str | None,
    depth: int,
    countries: tuple[str, ...],
    areas: tuple[str, ...],
    kind: str | None,
    as_of: str | None,
    year_from: int | None,
    year_to: int | None,
    layout: str,
    colour_by: str,
    with_visits: bool,
    title: str,
) -> None:
    """Write an interactive HTML graph: one offline file with search, filters and a legend.

    \b
    Examples:
      sistercities viz -o sister-cities.html
      sistercities viz --focus jakarta --depth 2 -o jakarta.html
      sistercities viz --layout geo --country ID --country MA --with-visits
    """
    from .viz import VizOptions, render_html, summary

    if as_of is not None and (year_from is not None or year_to is not None):
        raise click.UsageError("give --as-of or --from/--to, not both")
    refuse_overwriting_inputs(output, resolve_data(ctx, data_paths))
    dataset = load(ctx, data_paths, cached=True)
    options = VizOptions(
        focus=resolve(ctx, dataset, focus) if focus else None,
        depth=depth,
        countries=tuple(c.upper() for c in countries),
        areas=areas,
        kind=kind,
        as_of=as_of,
        year_from=year_from,
        year_to=year_to,
        layout=layout,
        colour_by=colour_by,
        with_visits=with_visits,
        title=title,
    )
    write_atomic(output, render_html(dataset, options).encode("utf-8"))
    _echo(f"wrote {output}: {summary(dataset, options)}", err=True)


@cli.command(name="import")
@click.argument(
    "format_name",
    metavar="FORMAT",
    type=click.Choice(list(IMPORTERS)),
)
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=OutputPath(path_type=Path, dir_okay=False),
    help="The YAML file to write (atomically).",
)
@click.option(
    "--columns",
    help="csv: our roles to your columns, e.g. "
    "city1=from,country1=from_cc,lat1=y1,lon1=x1,city2=to,country2=to_cc,lat2=y2,lon2=x2.",
)
@click.option(
    "--labels",
    type=click.Path(path_type=Path, dir_okay=False),
    help="wikidata: a QID<TAB>label file for the pair lists.",
)
@click.option(
    "--labels-language", default="de", show_default=True, help="wikidata: the language of --labels."
)
@click.option("--source-title", help="csv, graphml, gexf: the title of the `sources` entry.")
@click.option("--source-url", help="csv, graphml, gexf: where the data comes from.")
@click.option("--licence", help="csv, graphml, gexf: the data's licence.")
def import_command(
    format_name: str,
    sources: tuple[Path, ...],
    output: Path,
    columns: str | None,
    labels: Path | None,
    labels_language: str,
    source_title: str | None,
    source_url: str | None,
    licence: str | None,
) -> None:
    """Import bulk data into a YAML file of our format, reporting every decision on stderr.

    wikipedia-csv: the layout of Wikipedia's twin-town lists (city1,country1,lat1,lng1,city2,
    country2,lat2,lng2). csv: any pair list, with --columns. wikidata: QID<TAB>QID pair lists
    with --labels, or the JSON results of the query in graph/wikidata/twins.rq. graphml, gexf:
    graphs saved by Gephi or networkx (node label or name, country, lat/lon or
    latitude/longitude). The output is sorted and identical on a second run.

    \b
    Examples:
      sistercities import wikipedia-csv twin_cities_wikipedia.csv -o world.yaml
      sistercities import gexf network.gexf -o network.yaml --source-title "My network"
      sistercities import wikidata pairs.tsv --labels names_de.tsv -o wikidata.yaml
      sistercities --data data/cities.yaml --data world.yaml stats
    """
    from .dump import dataset_to_yaml
    from .importers import ImportOptions, import_data, import_source

    refuse_overwriting_inputs(output, [*sources, *([labels] if labels else [])])
    show_progress = sys.stderr.isatty()

    def progress(rows: int) -> None:
        if show_progress:
            _echo(f"{rows:,} rows read", nl=False, err=True, start="\r")

    source = import_source(
        source_title,
        source_url,
        licence,
        default_title=f"Imported from {some_of([p.name for p in sources], what='more files')}",
    )
    options = ImportOptions(
        source=source,
        columns=columns,
        labels=labels,
        labels_language=labels_language,
        progress=progress,
    )
    dataset, report = import_data(format_name, sources, options)
    write_atomic(output, dataset_to_yaml(dataset, partnership_ids=False).encode("utf-8"))
    if show_progress:
        _echo("", err=True)
    for line in report.lines():
        _echo(line, err=True)
    _echo(f"wrote {output}", err=True)


@cli.command(name="build-layers")
@click.option(
    "--out",
    "out_dir",
    type=OutputPath(path_type=Path, file_okay=False),
    help="The folder to write into (default: the world layers' folder beside the package, "
    "data/world/ in a checkout).",
)
def build_layers(out_dir: Path | None) -> None:
    """Build the world layers from the public sources shipped in data/world/sources/.

    Imports English Wikipedia's lists of twin towns (February 2026), Wikidata's twin-city
    ties (2026) and its 2016 crawl from Weimar, makes one place of each real place (by QID,
    by the GeoNames gazetteer, by shared partners: every decision counted), checks the layer
    and writes world.json and manifest.json (its SHA-256). Needs the gazetteer:
    pip install 'sistercities[layers]'. The same sources give the same bytes; a test checks
    that the committed layer is current.

    \b
    Examples:
      sistercities build-layers
      sistercities build-layers --out /tmp/layers
    """
    from .world import WORLD_DIR, build_world_layers

    show_progress = sys.stderr.isatty()

    def progress(rows: int) -> None:
        if show_progress:
            _echo(f"{rows:,} rows read", nl=False, err=True, start="\r")

    try:
        written, report = build_world_layers(out_dir or WORLD_DIR, progress=progress)
    except DataError as error:
        for problem in error.problems:
            _echo(str(problem), err=True)
        raise click.ClickException("a world layer does not validate; nothing was written") from None
    if show_progress:
        _echo("", err=True)
    for line in report.lines:
        _echo(line, err=True)
    for path in written:
        _echo(f"wrote {path}")


@cli.command()
@data_option
@click.option(
    "--against",
    "against",
    required=True,
    type=click.Path(path_type=Path),
    help="Their data: a YAML file of our format (an `import` output) or a folder.",
)
@click.option(
    "--only",
    type=click.Choice(MATCHES),
    help="Show only one kind of row.",
)
@format_option
@click.pass_context
def crosscheck(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    against: Path,
    only: str | None,
    output_format: str,
) -> None:
    """Compare our ties with another dataset's: in both, only in ours (to contribute
    upstream), only in theirs (to curate), and dates that disagree.

    Places are matched as when layers merge: same Wikidata QID, or same name and country.

    \b
    Examples:
      sistercities import wikipedia-csv twin_cities_wikipedia.csv -o world.yaml
      sistercities crosscheck --against world.yaml --only only-ours
    """
    from .merge import CROSSCHECK_COLUMNS, compare

    ours = load(ctx, data_paths, cached=True)
    theirs = load(ctx, (against,), cached=True)
    found = compare(ours, theirs, only)
    emit_rows(found.rows, output_format, CROSSCHECK_COLUMNS)
    _echo(found.summary(), err=True)


@cli.command("check-list")
@data_option
@click.argument("city", shell_complete=complete_place)
@format_option
@click.pass_context
def check_list(
    ctx: click.Context, data_paths: tuple[Path, ...], city: str, output_format: str
) -> None:
    """Show a curated place's partners beside what the world layers say: in both, only in the
    curated data (its official list), only in the layers (what to check, or note).

    For curators: the curated data is the first --data (default: data/cities.yaml), the
    layers the packaged world layer.

    \b
    Examples:
      sistercities check-list tokyo
      sistercities check-list berlin --format csv
    """
    from collections import Counter

    from .merge import LIST_CHECK_COLUMNS, LIST_CHECK_MATCHES, list_check
    from .packaged import WORLD_LAYERS

    curated = load(ctx, data_paths[:1], cached=True, curated_default=True)
    layers = load(ctx, WORLD_LAYERS, cached=True)
    place = resolve(ctx, curated, city)
    rows = list(list_check(curated, layers, place))
    emit_rows(rows, output_format, LIST_CHECK_COLUMNS)
    counts = Counter(row["match"] for row in rows)
    complete = curated.places[place].coverage
    checked = (
        f"; the curated list is complete as of {complete.as_of.text}"
        if complete is not None and complete.complete
        else "; the curated list is not declared complete"
    )
    _echo(", ".join(f"{counts[m]} {m}" for m in LIST_CHECK_MATCHES) + checked, err=True)


def _graph_iri(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .store import StoreError, absolute_iri

    if value is None:
        return None
    try:
        return absolute_iri(value, "the graph")
    except StoreError as error:
        raise click.BadParameter(str(error)) from None


PUBLISH_PROGRESS = {
    "upload": "{triples:,} triples uploaded",
    "swap": "swapping the new content in (MOVE): {seconds:.0f} s, waiting for the store",
    "check": "the store's answer was lost: counting the graphs to find out, {seconds:.0f} s",
    "verify": "counting the graph's triples to verify",
}


@cli.command()
@data_option
@click.option(
    "--endpoint",
    metavar="URL",
    help="The store's URL (forms: see below); --query-url, --update-url and --store-url "
    "override what it gives, or give them all instead.",
)
@store_options("query", "update", "store")
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    callback=_graph_iri,
    help="The named graph to write, an absolute IRI (default: the default graph).",
)
@click.option(
    "--replace/--append",
    default=True,
    show_default=True,
    help="Swap the graph's content for the data (atomically), or add to it.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be uploaded, upload nothing.")
@click.option(
    "--chunk-triples",
    default=50_000,
    show_default=True,
    type=click.IntRange(1),
    help="Triples sent in one request.",
)
@base_iri_option
@click.pass_context
def publish(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    endpoint: str | None,
    query_url: str | None,
    update_url: str | None,
    store_url: str | None,
    user: str | None,
    timeout: float,
    graph_iri: str | None,
    replace: bool,
    dry_run: bool,
    chunk_triples: int,
    base_iri: str,
) -> None:
    """Upload the data to a SPARQL 1.1 store (Graph Store HTTP Protocol, N-Triples in chunks),
    then count the graph to verify it holds every triple sent.

    --replace uploads into a temporary graph and swaps it in with one SPARQL Update (MOVE):
    the graph holds its old content or the complete new content, never a mix. Uploads and
    queries are retried; the swap never is: if its answer is lost, the graphs are counted to
    find out what the store did. A count that differs from what was sent is exit 1.

    \b
    URL forms (--endpoint):
      Oxigraph  http://localhost:7878                      (or …/store)
      Virtuoso  http://localhost:8890/sparql-auth          (or …/sparql)
      Fuseki    http://localhost:3030/DATASET
      GraphDB   http://localhost:7200/repositories/REPO
      other     --query-url, --update-url and --store-url

    \b
    Credentials: --user and $SISTERCITIES_ENDPOINT_PASSWORD (or the URL's user:password@),
    HTTP Digest when the store asks for it, Basic otherwise; never printed.

    \b
    Examples:
      sistercities publish --endpoint http://localhost:7878
      sistercities publish --endpoint http://localhost:3030/twins --graph https://ex.org/g
      sistercities publish --endpoint http://localhost:8890/sparql-auth --user dba \\
          --graph https://ex.org/g
      sistercities publish --endpoint http://localhost:7878 --dry-run
    """
    from .store import Progress, StoreError
    from .store import publish as publish_data

    target = _endpoint(endpoint, user, timeout, query_url, update_url, store_url)
    dataset = load(ctx, data_paths)
    show_progress = sys.stderr.isatty() and not dry_run

    def progress(step: Progress) -> None:
        if show_progress:
            line = PUBLISH_PROGRESS[step.stage].format(triples=step.triples, seconds=step.seconds)
            _echo(line.ljust(78), nl=False, err=True, start="\r")

    try:
        report = publish_data(
            dataset,
            target,
            graph=graph_iri,
            replace=replace,
            dry_run=dry_run,
            base=base_iri,
            progress=progress,
            chunk_triples=chunk_triples,
        )
    except StoreError:
        if show_progress:
            _echo("", err=True)  # end the progress line before the message
        raise
    if show_progress:
        _echo("", err=True)
    for note in report.notes:
        _echo(f"note: {note}", err=True)
    for line in report.lines(target.store):
        _echo(line)


@cli.command()
@data_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    callback=lambda ctx, param, value: _listen_host(value),
    help="The address to listen on (127.0.0.1: this machine only; 0.0.0.0 or :: for every "
    "interface).",
)
@click.option("--port", default=7879, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--query-timeout",
    type=SECONDS,
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop a query that runs longer (it runs in a child process, killed then).",
)
@click.option(
    "--query-memory",
    type=click.IntRange(min=16),
    default=2048,
    show_default=True,
    metavar="MIB",
    help="Memory a query may take beyond the server's own (past it: 500, out of memory).",
)
@click.option(
    "--allow-service",
    "allow_service",
    multiple=True,
    metavar="HOST",
    help="Let SERVICE clauses ask this host (repeatable); SERVICE is refused otherwise.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Queries answered at once.",
)
@click.option(
    "--queue",
    "queue_size",
    type=click.IntRange(1, 100_000),
    default=1024,
    show_default=True,
    help="Complete requests that wait for a worker; past them, clients get 503.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(1, 100_000),
    default=2048,
    show_default=True,
    help="Connections whose requests are read at once (bounded by the open-file limit); "
    "past them, clients get 503.",
)
@click.option(
    "--request-timeout",
    type=SECONDS,
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time a client has to send its whole request (slow and idle clients are cut off).",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=1 << 20,
    show_default=True,
    metavar="BYTES",
    help="The largest request body (a longer one gets 413).",
)
@click.option(
    "--max-result",
    type=click.IntRange(min=1),
    default=64 << 20,
    show_default=True,
    metavar="BYTES",
    help="The largest answer (a larger one is cut off: 500 with a message).",
)
@base_iri_option
@click.pass_context
def serve(
    ctx: click.Context,
    data_paths: tuple[Path, ...],
    host: str,
    port: int,
    query_timeout: float,
    query_memory: int,
    allow_service: tuple[str, ...],
    workers: int,
    queue_size: int,
    max_connections: int,
    request_timeout: float,
    max_body: int,
    max_result: int,
    base_iri: str,
) -> None:
    """Serve the data as a read-only SPARQL endpoint at http://HOST:PORT/query.

    Each query runs in a child process with a time, memory and answer-size limit; requests
    that a web page on another site makes the browser send are refused (see SECURITY.md).

    \b
    Examples:
      sistercities serve
      sistercities serve --port 8890 --query-timeout 5
      sistercities serve --allow-service query.wikidata.org
    """
    from .serve import ServeLimits, make_server

    limits = ServeLimits(
        query_timeout=query_timeout,
        query_memory=query_memory << 20,
        request_timeout=request_timeout,
        max_body=max_body,
        max_result=max_result,
        workers=workers,
        queue=queue_size,
        max_connections=max_connections,
        allow_service=allow_service,
    )
    dataset = load(ctx, data_paths)
    try:
        server = make_server(dataset, host, port, base_iri, limits)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {error.strerror or error}"
        ) from None
    import signal

    def stop(signum: int, frame: Any) -> None:
        # A flag and a wake-up, never an exception that could land anywhere (a worker's
        # cleanup, a finaliser): the reading loop ends, and the server with it.
        server.request_stop()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    _echo(f"SPARQL endpoint: {server.url} (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
        _echo("stopped", err=True)
    except KeyboardInterrupt:
        _echo("stopped", err=True)
    finally:
        server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _listen_host(value: str) -> str:
    """--host: not empty (which would mean every interface, unasked), no NUL."""
    if not value.strip() or "\0" in value:
        raise click.BadParameter(
            "an empty host would listen on every interface: give 127.0.0.1 (this machine "
            "only), or 0.0.0.0 or :: (every interface) if that is meant"
            if "\0" not in value
            else "the host holds a NUL character"
        )
    return value.strip()


def _interrupted(signum: int, frame: Any) -> None:
    # Turn a polite kill into KeyboardInterrupt, so that writes in progress remove their
    # temporary files and leave the previous file in place.
    raise KeyboardInterrupt


def main() -> None:
    """The console script's entry point."""
    import signal

    signal.signal(signal.SIGTERM, _interrupted)
    cli(prog_name="sistercities")


if __name__ == "__main__":
    main()
