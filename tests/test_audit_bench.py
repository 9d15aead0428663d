"""The audit measure itself (bench/audit.py): how rows are scored against an official list, and
that the sample file holds what the audit needs."""

from __future__ import annotations

from bench.audit import Partner, Place, answer_rows, load_sample, normalise, score_place, totals

PLACE = Place(
    query="heidelberg",
    name="Heidelberg",
    country="DE",
    url="https://www.heidelberg.de/",
    partners=(
        Partner(name="Cambridge", country="GB", wikidata="Q350"),
        Partner(name="Montpellier", country="FR", forms=("Montpelier",)),
        Partner(name="Simferopol", country="UA", forms=("Simferopol'", "Akmescit")),
        Partner(name="Prague", country="CZ", forms=("Praha", "Prag")),
    ),
)


def test_qid_match_needs_no_name():
    rows = [{"partner": "x-q350", "name": "Cambridge (England)", "country": "GB"}]
    score = score_place(PLACE, rows)
    assert (score.correct, score.wrong, score.duplicates) == (1, [], [])


def test_a_different_qid_is_wrong_even_with_the_same_name():
    rows = [{"partner": "cambridge-q49111", "name": "Cambridge", "country": None}]
    assert score_place(PLACE, rows).wrong == ["Cambridge (?, cambridge-q49111)"]


def test_exonym_and_accents_match_a_form():
    rows = [
        {"partner": "prag-q1085", "name": "PRAG", "country": None},
        {"partner": "montpellier-fr", "name": "Montpellier", "country": "FR"},
        {"partner": "simf", "name": "Simferópolʹ", "country": "UA"},
    ]
    score = score_place(PLACE, rows)
    assert score.correct == 3
    assert score.missing == ["Cambridge"]


def test_a_second_row_for_one_partner_is_a_duplicate():
    rows = [
        {"partner": "prague-cz", "name": "Prague", "country": "CZ"},
        {"partner": "prag", "name": "Prag", "country": None},
    ]
    score = score_place(PLACE, rows)
    assert score.correct == 1
    assert score.duplicates == ["Prag (?, prag)"]
    t = totals([score])
    assert t["precision"] == 0.5
    assert t["duplicate_rows"] == 1


def test_a_wrong_country_is_no_match():
    rows = [{"partner": "montpellier-us", "name": "Montpelier", "country": "US"}]
    score = score_place(PLACE, rows)
    assert score.correct == 0
    assert score.wrong == ["Montpelier (US, montpellier-us)"]
    assert totals([score])["recall"] == 0.0


def test_normalise():
    assert normalise("  Łódź ") == "lodz"
    assert normalise("Frankfurt (Oder)") == "frankfurt oder"
    assert normalise("Be'er Sheva") == normalise("Be’er-Sheva") == "be er sheva"
    assert normalise("Straße") == "strasse"


def test_answer_rows_reads_a_list_or_an_object_holding_one():
    row = {"partner": "a", "name": "A"}
    assert answer_rows([row]) == [row]
    assert answer_rows({"coverage": {}, "rows": [row]}) == [row]


def test_the_sample_is_complete():
    places = load_sample()
    assert len(places) >= 30
    assert len({p.query.casefold() for p in places}) == len(places)
    for place in places:
        assert place.url.startswith("http"), place.query
        assert place.partners, place.query
