"""Many files stay readable (issue 23): a folder of 5,000 data files, or 5,000 paths, gives
summary lines and messages of bounded length, never a line that lists every file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import SCRIPT, run_cli
from hypothesis import given
from hypothesis import strategies as st
from sistercities.text import MAX_SHOWN_CHARS, SHOWN_NAMES, shortened, some_of

# characters: a summary line, however many files there are (three names of at most 80
# characters, the counts)
MAX_LINE = 3 * MAX_SHOWN_CHARS + 200

SEED = "sources:\n  - id: seed\n    title: Seed\n"


def _place(number: int) -> str:
    return (
        f"cities:\n  - id: p{number}\n    name: P{number}\n    kind: city\n"
        "    country: ID\n    sources: [seed]\n"
    )


def _folder(tmp_path: Path, files: int, name: str = "many") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "a-seed.yaml").write_text(SEED, encoding="utf-8")
    for number in range(1, files):
        (folder / f"place-with-a-long-file-name-{number:05d}.yaml").write_text(
            _place(number), encoding="utf-8"
        )
    return folder


def _longest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def test_a_folder_of_many_files_is_one_short_summary_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 400)
    result = run_cli(["--no-cache", "--data", str(folder), "validate"])
    assert result.exit_code == 0, result.output
    (summary,) = result.stdout.splitlines()
    assert summary.startswith(f"{shortened(f'{folder} (400 files)')}: 399 places")
    assert len(summary) < MAX_LINE


def test_many_paths_are_counted_not_listed(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 50)
    given = [a for path in sorted(folder.iterdir()) for a in ("--data", str(path))]
    result = run_cli(["--no-cache", "validate", *given])
    assert result.exit_code == 0, result.output
    (summary,) = result.stdout.splitlines()
    assert summary.startswith("50 files: ") and "and 47 more paths: 49 places" in summary
    assert len(summary) < MAX_LINE


def test_a_few_files_are_still_named_each(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 3)
    result = run_cli(["--no-cache", "--data", str(folder), "validate"])
    files = ", ".join(str(p) for p in sorted(folder.iterdir()))
    assert result.stdout.startswith(f"{files}: 2 places"), result.stdout


def test_an_import_of_many_files_has_a_short_default_title(tmp_path: Path) -> None:
    sources = []
    for number in range(40):
        path = tmp_path / f"pairs-{number:03d}.csv"
        path.write_text(
            "from,from_cc,y1,x1,to,to_cc,y2,x2\n"
            f"A{number},France,45.0,1.0,B{number},France,46.0,2.0\n",
            encoding="utf-8",
        )
        sources.append(str(path))
    out = tmp_path / "out.yaml"
    columns = "city1=from,country1=from_cc,lat1=y1,lon1=x1,city2=to,country2=to_cc,lat2=y2,lon2=x2"
    result = run_cli(["import", "csv", *sources, "-o", str(out), "--columns", columns])
    assert result.exit_code == 0, result.output
    title = next(line for line in out.read_text().splitlines() if "title:" in line)
    assert "pairs-000.csv, pairs-001.csv, pairs-002.csv and 37 more files" in title
    assert len(title) < MAX_LINE


@pytest.mark.slow
def test_a_folder_of_5000_files_as_a_real_process(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 5000)
    env = {**os.environ, "SISTERCITIES_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "100"}
    for command in (["validate"], ["validate", "--verbose"], ["cities"], ["stats"]):
        result = subprocess.run(
            [str(SCRIPT), "--data", str(folder), *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert _longest(result.stderr) < MAX_LINE, command
        if command[0] == "validate":
            assert _longest(result.stdout) < MAX_LINE, command
            assert f"{shortened(f'{folder} (5,000 files)')}: 4999 places" in result.stdout


@given(st.lists(st.text(max_size=500), max_size=50), st.integers(0, 5))
def test_a_bounded_list_is_bounded_whatever_the_names(names: list[str], shown: int) -> None:
    line = some_of(names, shown)
    bound = shown * (MAX_SHOWN_CHARS + 2) + 40
    assert len(line) <= bound
    if len(names) <= shown:
        assert line == ", ".join(shortened(n) for n in names)
    else:
        assert line.endswith(f"and {len(names) - shown:,} more")


@given(st.text(max_size=1000), st.integers(3, 200))
def test_shortened_keeps_both_ends(text: str, limit: int) -> None:
    short = shortened(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        cut = (limit - 1) // 2  # the text may hold "…" itself: cut where it was cut
        head, mark, tail = short[:cut], short[cut], short[cut + 1 :]
        assert mark == "…" and text.startswith(head) and text.endswith(tail)


def test_the_default_count_of_names_is_three() -> None:
    assert SHOWN_NAMES == 3
