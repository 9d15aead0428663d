"""`check-list`: a curated place's official list beside what the world layers say (issue 20)."""

from __future__ import annotations

import json

from helpers import run_cli


def test_a_curated_list_beside_the_layers() -> None:
    result = run_cli(["check-list", "tokyo", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_match: dict[str, set[str]] = {}
    for row in rows:
        by_match.setdefault(row["match"], set()).add(row["name"])
    assert {"Beijing", "Jakarta", "Paris"} <= by_match["both"]
    assert "Casablanca" in by_match["only-layers"]  # Wikidata claims it; Tokyo's list has not
    assert all(row["evidence"] is None for row in rows if row["match"] == "only-curated")
    layer_rows = [row for row in rows if row["match"] == "only-layers"]
    assert all(row["status"] == "listed" and row["evidence"] for row in layer_rows)
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"{len(by_match['both'])} both, ")
    assert "complete as of 2015-10-14/.." in summary


def test_an_unknown_place_is_one_clear_error() -> None:
    result = run_cli(["check-list", "nowhere at all"])
    assert result.exit_code == 1
    assert "no place is called 'nowhere at all'" in result.stderr
    assert "Traceback" not in result.output
