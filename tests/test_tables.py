"""Tables for people: whole in a pipe, fitted on a terminal with their meaning intact (kind,
status, dates, names up to 20 characters never cut; ids only to tell names apart); --wide shows
everything; json and csv are unchanged."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import DATA, run_cli
from sistercities.cli import cli
from sistercities.tables import NAME_WIDTH, render

ARGS = ["--no-cache", "--data", str(DATA), "partners", "jakarta"]


@pytest.mark.parametrize("columns", [100, 120, 160])
def test_a_table_fits_the_terminal(columns: int) -> None:
    result = run_cli(ARGS, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= columns
    assert "+2 more" in result.stdout or "…" in result.stdout


@pytest.mark.parametrize("where", ["group", "command"])
def test_wide_shows_every_cell_whole(where: str) -> None:
    args = ["--wide", *ARGS] if where == "group" else [*ARGS, "--wide"]
    wide = run_cli(args, env={"COLUMNS": "80"}).stdout
    assert "beritajakarta-2019-21-partners;beritajakarta-2019-21-kota" in wide
    assert "…" not in wide and "more" not in wide
    assert max(len(line) for line in wide.splitlines()) > 200


@pytest.mark.slow
def test_json_and_csv_do_not_depend_on_the_terminal_or_wide() -> None:
    for output in ("json", "csv"):
        narrow = run_cli([*ARGS, "--format", output], env={"COLUMNS": "40"}).stdout
        wide = run_cli([*ARGS, "--format", output, "--wide"], env={"COLUMNS": "400"}).stdout
        assert narrow == wide
    rows = json.loads(run_cli([*ARGS, "--format", "json"]).stdout)["partners"]
    assert any(row["sources"].count(";") >= 2 for row in rows)


def test_a_long_list_shows_its_first_items_and_a_count() -> None:
    rows = [{"id": "x", "areas": "a;b;c;d;e"}, {"id": "y", "areas": "a;b;c"}]
    lines = render(rows, ["id", "areas"], width=80)
    assert lines[2].split("  ", 1)[1].strip() == "a; b; +3 more"
    assert lines[3].split("  ", 1)[1].strip() == "a; b; c"
    assert render(rows, ["id", "areas"], width=80, wide=True)[2].endswith("a;b;c;d;e")


def test_headers_and_meaning_are_never_cut() -> None:
    rows = [
        {"partner": "x-1", "name": "x" * 60, "kind": "sister-province", "since": "../1994-05-31"},
        {"partner": "y", "name": "Y", "kind": "friendship", "since": "1990~"},
    ]
    header, _, first, second = render(rows, ["partner", "name", "kind", "since"], width=30)
    assert header.split() == ["name", "kind", "since"]
    assert first.startswith("x" * (NAME_WIDTH - 1) + "…  sister-province  ../1994-05-31")
    assert second.split() == ["Y", "friendship", "1990~"]


def test_a_pipe_gets_every_cell_whole() -> None:
    """stdout is not a terminal and no $COLUMNS asks for a width: nothing is cut."""
    result = CliRunner().invoke(cli, ARGS, env={"COLUMNS": None})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout and "more" not in result.stdout
    assert "beritajakarta-2019-21-partners;beritajakarta-2019-21-kota" in result.stdout
    assert "sister-province" in result.stdout and "left out" not in result.stdout


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_on_a_terminal_the_meaning_is_whole(columns: int) -> None:
    lines = run_cli(ARGS, env={"COLUMNS": str(columns)}).stdout.splitlines()
    text = "\n".join(lines)
    for value in (
        "sister-province",
        "sister-city",
        "planned",
        "../2007-03-03",
        "Casablanca-Settat",
    ):
        assert value in text, (columns, value)
    assert "sister-…" not in text and "sister-ci…" not in text
    if columns >= 80:
        assert max(len(line) for line in lines) <= columns


def test_ids_only_tell_names_apart() -> None:
    rows = [
        {"partner": "paris", "name": "Paris", "country": "FR"},
        {"partner": "paris-texas", "name": "Paris", "country": "US"},
        {"partner": "rome", "name": "Rome", "country": "IT"},
    ]
    header, _, *lines = render(rows, ["partner", "name", "country"], width=100)
    assert header.split() == ["partner", "name", "country"]
    assert [line.split() for line in lines] == [
        ["paris", "Paris", "FR"],
        ["paris-texas", "Paris", "US"],
        ["Rome", "IT"],
    ]
    alone = render(rows[1:], ["partner", "name", "country"], width=100)
    assert alone[0].split() == ["name", "country"]
    wide = render(rows[1:], ["partner", "name", "country"], width=100, wide=True)
    assert wide[0].split() == ["partner", "name", "country"]
