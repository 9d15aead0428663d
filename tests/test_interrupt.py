"""Nothing half-written: an export killed midway leaves the previous file whole."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import SCRIPT

from bench.generate import generate, write_yaml

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
    from graph.export import build_files

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
