"""Tables for people fit the terminal; --wide shows everything; json and csv are unchanged."""

from __future__ import annotations

import json

import pytest
from helpers import DATA, run_cli
from sistercities.tables import render

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
    rows = json.loads(run_cli([*ARGS, "--format", "json"]).stdout)
    assert any(row["sources"].count(";") >= 2 for row in rows)


def test_a_long_list_shows_its_first_items_and_a_count() -> None:
    rows = [{"id": "x", "areas": "a;b;c;d;e"}, {"id": "y", "areas": "a;b;c"}]
    lines = render(rows, ["id", "areas"], width=80)
    assert lines[2].split("  ", 1)[1].strip() == "a; b; +3 more"
    assert lines[3].split("  ", 1)[1].strip() == "a; b; c"
    assert render(rows, ["id", "areas"], width=80, wide=True)[2].endswith("a;b;c;d;e")


def test_the_first_column_and_headers_are_never_cut() -> None:
    rows = [{"partner": "casablanca-settat", "name": "x" * 60, "kind": "sister-province"}]
    header, _, line = render(rows, ["partner", "name", "kind"], width=30)
    assert line.startswith("casablanca-settat  ")
    assert header.split() == ["partner", "name", "kind"]
