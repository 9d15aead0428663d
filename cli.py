"""The ``sistercities`` command line: parse arguments, call `graph`, format the answer.

Answers go to stdout, messages to stderr. Exit codes: 0 success, 1 bad data or a failed
lookup (one clear message, no traceback), 2 usage error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
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
        type=click.Path(path_type=Path),
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
@click.pass_context
def build(ctx: click.Context, data_paths: tuple[Path, ...], out_dir: Path) -> None:
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
        written = graph.build_exports(dataset, out_dir)
    except graph.ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"data: {_counts_line(dataset.counts())}", err=True)
    for path in written:
        click.echo(f"wrote {path}")


def main() -> None:
    """The console script's entry point."""
    cli(prog_name="sistercities")


if __name__ == "__main__":
    main()
