"""Source ids of imports (issue 23): every csv, GraphML and GEXF import names its own source,
made from the bytes it read, so two imports layered together never credit one source's facts
to the other; and two different source entries under one id are refused, never merged."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from helpers import MINIMAL, SCRIPT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from sistercities.importers import IMPORTED_DATA, imported_source_id
from sistercities.load import load_dataset
from sistercities.merge import load_layers
from sistercities.schema import SLUG_PATTERN

COLUMNS = "city1=from,country1=from_cc,lat1=y1,lon1=x1,city2=to,country2=to_cc,lat2=y2,lon2=x2"
HEADER = "from,from_cc,y1,x1,to,to_cc,y2,x2\n"
FIRST = HEADER + "Xyzzyville,United States,39.8,-89.6,Plughton,United States,39.4,-88.8\n"
SECOND = (
    HEADER
    + "Xyzzyville,United States,39.8,-89.6,Plughton,United States,39.4,-88.8\n"
    + "Xyzzyville,United States,39.8,-89.6,Frobnitz,Germany,50.0,8.0\n"
)


def _import(tmp_path: Path, name: str, text: str, *options: str) -> Path:
    source = tmp_path / f"{name}.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / f"{name}.yaml"
    result = run_cli(["import", "csv", str(source), "-o", str(out), "--columns", COLUMNS, *options])
    assert result.exit_code == 0, result.output
    return out


def test_two_imports_layered_credit_each_fact_to_its_own_source(tmp_path: Path) -> None:
    first, second = _import(tmp_path, "first", FIRST), _import(tmp_path, "second", SECOND)
    (first_id,) = load_dataset(first).sources
    (second_id,) = load_dataset(second).sources
    assert IMPORTED_DATA not in (first_id, second_id) and first_id != second_id
    assert first_id.startswith("imported-first-csv-")
    merged = load_layers([MINIMAL, first, second])
    assert {first_id, second_id} <= set(merged.sources)
    by_pair = {frozenset(t.between): t.sources for t in merged.partnerships.values()}
    # the tie both assert names both; the tie of the second alone names the second alone
    assert by_pair[frozenset({"plughton-us", "xyzzyville-us"})] == (first_id, second_id)
    assert by_pair[frozenset({"frobnitz-de", "xyzzyville-us"})] == (second_id,)
    for place in merged.places.values():
        assert set(place.sources) <= set(merged.sources)


def test_the_same_input_gives_the_same_id_and_the_same_bytes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = _import(tmp_path / "a", "pairs", SECOND)
    two = _import(tmp_path / "b", "pairs", SECOND)
    assert one.read_bytes() == two.read_bytes()
    # the same bytes imported twice, layered: one source, nothing refused
    merged = load_layers([MINIMAL, one, two])
    assert len(merged.sources) == len(load_dataset(MINIMAL).sources) + 1


@pytest.mark.parametrize("suffix", ["graphml", "gexf"])
def test_graph_imports_name_their_own_source(tmp_path: Path, suffix: str) -> None:
    ids = []
    for number, partner in enumerate(["Plughton", "Frobnitz"]):
        graph = nx.Graph()
        graph.add_node("a", label="Xyzzyville", country="US", lat=39.8, lon=-89.6)
        graph.add_node("b", label=partner, country="US", lat=30.0 + number, lon=-80.0)
        graph.add_edge("a", "b")
        path = tmp_path / f"g{number}.{suffix}"
        (nx.write_gexf if suffix == "gexf" else nx.write_graphml)(graph, path)
        out = tmp_path / f"g{number}.yaml"
        result = run_cli(["import", suffix, str(path), "-o", str(out)])
        assert result.exit_code == 0, result.output
        (ident,) = load_dataset(out).sources
        digest = hashlib.sha256(path.read_bytes()).digest()
        assert ident == imported_source_id([path], [digest])
        ids.append(ident)
    assert len(set(ids)) == 2


CONFLICT = re.compile(
    r"^(?P<later>.+\.yaml):2:3: error\[duplicate-id\]: source id '(?P<id>[a-z0-9-]+)' is "
    r"already used by a different source at (?P<earlier>.+\.yaml):2:3, in an earlier layer"
)


def _same_bytes_two_titles(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = _import(tmp_path / "a", "pairs", FIRST, "--source-title", "Our list")
    two = _import(tmp_path / "b", "pairs", FIRST, "--source-title", "Their list")
    return one, two


def test_two_different_source_entries_under_one_id_are_refused(tmp_path: Path) -> None:
    one, two = _same_bytes_two_titles(tmp_path)
    result = run_cli(
        ["--no-cache", "--data", str(MINIMAL), "--data", str(one), "--data", str(two), "cities"]
    )
    assert result.exit_code == 1
    assert result.stdout == "" and "Traceback" not in result.output
    found = CONFLICT.match(result.stderr)
    assert found, result.stderr
    assert (found["later"], found["earlier"]) == (str(two), str(one))


@pytest.mark.slow
def test_two_different_source_entries_under_one_id_as_a_real_process(tmp_path: Path) -> None:
    one, two = _same_bytes_two_titles(tmp_path)
    env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path / "cache")}
    layers = ["--data", str(MINIMAL), "--data", str(one), "--data", str(two)]
    for command in (["partners", "xyzzyville"], ["build", "--out", str(tmp_path / "out")]):
        result = subprocess.run(
            [str(SCRIPT), *layers, *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert result.returncode == 1, result.stderr
        assert CONFLICT.match(result.stderr) and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(max_size=60), min_size=1, max_size=3),
    st.lists(st.binary(max_size=50), min_size=1, max_size=3),
    st.lists(st.binary(max_size=50), min_size=1, max_size=3),
)
def test_source_ids_are_slugs_and_differ_with_the_bytes(
    names: list[str], first: list[bytes], second: list[bytes]
) -> None:
    paths = [Path(name.replace("/", "_").replace("\x00", "") or "x") for name in names]
    one = imported_source_id(paths, [hashlib.sha256(b).digest() for b in first])
    two = imported_source_id(paths, [hashlib.sha256(b).digest() for b in second])
    for ident in (one, two):
        assert re.fullmatch(SLUG_PATTERN, ident) and len(ident) <= 70, ident
    assert (one == two) == (first == second)


def test_ties_of_imported_data_are_marked_imported_not_curated(tmp_path: Path) -> None:
    first = _import(tmp_path, "first", FIRST)
    result = run_cli(
        ["--data", str(MINIMAL), "--data", str(first), "partners", "Xyzzyville", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    import json

    (row,) = json.loads(result.stdout)["partners"]
    assert (row["evidence"], row["grade"]) == ("I", "imported")
    table = run_cli(["--data", str(MINIMAL), "--data", str(first), "partners", "Xyzzyville"])
    assert "I: imported data" in table.stderr
