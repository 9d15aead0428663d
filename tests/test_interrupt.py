"""Nothing half-written: an export killed midway leaves the previous file whole."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sistercities
from helpers import DATA, SCRIPT

from bench.generate import generate, write_yaml

pytestmark = pytest.mark.slow  # real processes killed midway

OLD = b"@prefix old: <https://example.org/old#> .\nold:file old:is old:intact .\n"


@pytest.fixture(scope="module")
def big_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "world.yaml"
    write_yaml(generate(5_000, 12_000, 1_000), path)
    return path


def _export_until_writing(data: Path, target: Path) -> subprocess.Popen[bytes]:
    """Start an export and return once its temporary file has appeared."""
    process = subprocess.Popen(
        [str(SCRIPT), "--no-cache", "--data", str(data), "export", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(target.parent.glob(f".{target.name}.*.tmp")):
        assert process.poll() is None, "the export ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    return process


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_export_keeps_the_old_file_and_cleans_up(
    big_data: Path, tmp_path: Path, signum: int
) -> None:
    target = tmp_path / "sister-cities.ttl"
    target.write_bytes(OLD)
    process = _export_until_writing(big_data, target)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert b"Traceback" not in stderr
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_killed_export_keeps_the_old_file(big_data: Path, tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the temporary file may stay, but the old file is whole."""
    target = tmp_path / "sister-cities.ttl"
    target.write_bytes(OLD)
    process = _export_until_writing(big_data, target)
    process.kill()
    process.communicate(timeout=60)
    assert target.read_bytes() == OLD


def test_an_export_that_is_not_interrupted_replaces_the_file(
    big_data: Path, tmp_path: Path
) -> None:
    target = tmp_path / "sister-cities.ttl"
    target.write_bytes(OLD)
    subprocess.run(
        [str(SCRIPT), "--no-cache", "--data", str(big_data), "export", "-o", str(target)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert target.read_bytes().startswith(b"@prefix")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_an_interrupted_build_keeps_every_old_export_and_cleans_up(
    big_data: Path, tmp_path: Path
) -> None:
    """Interrupted while writing its third file, with two written and waiting: no file of the
    batch is renamed into place, and every temporary file is removed."""
    from sistercities.export import build_files

    names = list(build_files(None, None))
    for name in names:
        (tmp_path / name).write_bytes(OLD + name.encode())
    process = subprocess.Popen(
        [str(SCRIPT), "--no-cache", "--data", str(big_data), "build", "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(f".{names[2]}.*.tmp")):
        assert process.poll() is None, "the build ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    assert len(list(tmp_path.glob(".*.tmp"))) == 3  # two written, waiting for the third
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert b"Traceback" not in stderr and stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    for name in names:
        assert (tmp_path / name).read_bytes() == OLD + name.encode()


# ---------------------------------------------------------------------------------------------
# a runaway local query (issue 16): pyoxigraph holds the thread, so the query runs in a child

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


@pytest.mark.parametrize("stop", ["timeout", "SIGINT", "SIGTERM"])
def test_a_runaway_local_query_stops_with_one_message(stop: str) -> None:
    timeout = ["--timeout", "1"] if stop == "timeout" else []
    process = subprocess.Popen(
        [str(SCRIPT), "--data", str(DATA), "sparql", *timeout, RUNAWAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: to see that the query's child is gone
    )
    started = time.monotonic()
    if stop != "timeout":
        while not _children(process.pid):  # the query is running in its child
            assert process.poll() is None and time.monotonic() - started < 30
            time.sleep(0.02)
        time.sleep(0.3)
        started = time.monotonic()
        process.send_signal(getattr(signal, stop))  # to the parent only, as `kill` does
    stdout, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < (4 if stop == "timeout" else 3)
    assert process.returncode == 1
    assert stdout == ""
    expected = (
        "Error: the query was stopped: it ran past its time limit of 1 s (--timeout)"
        if stop == "timeout"
        else "Error: the query was stopped: interrupted"
    )
    assert stderr.splitlines() == [expected]
    with pytest.raises(ProcessLookupError):  # the query's child was killed, not orphaned
        os.killpg(process.pid, 0)


def test_a_killed_sparql_leaves_no_query_running() -> None:
    """SIGKILL cannot be caught: the query's child dies with its parent (PR_SET_PDEATHSIG)."""
    process = subprocess.Popen(
        [str(SCRIPT), "--data", str(DATA), "sparql", RUNAWAY],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started = time.monotonic()
    while not (children := _children(process.pid)):
        assert process.poll() is None and time.monotonic() - started < 30
        time.sleep(0.02)
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{children[0]}").exists():  # reaped by init once killed
        assert time.monotonic() < deadline, "the query's child outlived its parent"
        time.sleep(0.05)


def test_a_local_query_past_its_memory_limit_is_one_error() -> None:
    from sistercities.sparql import SparqlError, run_query

    dataset = sistercities.load_dataset(DATA)
    sort = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f LIMIT 1"
    with pytest.raises(
        SparqlError, match=r"^the query failed: it ran out of memory \(its limit: 100 MiB beyond"
    ):
        run_query(dataset, sort, timeout=20, memory_limit=100 << 20)
    assert run_query(dataset, "ASK { ?s ?p ?o }", timeout=20, memory_limit=100 << 20).boolean


def _under_ulimit(kib: int, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a real process under an address-space limit (``ulimit -v``)."""
    import shlex

    command = " ".join(shlex.quote(a) for a in (str(SCRIPT), "--no-cache", *args))
    return subprocess.run(
        ["bash", "-c", f"ulimit -v {kib} && exec {command}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("kib", [1_500_000, 8_000_000], ids=["1.5GB", "8GB"])
def test_local_queries_run_under_an_address_space_limit(kib: int) -> None:
    """The child never asks for more address space than the hard limit in force (it did,
    and every query failed with no reason)."""
    result = _under_ulimit(kib, "--data", str(DATA), "sparql", "ASK { ?s ?p ?o }")
    assert result.returncode == 0, result.stderr
    assert "true" in result.stdout


def test_a_query_stopped_by_the_ulimit_names_it() -> None:
    sort = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f LIMIT 1"
    result = _under_ulimit(1_500_000, "--data", str(DATA), "sparql", sort)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the query failed: it ran out of memory (its limit: ")
    assert "ulimit -v" in result.stderr
    assert "Traceback" not in result.stderr
