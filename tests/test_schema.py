"""The JSON Schema and the validator agree, and the published schema is current."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import MINIMAL, ROOT, run_cli
from sistercities import json_schema, read_dataset
from sistercities.yamltree import read_yaml_file

# Rules a JSON Schema can express; the others need the whole dataset (references, date order,
# duplicates) and are the validator's alone.
STRUCTURAL_RULES = {
    "unknown-key",
    "missing-key",
    "wrong-type",
    "bad-value",
    "bad-id",
    "control-character",
    "noncharacter",
    "bad-language",
    "bad-date",
    "unknown-country",
    "bad-coordinates",
    "bad-qid",
    "no-source",
}

CANDIDATES: list[Any] = [
    None,
    True,
    7,
    0,
    -1,
    1.5,
    2018,
    10000,
    "",
    "  ",
    "x",
    "Bad Id",
    "ok-id",
    "seed",
    "jakarta",
    "Q42",
    "q42",
    "Q0",
    "ID",
    "XX",
    "id",
    "1990",
    "2018-13",
    "1990~",
    "../1994-05-31",
    "1998/..",
    "../..",
    "https://example.org/a",
    "ftp://example.org",
    "sister-city",
    "active",
    "planned",
    "city",
    "keynote",
    "letter-of-intent",
    [],
    ["seed"],
    ["jakarta", "casablanca"],
    ["jakarta", "casablanca", "los-angeles"],
    [7],
    {},
    {"en": "Culture"},
    {"EN": "Culture"},
    {"en": ""},
    {"lat": 1, "lon": 2},
    {"lat": 91, "lon": 0},
    {"lat": "1", "lon": 2},
    [{"title": "Mayor", "sources": ["seed"]}],
    [{"title": "Mayor"}],
    [{"count": 3, "as_of": 2019, "sources": ["seed"]}],
    "  1990 ",
    "1990/",
    1.0,
    2.5,
    ["seed", "seed"],
    ["jakarta", "jakarta"],
    "9" * 5000,
]


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _base_entries() -> dict[str, dict[str, Any]]:
    document, problems = read_yaml_file(MINIMAL)
    assert not problems
    return {section: _plain(items[0]) for section, items in document.items()}


def _mutations(entry: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The entry with each key (also of nested mappings) deleted, or set to each candidate."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(node: dict[str, Any], path: tuple[Any, ...]) -> None:
        for key, value in node.items():
            for candidate in [*CANDIDATES, "<deleted>"]:
                mutated = copy.deepcopy(entry)
                target = mutated
                for step in path:
                    target = target[step]
                if candidate == "<deleted>":
                    del target[key]
                else:
                    target[key] = copy.deepcopy(candidate)
                found.append((f"{'.'.join(map(str, (*path, key)))}={candidate!r}", mutated))
            if isinstance(value, dict):
                walk(value, (*path, key))
            if isinstance(value, list) and value and isinstance(value[0], dict):
                walk(value[0], (*path, key, 0))

    walk(entry, ())
    return found


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    cases = []
    for section, entry in _base_entries().items():
        cases.extend((section, label, mutated) for label, mutated in _mutations(entry))
        cases.append((section, "unknown-key", {**entry, "colour": "red"}))
    agreement = _base_entries()["agreements"]
    cases += [
        ("agreements", "planned-and-signed", {**agreement, "status": "planned", "signed": 2018}),
        ("agreements", "signed-and-dated", {**agreement, "status": "signed", "signed": 2018}),
    ]
    return cases


CASES = _cases()


def test_there_are_many_cases() -> None:
    assert len(CASES) > 2000


@pytest.mark.parametrize("section", sorted(_base_entries()))
@pytest.mark.slow
def test_schema_and_validator_agree_on_every_mutation(section: str, tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    disagreements = []
    for case_section, label, entry in CASES:
        if case_section != section:
            continue
        document = {section: [entry]}
        path = tmp_path / "case.yaml"
        path.write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
        ours = [p for p in read_dataset(path).problems if p.rule in STRUCTURAL_RULES]
        theirs = list(validator.iter_errors(document))
        if bool(ours) != bool(theirs):
            disagreements.append(
                f"{label}: validator {[str(p) for p in ours]}, schema {[e.message for e in theirs]}"
            )
    assert not disagreements, "\n".join(disagreements[:20])


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_curated_data_conforms_to_the_schema() -> None:
    document, problems = read_yaml_file(ROOT / "data" / "cities.yaml")
    assert not problems
    errors = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(_plain(document)))
    assert not errors, [e.message for e in errors[:5]]


def test_schema_command_prints_the_committed_schema() -> None:
    result = run_cli(["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json_schema()
    assert result.output == (ROOT / "exports" / "cities.schema.json").read_text(encoding="utf-8")


def test_curated_data_names_the_schema_for_editors() -> None:
    first_line = (ROOT / "data" / "cities.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../exports/cities.schema.json"
    assert (ROOT / "data" / first_line.split("=", 1)[1]).resolve().is_file()


def test_the_section_records_name_their_entries_as_the_model_does() -> None:
    from sistercities.model import ENTITY_NAMES, SECTION_ATTRIBUTES
    from sistercities.schema import SECTIONS

    assert list(SECTIONS) == list(SECTION_ATTRIBUTES) == list(ENTITY_NAMES)
    assert {section: record.name for section, record in SECTIONS.items()} == ENTITY_NAMES
