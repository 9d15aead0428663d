"""Coverage: a place may declare its list of partners complete as of an official list."""

from __future__ import annotations

from pathlib import Path

from sistercities import Coverage, load_dataset, validate
from sistercities.rdf import from_rdf, to_rdf

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_place_declares_its_partner_list_complete() -> None:
    dataset = load_dataset(FIXTURES / "coverage.yaml")
    coverage = dataset.places["jakarta"].coverage
    assert isinstance(coverage, Coverage)
    assert (coverage.complete, coverage.as_of.text, coverage.sources) == (
        True,
        "2019-02-14",
        ("official-list",),
    )
    assert dataset.places["los-angeles"].coverage is None


def test_coverage_survives_the_rdf_round_trip() -> None:
    dataset = load_dataset(FIXTURES / "coverage.yaml")
    assert (
        from_rdf(to_rdf(dataset)).places["jakarta"].coverage == dataset.places["jakarta"].coverage
    )


def test_coverage_needs_a_date_and_a_boolean(tmp_path: Path) -> None:
    text = (FIXTURES / "coverage.yaml").read_text(encoding="utf-8")
    broken = text.replace("complete: true", "complete: yes-ish")
    path = tmp_path / "broken.yaml"
    path.write_text(broken.replace("      as_of: 2019-02-14\n", ""), encoding="utf-8")
    assert sorted(p.rule for p in validate(path).errors) == ["missing-key", "wrong-type"]


def test_coverage_names_known_sources(tmp_path: Path) -> None:
    text = (FIXTURES / "coverage.yaml").read_text(encoding="utf-8")
    path = tmp_path / "broken.yaml"
    path.write_text(
        text.replace("      sources: [official-list]", "      sources: [nowhere]"), encoding="utf-8"
    )
    errors = validate(path).errors
    assert [p.rule for p in errors] == ["unknown-reference"]
    assert errors[0].location is not None and errors[0].location.line == 18
