"""Layers of data (curated first, imports after) and the crosscheck against another dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import DATA, MINIMAL, WIKIPEDIA
from sistercities import load_dataset
from sistercities.cli import cli
from sistercities.dump import dataset_to_yaml
from sistercities.importers import import_wikipedia_csv
from sistercities.merge import crosscheck, load_layers

pytestmark = pytest.mark.slow  # the world layers merged


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dataset, _ = import_wikipedia_csv([WIKIPEDIA])
    path = tmp_path_factory.mktemp("world") / "world.yaml"
    path.write_text(dataset_to_yaml(dataset, partnership_ids=False), encoding="utf-8")
    return path


def test_layers_merge_places_and_curated_facts_win(world: Path) -> None:
    curated = load_dataset(DATA)
    imported = load_dataset(world)
    merged = load_layers([DATA, world])
    jakarta = merged.places["jakarta"]
    assert jakarta == curated.places["jakarta"]  # the curated place, untouched
    assert "jakarta-id" not in merged.places  # the imported Jakarta is the same place
    partners = {t.other("jakarta") for t in merged.partnerships_of("jakarta")}
    # Jakarta's curated list is complete (coverage): Wikipedia's Mumbai and Shanghai stay out.
    assert jakarta.coverage is not None and jakarta.coverage.complete
    assert partners == {t.other("jakarta") for t in curated.partnerships_of("jakarta")}
    assert not {"mumbai", "shanghai"} & partners
    # Istanbul's is not known to be complete: the lists add the ties the curated data lacks.
    curated_istanbul = {t.other("istanbul") for t in curated.partnerships_of("istanbul")}
    merged_istanbul = {t.other("istanbul") for t in merged.partnerships_of("istanbul")}
    assert curated_istanbul < merged_istanbul
    ties_la = [t for t in merged.partnerships_of("jakarta") if t.other("jakarta") == "los-angeles"]
    assert len(ties_la) == 1 and ties_la[0] == curated.partnerships["jakarta--los-angeles"]
    assert len(merged.places) < len(curated.places) + len(imported.places)
    assert len(merged.partnerships) < len(curated.partnerships) + len(imported.partnerships)


def test_repeated_data_options_merge_for_every_question(world: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--no-cache",
            "--data",
            str(DATA),
            "--data",
            str(world),
            "partners",
            "istanbul",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["partners"]
    assert rows[0]["name"] == "Shimonoseki"  # 1972-05-16, the first of the curated ties
    assert any(row["sources"] == "wikipedia-twin-towns" for row in rows)  # from the layer


def test_crosscheck_against_the_wikipedia_lists(world: Path) -> None:
    rows = list(crosscheck(load_dataset(DATA), load_dataset(world)))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["match"]] = counts.get(row["match"], 0) + 1
    assert counts == {"both": 268, "only-ours": 134, "only-theirs": 2571}
    by_pair = {(r["place_a"], r["place_b"]): r["match"] for r in rows}
    assert by_pair["jakarta", "los-angeles"] == "both"
    assert by_pair["jakarta", "rotterdam"] == "only-ours"  # partners.md: not in the lists
    assert by_pair["arkansas", "jakarta"] == "only-ours"
    assert by_pair["jakarta", "mumbai"] == "only-theirs"  # not in the official 21


def test_crosscheck_finds_dates_that_disagree(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text(
        MINIMAL.read_text(encoding="utf-8").replace("since: 1990", "since: 2001"), encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli,
        [
            "--no-cache",
            "crosscheck",
            "--data",
            str(MINIMAL),
            "--against",
            str(theirs),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    disagree = [r for r in rows if r["match"] == "dates-disagree"]
    assert [(r["place_b"], r["our_since"], r["their_since"]) for r in disagree] == [
        ("los-angeles", "1990", "2001")
    ]
    assert "1 dates-disagree" in result.stderr
