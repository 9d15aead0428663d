"""The analyst's questions (issue 4): every question command's answers, dates, stats.

Golden files: the table output of each command invocation in `GOLDEN` is compared byte for byte
with ``tests/golden/<name>.txt``. After an intended change of output, rewrite them with

    UPDATE_GOLDEN=1 python -m pytest tests/test_questions.py

and review the diff before committing (with UPDATE_GOLDEN=1 the golden tests write the file
instead of comparing, so they always pass).

``tests/fixtures/twins.yaml`` is a small dataset of name traps (two Casablancas, São Paulo,
Kyiv/Kiev) and of uncertain dates (``1990~``, ``1993?``, ``../1994-05-31``, an ended and a
planned tie) for the name and ``--as-of`` tests.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import sistercities
import sistercities.cache
from helpers import (
    DATA,
    GOLDEN_DIR,
    MINIMAL,
    TWINS,
    as_json,
    failure,
    invoke,
    not_coverage_notes,
    ok,
    run_script,
)
from sistercities import query
from sistercities.dates import parse_date

UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"

# (golden file name, arguments): one file a command invocation on data/cities.yaml.
GOLDEN: list[tuple[str, list[str]]] = [
    ("cities", ["cities"]),
    ("cities-country-ma", ["cities", "--country", "MA"]),
    ("show-jakarta", ["show", "jakarta"]),
    ("show-casablanca", ["show", "casablanca"]),
    ("partners-jakarta", ["partners", "jakarta"]),
    ("partners-jakarta-as-of-1995", ["partners", "jakarta", "--as-of", "1995"]),
    ("partners-istanbul-since-2000", ["partners", "istanbul", "--since", "2000"]),
    ("path-jakarta-bordeaux", ["path", "jakarta", "bordeaux"]),
    ("common-jakarta-istanbul", ["common", "jakarta", "istanbul"]),
    ("visits", ["visits"]),
    ("visits-year-2018", ["visits", "--year", "2018"]),
    ("visits-official-anies-baswedan", ["visits", "--official", "anies baswedan"]),
    ("officials-city-jakarta", ["officials", "--city", "jakarta"]),
    ("officials-as-of-2018-04", ["officials", "--as-of", "2018-04"]),
    ("events", ["events"]),
    ("agreements", ["agreements"]),
    ("agreements-status-planned", ["agreements", "--status", "planned"]),
    ("areas", ["areas"]),
    ("areas-city-casablanca", ["areas", "--city", "casablanca"]),
    ("timeline-jakarta", ["timeline", "jakarta"]),
    ("stats-top-5", ["stats", "--top", "5"]),
]
GOLDEN_IDS = [name for name, _ in GOLDEN]


def check_golden(name: str, output: str) -> None:
    path = GOLDEN_DIR / f"{name}.txt"
    if UPDATE_GOLDEN:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.encode("utf-8"))
        return
    assert path.is_file(), f"no golden file {path}: run with UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode("utf-8")
    assert output == expected, f"{path.name} differs: rerun with UPDATE_GOLDEN=1 if intended"


def pairs(rows: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(row[k] for k in keys) for row in rows]


def in_force_at(place: str, at: str, data: Path = TWINS) -> dict[str, str]:
    """partner → certainly/possibly of `partners PLACE --as-of AT`, through the CLI."""
    return {
        row["partner"]: row["in_force"]
        for row in as_json("partners", place, "--as-of", at, data=data)
    }


# ---------------------------------------------------------------------------------------------
# every command on data/cities.yaml: golden tables, json that parses, csv with a header


@pytest.mark.parametrize(("name", "args"), GOLDEN, ids=GOLDEN_IDS)
def test_table_output_matches_the_golden_file(name: str, args: list[str]) -> None:
    check_golden(name, ok(*args))


@pytest.mark.parametrize(("name", "args"), GOLDEN, ids=GOLDEN_IDS)
def test_json_parses_and_csv_has_the_json_columns(name: str, args: list[str]) -> None:
    parsed = json.loads(ok(*args, "--format", "json"))
    table = list(csv.reader(io.StringIO(ok(*args, "--format", "csv"))))
    assert table, "csv output is empty"
    header, *lines = table
    if args[0] == "show":  # json: the whole profile; csv: its ties
        assert isinstance(parsed, dict)
        rows = parsed["partnerships"]
    elif args[0] == "partners":  # json: the answer (place, coverage, left out); csv: its ties
        assert isinstance(parsed, dict)
        assert {"place", "coverage", "note", "left_out"} <= set(parsed)
        rows = parsed["partners"]
    elif args[0] == "stats":  # json: one object of measures; csv: measure,value
        assert isinstance(parsed, dict)
        assert header == ["measure", "value"]
        measures = dict(lines)
        assert measures["places"] == str(parsed["places"])
        assert measures["ties"] == str(parsed["ties"])
        assert measures["top_by_degree[1].place"] == parsed["top_by_degree"][0]["place"]
        return
    else:
        assert isinstance(parsed, list)
        rows = parsed
    assert rows, "expected some rows"
    assert all(list(row) == header for row in rows)
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        assert line == ["" if v is None else str(v) for v in row.values()]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("partners-jakarta", ["partners", "jakarta"]),
        ("path-jakarta-bordeaux", ["path", "jakarta", "bordeaux"]),
        ("stats-top-5", ["stats", "--top", "5"]),
        ("visits-official-anies-baswedan", ["visits", "--official", "anies baswedan"]),
    ],
)
@pytest.mark.slow
def test_the_installed_script_prints_the_golden_table(
    name: str, args: list[str], tmp_path: Path
) -> None:
    for _ in range(2):  # cold cache, then warm
        result = run_script("--data", str(DATA), *args, cache=tmp_path)
        assert result.returncode == 0, result.stderr
        assert not_coverage_notes(result.stderr) == []
        if not UPDATE_GOLDEN:
            check_golden(name, result.stdout)
    assert list(tmp_path.glob("*.pickle"))


@pytest.mark.slow
def test_the_installed_script_json_and_csv(tmp_path: Path) -> None:
    as_json_ = run_script("common", "jakarta", "istanbul", "--format", "json", cache=tmp_path)
    as_csv = run_script("common", "jakarta", "istanbul", "--format", "csv", cache=tmp_path)
    assert as_json_.returncode == as_csv.returncode == 0
    rows = json.loads(as_json_.stdout)
    reader = csv.DictReader(io.StringIO(as_csv.stdout))
    assert reader.fieldnames == list(rows[0])
    assert [r["partner"] for r in reader] == [r["partner"] for r in rows]


# ---------------------------------------------------------------------------------------------
# exact rows of the key answers


def test_jakarta_partners_in_date_order() -> None:
    rows = as_json("partners", "jakarta")
    assert pairs(rows[:6], "name", "since") == [
        ("Jeddah", "1979"),
        ("Islamabad", "1984"),
        ("Seoul", "1984"),
        ("Rotterdam", "1986"),
        ("Tokyo", "1989-10-23"),
        ("Los Angeles", "1990"),
    ]
    assert len(rows) == 28
    assert Counter(r["status"] for r in rows) == {"active": 25, "planned": 3}
    planned = [r for r in rows if r["status"] == "planned"]
    assert pairs(planned, "partner", "kind") == [
        ("ankara", "sister-city"),
        ("casablanca-settat", "sister-province"),
        ("kinshasa", "cooperation"),
    ]
    dated = [r["partner"] for r in rows if r["since"]]
    assert dated == [
        "jeddah",
        "islamabad",
        "seoul",
        "rotterdam",
        "tokyo",
        "los-angeles",
        "casablanca",
        "beijing",
        "arkansas",
        "berlin",
        "new-south-wales",
        "paris",
        "bangkok",
        "hanoi",
        "jerusalem",
        "pyongyang",
        "istanbul",
        "jeju",
        "heidelberg",
        "chungcheongnam-do",
        "kuala-lumpur",
    ]
    assert all(not r["since"] for r in rows[len(dated) :])  # undated ones last


def test_jakarta_partners_as_of_1995() -> None:
    rows = as_json("partners", "jakarta", "--as-of", "1995")
    got = {r["partner"]: r["in_force"] for r in rows}
    assert len(rows) == 17  # not Istanbul (2007) nor later ties, not the planned ones
    assert "istanbul" not in got
    assert "casablanca-settat" not in got
    certainly = [p for p, v in got.items() if v == "certainly"]
    assert certainly == [
        "jeddah",
        "islamabad",
        "seoul",
        "rotterdam",
        "tokyo",
        "los-angeles",
        "casablanca",
        "beijing",
        "arkansas",
        "berlin",
        "new-south-wales",
    ]
    assert all(v == "possibly" for p, v in got.items() if p not in certainly)


def test_istanbul_partners_since_2000() -> None:
    rows = as_json("partners", "istanbul", "--since", "2000")
    assert pairs(rows, "partner", "since") == [
        ("constanta", "2001-05-22"),
        ("khartoum", "2001-10-09"),
        ("busan", "2002-06-04"),
        ("kazan", "2002-10-07"),
        ("damascus", "2006-12-18"),
        ("jakarta", "2007-04-13"),
        ("bangkok", "2009-07-06"),
        ("beirut", "2010-10-29"),
        ("mexico-city", "2010-11-19"),
        ("guangzhou", "2012-07-18"),
        ("giza", "2012-12-12"),
        ("benghazi", "2013-02-20"),
        ("ndjamena", "2014-12-18"),
        ("tbilisi", "2016-04"),
        ("north-nicosia", "2020-12-10"),
        ("plovdiv", "2021-01-23"),
        ("athens", "2021-03-19"),
        ("moscow", "../2024-09-27"),
        ("gaza-city", "2025-10-15"),
    ]


def test_path_jakarta_bordeaux_finds_the_two_2_hop_chains() -> None:
    rows = as_json("path", "jakarta", "bordeaux")
    assert pairs(rows, "chain", "hop", "from", "to", "kind", "since") == [
        (1, 1, "jakarta", "casablanca", "sister-city", "1991"),
        (1, 2, "casablanca", "bordeaux", "sister-city", "1988/1988-11-03"),
        (2, 1, "jakarta", "los-angeles", "sister-city", "1990"),
        (2, 2, "los-angeles", "bordeaux", "sister-city", None),
    ]


def test_path_errors_are_one_line_and_exit_1() -> None:
    assert failure("path", "jakarta", "chicago", "--max-hops", "1") == (
        "Error: the shortest chain between 'jakarta' and 'chicago' has 2 ties, "
        "more than --max-hops 1\n"
    )
    # Casablanca-Settat's only tie is planned: no chain of ties reaches it.
    assert failure("path", "jakarta", "casablanca-settat") == (
        "Error: no chain of ties links 'jakarta' and 'casablanca-settat'\n"
    )


def test_common_partners_of_jakarta_and_istanbul() -> None:
    assert as_json("common", "jakarta", "istanbul") == [
        {
            "partner": "bangkok",
            "name": "Bangkok",
            "country": "TH",
            "jakarta_kind": "sister-city",
            "jakarta_since": "2001",
            "istanbul_kind": "sister-city",
            "istanbul_since": "2009-07-06",
        },
        {
            "partner": "berlin",
            "name": "Berlin",
            "country": "DE",
            "jakarta_kind": "sister-city",
            "jakarta_since": "1994-04-13",
            "istanbul_kind": "sister-city",
            "istanbul_since": "1989-11-17",
        },
        {
            "partner": "jeddah",
            "name": "Jeddah",
            "country": "SA",
            "jakarta_kind": "sister-city",
            "jakarta_since": "1979",
            "istanbul_kind": "sister-city",
            "istanbul_since": "1984",
        },
        {
            "partner": "moscow",
            "name": "Moscow",
            "country": "RU",
            "jakarta_kind": "sister-city",
            "jakarta_since": None,
            "istanbul_kind": "cooperation",
            "istanbul_since": "../2024-09-27",
        },
    ]


def test_cities_in_morocco() -> None:
    assert as_json("cities", "--country", "ma") == [
        {
            "id": "casablanca",
            "name": "Casablanca",
            "country": "MA",
            "kind": "city",
            "partners": 10,
            "planned": 0,
        },
        {
            "id": "casablanca-settat",
            "name": "Casablanca-Settat",
            "country": "MA",
            "kind": "region",
            "partners": 0,
            "planned": 1,
        },
        {
            "id": "fez",
            "name": "Fez",
            "country": "MA",
            "kind": "city",
            "partners": 1,
            "planned": 0,
        },
        {
            "id": "rabat",
            "name": "Rabat",
            "country": "MA",
            "kind": "city",
            "partners": 1,
            "planned": 0,
        },
    ]


def test_visits_of_anies_baswedan_in_2018() -> None:
    rows = as_json("visits", "--official", "anies baswedan", "--year", "2018")
    assert pairs(rows, "visit", "from", "until", "place") == [
        ("baswedan-casablanca-2018", "2018-04-17", "2018-04-19", "casablanca"),
        ("baswedan-istanbul-2018", "2018-04-19/2018-04-20", "2018-04-22/2018-04-23", "istanbul"),
        ("baswedan-los-angeles-2018", "2018-04-28/2018-04-29", "2018-05-01", "los-angeles"),
    ]
    assert as_json("visits", "--year", "2017") == []


def test_officials_in_office_in_april_2018() -> None:
    rows = as_json("officials", "--as-of", "2018-04")
    assert pairs(rows, "official", "of", "in_force") == [
        ("abdelaziz-el-omari", "casablanca", "certainly"),
        ("mustapha-bakkoury", "casablanca-settat", "certainly"),
        ("nina-hachigian", "los-angeles", "certainly"),
        ("mevlut-uysal", "istanbul", "certainly"),
        ("anies-baswedan", "jakarta", "certainly"),
        # no dates: possibly
        ("daniel-bumba-lubaki", "kinshasa", "possibly"),
        ("kim-tae-heum", "chungcheongnam-do", "possibly"),
        ("kostas-bakoyannis", "athens", "possibly"),
        ("m-mawardi", "jakarta", "possibly"),
        ("mehmet-harmanci", "north-nicosia", "possibly"),
    ]


def test_show_jakarta_profile() -> None:
    place = as_json("show", "jakarta")
    assert (place["id"], place["name"], place["country"], place["wikidata"]) == (
        "jakarta",
        "Jakarta",
        "ID",
        "Q3630",
    )
    assert place["aliases"] == ["DKI Jakarta", "Daerah Khusus Ibukota Jakarta", "Batavia"]
    assert place["partnerships"] == as_json("partners", "jakarta")
    assert [o["official"] for o in place["officials"]] == [
        "anies-baswedan",
        "heru-budi-hartono",
        "m-mawardi",
        "pramono-anung",
        "rano-karno",
    ]
    assert [v["visit"] for v in place["visits"]] == [
        "baswedan-casablanca-2018",
        "baswedan-istanbul-2018",
        "baswedan-los-angeles-2018",
        "pramono-kuala-lumpur-2025",
        "karno-ankara-2025",
        "karno-istanbul-2025",
    ]


def test_agreements_planned_last() -> None:
    rows = as_json("agreements")
    assert pairs(rows, "agreement", "status") == [
        ("agreement-los-angeles-leningrad-1990", "signed"),
        ("mou-casablanca-jakarta-1991", "signed"),
        ("mou-jakarta-new-south-wales-1994", "signed"),
        ("mou-istanbul-tbilisi-2016", "signed"),
        ("minutes-istanbul-jakarta-2018", "signed"),
        ("protocol-istanbul-north-nicosia-2020", "signed"),
        ("loi-athens-istanbul-2021", "signed"),
        ("mou-jakarta-new-south-wales-2022", "signed"),
        ("protocol-istanbul-moscow-2024", "signed"),
        ("loi-chungcheongnam-jakarta-2025", "signed"),
        ("loi-jakarta-kuala-lumpur-2025", "signed"),
        ("loi-ankara-jakarta-2025", "signed"),
        ("loi-aski-pam-jaya-2025", "signed"),
        ("loi-istac-jakpro-2025", "signed"),
        ("loi-jakarta-kinshasa-2025", "signed"),
        ("loi-jakarta-casablanca-settat", "planned"),
    ]
    assert [r["agreement"] for r in as_json("agreements", "--status", "planned")] == [
        "loi-jakarta-casablanca-settat"
    ]


# ---------------------------------------------------------------------------------------------
# --as-of on uncertain dates (twins.yaml)


def test_since_about_1990_is_possibly_in_1989_certainly_in_1992_absent_in_1987() -> None:
    assert in_force_at("sao-paulo", "1989")["casablanca-ma"] == "possibly"
    assert in_force_at("sao-paulo", "1992")["casablanca-ma"] == "certainly"
    assert "casablanca-ma" not in in_force_at("sao-paulo", "1987")
    # the other side of the same tie says the same
    assert in_force_at("casablanca,MA", "1989") == {"sao-paulo": "possibly"}
    assert in_force_at("casablanca,MA", "1992") == {"sao-paulo": "certainly"}
    assert in_force_at("casablanca,MA", "1987") == {}


def test_a_doubtful_date_is_never_certainly() -> None:
    for year in range(1985, 2031):
        answer = in_force_at("casablanca-cl", str(year)).get("kyiv")
        assert answer == (None if year < 1993 else "possibly"), year
    assert in_force_at("casablanca-cl", "1993-06-15") == {"kyiv": "possibly"}


def test_on_or_before_a_day() -> None:
    assert in_force_at("lyon", "1995") == {"kyiv": "certainly"}
    assert in_force_at("lyon", "1990") == {"kyiv": "possibly"}
    assert in_force_at("lyon", "1900") == {"kyiv": "possibly"}
    assert in_force_at("lyon", "1994-05") == {"kyiv": "possibly"}
    assert in_force_at("lyon", "1994-06") == {"kyiv": "certainly"}


def test_an_ended_tie_is_absent_after_it_ended() -> None:
    assert in_force_at("porto", "1984") == {}
    assert in_force_at("porto", "1990") == {"sao-paulo": "certainly"}
    assert in_force_at("porto", "2004") == {"sao-paulo": "certainly"}
    assert in_force_at("porto", "2005") == {"sao-paulo": "possibly"}  # ended some day in 2005
    assert in_force_at("porto", "2006") == {}
    assert in_force_at("porto", "2024-03-01") == {}


def test_a_planned_tie_never_appears_with_as_of() -> None:
    everything = as_json("partners", "kyiv", data=TWINS)
    assert ("casablanca-ma", "planned") in pairs(everything, "partner", "status")
    for at in ("1950", "1990", "1994-05-31", "2018-04", "2030", "2100"):
        assert "casablanca-ma" not in in_force_at("kyiv", at), at
        assert in_force_at("casablanca-ma", at).get("kyiv") is None, at


def test_as_of_with_a_bad_date_is_a_usage_error() -> None:
    result = invoke("partners", "kyiv", "--as-of", "1995-13", data=TWINS)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("start", "end", "at", "expected"),
    [
        ("1990~", None, "1987", "no"),
        ("1990~", None, "1988", "no"),
        ("1990~", None, "1989", "possibly"),
        ("1990~", None, "1991", "possibly"),
        ("1990~", None, "1992", "certainly"),
        ("1993?", None, "1992", "no"),
        ("1993?", None, "1993", "possibly"),
        ("1993?", None, "1995", "possibly"),
        ("1993?", None, "2050", "possibly"),
        ("../1994-05-31", None, "1990", "possibly"),
        ("../1994-05-31", None, "1994-05-30", "possibly"),
        ("../1994-05-31", None, "1994-05-31", "certainly"),
        ("../1994-05-31", None, "1994-06-01", "certainly"),
        ("../1994-05-31", None, "1995", "certainly"),
        ("1985", "2005", "1984", "no"),
        ("1985", "2005", "1985", "possibly"),
        ("1985", "2005", "2000", "certainly"),
        ("1985", "2005", "2005", "possibly"),
        ("1985", "2005", "2006", "no"),
        ("1990", None, "1990-06", "possibly"),
        ("1990", None, "1991", "certainly"),
        (None, None, "2000", "possibly"),
    ],
)
def test_in_force_directly(start: str | None, end: str | None, at: str, expected: str) -> None:
    def date(text: str | None) -> Any:
        return None if text is None else parse_date(text)

    assert query.in_force(date(start), date(end), parse_date(at)) == expected


def test_in_force_never_certainly_for_a_doubtful_start() -> None:
    doubtful = parse_date("1993?")
    assert all(
        query.in_force(doubtful, None, parse_date(str(year))) != "certainly"
        for year in range(1900, 2100)
    )


# ---------------------------------------------------------------------------------------------
# stats against networkx computed directly


def reference_network(path: Path) -> nx.Graph:
    """All places; one edge a pair of places with a tie that is not planned."""
    dataset = sistercities.load_dataset(path)
    network = nx.Graph()
    network.add_nodes_from(dataset.places)
    for tie in dataset.partnerships.values():
        if tie.status != "planned":
            network.add_edge(*tie.between)
    return network


@pytest.mark.parametrize("path", [DATA, TWINS], ids=["cities", "twins"])
def test_stats_agree_with_networkx(path: Path) -> None:
    top = 5
    got = as_json("stats", "--top", str(top), data=path)
    network = reference_network(path)
    names = {p: d.name for p, d in sistercities.load_dataset(path).places.items()}
    n = network.number_of_nodes()
    components = list(nx.connected_components(network))
    largest = network.subgraph(max(components, key=len))

    assert got["places"] == n
    assert got["ties"] == network.number_of_edges()
    assert got["density"] == pytest.approx(nx.density(network))
    assert got["average_degree"] == pytest.approx(2 * network.number_of_edges() / n)
    assert got["max_degree"] == max(d for _, d in network.degree())
    assert got["components"] == nx.number_connected_components(network)
    assert got["largest_component_places"] == largest.number_of_nodes()
    assert got["largest_component_share"] == pytest.approx(largest.number_of_nodes() / n)
    assert got["clustering"] == pytest.approx(nx.average_clustering(network))
    assert got["transitivity"] == pytest.approx(nx.transitivity(network))
    assortativity = nx.degree_assortativity_coefficient(network)
    if assortativity != assortativity:  # NaN
        assert got["degree_assortativity"] is None
    else:
        assert got["degree_assortativity"] == pytest.approx(assortativity)
    assert got["mean_distance"] == pytest.approx(nx.average_shortest_path_length(largest))
    assert got["mean_distance_sampled"] is False
    assert got["degree_distribution"] == [
        {"degree": d, "places": c}
        for d, c in sorted(Counter(dict(network.degree()).values()).items())
    ]
    degrees = dict(network.degree())
    by_degree = sorted(degrees, key=lambda p: (-degrees[p], names[p]))[:top]
    assert got["top_by_degree"] == [
        {"place": p, "name": names[p], "degree": degrees[p]} for p in by_degree
    ]
    betweenness = nx.betweenness_centrality(network)
    by_betweenness = sorted(betweenness, key=lambda p: (-betweenness[p], names[p]))[:top]
    assert [r["place"] for r in got["top_by_betweenness"]] == by_betweenness
    for row in got["top_by_betweenness"]:
        assert row["name"] == names[row["place"]]
        assert row["betweenness"] == pytest.approx(betweenness[row["place"]], abs=1e-6)


def test_stats_on_the_curated_data_exactly() -> None:
    got = as_json("stats", "--top", "5")
    assert (got["places"], got["ties"], got["components"], got["max_degree"]) == (344, 399, 22, 44)
    assert [(r["place"], r["degree"]) for r in got["top_by_degree"]] == [
        ("istanbul", 44),
        ("krakow", 32),
        ("chicago", 29),
        ("jakarta", 25),
        ("los-angeles", 25),
    ]
    assert [r["place"] for r in got["top_by_betweenness"]] == [
        "istanbul",
        "vilnius",
        "saint-petersburg",
        "irkutsk",
        "kanazawa",
    ]


# ---------------------------------------------------------------------------------------------
# bugs found while writing these tests


def two_ties_one_pair(tmp_path: Path) -> Path:
    """minimal.yaml plus a second tie (a friendship) between Jakarta and Los Angeles."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "officials:",
        "  - between: [jakarta, los-angeles]\n"
        "    kind: friendship\n"
        "    status: active\n"
        "    since: 1985\n"
        "    sources: [seed]\n"
        "officials:",
        1,
    )
    path = tmp_path / "two-ties.yaml"
    path.write_text(text, encoding="utf-8")
    assert sistercities.validate([path]).ok
    return path


def test_two_ties_of_one_pair_are_two_rows_of_partners(tmp_path: Path) -> None:
    data = two_ties_one_pair(tmp_path)
    rows = as_json("partners", "jakarta", data=data)
    assert pairs(rows, "partner", "kind", "since") == [
        ("los-angeles", "friendship", "1985"),
        ("los-angeles", "sister-city", "1990"),
        ("casablanca", "sister-city", "1991"),
    ]
    assert as_json("stats", data=data)["ties"] == 2  # one edge a pair, as documented


def test_cities_counts_partners_not_ties(tmp_path: Path) -> None:
    data = two_ties_one_pair(tmp_path)
    counts = {row["id"]: row["partners"] for row in as_json("cities", data=data)}
    assert counts == {"jakarta": 2, "los-angeles": 1, "casablanca": 1}


def test_the_timeline_histogram_counts_only_undated_rows_as_undated() -> None:
    dataset = sistercities.load_dataset(DATA)
    rows = list(query.timeline(dataset, "jakarta"))
    histogram = {row["decade"]: row for row in query.decade_histogram(rows)}
    assert histogram["undated"]["ties"] == sum(
        1 for r in rows if r["what"] == "tie" and r["date"] is None
    )
    assert query.decade_histogram([{"date": "../1994-05-31", "what": "tie"}])[0]["decade"] == (
        "1990s"
    )


def test_stats_ties_by_decade_counts_only_undated_ties_as_undated() -> None:
    dataset = sistercities.load_dataset(DATA)
    undated = sum(
        1 for t in dataset.partnerships.values() if t.status != "planned" and t.since is None
    )
    by_decade = {r["decade"]: r["ties"] for r in as_json("stats")["ties_by_decade"]}
    assert by_decade["undated"] == undated


def test_filters_take_only_known_values() -> None:
    bad_kind = invoke("partners", "jakarta", "--kind", "twin")
    assert bad_kind.exit_code == 2
    bad_area = invoke("partners", "jakarta", "--area", "cultur")
    assert bad_area.exit_code == 1
    assert "did you mean 'culture'" in bad_area.stderr
    culture = invoke("partners", "jakarta", "--area", "culture", "--format", "csv")
    assert culture.stdout.splitlines()[1:] and all(
        "culture" in line for line in culture.stdout.splitlines()[1:]
    )
