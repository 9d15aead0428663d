"""Loading: the C parser and its pure-Python fallback agree, locations are kept, ids derived."""

from __future__ import annotations

from pathlib import Path

import pytest
import sistercities.yamltree
import yaml
from helpers import DATA, ROOT
from sistercities import DataError, load_dataset, read_dataset


def test_the_c_parser_is_used_where_present() -> None:
    if yaml.__with_libyaml__:
        assert sistercities.yamltree._Loader is yaml.CSafeLoader


@pytest.mark.slow
def test_the_pure_python_parser_gives_the_same_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = read_dataset(DATA)
    monkeypatch.setattr(sistercities.yamltree, "_Loader", yaml.SafeLoader)
    slow = read_dataset(DATA)
    assert slow.dataset == fast.dataset
    assert [str(p) for p in slow.problems] == [str(p) for p in fast.problems]
    jakarta_fast = fast.dataset.places["jakarta"].location
    assert slow.dataset.places["jakarta"].location == jakarta_fast


def test_every_entity_knows_its_line() -> None:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    dataset = load_dataset(DATA)
    for section in dataset.SECTIONS:
        for ident, entity in getattr(dataset, section).items():
            location = entity.location
            assert location is not None and location.file == str(DATA)
            line = lines[location.line - 1]
            if section != "partnerships":
                assert f"id: {ident}" in line, (section, ident, line)


def test_a_second_tie_of_a_pair_gets_the_kind_and_the_first_keeps_its_id(tmp_path: Path) -> None:
    text = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "officials:",
        "  - between: [los-angeles, jakarta]\n    kind: friendship\n    status: ended\n"
        "    sources: [seed]\nofficials:",
    )
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    dataset = load_dataset(path)  # the visit still names 'jakarta--los-angeles'
    assert dataset.partnerships["jakarta--los-angeles"].kind == "sister-city"
    assert dataset.partnerships["jakarta--los-angeles--friendship"].status == "ended"
    assert "casablanca--jakarta" in dataset.partnerships


def test_the_same_file_named_twice_is_read_once() -> None:
    assert read_dataset([DATA, DATA, DATA.parent]).dataset == load_dataset(DATA)


def test_load_raises_data_error_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("cities:\n  - id: A\n  - id: b\n    name: 5\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_dataset(path)
    rules = [p.rule for p in caught.value.problems]
    assert "bad-id" in rules and "wrong-type" in rules
    assert str(caught.value).startswith(f"{path}:2:")


def test_norway_is_not_false(tmp_path: Path) -> None:
    path = tmp_path / "no.yaml"
    path.write_text(
        "sources:\n  - id: s\n    title: T\ncities:\n  - id: oslo\n    name: Oslo\n"
        "    kind: city\n    country: NO\n    sources: [s]\n",
        encoding="utf-8",
    )
    assert load_dataset(path).places["oslo"].country == "NO"
