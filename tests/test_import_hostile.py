"""Hostile import sources (tests/bad_inputs/imports/, and a few generated here): `import`
never shows a traceback; it refuses a file with one message naming the file and the line or
position, writing nothing, or it writes an output that validates and says on stderr which
rows it dropped, why and where. Import options are checked before any source is read.

Most cases run in-process (click's runner); the long-name, deep-nesting and oversized-field
cases run as real processes with a timeout, so a regression (a pattern that backtracks) fails
instead of hanging.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT, SCRIPT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sistercities.load import validate

CORPUS = ROOT / "tests" / "bad_inputs" / "imports"
TIMEOUT = 20  # seconds, for what takes about one


@dataclass(frozen=True)
class Refused:
    """The file is refused: exit 1, this text (after the file's name) in the message."""

    says: str


@dataclass(frozen=True)
class Imported:
    """The file is imported: exit 0, these ties, and these lines in the report."""

    ties: int
    says: tuple[str, ...] = ()


def _format(name: str) -> str:
    suffix = name.rsplit(".", 1)[1]
    return {"csv": "wikipedia-csv", "tsv": "wikidata", "json": "wikidata"}.get(suffix, suffix)


CASES: dict[str, Refused | Imported] = {
    "csv-broken-quote.csv": Refused(":3: a quote opened in this row is never closed"),
    "csv-broken-quote-last-row.csv": Refused(":4: a quote opened in this row is never closed"),
    "csv-broken-quote-closed-later.csv": Refused(
        ":3: the quote of field 1 opens on this line and is not closed before the line ends "
        "(it runs to line 5"
    ),
    "csv-text-after-closing-quote.csv": Refused(":3: broken quoting"),
    "csv-not-utf8.csv": Refused(":3: byte 0xed is not UTF-8"),
    "csv-missing-columns.csv": Refused(":1: missing columns lat1, lng1, lat2, lng2"),
    "csv-empty.csv": Refused(":1: missing columns city1"),
    "csv-bom.csv": Imported(2),
    "csv-nul-bytes.csv": Imported(
        2, ("dropped, a NUL byte in a field: 1 (at csv-nul-bytes.csv:3)",)
    ),
    "csv-wrong-field-count.csv": Imported(
        1,
        (
            "dropped, a row whose number of fields is not the header's: 2 "
            "(at csv-wrong-field-count.csv:3, csv-wrong-field-count.csv:4)",
        ),
    ),
    "csv-bad-coordinates.csv": Imported(
        1,
        (
            "dropped, coordinates out of range (or not finite): 3 (at csv-bad-coordinates.csv:4, "
            "csv-bad-coordinates.csv:5, csv-bad-coordinates.csv:6)",
            "dropped, coordinates that are not numbers: 1 (at csv-bad-coordinates.csv:3)",
        ),
    ),
    "csv-control-characters-in-names.csv": Imported(2),
    "csv-unwritable-characters-in-names.csv": Imported(2),
    "tsv-not-qids.tsv": Imported(
        1,
        (
            "dropped, not a QID: 5 (at tsv-not-qids.tsv:3, tsv-not-qids.tsv:4, "
            "tsv-not-qids.tsv:5, …)",
        ),
    ),
    "json-top-level-list.json": Refused(": not SPARQL JSON results: the top level is list"),
    "json-bindings-not-a-list.json": Refused(": results.bindings: expected a list of rows"),
    "json-results-null.json": Refused(": results: expected an object holding 'bindings'"),
    "json-not-json.json": Refused(": not JSON ('Expecting value: line 1 column 27"),
    "json-wrong-shapes.json": Imported(
        1,
        (
            "dropped, a NUL character in a value: 1 "
            "(at json-wrong-shapes.json: results.bindings[17].itemLabel)",
            "dropped, a date that is not YYYY-MM-DD…: 1 "
            "(at json-wrong-shapes.json: results.bindings[15].end)",
            "dropped, a malformed point (not Point(lon lat)): 2 "
            "(at json-wrong-shapes.json: results.bindings[8].coord, "
            "json-wrong-shapes.json: results.bindings[9].twinCoord)",
            "dropped, a point out of range: 2 "
            "(at json-wrong-shapes.json: results.bindings[10].coord, "
            "json-wrong-shapes.json: results.bindings[11].coord)",
            "dropped, a row that is not an object: 4 "
            "(at json-wrong-shapes.json: results.bindings[1], "
            "json-wrong-shapes.json: results.bindings[2], "
            "json-wrong-shapes.json: results.bindings[3], …)",
            "dropped, a value not of the form {'value': '…'}: 4 "
            "(at json-wrong-shapes.json: results.bindings[5].item, "
            "json-wrong-shapes.json: results.bindings[6].item, "
            "json-wrong-shapes.json: results.bindings[7].item, …)",
            "dropped, an impossible date: 3 "
            "(at json-wrong-shapes.json: results.bindings[12].start, "
            "json-wrong-shapes.json: results.bindings[13].start, "
            "json-wrong-shapes.json: results.bindings[14].start)",
            "dropped, not a QID: 1 (at json-wrong-shapes.json: results.bindings[16].item)",
        ),
    ),
    "graphml-billion-laughs.graphml": Refused(": a DTD (<!DOCTYPE …>) is not read"),
    "graphml-external-entity.graphml": Refused(": a DTD (<!DOCTYPE …>) is not read"),
    "graphml-malformed.graphml": Refused(
        ": not a readable graph (ParseError: 'mismatched tag: line 5"
    ),
    "graphml-integer-population-inf.graphml": Refused(
        ": not a readable graph (ValueError: \"invalid literal for int() with base 10: 'INF'\")"
    ),
    "graphml-non-finite-numbers.graphml": Imported(
        2,
        (
            "dropped, coordinates out of range (or not finite): 3 "
            "(at graphml-non-finite-numbers.graphml: edge 2 ('jkt'–'inf'), "
            "graphml-non-finite-numbers.graphml: edge 4 ('la'–'nan'), "
            "graphml-non-finite-numbers.graphml: edge 5 ('bdx'–'far'))",
        ),
    ),
    "gexf-malformed.gexf": Refused(": not a readable graph (ParseError: 'no element found: line 3"),
    "gexf-latitude-500.gexf": Imported(
        1,
        (
            "dropped, coordinates out of range (or not finite): 1 "
            "(at gexf-latitude-500.gexf: edge 2 ('la'–'far'))",
        ),
    ),
}


def test_every_file_of_the_corpus_has_a_case() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.name != "README.md") == sorted(CASES)
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in CASES), "README.md lists every file"


def _checked(source: Path, out: Path, expected: Refused | Imported, output: str, code: int) -> None:
    assert "Traceback" not in output, output
    if isinstance(expected, Refused):
        assert code == 1, output
        assert f"{source}{expected.says}" in output, output
        assert not out.exists(), "nothing is written"
        return
    assert code == 0, output
    report = validate(out)
    assert report.ok, [str(p) for p in report.errors]
    assert report.counts["partnerships"] == expected.ties
    for line in expected.says:
        assert line in output.splitlines(), output


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_import_source(tmp_path: Path, name: str) -> None:
    source, out = CORPUS / name, tmp_path / "out.yaml"
    result = run_cli(["import", _format(name), str(source), "-o", str(out)])
    _checked(source, out, CASES[name], result.output, result.exit_code)


def test_names_never_hold_nul_or_control_characters(tmp_path: Path) -> None:
    for name in (
        "csv-nul-bytes.csv",
        "csv-control-characters-in-names.csv",
        "json-wrong-shapes.json",
    ):
        out = tmp_path / f"{name}.yaml"
        assert run_cli(["import", _format(name), str(CORPUS / name), "-o", str(out)]).exit_code == 0
        text = out.read_text(encoding="utf-8")
        assert "\x00" not in text and "\x1b" not in text and "\t" not in text
    assert "Kota Tua [2J" in (tmp_path / "csv-control-characters-in-names.csv.yaml").read_text(
        encoding="utf-8"
    )


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _graphml(*nodes: tuple[str, str, str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="label" for="node" attr.name="label" attr.type="string"/>',
        '<key id="country" for="node" attr.name="country" attr.type="string"/>',
        '<graph edgedefault="undirected">',
        *(
            f'<node id="{i}"><data key="label">{label}</data>'
            f'<data key="country">{country}</data></node>'
            for i, label, country in nodes
        ),
        *(f'<edge source="{nodes[0][0]}" target="{n[0]}"/>' for n in nodes[1:]),
        "</graph></graphml>",
    ]
    return "\n".join(lines)


@pytest.mark.slow
def test_a_300_kb_name_is_imported_at_once(tmp_path: Path) -> None:
    """A 300 KB name of spaces before a bracket (the district pattern backtracked on it, for
    minutes) and a 300 KB country-less name (country_converter's patterns did): each takes
    well under a second now; the timeout turns a regression into a failure."""
    source, out = tmp_path / "long.graphml", tmp_path / "long.yaml"
    source.write_text(
        _graphml(
            ("jakarta", "Jakarta", "ID"),
            ("district", "Kota" + " " * 300_000 + "Tua (Jakarta)", "ID"),
            ("nowhere", "x" * 300_000, ""),
        ),
        encoding="utf-8",
    )
    result = _run("import", "graphml", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "dropped, a country without an ISO 3166-1 code: 1" in result.stderr
    assert validate(out).ok


@pytest.mark.slow
def test_an_oversized_csv_field_is_refused_with_its_line(tmp_path: Path) -> None:
    source, out = tmp_path / "big.csv", tmp_path / "big.yaml"
    header = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
    good = "Casablanca,Morocco,33.59,-7.61,Bordeaux,France,44.84,-0.58\n"
    source.write_text(header + good + "x" * 200_000 + good[10:], encoding="utf-8")
    result = _run("import", "wikipedia-csv", str(source), "-o", str(out))
    _checked(
        source,
        out,
        Refused(":3: a field longer than 131,072 characters"),
        result.stderr,
        result.returncode,
    )
    source.write_text(header + good + "x" * 20_000 + good[10:], encoding="utf-8")  # under it
    result = _run("import", "wikipedia-csv", str(source), "-o", str(out))
    _checked(source, out, Refused(":3: the quote of field 1"), result.stderr, result.returncode)


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    source, out = tmp_path / "deep.json", tmp_path / "deep.yaml"
    source.write_text('{"results": {"bindings": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    result = _run("import", "wikidata", str(source), "-o", str(out))
    _checked(
        source,
        out,
        Refused(": not SPARQL JSON results (nested too deeply)"),
        result.stderr,
        result.returncode,
    )


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--source-title", "", "--source-title must not be blank"),
        ("--source-title", " \t ", "--source-title must not be blank"),
        ("--source-title", "a\x1b[2Jb", "--source-title must not hold control characters"),
        ("--licence", "  ", "--licence must not be blank"),
        ("--source-url", "javascript:alert(1)", "--source-url must be an http:// or https:// URL"),
        ("--source-url", "ftp://example.org/x", "--source-url must be an http:// or https:// URL"),
        ("--source-url", "http://", "--source-url must be an http:// or https:// URL"),
        (
            "--source-url",
            "https://exa mple.org/",
            "--source-url must be an http:// or https:// URL",
        ),
    ],
)
def test_import_options_are_checked_before_any_source_is_read(
    tmp_path: Path, option: str, value: str, says: str
) -> None:
    out = tmp_path / "out.yaml"
    missing = tmp_path / "no-such-source.gexf"  # never opened: the options come first
    result = run_cli(["import", "gexf", str(missing), "-o", str(out), option, value])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "no-such-source" not in result.output
    assert not out.exists()


def test_checked_options_make_an_output_that_validates(tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    source = CORPUS / "gexf-latitude-500.gexf"
    result = run_cli(
        [
            "import",
            "gexf",
            str(source),
            "-o",
            str(out),
            "--source-title",
            "  A network  ",
            "--source-url",
            "https://example.org/network",
        ]
    )
    assert result.exit_code == 0, result.output
    assert validate(out).ok
    assert "title: A network\n" in out.read_text(encoding="utf-8")


SEEDS = {
    "wikipedia-csv": "csv-bad-coordinates.csv",
    "wikidata": "json-wrong-shapes.json",
    "graphml": "graphml-non-finite-numbers.graphml",
    "gexf": "gexf-latitude-500.gexf",
}
NOISE = b'",\n\r\x00\t{}[]:Q0123456789.-eE ()<>/=&;ab\xff\xc3'


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    format_name=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from("ids"), st.sampled_from(list(NOISE))),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_sources_are_refused_or_import_valid_data(
    tmp_path: Path, format_name: str, edits: list[tuple[int, str, int]]
) -> None:
    """Corpus files with random bytes inserted, deleted or replaced: `ImportError_` (one
    message) or a dataset whose YAML validates; never another exception."""
    from sistercities.dump import dataset_to_yaml
    from sistercities.importers import ImportError_, import_data

    seed = CORPUS / SEEDS[format_name]
    data = bytearray(seed.read_bytes())
    for position, action, byte in edits:
        where = position % (len(data) + 1)
        if action == "i":
            data[where:where] = bytes([byte])
        elif where < len(data):
            if action == "d":
                del data[where]
            else:
                data[where] = byte
    source = tmp_path / f"mutated{seed.suffix}"
    source.write_bytes(bytes(data))
    try:
        dataset, _ = import_data(format_name, [source])
    except ImportError_ as error:
        assert str(error).startswith(str(source)), error
        return
    out = tmp_path / "mutated.yaml"
    out.write_text(dataset_to_yaml(dataset, partnership_ids=False), encoding="utf-8")
    report = validate(out)
    assert report.ok, [str(p) for p in report.errors[:3]]
