"""The world layers: built reproducibly from the shipped sources, used by default under the
curated facts, and every answer says where its ties come from."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import invoke
from sistercities import DataError, Dataset, ExportError, load_dataset
from sistercities.cli import cli
from sistercities.export import WORLD_EXPORTS
from sistercities.load import read_checked_layer, read_dataset
from sistercities.merge import load_layers, merge_datasets
from sistercities.world import (
    DEFAULT_LAYERS,
    JOIN_SOURCE,
    WORLD_DIR,
    WORLD_LAYERS,
    build_world_layers,
)

pytestmark = pytest.mark.slow  # the world layers, rebuilt and read whole

FIXTURES = Path(__file__).parent / "fixtures"
WIKIPEDIA, WIKIDATA = (p.name for p in WORLD_LAYERS)


@pytest.fixture(scope="module")
def world() -> Dataset:
    return load_layers(list(DEFAULT_LAYERS))


@pytest.fixture(scope="module")
def layers() -> tuple[Dataset, Dataset]:
    return load_dataset(WORLD_LAYERS[0]), load_dataset(WORLD_LAYERS[1])


def test_the_committed_layers_are_what_the_sources_give(tmp_path: Path) -> None:
    written, report = build_world_layers(tmp_path)
    assert sorted(p.name for p in written) == sorted([WIKIPEDIA, WIKIDATA, "manifest.json"])
    for path in written:
        committed = WORLD_DIR / path.name
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed} is stale: run `sistercities build-layers` and commit data/world/"
        )
    assert report.joined > 5_000


@pytest.mark.parametrize("name", [WIKIPEDIA, WIKIDATA])
def test_each_layer_validates_on_its_own(name: str) -> None:
    result = read_dataset(WORLD_DIR / name, located=False)
    assert result.errors == []
    assert read_checked_layer(WORLD_DIR / name) is not None


@pytest.mark.parametrize("name", [WIKIPEDIA, WIKIDATA])
def test_the_fast_path_builds_what_the_checked_path_builds(name: str) -> None:
    fast = read_checked_layer(WORLD_DIR / name)
    assert fast is not None
    checked = read_dataset(WORLD_DIR / name, located=False).dataset
    for section in Dataset.SECTIONS:
        assert dict(getattr(fast, section)) == dict(getattr(checked, section)), section


def test_a_changed_layer_is_checked_again_and_its_problem_located(tmp_path: Path) -> None:
    for path in (*WORLD_LAYERS, WORLD_DIR / "manifest.json"):
        shutil.copy(path, tmp_path / path.name)
    layer = tmp_path / WIKIPEDIA
    lines = layer.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if '"kind": "city"' in line)
    lines[number] = lines[number].replace('"kind": "city"', '"kind": "hamlet"', 1)
    layer.write_text("".join(lines), encoding="utf-8")
    assert read_checked_layer(layer, trusted_dir=tmp_path) is None
    assert read_checked_layer(tmp_path / WIKIDATA, trusted_dir=tmp_path) is not None
    with pytest.raises(DataError) as raised:
        load_dataset(layer)
    (problem,) = [p for p in raised.value.problems if p.is_error]
    assert (problem.rule, problem.location.line) == ("bad-value", number + 1)


def test_kosovo_and_misspelt_countries_are_kept(layers: tuple[Dataset, Dataset]) -> None:
    lists, _ = layers
    countries = {p.name: p.country for p in lists.places.values()}
    assert sum(1 for c in countries.values() if c == "XK") >= 20
    assert (countries["Pristina"], countries["Manakara"], countries["Zakynthos"]) == (
        "XK",
        "MG",
        "GR",
    )
    assert (countries["Comrat"], countries["Norðurþing"], countries["Varna"]) == (
        "MD",
        "IS",
        "BG",
    )


def test_places_of_both_sources_are_joined_by_qid_only_on_agreeing_evidence(
    layers: tuple[Dataset, Dataset],
) -> None:
    lists, wikidata = layers
    qid_of = {p.name: p.wikidata for p in wikidata.places.values()}
    lists_qid = {(p.name, p.country): p.wikidata for p in lists.places.values()}
    assert lists_qid[("Weimar", "DE")] == qid_of["Weimar"]
    assert lists_qid[("Ryazan", "RU")] == qid_of["Rjasan"]  # spelled alike, partners shared
    assert lists_qid[("Taipei", "TW")] != qid_of["Rom"]  # partners shared, names unlike
    joined = [p for p in lists.places.values() if p.wikidata]
    assert all(JOIN_SOURCE.id in p.sources for p in joined)
    assert len({p.wikidata for p in joined}) == len(joined)


def test_any_city_answers_from_the_default_data_with_sources(world: Dataset) -> None:
    from sistercities.query import partners

    by_name = {p.name: p.id for p in world.places.values() if p.country in ("JP", "DE")}
    tokyo = list(partners(world, by_name["Tokyo"]))
    berlin = list(partners(world, by_name["Berlin"]))
    assert len(tokyo) >= 10 and len(berlin) >= 15
    assert all(row["sources"] for row in tokyo + berlin)
    assert not [t.id for t in world.partnerships.values() if not t.sources]


def test_a_tie_in_both_layers_names_both(world: Dataset) -> None:
    tie = next(t for t in world.partnerships_of("tokyo") if "beijing" in t.between)
    assert {"wikipedia-twin-towns", "wikidata-p190"} <= set(tie.sources)


def test_a_complete_curated_list_gets_no_ties_from_the_layers(tmp_path: Path) -> None:
    curated = load_dataset(FIXTURES / "coverage.yaml")
    layer = tmp_path / "layer.yaml"
    layer.write_text(
        """sources:
  - {id: lists, title: Lists}
cities:
  - {id: jakarta, name: Jakarta, kind: city, country: ID, sources: [lists]}
  - {id: tokyo, name: Tokyo, kind: city, country: JP, sources: [lists]}
  - {id: los-angeles, name: Los Angeles, kind: city, country: US, sources: [lists]}
partnerships:
  - {between: [jakarta, tokyo], kind: sister-city, status: active, sources: [lists]}
  - {between: [los-angeles, tokyo], kind: sister-city, status: active, sources: [lists]}
""",
        encoding="utf-8",
    )
    merged = merge_datasets(curated, load_dataset(layer))
    assert sorted(merged.partnerships) == ["jakarta--los-angeles", "los-angeles--tokyo"]


def test_show_and_partners_say_where_ties_come_from() -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["show", "tokyo", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    profile = json.loads(shown.stdout)
    assert profile["coverage"] == {"complete": False, "as_of": None, "sources": []}
    assert profile["provenance"]["English Wikipedia's lists"] >= 5
    table = runner.invoke(cli, ["partners", "tokyo"])
    assert table.exit_code == 0
    assert table.stderr.strip() == (
        "Tokyo: ties from the curated facts, English Wikipedia's lists and Wikidata (2016); "
        "not checked against an official list"
    )
    assert "Tokyo:" not in table.stdout
    piped = runner.invoke(cli, ["partners", "tokyo", "--format", "csv"])
    assert piped.stderr == ""


def test_curated_only_answers_from_the_curated_file() -> None:
    runner = CliRunner()
    world = runner.invoke(cli, ["partners", "tokyo", "--format", "json"])
    curated = runner.invoke(cli, ["--curated-only", "partners", "tokyo", "--format", "json"])
    assert len(json.loads(curated.stdout)) < len(json.loads(world.stdout))
    assert all(
        not {"wikipedia-twin-towns", "wikidata-p190"} & set(row["sources"].split(";"))
        for row in json.loads(curated.stdout)
    )


def test_the_world_exports_parse_in_two_independent_readers(tmp_path: Path) -> None:
    """`build --world` once; its Turtle read by pyoxigraph (Rust) and rapper (raptor, C)."""
    import subprocess

    import pyoxigraph

    out = tmp_path / "world"
    result = CliRunner().invoke(cli, ["--no-cache", "build", "--world", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(WORLD_EXPORTS)
    turtle = out / "sister-cities.ttl"
    with turtle.open("rb") as handle:
        oxigraph = sum(1 for _ in pyoxigraph.parse(handle, pyoxigraph.RdfFormat.TURTLE))
    rapper = subprocess.run(
        ["rapper", "--count", "--input", "turtle", str(turtle)],
        capture_output=True,
        text=True,
        check=True,
    )
    counted = int(rapper.stderr.rsplit("returned", 1)[1].split()[0])
    assert counted == oxigraph > 300_000
    with (out / "sister-cities.nt").open("rb") as handle:
        assert sum(1 for _ in pyoxigraph.parse(handle, pyoxigraph.RdfFormat.N_TRIPLES)) == oxigraph


def test_the_cold_first_question_says_so_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal the first question (no cache yet) says that it reads the data; the
    second, from the cache, says nothing; a pipe never gets the line."""
    import os
    import pty
    import subprocess

    from helpers import SCRIPT

    env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path / "cache")}

    def stderr_on_a_terminal() -> str:
        leader, follower = pty.openpty()
        run = subprocess.run(
            [str(SCRIPT), "partners", "berlin", "--format", "csv"],
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env=env,
            timeout=120,
            check=True,
        )
        os.close(follower)
        assert run.returncode == 0
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        return b"".join(chunks).decode("utf-8")

    first = stderr_on_a_terminal()
    assert "reading cities.yaml, wikipedia.json, wikidata-2016.json (once" in first
    assert stderr_on_a_terminal() == ""
    piped = subprocess.run(
        [str(SCRIPT), "--no-cache", "partners", "berlin", "--format", "csv"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert piped.stderr == ""


def test_a_manifest_beside_other_data_is_not_trusted(tmp_path: Path) -> None:
    """Only the packaged layers' manifest is trusted: a broken layer that comes with a manifest
    giving its true SHA-256 is still checked in full."""
    layer = tmp_path / WIKIPEDIA
    text = (WORLD_DIR / WIKIPEDIA).read_text(encoding="utf-8")
    layer.write_text(text.replace('"kind": "city"', '"kind": "hamlet"', 1), encoding="utf-8")
    digest = hashlib.sha256(layer.read_bytes()).hexdigest()
    manifest = {"files": {WIKIPEDIA: {"sha256": digest}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert read_checked_layer(layer) is None
    with pytest.raises(DataError) as raised:
        load_dataset(layer)
    assert [p.rule for p in raised.value.problems if p.is_error] == ["bad-value"]


def test_a_folder_of_layers_does_not_read_its_manifest_as_data() -> None:
    result = invoke("partners", "tokyo", "--format", "json", data=WORLD_DIR)
    assert result.exit_code == 0, result.output
    assert "manifest.json" not in result.output


def test_build_layers_changes_the_layers_and_their_manifest_together(tmp_path: Path) -> None:
    """A manifest that cannot be written (a folder in its place) leaves the old layers as they
    were: the layers and the manifest that vouches for them are renamed together or not at all."""
    old = {name: f"old {name}".encode() for name in (WIKIPEDIA, WIKIDATA)}
    for name, text in old.items():
        (tmp_path / name).write_bytes(text)
    (tmp_path / "manifest.json").mkdir()
    with pytest.raises((OSError, ExportError)):
        build_world_layers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*old, "manifest.json"])
    for name, text in old.items():
        assert (tmp_path / name).read_bytes() == text
