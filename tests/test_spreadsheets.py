"""CSV injection (OWASP): every CSV the tool writes neutralises a cell that a spreadsheet would
run as a formula with a leading ``'``; plain numbers are left alone; RDF and JSON keep the
exact values."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import MINIMAL, invoke
from sistercities import read_dataset
from sistercities.export import export_bytes, spreadsheet_safe, write_csv

TRIGGERS = ["=HYPERLINK(1)", "+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(1+1)", "\tx", "\rx"]


def _unneutralised(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


@pytest.mark.parametrize("cell", TRIGGERS, ids=repr)
def test_a_cell_per_trigger_character_gets_a_quote(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("number", ["-6.2", "106.8", "-1", "0", "1990", "2.5e-3", -6.2, 12])
def test_plain_numbers_are_untouched(number: object) -> None:
    assert spreadsheet_safe(number) == str(number)


@pytest.mark.parametrize("cell", ["'=1", "'", "plain", "a=b", "", "-", "--", "-6.2x"])
def test_unneutralising_gives_the_exact_value(cell: str) -> None:
    assert _unneutralised(spreadsheet_safe(cell)) == cell


@pytest.fixture(scope="module")
def formula_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("name: Casablanca", 'name: "=HYPERLINK(\\"http://x\\")"')
    text = text.replace("name: Los Angeles", 'name: "@SUM(1+1)"')
    path = tmp_path_factory.mktemp("formula") / "formula.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_the_csv_export_neutralises_formulas(formula_data: Path) -> None:
    dataset = read_dataset(formula_data).dataset
    assert dataset is not None
    cells = _cells(export_bytes(dataset, "csv").decode("utf-8"))
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    # RDF and JSON-LD keep the exact name
    assert '"=HYPERLINK(\\"http://x\\")"' in export_bytes(dataset, "n-triples").decode("utf-8")
    jsonld = export_bytes(dataset, "json-ld").decode("utf-8")
    assert '=HYPERLINK(\\"http://x\\")' in jsonld and "'=HYPERLINK" not in jsonld


@pytest.mark.parametrize(
    "args", [["cities"], ["partners", "jakarta"], ["show", "jakarta"]], ids=" ".join
)
def test_csv_answers_neutralise_formulas(formula_data: Path, args: list[str]) -> None:
    result = invoke(*args, "--format", "csv", data=formula_data)
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert any(c.startswith("'=HYPERLINK") or c.startswith("'@SUM") for c in cells), cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]


def test_the_shared_writer_keeps_numbers_and_round_trips() -> None:
    rows = [{"name": "-cmd", "lat": -6.2, "lon": "-106.8", "note": "'=x", "n": None}]
    buffer = io.StringIO()
    write_csv(buffer, ["name", "lat", "lon", "note", "n"], rows)
    header, row = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert header == ["name", "lat", "lon", "note", "n"]
    assert row == ["'-cmd", "-6.2", "-106.8", "''=x", ""]
    assert [_unneutralised(c) for c in row] == ["-cmd", "-6.2", "-106.8", "'=x", ""]


def test_json_answers_keep_the_exact_values(formula_data: Path) -> None:
    result = invoke("cities", "--format", "json", data=formula_data)
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {'=HYPERLINK("http://x")', "@SUM(1+1)"} <= names


def _sparql_literal(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid SPARQL string literal for these


@pytest.mark.parametrize("cell", [*TRIGGERS, "'=1"], ids=repr)
def test_sparql_csv_answers_neutralise_every_trigger(cell: str) -> None:
    query = f"SELECT ?v ?n WHERE {{ BIND({_sparql_literal(cell)} AS ?v) BIND(-6.2 AS ?n) }}"
    result = invoke("sparql", query, "--format", "csv", data=MINIMAL)
    assert result.exit_code == 0, result.output
    header, row = list(csv.reader(io.StringIO(result.stdout)))
    assert header == ["v", "n"]
    assert row == ["'" + cell, "-6.2"]  # the number untouched, the formula quoted
    assert _unneutralised(row[0]) == cell
    # JSON keeps the exact value
    as_json = invoke("sparql", query, "--format", "json", data=MINIMAL)
    binding = json.loads(as_json.stdout)["results"]["bindings"][0]
    assert binding["v"]["value"] == cell


def test_sparql_csv_answers_of_the_data_neutralise_names(formula_data: Path) -> None:
    query = "SELECT ?name WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
    result = invoke("sparql", query, "--format", "csv", data=formula_data)
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]


def test_remote_sparql_answers_in_csv_neutralise_formulas() -> None:
    from sistercities.sparql import parse_answer

    body = json.dumps(
        {
            "head": {"vars": ["v"]},
            "results": {"bindings": [{"v": {"type": "literal", "value": c}} for c in TRIGGERS]},
        }
    ).encode()
    answer = parse_answer("application/sparql-results+json", body)
    cells = _cells(answer.sparql_csv())
    assert cells == ["v"] + ["'" + c for c in TRIGGERS]
