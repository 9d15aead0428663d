"""The curated data holds every fact of the seed article and the official partner lists."""

from __future__ import annotations

import datetime

import pytest
from helpers import DATA
from sistercities import Dataset, load_dataset, validate

SEED = "merahputih-2018-la"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(DATA)


def test_curated_data_validates_without_errors() -> None:
    report = validate(DATA)
    assert report.ok, [str(p) for p in report.errors]


def test_jakarta_los_angeles_since_1990_with_the_articles_areas(dataset: Dataset) -> None:
    tie = dataset.partnerships["jakarta--los-angeles"]
    assert tie.kind == "sister-city"
    assert tie.status == "active"
    assert tie.since is not None and tie.since.earliest.year <= 1990 <= tie.since.latest.year
    assert SEED in tie.sources
    assert set(tie.areas) >= {
        "science",
        "technology",
        "arts",
        "culture",
        "tourism",
        "energy-conservation",
        "business-trade",
    }


def test_jakarta_casablanca_since_1991_with_the_2019_areas(dataset: Dataset) -> None:
    tie = dataset.partnerships["casablanca--jakarta"]
    assert tie.kind == "sister-city"
    assert tie.since is not None and str(tie.since) == "1991"
    assert SEED in tie.sources
    assert set(tie.areas) >= {
        "information-technology",
        "fire-rescue",
        "arts",
        "culture",
        "tourism",
        "religious-culture",
    }


def test_jakarta_istanbul_since_13_april_2007_with_the_1998_conflict_kept(dataset: Dataset) -> None:
    tie = dataset.partnerships["istanbul--jakarta"]
    assert tie.since is not None and str(tie.since) == "2007-04-13"
    assert {"igfa-2025-istanbul-cakarta-istac", "tirto-2018-agenda-maroko-turki"} <= set(
        tie.sources
    )
    assert "cityofistanbul-sister-cities" in tie.sources
    assert tie.notes and "1998" in tie.notes and "CONFLICT" in tie.notes


def test_the_istanbul_visit_met_uysal_on_sunday_22_april_and_signed_minutes(
    dataset: Dataset,
) -> None:
    visit = dataset.visits["baswedan-istanbul-2018"]
    assert visit.met == ("mevlut-uysal",)
    assert visit.end is not None and visit.end.earliest == datetime.date(2018, 4, 22)
    assert "suara-2018-hasil-kunjungan-turki" in visit.sources
    minutes = dataset.agreements["minutes-istanbul-jakarta-2018"]
    assert (minutes.status, str(minutes.signed)) == ("signed", "2018-04-22")
    assert set(minutes.parties) == {"istanbul", "jakarta"}
    assert "minutes-istanbul-jakarta-2018" in dataset.partnerships["istanbul--jakarta"].agreements


def test_the_los_angeles_visit_met_nina_hachigian(dataset: Dataset) -> None:
    visit = dataset.visits["baswedan-los-angeles-2018"]
    assert visit.met == ("nina-hachigian",)
    assert "beritajakarta-2018-la" in visit.sources
    assert {"arts", "water-sanitation", "public-transport", "waste-management"} <= set(visit.areas)
    role = dataset.officials["nina-hachigian"].roles[0]
    assert (role.of, role.title) == ("los-angeles", "Deputy Mayor for International Affairs")
    assert role.start is not None and str(role.start) == "2017-09"


def test_the_three_april_2018_visits(dataset: Dataset) -> None:
    april = (datetime.date(2018, 4, 1), datetime.date(2018, 4, 30))
    visits = [
        v
        for v in dataset.visits.values()
        if "anies-baswedan" in v.visitors
        and v.start.earliest is not None
        and april[0] <= v.start.earliest <= april[1]
    ]
    assert sorted(v.place for v in visits) == ["casablanca", "istanbul", "los-angeles"]
    assert all(SEED in v.sources for v in visits)
    by_place = {v.place: v for v in visits}
    assert "smart-cities-africa-casablanca-2018" in by_place["casablanca"].events
    assert "global-conference-2018" in by_place["los-angeles"].events
    assert by_place["los-angeles"].partnership == "jakarta--los-angeles"


def test_the_events_and_their_sessions(dataset: Dataset) -> None:
    casablanca = dataset.events["smart-cities-africa-casablanca-2018"]
    keynote = [s for s in casablanca.sessions if s.kind == "keynote"]
    assert keynote[0].title == "Strategic Masterplanning Green Urban Development"
    assert str(keynote[0].date) == "2018-04-18"
    assert keynote[0].speakers == ("anies-baswedan",)
    conference = dataset.events["global-conference-2018"]
    assert [s.title for s in conference.sessions] == ["ASEAN Growth in the Next Ten Years"]
    assert conference.sessions[0].kind == "private-session"


def test_the_planned_letter_of_intent_with_casablanca_settat(dataset: Dataset) -> None:
    loi = dataset.agreements["loi-jakarta-casablanca-settat"]
    assert loi.kind == "letter-of-intent"
    assert loi.status == "planned"
    assert loi.signed is None
    assert set(loi.parties) == {"jakarta", "casablanca-settat"}
    assert set(loi.areas) >= {"ports-maritime", "tourism", "smes", "education-training", "culture"}
    tie = dataset.partnerships["casablanca-settat--jakarta"]
    assert (tie.kind, tie.status) == ("sister-province", "planned")
    assert dataset.places["casablanca-settat"].kind == "region"


OFFICIAL_LIST_2019 = {
    "jeddah", "seoul", "islamabad", "rotterdam", "tokyo", "los-angeles", "casablanca", "beijing",
    "arkansas", "berlin", "new-south-wales", "paris", "bangkok", "hanoi", "istanbul", "maputo",
    "kyiv", "moscow", "jerusalem", "pyongyang", "budapest",
}  # fmt: skip


def test_jakarta_has_the_21_partners_of_the_official_2019_list(dataset: Dataset) -> None:
    listed = datetime.date(2019, 2, 14)
    by_then = {
        t.other("jakarta")
        for t in dataset.partnerships_of("jakarta")
        if t.status == "active" and (t.since is None or t.since.latest <= listed)
    }
    assert by_then == OFFICIAL_LIST_2019
    counts = dataset.places["jakarta"].reported_partner_counts
    assert {c.count for c in counts} == {21, 23}
    assert any(SEED in c.sources for c in counts)


def test_jakartas_ties_and_letters_since_2019(dataset: Dataset) -> None:
    later = {
        t.other("jakarta"): t
        for t in dataset.partnerships_of("jakarta")
        if t.other("jakarta") not in OFFICIAL_LIST_2019 | {"casablanca-settat"}
    }
    assert set(later) == {
        "jeju", "chungcheongnam-do", "heidelberg", "kuala-lumpur", "ankara", "kinshasa",
    }  # fmt: skip
    assert {p for p, t in later.items() if t.status == "planned"} == {"ankara", "kinshasa"}
    signed = {
        "loi-chungcheongnam-jakarta-2025": "2025-05-27",
        "loi-jakarta-kuala-lumpur-2025": "2025-08-11",
        "loi-ankara-jakarta-2025": "2025-08-20",
        "loi-istac-jakpro-2025": "2025-08-21",
        "loi-jakarta-kinshasa-2025": "2025-09-18",
    }
    for ident, day in signed.items():
        agreement = dataset.agreements[ident]
        assert (agreement.status, str(agreement.signed)) == ("signed", day)
        assert "jakarta" in agreement.parties


def test_the_partner_lists_declare_their_coverage(dataset: Dataset) -> None:
    jakarta = dataset.places["jakarta"].coverage
    assert jakarta is not None and jakarta.complete
    assert jakarta.as_of.text == "2019-02-14"
    assert "beritajakarta-2019-21-partners" in jakarta.sources
    los_angeles = dataset.places["los-angeles"].coverage
    assert los_angeles is not None and los_angeles.complete
    assert los_angeles.as_of.text == "2016-11-09"
    assert len(list(dataset.partnerships_of("los-angeles"))) == 25
    for place in ("casablanca", "istanbul"):
        coverage = dataset.places[place].coverage
        assert coverage is not None and not coverage.complete and coverage.notes


def test_the_officials_of_the_article(dataset: Dataset) -> None:
    names = {o.name for o in dataset.officials.values()}
    assert {"Anies Baswedan", "Pramono Anung"} <= names
    assert any("Mawardi" in name for name in names)
    titles_of = {
        (role.of, role.title.lower())
        for official in dataset.officials.values()
        for role in official.roles
    }
    assert any(of == "casablanca" and "mayor" in t for of, t in titles_of)
    assert any(of == "istanbul" and "mayor" in t for of, t in titles_of)
    assert any(of == "casablanca-settat" and "president" in t for of, t in titles_of)
    governors = [o for o in dataset.officials.values() if any(r.of == "jakarta" for r in o.roles)]
    assert {"anies-baswedan", "pramono-anung"} <= {o.id for o in governors}


def test_official_partner_lists_are_present(dataset: Dataset) -> None:
    def partners(place: str) -> set[str]:
        return {t.other(place) for t in dataset.partnerships_of(place)}

    assert len(partners("los-angeles")) >= 25
    assert {"chicago", "bordeaux", "jakarta"} <= partners("casablanca")
    assert {"berlin", "rabat", "jakarta", "cairo"} <= partners("istanbul")


def test_every_place_has_a_source_and_most_have_coordinates_and_qids(dataset: Dataset) -> None:
    places = list(dataset.places.values())
    assert all(p.sources for p in places)
    with_coordinates = [p for p in places if p.coordinates is not None]
    with_qid = [p for p in places if p.wikidata is not None]
    assert len(with_coordinates) >= 0.9 * len(places)
    assert len(with_qid) >= 0.9 * len(places)
    assert dataset.places["jakarta"].wikidata == "Q3630"
    assert dataset.places["los-angeles"].wikidata == "Q65"
    assert dataset.places["casablanca"].wikidata == "Q7903"
    assert dataset.places["istanbul"].wikidata == "Q406"
