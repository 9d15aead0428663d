"""The package carries its data: a built wheel, installed into a fresh virtual environment,
answers from an empty folder (no checkout, no data/ beside it)."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds and installs the wheel

ROOT = Path(__file__).resolve().parent.parent


def test_the_installed_wheel_answers_from_an_empty_folder(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "__pycache__", "test-artifacts", "exports-*"
        ),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("sistercities-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "sistercities/cli.py",
        "sistercities/__main__.py",
        "sistercities/py.typed",
        "sistercities/data/cities.yaml",
        "sistercities/data/world/world.json",
        "sistercities/data/world/manifest.json",
    } <= names
    # One top-level name in site-packages: the package and its metadata, nothing else.
    top_level = {name.split("/")[0] for name in names}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"sistercities"}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The dependencies come from this environment (no download in a test): a .pth line adds
    # its site-packages after the fresh one, so `sistercities` is the wheel's.
    fresh_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(fresh_site, "dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SISTERCITIES")},
        "SISTERCITIES_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": "",
    }
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import sistercities, sistercities.cli; print(sistercities.__file__);"
            " print(sistercities.cli.__file__); print(sistercities.DEFAULT_DATA)",
        ],
        cwd=empty,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all(path.startswith(fresh_site) for path in where), where
    answer = subprocess.run(
        [str(venv / "bin" / "sistercities"), "partners", "tokyo", "--format", "json"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
    )
    assert answer.returncode == 0, answer.stderr
    rows = json.loads(answer.stdout)["partners"]
    assert len(rows) >= 10
    assert all(row["sources"] for row in rows)
    as_module = subprocess.run(
        [str(python), "-m", "sistercities", "partners", "tokyo", "--format", "json"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
    )
    assert as_module.returncode == 0, as_module.stderr
    assert json.loads(as_module.stdout)["partners"] == rows
    # The library's load() answers from the same data, from the same folder.
    loaded = subprocess.run(
        [
            str(python),
            "-c",
            "import sistercities; d = sistercities.load(); print(sistercities.__file__);"
            " print(len(d.places)); print(repr(d)); print(sistercities.data_paths()[0])",
        ],
        cwd=empty,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert loaded[0].startswith(fresh_site)
    assert int(loaded[1]) > 20_000  # the curated file with the world layers under it
    assert loaded[2].startswith("<Dataset: ") and len(loaded[2]) < 200
    assert loaded[3].startswith(fresh_site) and loaded[3].endswith("cities.yaml")
    everything = subprocess.run(
        [str(venv / "bin" / "sistercities"), "cities", "--format", "json"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
    )
    assert len(json.loads(everything.stdout)) == int(loaded[1])
