"""The command line: help, version, validate, schema and build, in-process and as a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sistercities
from helpers import DATA, MINIMAL, ROOT, run_cli, run_script
from sistercities.cli import cli
from sistercities.export import BUILD_FILES

COMMANDS = sorted(cli.commands)


def test_version() -> None:
    result = run_cli(["--version"])
    assert result.exit_code == 0
    assert result.output == f"sistercities, version {sistercities.__version__}\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run_cli([command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"sistercities {command}" in result.output


def test_validate_the_curated_data_prints_counts_and_exits_0() -> None:
    result = run_cli(["validate", "--data", str(DATA)])
    assert result.exit_code == 0, result.output
    summary = result.output.splitlines()[-1]
    counts = sistercities.load_dataset(DATA).counts()
    assert summary.startswith(
        f"{DATA}: {counts['places']} places, {counts['partnerships']} partnerships"
    )
    assert "0 errors" in summary
    # only warnings, grouped: a line a rule, then its first places
    assert all(line.startswith(("warning[", "  ")) for line in result.output.splitlines()[:-1])


def test_validate_json_parses_and_counts() -> None:
    result = run_cli(["validate", "--data", str(MINIMAL), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["ok"] is True
    assert report["counts"] == {
        "sources": 1,
        "areas": 2,
        "places": 3,
        "partnerships": 2,
        "officials": 1,
        "events": 1,
        "visits": 1,
        "agreements": 1,
    }
    assert report["problems"] == []


def test_data_from_the_environment_and_from_the_group_option(tmp_path: Path) -> None:
    by_env = run_cli(["validate"], env={"SISTERCITIES_DATA": str(MINIMAL)})
    assert by_env.exit_code == 0
    assert by_env.output.splitlines()[-1].startswith(f"{MINIMAL}: 3 places")
    by_group = run_cli(["--data", str(MINIMAL), "validate"])
    assert by_group.output.splitlines()[-1].startswith(f"{MINIMAL}: 3 places")


def test_a_directory_of_files_is_merged(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    head, _, tail = text.partition("partnerships:")
    (tmp_path / "a.yaml").write_text(head, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("partnerships:" + tail, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not data", encoding="utf-8")
    result = run_cli(["validate", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "3 places, 2 partnerships, 1 officials, 1 visits" in result.output


@pytest.mark.slow
def test_build_writes_every_export_and_says_where(tmp_path: Path) -> None:
    result = run_cli(["build", "--data", str(MINIMAL), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(BUILD_FILES)
    for name in BUILD_FILES:
        assert f"wrote {tmp_path / name}" in result.output


def test_committed_exports_are_current(tmp_path: Path) -> None:
    """`exports/` must be rebuilt and committed whenever the data or the exporters change."""
    result = run_cli(["build", "--data", str(DATA), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in BUILD_FILES:
        committed = ROOT / "exports" / name
        assert committed.read_bytes() == (tmp_path / name).read_bytes(), (
            f"exports/{name} is stale: run `sistercities build` and commit"
        )


@pytest.mark.slow
def test_build_is_byte_identical_across_runs(tmp_path: Path) -> None:
    run_cli(["build", "--data", str(DATA), "--out", str(tmp_path / "one")])
    run_cli(["build", "--data", str(DATA), "--out", str(tmp_path / "two")])
    for name in BUILD_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_build_on_bad_data_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("cities:\n  - id: x\n    name: X\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(["build", "--data", str(bad), "--out", str(out)])
    assert result.exit_code == 1
    assert f"{bad}:2:5: error[missing-key]: place 'x' has no 'kind'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_schema_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    result = run_cli(["schema", "-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == sistercities.json_schema()


def test_usage_error_exits_2() -> None:
    result = run_cli(["validate", "--format", "yaml"])
    assert result.exit_code == 2


@pytest.mark.slow
def test_console_script_validates_and_builds_as_a_subprocess(tmp_path: Path) -> None:
    validated = run_script("validate", "--data", str(DATA), cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    assert "0 errors" in validated.stdout
    built = run_script("build", "--data", str(DATA), "--out", "exports", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "exports" / "partnerships.csv").is_file()
    assert built.stdout.splitlines() == [f"wrote {Path('exports') / name}" for name in BUILD_FILES]


def test_console_script_without_data_in_cwd_uses_the_embedded_data(tmp_path: Path) -> None:
    result = run_script("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith(str(sistercities.DEFAULT_DATA))


def test_console_script_bad_data_gives_one_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("cities: [\n", encoding="utf-8")
    result = run_script("build", "--data", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bad}:2:1: error[yaml-syntax]" in result.stderr
    assert result.stdout == ""


def test_validate_groups_warnings_by_rule_and_verbose_lists_each() -> None:
    short = run_cli(["validate", "--data", str(DATA)])
    assert short.exit_code == 0, short.output
    lines = short.stdout.splitlines()
    count = sum("warning[no-start-date]" in line for line in lines)
    assert count == 1, "one header line for the rule"
    header = next(line for line in lines if line.startswith("warning[no-start-date] × "))
    total = int(header.split("× ")[1].split(":")[0])
    assert total > 3
    assert sum(line.startswith(f"  {DATA}:") and "no 'since'" in line for line in lines) == 3
    assert f"  … and {total - 3} more (--verbose lists each)" in lines
    verbose = run_cli(["validate", "--data", str(DATA), "--verbose"]).stdout.splitlines()
    each = [line for line in verbose if "warning[no-start-date]" in line]
    assert len(each) == total
    assert verbose[-1] == lines[-1]  # the same counts line


def test_validate_prints_every_error_even_without_verbose() -> None:
    broken = ROOT / "tests" / "fixtures" / "broken.yaml"
    result = run_cli(["validate", "--data", str(broken)])
    assert result.exit_code == 1
    assert sum(": error[" in line for line in result.stdout.splitlines()) == 3


def test_choices_come_from_the_registries() -> None:
    from sistercities.export import FORMATS
    from sistercities.importers import IMPORTERS

    export_help = run_cli(["export", "--help"]).stdout
    assert all(name in export_help for name in FORMATS)
    import_usage = run_cli(["import", "nope", "x.csv", "-o", "out.yaml"])
    assert import_usage.exit_code == 2
    assert all(name in import_usage.stderr for name in IMPORTERS)
