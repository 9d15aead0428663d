"""What the tests share: the repository's paths, and runners of the command line (in-process
with click's runner, or the installed console script as a real process).

Test modules import the names they use (``from helpers import DATA, invoke``); the fixtures are
in conftest.py (they need no import), the real SPARQL stores in stores.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sistercities.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "cities.yaml"
FIXTURES = ROOT / "tests" / "fixtures"
MINIMAL = FIXTURES / "minimal.yaml"
TWINS = FIXTURES / "twins.yaml"
TEST_DATA = ROOT / "data" / "world" / "sources"
WIKIPEDIA = TEST_DATA / "twin_cities_wikipedia.csv"
GOLDEN_DIR = ROOT / "tests" / "golden"
BIN = Path(sys.executable).parent
SCRIPT = BIN / "sistercities"
# Tables fit the terminal: the tests' terminal is 100 columns wide, whatever runs them.
TERMINAL = {"COLUMNS": "100"}


def run_cli(
    args: Sequence[str], *, input: str | None = None, env: dict[str, str] | None = None
) -> Result:
    """Run the command line in-process with exactly `args`."""
    return CliRunner().invoke(cli, list(args), input=input, env={**TERMINAL, **(env or {})})


def invoke(
    *args: str,
    data: Path | None = DATA,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """Run the command line in-process on `data` (None: the default), without the cache."""
    given = ["--data", str(data)] if data is not None else []
    return run_cli(["--no-cache", *given, *args], input=input, env=env)


def ok(*args: str, data: Path = DATA) -> str:
    """stdout of a command that must succeed silently (but for the one line that says a
    place's list of partners is not known to be complete)."""
    result = invoke(*args, data=data)
    assert result.exit_code == 0, result.output
    assert not_coverage_notes(result.stderr) == []
    return result.stdout


def not_coverage_notes(stderr: str) -> list[str]:
    """The lines of stderr that are not the ones saying what an answer is: where a place's
    ties come from and whether its list is complete, what the evidence marks mean, and how
    many ties were left out."""
    note = re.compile(
        r": ties from .*; (not checked against|not complete as of|complete as of)"
        r"|^evidence: |^left out: \d+ ties? of weak evidence"
    )
    return [line for line in stderr.splitlines() if not note.search(line)]


def as_json(*args: str, data: Path = DATA) -> Any:
    """The parsed JSON answer of a command that must succeed (for `partners`, its rows)."""
    answer = json.loads(ok(*args, "--format", "json", data=data))
    return answer["partners"] if args and args[0] == "partners" else answer


def partner_rows(text: str) -> list[dict[str, Any]]:
    """The rows of a `partners --format json` answer (the answer says more: the place, its
    coverage, what was left out)."""
    rows: list[dict[str, Any]] = json.loads(text)["partners"]
    return rows


def failure(*args: str, data: Path = DATA) -> str:
    """stderr of a command that must exit 1 with one clear message and no traceback."""
    result = invoke(*args, data=data)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


def run_script(
    *args: str,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    cache: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``sistercities`` script for real (its cache in `cache`, if given)."""
    extra = {"SISTERCITIES_CACHE_DIR": str(cache)} if cache is not None else {}
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **TERMINAL, **extra, **(env or {})},
        check=False,
    )


def outcome(*args: str, data: Path | None = DATA, input: str | None = None) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of `invoke`."""
    result = invoke(*args, data=data, input=input)
    return result.exit_code, result.stdout, result.stderr
