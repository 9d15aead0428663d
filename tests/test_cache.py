"""The cache of parsed data (issue 4), and the fast start it gives: a question imports no RDF
or visualisation library."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import DATA, ROOT, TWINS, invoke, run_cli, run_script

import graph
import graph.cache
from graph.load import data_files


def cached_invoke(*args: str, data: Path) -> Result:
    """Run the command line in-process, using the cache."""
    return run_cli(["--data", str(data), *args])


# ---------------------------------------------------------------------------------------------
# the cache


def test_a_second_run_is_answered_from_the_cache(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "cities.yaml"
    data.write_bytes(DATA.read_bytes())
    first = cached_invoke("partners", "jakarta", "--format", "json", data=data)
    assert first.exit_code == 0, first.output
    entries = list(cache_dir.glob("*.pickle"))
    assert len(entries) == 1

    def must_not_parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the data was parsed again instead of read from the cache")

    monkeypatch.setattr(graph.cache, "load_layers", must_not_parse)
    second = cached_invoke("partners", "jakarta", "--format", "json", data=data)
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    assert list(cache_dir.glob("*.pickle")) == entries


def test_the_cache_is_what_answers(cache_dir: Path, tmp_path: Path) -> None:
    """A planted entry under the right key is believed (so the cache is read) — and ignored
    with --no-cache."""
    data = tmp_path / "twins.yaml"
    data.write_bytes(TWINS.read_bytes())
    dataset = graph.load_dataset(data)
    lyon = dataclasses.replace(dataset.places["lyon"], name="Planted Lyon")
    planted = dataclasses.replace(dataset, places={**dataset.places, "lyon": lyon})
    files, problems = data_files([data])
    assert not problems
    key = graph.cache.cache_key(files)
    cache_dir.mkdir(parents=True)
    entry = graph.cache.cache_entry(planted)
    (cache_dir / f"{key}.pickle").write_bytes(pickle.dumps((key, entry)))

    cached = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert [r["name"] for r in json.loads(cached.stdout)] == [
        "Casablanca",
        "Planted Lyon",
        "Casablanca",
    ]
    fresh = invoke("partners", "kyiv", "--format", "json", data=data)
    assert [r["name"] for r in json.loads(fresh.stdout)] == ["Casablanca", "Lyon", "Casablanca"]


@pytest.mark.parametrize(
    "keep_size_and_mtime", [False, True], ids=["edited", "same-size-same-mtime"]
)
def test_changing_the_data_gives_the_new_answer(
    cache_dir: Path, tmp_path: Path, keep_size_and_mtime: bool
) -> None:
    data = tmp_path / "twins.yaml"
    data.write_bytes(TWINS.read_bytes())
    before = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert "Lyon" in [r["name"] for r in json.loads(before.stdout)]
    stat = data.stat()
    text = data.read_text(encoding="utf-8")
    if keep_size_and_mtime:
        data.write_text(text.replace("name: Lyon", "name: Lyom"), encoding="utf-8")
        os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert data.stat().st_size == stat.st_size
        assert data.stat().st_mtime_ns == stat.st_mtime_ns
        new_name = "Lyom"
    else:
        data.write_text(text.replace("name: Lyon", "name: Lugdunum"), encoding="utf-8")
        os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        new_name = "Lugdunum"
    after = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert after.exit_code == 0, after.output
    assert [r["name"] for r in json.loads(after.stdout)] == ["Casablanca", new_name, "Casablanca"]
    # and a third run is answered from the new entry, with the new answer
    again = cached_invoke("partners", "kyiv", "--format", "json", data=data)
    assert again.stdout == after.stdout


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\xffgarbage bytes \x80\x04", b"", pickle.dumps(("not the key", None)), pickle.dumps(42)],
    ids=["garbage", "empty", "wrong-key", "wrong-type"],
)
def test_a_corrupt_cache_entry_is_rebuilt_silently(
    cache_dir: Path, tmp_path: Path, garbage: bytes
) -> None:
    data = tmp_path / "cities.yaml"
    data.write_bytes(DATA.read_bytes())
    first = cached_invoke("common", "jakarta", "istanbul", data=data)
    (entry,) = cache_dir.glob("*.pickle")
    entry.write_bytes(garbage)
    second = cached_invoke("common", "jakarta", "istanbul", data=data)
    assert second.exit_code == 0, second.output
    assert second.stderr == ""
    assert second.stdout == first.stdout
    key, stored = pickle.loads(entry.read_bytes())  # rewritten, whole again
    assert entry.stem == key
    assert set(stored["sections"]) == set(graph.Dataset.SECTIONS)


def test_a_corrupt_cache_entry_is_rebuilt_silently_by_the_script(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run_script("partners", "jakarta", "--format", "csv", cache=cache)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(os.urandom(512))
    second = run_script("partners", "jakarta", "--format", "csv", cache=cache)
    assert second.returncode == 0
    assert second.stderr == ""
    assert second.stdout == first.stdout


def test_no_cache_neither_reads_nor_writes_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_cache_please(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("--no-cache touched the cache")

    monkeypatch.setattr(graph.cache, "cache_key", no_cache_please)
    monkeypatch.setattr(graph.cache, "cache_dir", no_cache_please)
    result = invoke("partners", "jakarta", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 28
    assert not cache_dir.exists()


def test_no_cache_by_the_script_and_by_the_environment(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    flag = run_script("--no-cache", "partners", "jakarta", cache=cache)
    by_env = run_script("partners", "jakarta", cache=cache, env={"SISTERCITIES_NO_CACHE": "1"})
    assert flag.returncode == by_env.returncode == 0
    assert flag.stdout == by_env.stdout
    assert not cache.exists() or not any(cache.iterdir())


# ---------------------------------------------------------------------------------------------
# fast start: a question imports no RDF or visualisation library

HEAVY = {"rdflib", "pyvis", "pyshacl", "pyoxigraph"}


def imported_packages(stderr: str) -> set[str]:
    """Top-level packages named in `python -X importtime` lines."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    return names


def test_a_question_imports_no_rdf_library(tmp_path: Path) -> None:
    program = (
        "import sys, cli; "
        "sys.argv = ['sistercities', 'partners', 'jakarta', '--format', 'json']; "
        "cli.main()"
    )
    for run in ("cold", "warm"):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", program],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path)},
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert len(json.loads(result.stdout)) >= 22  # the world layers add ties
        packages = imported_packages(result.stderr)
        assert {"click", "graph", "cli"} <= packages, run  # the parsing works
        assert not packages & HEAVY, f"{run} run imported {sorted(packages & HEAVY)}"
