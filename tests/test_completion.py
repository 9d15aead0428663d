"""Shell completion (click's) of commands, options and place names in the data named by
--data or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from helpers import (
    ROOT,
    TWINS,
    run_script,
)
from sistercities.cli import cli

# ---------------------------------------------------------------------------------------------
# shell completion


@pytest.mark.slow
def test_bash_completion_of_a_city_name_by_the_script(tmp_path: Path) -> None:
    result = run_script(
        cache=tmp_path,
        env={
            "_SISTERCITIES_COMPLETE": "bash_complete",
            "COMP_WORDS": "sistercities partners jak",
            "COMP_CWORD": "2",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "plain,jakarta" in result.stdout.splitlines()
    assert "Traceback" not in result.stderr


def completions(args: list[str], incomplete: str) -> list[str]:
    complete = ShellComplete(cli, {}, "sistercities", "_SISTERCITIES_COMPLETE")
    return [item.value for item in complete.get_completions(args, incomplete)]


@pytest.mark.parametrize(
    ("args", "incomplete", "expected"),
    [
        (["--curated-only", "partners"], "jak", ["jakarta"]),
        (["--curated-only", "partners"], "KIE", ["kyiv"]),
        (["--curated-only", "show"], "casab", ["casablanca", "casablanca-settat"]),
        (["--curated-only", "path", "jakarta"], "bord", ["bordeaux"]),
        (["--curated-only", "visits", "--city"], "casab", ["casablanca", "casablanca-settat"]),
        (["visits", "--official"], "anies", ["anies-baswedan"]),
        (["partners"], "zzz", []),
    ],
)
@pytest.mark.slow
def test_completion_of_names(
    args: list[str],
    incomplete: str,
    expected: list[str],
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SISTERCITIES_DATA", raising=False)
    assert completions(args, incomplete) == expected


@pytest.mark.slow
def test_completion_by_default_reaches_the_world_and_its_other_names(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SISTERCITIES_DATA", raising=False)
    found = completions(["partners"], "jak")
    assert {"jakarta", "jakobstad-fi"} <= set(found)  # the world layer by default
    assert "ilulissat-gl" in found  # by another name: Jakobshavn


def test_completion_follows_the_data_environment_variable(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SISTERCITIES_DATA", str(TWINS))
    assert completions(["partners"], "sa") == ["sao-paulo"]


@pytest.mark.parametrize(
    "args",
    [["--data", str(TWINS), "partners"], ["partners", "--data", str(TWINS)]],
    ids=["group-option", "command-option"],
)
def test_completion_follows_the_data_option(
    args: list[str], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SISTERCITIES_DATA", raising=False)
    assert completions(args, "sa") == ["sao-paulo"]
