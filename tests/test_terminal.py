"""Data cannot act on the terminal: every human-facing output (tables, profiles, messages,
hints, notes) shows control, bidi and invisible characters escaped (`graph.text.visible`), and
every message is one line; JSON answers still hold the exact strings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import DATA, MINIMAL, TERMINAL
from sistercities.cli import cli


def invoke(*args: str, data: Path | None = DATA) -> Result:
    """Run the command line as on a terminal: click strips ANSI sequences from output that is
    not a terminal's, so `color=True` keeps them, as a terminal would receive them."""
    given = ["--data", str(data)] if data is not None else []
    return CliRunner().invoke(cli, ["--no-cache", *given, *args], env=TERMINAL, color=True)


# What must never reach a terminal raw (newline aside, which ends the lines we print).
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
# C1 CSI, a right-to-left override, a line separator: allowed in the data (every export writes
# them legally), so they reach the tables; C0 controls are refused by validate (see below).
HOSTILE_NAME = "Evil\u009b2J\u202eCity\u2028x"
# The classic attacks: OSC 52 (write the clipboard), clear the screen, BEL, a newline.
ATTACK = "x\x1b]52;c;aGk=\x07\x1b[2J\u009b\u202e\nnext"


def assert_no_raw(*outputs: str) -> None:
    for output in outputs:
        assert not RAW.search(output), repr(output)


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("name: Casablanca", 'name: "Evil\\x9b2J\\u202eCity\\u2028x"')
    text = text.replace("aliases: [DKI Jakarta, Batavia]", 'aliases: ["DKI\\x9b", Batavia]')
    text = text.replace('title: "Geber Jakarta', 'title: "\\u202eGeber Jakarta')
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    assert invoke("validate", data=path).exit_code == 0
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["cities"],
        ["show", "jakarta"],
        ["show", "casablanca"],
        ["partners", "jakarta"],
        ["timeline"],
        ["show", "jakarta", "--wide"],
    ],
    ids=" ".join,
)
def test_tables_and_profiles_show_controls_escaped(hostile_data: Path, args: list[str]) -> None:
    result = invoke(*args, data=hostile_data)
    assert result.exit_code == 0, result.output
    assert_no_raw(result.stdout, result.stderr)
    assert "\\x9b" in result.stdout  # escaped, not dropped


@pytest.mark.parametrize("args", [["cities"], ["show", "jakarta"], ["partners", "jakarta"]])
def test_json_answers_hold_the_exact_strings(hostile_data: Path, args: list[str]) -> None:
    result = invoke(*args, "--format", "json", data=hostile_data)
    assert result.exit_code == 0, result.output
    assert_no_raw(result.stdout)  # escaped by JSON itself, \u009b
    assert HOSTILE_NAME in json.dumps(json.loads(result.stdout), ensure_ascii=False)


def test_csv_answers_hold_the_exact_strings(hostile_data: Path) -> None:
    result = invoke("cities", "--format", "csv", data=hostile_data)
    assert HOSTILE_NAME in result.stdout


def test_an_unknown_place_is_one_escaped_line(hostile_data: Path) -> None:
    result = invoke("show", ATTACK, data=hostile_data)
    assert result.exit_code == 1
    assert_no_raw(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "\\x1b]52;c;aGk=\\x07" in result.stderr and "\\nnext" in result.stderr


def test_a_did_you_mean_hint_is_escaped(hostile_data: Path) -> None:
    result = invoke("show", "Evil\u009b2J", data=hostile_data)
    assert_no_raw(result.stdout, result.stderr)


def test_a_data_path_with_controls_is_named_escaped(tmp_path: Path) -> None:
    result = invoke("partners", "jakarta", data=tmp_path / ATTACK)
    assert result.exit_code == 1
    assert_no_raw(result.stderr)
    assert "\\x1b[2J" in result.stderr


BAD_YAML = {
    # an escape sequence in a key name: validate echoes the key (unknown-key, line 6)
    "key": ('    "na\\e]52;c;aGk=\\ame\\nx": X\n', "unknown-key"),
    # an id holding a newline and a clear-screen (bad-id, line 6)
    "id": ('    id: "jak\\narta\\e[2J"\n', "bad-id"),
    # an alias holding OSC 52 and BEL (control-character, line 6)
    "alias": ('    aliases: ["x\\e]52;c;aGk=\\a\\u009b"]\n', "control-character"),
}


@pytest.mark.parametrize("what", sorted(BAD_YAML))
@pytest.mark.parametrize("command", [["validate"], ["validate", "--verbose"], ["partners", "x"]])
def test_problems_are_one_escaped_line_each(tmp_path: Path, what: str, command: list[str]) -> None:
    line, rule = BAD_YAML[what]
    text = "sources:\n  - id: seed\n    title: Seed\ncities:\n  - id: x\n" + line
    text += "    name: X\n    kind: city\n    country: ID\n    sources: [seed]\n"
    text = text.replace("  - id: x\n    id:", "  - id:")  # the id case replaces the id line
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke(*command, data=path)
    assert result.exit_code == 1
    assert_no_raw(result.stdout, result.stderr)
    lines = (result.stdout + result.stderr).splitlines()
    assert [ln for ln in lines if f"[{rule}]" in ln], result.output
    for line in lines:  # one line a problem: none is the continuation of another
        assert line.startswith((f"{path}", "warning[", "  ", "Error: ")), line


def test_validate_json_keeps_the_exact_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('sources:\n  - id: seed\n    title: Seed\n    "k\\e[2J": 1\n', encoding="utf-8")
    result = invoke("validate", "--format", "json", data=path)
    assert_no_raw(result.stdout)
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert any("\x1b[2J" in m or "\\x1b[2J" in m for m in messages), messages


def test_sparql_table_and_json_answers(hostile_data: Path) -> None:
    query = "SELECT ?name WHERE { ?p <https://schema.org/name> ?name }"
    table = invoke("sparql", query, data=hostile_data)
    as_json = invoke("sparql", query, "--format", "json", data=hostile_data)
    assert table.exit_code == 0 and as_json.exit_code == 0, table.output + as_json.output
    assert_no_raw(table.stdout, table.stderr, as_json.stdout)
    values = [b["name"]["value"] for b in json.loads(as_json.stdout)["results"]["bindings"]]
    assert HOSTILE_NAME in values, values


def test_a_quoted_value_is_escaped_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('sources:\n  - id: "se\\ned\\e[2J"\n    title: Seed\n', encoding="utf-8")
    result = invoke("validate", data=path)
    assert result.exit_code == 1
    [line] = [ln for ln in result.stdout.splitlines() if "[bad-id]" in ln]
    assert "is 'se\\ned\\x1b[2J':" in line, line  # not se\\\\ned (escaped twice)
