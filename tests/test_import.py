"""Importing the shipped Wikipedia twin-town file whole: counts, validity, stability, traps."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, SCRIPT, WIKIPEDIA
from sistercities import load_dataset, validate
from sistercities.countries import country_code
from sistercities.importers import import_wikipedia_csv, imported_source_id


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    assert WIKIPEDIA.exists(), f"the shipped data file is missing: {WIKIPEDIA}"
    out = tmp_path_factory.mktemp("import") / "world.yaml"
    result = subprocess.run(
        [str(SCRIPT), "import", "wikipedia-csv", str(WIKIPEDIA), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "SISTERCITIES_NO_CACHE": "1"},
    )
    assert result.returncode == 0, result.stderr
    return out, result.stderr


@pytest.mark.slow
def test_the_report_counts_every_decision(imported: tuple[Path, str]) -> None:
    _, report = imported
    assert report.splitlines() == [
        "rows read: 25,917",
        "places: 17,043 (477 districts part of a city; 136 other spellings merged)",
        "ties: 24,465",
        "countries read from the place's name (no country given): 5 ends of pairs",
        "dropped, a place paired with itself: 3 (at twin_cities_wikipedia.csv:12069, "
        "twin_cities_wikipedia.csv:24153, twin_cities_wikipedia.csv:24482)",
        "dropped, the same tie again: 1,449 (at twin_cities_wikipedia.csv:2401, "
        "twin_cities_wikipedia.csv:2495, twin_cities_wikipedia.csv:2677, …)",
        f"wrote {imported[0]}",
    ]


@pytest.mark.slow
def test_the_output_is_valid_data(imported: tuple[Path, str]) -> None:
    report = validate(imported[0])
    assert report.ok, [str(p) for p in report.errors[:5]]
    assert report.counts["places"] == 17_043
    assert report.counts["partnerships"] == 24_465
    assert {p.rule for p in report.warnings} == {"no-start-date"}  # the lists give no years


@pytest.mark.slow
def test_a_second_import_is_byte_identical(imported: tuple[Path, str], tmp_path: Path) -> None:
    again = tmp_path / "again.yaml"
    subprocess.run(
        [str(SCRIPT), "import", "wikipedia-csv", str(WIKIPEDIA), "-o", str(again)],
        capture_output=True,
        timeout=300,
        check=True,
    )
    assert again.read_bytes() == imported[0].read_bytes()


@pytest.mark.slow
def test_the_traps(imported: tuple[Path, str]) -> None:
    dataset = load_dataset(imported[0])
    places = dataset.places
    # "City – District" and "District (City)" are one place, a district of its city
    (esch,) = [p for p in places.values() if "Haaren – Esch" in (p.name, *p.aliases)]
    assert (esch.name, esch.part_of) == ("Esch (Haaren)", "haaren-nl")
    wards = [p for p in places.values() if p.name in ("Shibuya (Tokyo)", "Tokyo – Shibuya")]
    assert len(wards) == 1
    # Casablanca in Chile is not Casablanca in Morocco
    assert places["casablanca-ma"].country == "MA" and places["casablanca-cl"].country == "CL"
    assert "napa-us" in {t.other("casablanca-cl") for t in dataset.partnerships_of("casablanca-cl")}
    # Constanța and Constanţa are one place
    assert places["constanta-ro"].aliases == ("Constanţa",)
    assert not any(p.name == "Constanţa" for p in places.values())
    # "Georgia (country)" is Georgia, GE; Georgia the US state is not
    assert places["akhmeta-ge"].country == "GE"
    # districts are places part of their city
    assert places["kota-tua-jakarta-id"].part_of == "jakarta-id"
    assert places["kota-tua-jakarta-id"].kind == "district"
    # no place is paired with itself
    assert all(t.between[0] != t.between[1] for t in dataset.partnerships.values())


def test_country_fields_become_iso_codes() -> None:
    assert country_code("England, United Kingdom") == "GB"
    assert country_code("Wales") == "GB"
    assert country_code("Georgia (country)") == "GE"
    assert country_code("Republic of Ireland") == "IE"
    assert country_code("Kosovo") == "XK"  # user-assigned, in common use (Wikidata, CLDR, EU)
    assert country_code("Madagaskar") == "MG"  # iso-codes' translations (German)
    assert country_code("Atlantis") is None  # no country: the row is dropped and counted


def test_a_file_without_the_columns_is_one_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = subprocess.run(
        [str(SCRIPT), "import", "wikipedia-csv", str(bad), "-o", str(tmp_path / "out.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "missing columns city1" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.slow
def test_import_in_memory_matches_the_command(imported: tuple[Path, str]) -> None:
    dataset, report = import_wikipedia_csv([WIKIPEDIA])
    assert report.ties == len(dataset.partnerships) == 24_465


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
@pytest.mark.slow
def test_graphs_saved_by_gephi_or_networkx_import_and_merge_back(
    tmp_path: Path, suffix: str
) -> None:
    from sistercities.merge import load_layers

    data = ROOT / "data" / "cities.yaml"
    graph_file = tmp_path / f"network{suffix}"
    out = tmp_path / "network.yaml"
    subprocess.run(
        [str(SCRIPT), "--data", str(data), "export", "-o", str(graph_file)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = subprocess.run(
        [
            str(SCRIPT),
            "import",
            suffix[1:],
            str(graph_file),
            "-o",
            str(out),
            "--source-title",
            "our own network, round trip",
            "--licence",
            "CC0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = load_dataset(out)
    curated = load_dataset(data)
    counts = (len(curated.places), len(curated.partnerships))
    assert f"places: {counts[0]} " in result.stderr and f"ties: {counts[1]}" in result.stderr
    assert (len(imported.places), len(imported.partnerships)) == counts
    (source,) = imported.sources.values()
    assert source.id == imported_source_id(
        [graph_file], [hashlib.sha256(graph_file.read_bytes()).digest()]
    )
    assert source.licence == "CC0"
    jakarta = next(p for p in imported.places.values() if p.name == "Jakarta")
    assert (jakarta.wikidata, jakarta.country) == ("Q3630", "ID")  # attributes mapped
    # every imported place is recognised as a curated one, so layering adds nothing
    merged = load_layers([data, out])
    assert merged.counts() == {**curated.counts(), "sources": curated.counts()["sources"] + 1}


@pytest.mark.slow
def test_any_csv_with_a_column_mapping(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "from,from_cc,y1,x1,to,to_cc,y2,x2\n"
        "Casablanca,Morocco,33.59,-7.61,Bordeaux,France,44.84,-0.58\n"
        "Casablanca,Chile,-33.32,-71.41,Napa,United States,38.30,-122.29\n"
        "Napa,United States,38.30,-122.29,Casablanca,Chile,-33.32,-71.41\n"
        "Bordeaux,France,44.84,-0.58,Bordeaux,France,44.84,-0.58\n"
        "Pristina,Kosovo,42.66,21.16,Tirana,Albania,41.33,19.82\n"
        "Atlantis,Atlantis,0,0,Tirana,Albania,41.33,19.82\n",
        encoding="utf-8",
    )
    out = tmp_path / "pairs.yaml"
    columns = "city1=from,country1=from_cc,lat1=y1,lon1=x1,city2=to,country2=to_cc,lat2=y2,lon2=x2"
    result = subprocess.run(
        [str(SCRIPT), "import", "csv", str(pairs), "-o", str(out), "--columns", columns],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[:6] == [
        "rows read: 6",
        "places: 6 (0 districts part of a city; 0 other spellings merged)",
        "ties: 3",
        "dropped, a country without an ISO 3166-1 code: 1 (at pairs.csv:7)",
        "dropped, a place paired with itself: 1 (at pairs.csv:5)",
        "dropped, the same tie again: 1 (at pairs.csv:4)",
    ]
    dataset = load_dataset(out)
    assert sorted(dataset.places) == [
        "bordeaux-fr",
        "casablanca-cl",
        "casablanca-ma",
        "napa-us",
        "pristina-xk",
        "tirana-al",
    ]
    assert validate(out).ok
    bad = subprocess.run(
        [str(SCRIPT), "import", "csv", str(pairs), "-o", str(out), "--columns", "city1=from"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2


def test_a_file_that_is_not_a_graph_is_one_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><oops", encoding="utf-8")
    result = subprocess.run(
        [str(SCRIPT), "import", "graphml", str(bad), "-o", str(tmp_path / "out.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "not a readable graph" in result.stderr and "Traceback" not in result.stderr


WIKIDATA_PAIRS = ROOT / "data" / "world" / "sources" / "wikidata_p190_2016_relations.tsv"
WIKIDATA_LABELS = ROOT / "data" / "world" / "sources" / "wikidata_p190_2016_names_de.tsv"


def _import(tmp_path: Path, name: str, *args: str) -> tuple[Path, str]:
    out = tmp_path / name
    result = subprocess.run(
        [str(SCRIPT), "import", *args, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out, result.stderr


@pytest.mark.slow
def test_the_wikidata_pair_lists_import_whole(tmp_path: Path) -> None:
    args = ("wikidata", str(WIKIDATA_PAIRS), "--labels", str(WIKIDATA_LABELS))
    out, report = _import(tmp_path, "wikidata.yaml", *args)
    assert report.splitlines() == [
        "rows read: 34,182",
        "places: 10,055 (0 districts part of a city; 0 other spellings merged)",
        "ties: 17,401",
        "dropped, the same tie again (or its other direction): 16,781 (at "
        "wikidata_p190_2016_relations.tsv:70, wikidata_p190_2016_relations.tsv:173, "
        "wikidata_p190_2016_relations.tsv:337, …)",
        f"wrote {out}",
    ]
    check = validate(out)
    assert check.ok and check.counts["places"] == 10_055 and check.counts["partnerships"] == 17_401
    again, _ = _import(tmp_path, "again.yaml", *args)
    assert again.read_bytes() == out.read_bytes()
    dataset = load_dataset(out)
    weimar = dataset.places["weimar-q3955"]
    assert (weimar.wikidata, weimar.labels, weimar.country) == ("Q3955", {"de": "Weimar"}, None)


@pytest.mark.slow
def test_wikidata_places_merge_with_curated_ones_by_qid(tmp_path: Path) -> None:
    from sistercities.merge import load_layers

    out, _ = _import(
        tmp_path,
        "results.yaml",
        "wikidata",
        str(ROOT / "tests" / "fixtures" / "wikidata-results.json"),
    )
    imported = load_dataset(out)
    assert sorted(imported.partnerships) == [
        "jakarta-q3630--los-angeles-q65",
        "los-angeles-q65--saint-petersburg-q656",
    ]
    ended = imported.partnerships["los-angeles-q65--saint-petersburg-q656"]
    assert (str(ended.since), str(ended.until), ended.status) == (
        "1990-08-13",
        "2022-03-01",
        "ended",
    )
    assert str(imported.partnerships["jakarta-q3630--los-angeles-q65"].since) == "1990"
    assert imported.places["jakarta-q3630"].country == "ID"
    assert imported.places["jakarta-q3630"].coordinates is not None
    merged = load_layers([ROOT / "data" / "cities.yaml", out])
    assert "jakarta-q3630" not in merged.places and "los-angeles-q65" not in merged.places
    assert "saint-petersburg-q656" not in merged.places  # Q656 is the curated Saint Petersburg


def test_the_shipped_wikidata_query_names_every_column() -> None:
    query = (ROOT / "graph" / "wikidata" / "twins.rq").read_text(encoding="utf-8")
    for column in (
        "?item",
        "?itemLabel",
        "?twin",
        "?twinLabel",
        "?start",
        "?end",
        "?coord",
        "?country",
        "?twinCoord",
        "?twinCountry",
    ):
        assert column in query
