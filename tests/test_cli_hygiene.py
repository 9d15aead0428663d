"""Command-line hygiene: library errors become click errors in one place (the group), and one
set of option types (seconds, output paths, dates) checks values the same way everywhere,
before any data is read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sistercities
from helpers import DATA, ROOT, WIKIPEDIA, invoke, run_cli
from sistercities.viz import VizOptions, render_html, summary

MISSING = ROOT / "no-such-data.yaml"  # read first, it would be exit 1, not a usage error


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "NaN"])
@pytest.mark.parametrize("option", ["--query-timeout", "--request-timeout"])
def test_serve_refuses_seconds_that_are_not_a_finite_positive_number(
    option: str, value: str
) -> None:
    result = invoke("serve", option, value, "--port", "0", data=MISSING)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_store_timeouts_refuse_nan_and_inf(value: str) -> None:
    result = invoke("sparql", "--timeout", value, "-e", "partners", data=MISSING)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["import", "wikipedia-csv", str(WIKIPEDIA), "-o", ""],
        ["import", "wikipedia-csv", str(WIKIPEDIA), "-o", "a\0b.yaml"],
        ["build-layers", "--out", ""],
        ["build-layers", "--out", " "],
        ["export", "-o", ""],
        ["viz", "-o", ""],
        ["build", "--out", ""],
        ["schema", "-o", ""],
    ],
)
def test_output_paths_are_checked_the_same_way_everywhere(args: list[str]) -> None:
    result = invoke(*args, data=MISSING)
    assert result.exit_code == 2, result.output
    assert "Invalid value for" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["partners", "jakarta", "--as-of", "19x5"],
        ["officials", "--as-of", "2018-13"],
        ["viz", "--as-of", "soon", "-o", "x.html"],
    ],
)
def test_dates_are_checked_before_the_data_is_read(args: list[str]) -> None:
    result = invoke(*args, data=MISSING)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--as-of'" in result.stderr
    assert "no-such-data" not in result.stderr


def test_a_good_date_still_answers() -> None:
    result = invoke("partners", "jakarta", "--as-of", "1995~", "--format", "json")
    assert result.exit_code == 0, result.output


def test_library_errors_become_click_errors_in_one_place() -> None:
    source = (ROOT / "cli.py").read_text(encoding="utf-8")
    assert "def click_error(" in source
    # No command turns a library error into the same message by hand.
    assert len(re.findall(r"raise click\.ClickException\(str\(error\)\)", source)) <= 1
    assert "except ExportError as error:\n" not in source


def test_a_library_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    # ExportError: a file where the folder should be.
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = invoke("export", "-o", str(tmp_path / "file" / "x.ttl"))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    # a SPARQL syntax error (SparqlError), and a usage problem the library finds (exit 2)
    bad = invoke("sparql", "SELEC nothing")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: "), bad.output
    binding = invoke("sparql", "-e", "partners", "--bind", "no-equals-sign")
    assert binding.exit_code == 2, binding.output


def test_bad_data_lists_its_errors_then_one_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("cities:\n  - id: x\n    name: X\n    kind: nowhere\n", encoding="utf-8")
    result = run_cli(["--no-cache", "--data", str(broken), "cities"])
    assert result.exit_code == 1, result.output
    assert "broken.yaml:" in result.stderr
    assert re.search(r"Error: the data has \d+ errors?; `sistercities validate`", result.stderr)


def test_viz_takes_its_options_typed() -> None:
    dataset = sistercities.load(DATA, cache=False)
    fields = {"focus": "jakarta", "depth": 1, "countries": ("ID", "MA"), "as_of": "2000"}
    typed = VizOptions(**fields)  # type: ignore[arg-type]
    assert render_html(dataset, typed) == render_html(dataset, **fields)
    assert summary(dataset, typed) == summary(dataset, **fields)
    with pytest.raises(TypeError):
        render_html(dataset, typed, depth=2)


def test_publish_dry_run_prints_its_report() -> None:
    result = invoke("publish", "--endpoint", "http://127.0.0.1:9/", "--dry-run")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"would replace graph \S+ with [\d,]+ triples in \d+ chunks at http://127\.0\.0\.1:9/\S*\n",
        result.stdout,
    ), result.stdout
