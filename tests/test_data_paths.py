"""Settings and file names are input too (issue 23): ``$SISTERCITIES_DATA`` with empty entries,
and data files or folders whose names are not UTF-8, are one clear message and exit 1, never a
traceback, in every command that reads data, with and without the cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sistercities
from helpers import MINIMAL, run_cli, run_script
from sistercities.resolve import DataPathsError, data_paths

QUESTIONS = [["cities"], ["partners", "jakarta"], ["validate"], ["sparql", "ASK { ?s ?p ?o }"]]
EMPTY_ENTRIES = [":", "::", f"{MINIMAL}:", f":{MINIMAL}", f"{MINIMAL}::{MINIMAL}"]


def _one_clear_error(code: int, stderr: str) -> None:
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert len([line for line in stderr.splitlines() if line.startswith("Error")]) <= 1


@pytest.mark.parametrize("value", EMPTY_ENTRIES)
@pytest.mark.parametrize("args", QUESTIONS, ids=" ".join)
def test_empty_entries_in_sistercities_data_are_one_error(value: str, args: list[str]) -> None:
    result = run_cli(["--no-cache", *args], env={"SISTERCITIES_DATA": value})
    _one_clear_error(result.exit_code, result.stderr)
    assert "$SISTERCITIES_DATA" in result.stderr and "holds an empty entry" in result.stderr
    assert result.stdout == ""


def test_empty_entries_are_refused_by_the_library_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SISTERCITIES_DATA", ":")
    with pytest.raises(DataPathsError, match="empty entry"):
        sistercities.load()
    monkeypatch.setenv("SISTERCITIES_DATA", "")  # set and empty is unset: the packaged data
    assert data_paths() == sistercities.resolve.default_data()
    monkeypatch.setenv("SISTERCITIES_DATA", f"{MINIMAL}{os.pathsep}{MINIMAL}")
    assert data_paths() == [MINIMAL, MINIMAL]


@pytest.mark.slow
def test_an_empty_entry_as_a_real_process(tmp_path: Path) -> None:
    result = run_script("cities", env={"SISTERCITIES_DATA": ":"}, cache=tmp_path / "cache")
    _one_clear_error(result.returncode, result.stderr)
    assert "holds an empty entry" in result.stderr


BAD = os.fsdecode(b"bad\xff\xfe.yaml")  # bytes that are not UTF-8, as Python names them


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(MINIMAL, folder / "good.yaml")
    shutil.copy(MINIMAL, folder / BAD)
    return folder


def _names_the_file(stderr: str) -> None:
    assert "error[file-name]" in stderr and "not UTF-8" in stderr
    assert "bad\\udcff\\udcfe.yaml" in stderr  # escaped, never raw bytes on the terminal


@pytest.mark.parametrize("args", QUESTIONS, ids=" ".join)
@pytest.mark.parametrize("given", ["folder", "file"])
def test_a_data_file_name_that_is_not_utf8_is_one_error(
    bad_folder: Path, args: list[str], given: str
) -> None:
    data = bad_folder if given == "folder" else bad_folder / BAD
    result = run_cli(["--no-cache", "--data", str(data), *args])
    _one_clear_error(result.exit_code, result.stderr)
    _names_the_file(result.stdout if args == ["validate"] else result.stderr)  # its report


def test_a_folder_name_that_is_not_utf8_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"layers\xff")
    folder.mkdir()
    shutil.copy(MINIMAL, folder / "good.yaml")
    result = run_cli(["--no-cache", "--data", str(folder), "cities"])
    _one_clear_error(result.exit_code, result.stderr)
    assert "error[file-name]" in result.stderr and "layers\\udcff" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("how", ["--data", "SISTERCITIES_DATA"])
def test_a_file_name_that_is_not_utf8_through_the_cache(
    bad_folder: Path, tmp_path: Path, how: str
) -> None:
    """It crashed in the cache's key (the path encoded as UTF-8) before: a real process,
    with the cache on."""
    given = ["--data", str(bad_folder)] if how == "--data" else []
    env = {"SISTERCITIES_DATA": str(bad_folder)} if how != "--data" else {}
    for args in (["cities"], ["partners", "jakarta"]):
        result = run_script(*given, *args, env=env, cache=tmp_path / "cache")
        _one_clear_error(result.returncode, result.stderr)
        _names_the_file(result.stderr)
