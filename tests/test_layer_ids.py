"""Ids across layers (issue 23): a later layer never replaces an earlier layer's entry.

A later place under an id an earlier layer uses is that place only when the join says so;
otherwise it is kept apart under an id no layer uses. Any other entry under a taken id must be
the same entry, or the layers are refused: one message a conflict, naming both files and lines.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import SCRIPT, invoke, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from sistercities.dates import PartialDate
from sistercities.merge import LayerConflict, load_layers, match_places, merge_datasets
from sistercities.model import (
    Coordinates,
    Coverage,
    Dataset,
    Event,
    Official,
    Partnership,
    Place,
    Source,
    Visit,
)

CURATED = """\
sources:
  - id: seed
    title: Seed
    published: 2020-01-01
  - id: list
    title: The official list
cities:
  - id: alpha
    name: Alpha
    kind: city
    country: ID
    coordinates: {lat: -6.2, lon: 106.8}
    sources: [seed]
    coverage:
      complete: true
      as_of: 2020-01-01
      sources: [list]
  - id: alpha-2
    name: Alpha Two
    kind: city
    country: ID
    sources: [seed]
  - id: beta
    name: Beta
    kind: city
    country: FR
    sources: [seed]
partnerships:
  - between: [alpha, beta]
    kind: sister-city
    status: active
    since: 1990
    sources: [seed]
"""

PAIRS = (
    "from,from_cc,y1,x1,to,to_cc,y2,x2\n"
    "Xyzzyville,United States,39.8,-89.6,Plughton,United States,39.4,-88.8\n"
)
COLUMNS = "city1=from,country1=from_cc,lat1=y1,lon1=x1,city2=to,country2=to_cc,lat2=y2,lon2=x2"


def _renamed_import(tmp_path: Path, new_id: str) -> Path:
    """An import's output with its place `xyzzyville-us` renamed to `new_id` by hand."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS, encoding="utf-8")
    out = tmp_path / "imported.yaml"
    result = run_cli(["import", "csv", str(pairs), "-o", str(out), "--columns", COLUMNS])
    assert result.exit_code == 0, result.output
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(
        out.read_text(encoding="utf-8").replace("xyzzyville-us", new_id), encoding="utf-8"
    )
    return renamed


@pytest.mark.parametrize("taken", ["alpha", "alpha-2", "beta"])
def test_an_imported_place_renamed_to_a_curated_id_never_replaces_it(
    tmp_path: Path, taken: str
) -> None:
    curated = tmp_path / "curated.yaml"
    curated.write_text(CURATED, encoding="utf-8")
    renamed = _renamed_import(tmp_path, taken)
    before = load_layers([curated])
    merged = load_layers([curated, renamed])
    for ident, place in before.places.items():  # every curated place, its facts untouched
        assert merged.places[ident] == place
    assert merged.partnerships["alpha--beta"] == before.partnerships["alpha--beta"]
    assert {t.id for t in merged.partnerships_of("alpha")} == {"alpha--beta"}
    kept = [p for p in merged.places.values() if p.name == "Xyzzyville"]
    assert len(kept) == 1 and kept[0].id not in before.places  # kept apart, a fresh id
    assert {t.other(kept[0].id) for t in merged.partnerships_of(kept[0].id)} == {"plughton-us"}
    # and so the command line answers
    shown = run_cli(["--no-cache", "--data", str(curated), "--data", str(renamed), "show", taken])
    assert shown.exit_code == 0, shown.output
    assert before.places[taken].name in shown.stdout and "Xyzzyville" not in shown.stdout


@pytest.mark.slow
def test_a_renamed_place_as_a_real_process_through_the_cache(tmp_path: Path) -> None:
    curated = tmp_path / "curated.yaml"
    curated.write_text(CURATED, encoding="utf-8")
    renamed = _renamed_import(tmp_path, "alpha")
    env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "100"}
    args = [str(SCRIPT), "--data", str(curated), "--data", str(renamed), "partners", "alpha"]
    for _ in range(2):  # parsed, then from the cache
        result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "Beta" in result.stdout and "Plughton" not in result.stdout
        assert "Traceback" not in result.stderr


def _place(ident: str, name: str, country: str = "ID", **fields: object) -> Place:
    return Place(ident, name, "city", country, ("s",), **fields)  # type: ignore[arg-type]


def _tie(a: str, b: str, source: str = "s") -> Partnership:
    first, second = sorted((a, b))
    return Partnership(f"{first}--{second}", (first, second), "sister-city", "active", (source,))


def _dataset(places: list[Place], ties: list[Partnership], **sections: object) -> Dataset:
    return Dataset(
        sources={"s": Source("s", "S")},
        places={p.id: p for p in places},
        partnerships={t.id: t for t in ties},
        **sections,  # type: ignore[arg-type]
    )


def test_fresh_ids_are_free_in_every_layer() -> None:
    """`x` and `x-2` in both layers, four different places: the later ones get the first
    ids free in both layers (`x-3`, `x-2-2`), never one the other layer has."""
    earlier = _dataset([_place("x", "Ex"), _place("x-2", "Ex Two"), _place("y", "Why")], [])
    later = _dataset(
        [_place("x", "Later Ex", "FR"), _place("x-2", "Later Two", "FR"), _place("z", "Zed")],
        [_tie("x", "x-2"), _tie("x", "z")],
    )
    merged = merge_datasets(earlier, later)
    assert {i: p.name for i, p in merged.places.items()} == {
        "x": "Ex",
        "x-2": "Ex Two",
        "y": "Why",
        "x-3": "Later Ex",
        "x-2-2": "Later Two",
        "z": "Zed",
    }
    assert sorted(tuple(sorted(t.between)) for t in merged.partnerships.values()) == [
        ("x-2-2", "x-3"),
        ("x-3", "z"),
    ]


def test_references_follow_a_place_kept_apart() -> None:
    """A later layer's visit, event, official and district name its own place, not the
    earlier one that had the id, and a visit names its own tie."""
    earlier = _dataset([_place("x", "Ex")], [])
    day = PartialDate.parse("2020-01-01")
    later = _dataset(
        [
            _place("x", "Later Ex", "FR"),
            _place("y", "Why", "FR"),
            _place("d", "District", "FR", part_of="x"),
        ],
        [_tie("x", "y")],
        officials={"o": Official("o", "O", ("s",))},
        events={"e": Event("e", "E", "x", day, ("s",))},
        visits={"v": Visit("v", ("o",), "x", day, ("s",), partnership="x--y", events=("e",))},
    )
    merged = merge_datasets(earlier, later)
    assert merged.places["x"].name == "Ex"
    assert merged.places["x-2"].name == "Later Ex"
    assert merged.places["d"].part_of == "x-2"
    assert merged.events["e"].place == "x-2"
    assert merged.visits["v"].place == "x-2"
    assert merged.visits["v"].partnership == "x-2--y"
    assert merged.partnerships["x-2--y"].between == ("x-2", "y")


def test_the_same_place_under_the_same_id_is_filled_not_doubled() -> None:
    """The legitimate case: a curated place and the layer's same place (same QID) are one;
    the curated facts win and it gains what it lacks."""
    earlier = _dataset([_place("x", "Ex", wikidata="Q1")], [])
    later = _dataset([_place("x", "Ex", wikidata="Q1", population=5, aliases=("Eks",))], [])
    merged = merge_datasets(earlier, later)
    assert list(merged.places) == ["x"]
    assert (merged.places["x"].population, merged.places["x"].aliases) == (5, ("Eks",))


def test_an_earlier_tie_keeps_its_id_against_a_later_pair() -> None:
    """An earlier tie whose explicit id looks like another pair's is never replaced."""
    a, b = _place("a", "A"), _place("b", "B")
    odd = Partnership("c--d", ("a", "b"), "sister-city", "active", ("s",))
    earlier = _dataset([a, b, _place("c", "C"), _place("d", "D")], [odd])
    later = _dataset([_place("c", "C"), _place("d", "D")], [_tie("c", "d")])
    merged = merge_datasets(earlier, later)
    assert merged.partnerships["c--d"] == odd
    assert merged.partnerships["c--d-2"].between == ("c", "d")


@pytest.mark.parametrize(
    ("section", "earlier_entity", "later_entity"),
    [
        ("sources", Source("s", "S"), Source("s", "Another S")),
        ("officials", Official("o", "O", ("s",)), Official("o", "Someone else", ("s",))),
        (
            "events",
            Event("e", "E", "x", PartialDate.parse("2020"), ("s",)),
            Event("e", "E", "x", PartialDate.parse("2021"), ("s",)),
        ),
    ],
)
def test_another_entry_under_a_taken_id_is_refused(
    section: str, earlier_entity: object, later_entity: object
) -> None:
    places = [_place("x", "Ex")]
    earlier = Dataset(**{**_dataset(places, []).__dict__, section: {"k": earlier_entity}})
    later = Dataset(**{**_dataset(places, []).__dict__, section: {"k": later_entity}})
    if section == "sources":
        earlier = Dataset(**{**earlier.__dict__, "sources": {"s": earlier_entity}})
        later = Dataset(**{**later.__dict__, "sources": {"s": later_entity}})
    with pytest.raises(LayerConflict) as raised:
        merge_datasets(earlier, later, layers=("a.yaml", "b.yaml"))
    (problem,) = raised.value.problems
    assert problem.rule == "duplicate-id"
    assert str(problem).startswith("b.yaml: error[duplicate-id]: ")
    assert "already used by a different" in problem.message and "a.yaml" in problem.message
    # the same entry in both layers is one entry
    assert merge_datasets(earlier, earlier).counts() == earlier.counts()


LAYER_A = """\
sources:
  - id: seed
    title: Seed
cities:
  - id: alpha
    name: Alpha
    kind: city
    country: ID
    sources: [seed]
officials:
  - id: mayor
    name: A Mayor
    sources: [seed]
"""


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (("title: Seed", "title: Another seed"), 2),
        (("name: A Mayor", "name: Another mayor"), 11),
    ],
)
def test_a_conflict_is_one_message_naming_both_files_and_lines(
    tmp_path: Path, change: tuple[str, str], line: int
) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(LAYER_A, encoding="utf-8")
    b.write_text(LAYER_A.replace(*change), encoding="utf-8")
    result = run_cli(["--no-cache", "--data", str(a), "--data", str(b), "cities"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{b}:{line}:") and f"{a}:{line}:" in lines[0]
    assert "error[duplicate-id]" in lines[0]
    assert lines[1].startswith("Error: the layers of the data give 1 id to two")
    assert len(lines) == 2 and "Traceback" not in result.output


def test_a_conflict_in_a_json_layer_names_its_line(tmp_path: Path) -> None:
    """JSON layers are read fast, without lines: a conflict reads them again to say where."""
    import json

    a = tmp_path / "a.yaml"
    a.write_text(LAYER_A, encoding="utf-8")
    b = tmp_path / "b.json"
    b.write_text(
        json.dumps({"sources": [{"id": "seed", "title": "Other"}]}, indent=1), encoding="utf-8"
    )
    result = invoke("cities", data=None, env={"SISTERCITIES_DATA": f"{a}{os.pathsep}{b}"})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{b}:3:") and f"{a}:2:5" in result.stderr


@pytest.mark.slow
def test_a_conflict_as_a_real_process(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(LAYER_A, encoding="utf-8")
    b.write_text(LAYER_A.replace("title: Seed", "title: Another seed"), encoding="utf-8")
    env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # an error is never cached
        result = subprocess.run(
            [str(SCRIPT), "--data", str(a), "--data", str(b), "partners", "alpha"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 1
        assert result.stdout == "" and "Traceback" not in result.stderr
        assert f"{b}:2:5: error[duplicate-id]" in result.stderr and f"{a}:2:5" in result.stderr


# --- the whole class: random layers with ids drawn from a few, so that they collide -------

IDS = st.sampled_from(["a", "a-2", "a-3", "b", "b-2", "c"])
NAMES = st.sampled_from(["Ay", "Bee", "Sea", "Dee"])
COUNTRIES = st.sampled_from(["ID", "FR"])
QIDS = st.one_of(st.none(), st.sampled_from(["Q1", "Q2", "Q3"]))


@st.composite
def layers(draw: st.DrawFn, *, complete: bool) -> Dataset:
    """A layer of a few places under colliding ids, and ties among them."""
    ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    places = [
        _place(
            i,
            draw(NAMES),
            draw(COUNTRIES),
            wikidata=draw(QIDS),
            coordinates=Coordinates(draw(st.sampled_from([0.0, 10.0])), 0.0),
            coverage=Coverage(True, PartialDate.parse("2020"), ("s",))
            if complete and draw(st.booleans())
            else None,
        )
        for i in ids
    ]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=6))
    ties = {_tie(a, b).id: _tie(a, b) for a, b in pairs if a != b}
    return _dataset(places, list(ties.values()))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(layers(complete=True), layers(complete=False))
def test_no_later_layer_replaces_an_earlier_place_or_tie(earlier: Dataset, later: Dataset) -> None:
    merged = merge_datasets(earlier, later)
    for ident, place in earlier.places.items():
        kept = merged.places[ident]
        # the earlier facts, at most filled with what they lacked
        assert (kept.name, kept.country, kept.coverage, kept.sources) == (
            place.name,
            place.country,
            place.coverage,
            place.sources,
        )
        assert set(place.aliases) <= set(kept.aliases)
    for ident, tie in earlier.partnerships.items():
        assert merged.partnerships[ident] == tie
    # every later place is an earlier one (the join) or is there, whole, under an id no
    # earlier place has: nothing lost, nothing replaced
    matches = match_places(earlier, later)
    apart = [p for i, p in merged.places.items() if i not in earlier.places]
    unmatched = [p for i, p in later.places.items() if i not in matches]
    assert len(merged.places) == len(earlier.places) + len(unmatched)
    assert sorted((p.name, p.country, p.wikidata or "") for p in apart) == sorted(
        (p.name, p.country, p.wikidata or "") for p in unmatched
    )
    for tie in merged.partnerships.values():  # no tie names a place that is not there
        assert set(tie.between) <= set(merged.places)
