"""No command writes over a file it reads or into a data folder it loads (issue 23): one rule
(`sistercities.files.check_output`) for `import -o`, `viz -o`, `export -o`, `build --out` and
`stats --plot`, whatever the spelling of the path (a link, a hard link, `./`, `..`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import TWINS, WIKIPEDIA, run_cli

Spelling = Callable[[Path, Path], Path]


def _as_given(data: Path, tmp: Path) -> Path:
    return data


def _dotted(data: Path, tmp: Path) -> Path:
    return data.parent / "." / ".." / data.parent.name / data.name


def _symlink(data: Path, tmp: Path) -> Path:
    link = tmp / "link-to-input"
    link.symlink_to(data)
    return link


def _hard_link(data: Path, tmp: Path) -> Path:
    other = tmp / "hard-link"
    os.link(data, other)
    return other


SPELLINGS = {"as-given": _as_given, "dotted": _dotted, "symlink": _symlink, "hard-link": _hard_link}


def _refused(args: list[str], protected: Path) -> None:
    before = protected.read_bytes()
    result = run_cli(["--no-cache", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "wrote" not in result.output
    assert protected.read_bytes() == before


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_import_never_writes_over_its_source(tmp_path: Path, spelling: str) -> None:
    source = tmp_path / "x.csv"
    source.write_bytes(WIKIPEDIA.read_bytes()[:5000].rsplit(b"\n", 1)[0] + b"\n")
    output = SPELLINGS[spelling](source, tmp_path)
    _refused(["import", "wikipedia-csv", str(source), "-o", str(output)], source)


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("command", ["viz", "export"])
def test_viz_and_export_never_write_over_the_data(
    tmp_path: Path, spelling: str, command: str
) -> None:
    data = tmp_path / "c.yaml"
    data.write_bytes(TWINS.read_bytes())
    output = SPELLINGS[spelling](data, tmp_path)
    extra = ["--format", "turtle"] if command == "export" else []
    _refused(["--data", str(data), command, *extra, "-o", str(output)], data)


def test_nothing_is_written_into_a_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "c.yaml").write_bytes(TWINS.read_bytes())
    for args in (
        ["--data", str(folder), "build", "--out", str(folder)],
        ["--data", str(folder), "build", "--out", str(folder / "sub")],
        ["--data", str(folder), "viz", "-o", str(folder / "page.html")],
        ["--data", str(folder), "export", "-o", str(folder / "out.json")],
        ["--data", str(folder), "stats", "--plot", str(folder)],
    ):
        _refused(args, folder / "c.yaml")
        assert sorted(p.name for p in folder.iterdir()) == ["c.yaml"], args
    again = run_cli(["--no-cache", "--data", str(folder), "validate"])
    assert again.exit_code == 0, again.output


def test_build_never_writes_over_a_data_file_in_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    data = out / "sister-cities.ttl"  # named like one of the exports
    data.write_bytes(TWINS.read_bytes())
    _refused(["--data", str(data), "build", "--out", str(out)], data)


def test_other_outputs_are_still_written(tmp_path: Path) -> None:
    data = tmp_path / "c.yaml"
    data.write_bytes(TWINS.read_bytes())
    page = tmp_path / "page.html"
    result = run_cli(["--no-cache", "--data", str(data), "viz", "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert page.is_file()
    out = tmp_path / "exports"
    result = run_cli(["--no-cache", "--data", str(data), "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
