"""Names as people type them (issue 4): case, accents, aliases, QIDs, Name,CC; ambiguous and
unknown names. ``tests/fixtures/twins.yaml`` holds the name traps (two Casablancas, São Paulo,
Kyiv/Kiev)."""

from __future__ import annotations

import pytest
from helpers import (
    TWINS,
    as_json,
    failure,
)

# ---------------------------------------------------------------------------------------------
# names as people type them


@pytest.mark.parametrize(
    "args",
    [
        ["partners", "casablanca"],
        ["show", "Casablanca"],
        ["path", "kyiv", "CASABLANCA"],
        ["common", "casablanca", "kyiv"],
        ["timeline", "casablanca"],
        ["areas", "--city", "casablanca"],
        ["visits", "--city", "casablanca"],
        ["officials", "--city", "casablanca"],
    ],
)
def test_an_ambiguous_name_exits_1_listing_the_candidates(args: list[str]) -> None:
    message = failure(*args, data=TWINS)
    assert message.startswith("Error: ")
    assert "Casablanca, CL (casablanca-cl)" in message
    assert "Casablanca, MA (casablanca-ma)" in message
    assert message.count("\n") == 1


def test_the_ambiguous_message_exactly() -> None:
    assert failure("partners", "casablanca", data=TWINS) == (
        "Error: 'casablanca' could be 2 places: Casablanca, MA (casablanca-ma); "
        "Casablanca, CL (casablanca-cl). Name one by its id, or as Name,CC or "
        "Name,CC-DIVISION (Springfield,US-IL)\n"
    )


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("casablanca,CL", "casablanca-cl"),
        ("Casablanca, cl", "casablanca-cl"),
        ("casablanca-cl", "casablanca-cl"),
        ("CASABLANCA,MA", "casablanca-ma"),
        ("casablanca-ma", "casablanca-ma"),
        ("Q7903", "casablanca-ma"),
        ("kiev", "kyiv"),
        ("KYIV", "kyiv"),
        ("Kiew", "kyiv"),
        ("kiev,ua", "kyiv"),
        ("sao paulo", "sao-paulo"),
        ("SÃO PAULO", "sao-paulo"),
        ("são-paulo", "sao-paulo"),
        ("  São Paulo  ", "sao-paulo"),
        ("Sao Paulo", "sao-paulo"),
        ("q174", "sao-paulo"),
    ],
)
def test_names_ids_qids_and_name_cc_on_the_twins(typed: str, place: str) -> None:
    assert as_json("show", typed, data=TWINS)["id"] == place


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("Q3630", "jakarta"),
        ("q3630", "jakarta"),
        ("Batavia", "jakarta"),
        ("dki jakarta", "jakarta"),
        ("JAKARTA,id", "jakarta"),
        ("kiev", "kyiv"),
        ("DURRES", "durres"),
        ("n'djamena", "ndjamena"),
        ("los angeles", "los-angeles"),
        ("Los-Angeles", "los-angeles"),
        ("constanta", "constanta"),
        ("Constanța", "constanta"),
    ],
)
def test_names_on_the_curated_data(typed: str, place: str) -> None:
    assert as_json("show", typed)["id"] == place


def test_partners_by_qid_equal_partners_by_id() -> None:
    assert as_json("partners", "Q3630") == as_json("partners", "jakarta")


def test_a_name_with_a_country_that_fits_none_suggests_the_candidates() -> None:
    assert failure("partners", "casablanca,FR", data=TWINS) == (
        "Error: no place is called 'casablanca,FR'; did you mean "
        "'Casablanca, MA (casablanca-ma)' or 'Casablanca, CL (casablanca-cl)'?\n"
    )


def test_an_unknown_name_exits_1_suggesting_the_nearest() -> None:
    assert failure("partners", "jakrta") == (
        "Error: no place is called 'jakrta'; did you mean 'Jakarta, ID (jakarta)', "
        "'Akita, JP (akita)' or 'Nara, JP (nara)'?\n"
    )
    assert "Kyiv, UA (kyiv)" in failure("show", "kyyv", data=TWINS)
    assert "Lyon, FR (lyon)" in failure("partners", "lyn", data=TWINS)


def test_an_unknown_name_far_from_any_still_exits_1_cleanly() -> None:
    assert failure("partners", "nowhere at all") == "Error: no place is called 'nowhere at all'\n"
    assert failure("partners", "Q99999999") == "Error: no place is called 'Q99999999'\n"


def test_a_long_name_is_echoed_short() -> None:
    message = failure("partners", "Casablanca, " + "x" * 5000, data=TWINS)
    assert len(message) < 400 and "…" in message and "Casablanca, MA (casablanca-ma)" in message


def test_a_state_or_country_after_the_comma_narrows_the_name() -> None:
    from sistercities.load import load_dataset
    from sistercities.names import NameIndex

    index = NameIndex.of_places(load_dataset(TWINS))
    assert index.find("Casablanca, Chile") == "casablanca-cl"
    assert index.find("casablanca, morocco") == "casablanca-ma"
    assert "Casablanca, CL" in failure("partners", "Casablanca, Atlantis", data=TWINS)


def test_unknown_names_in_options_and_second_arguments() -> None:
    assert failure("visits", "--official", "anies baswdan") == (
        "Error: no official is called 'anies baswdan'; did you mean 'Anies Baswedan "
        "(anies-baswedan)' or 'Nuri Aslan (nuri-aslan)'?\n"
    )
    assert "did you mean 'Bordeaux, FR (bordeaux)'" in failure("path", "jakarta", "bordaux")
    assert "did you mean 'Istanbul, TR (istanbul)'" in failure("common", "jakarta", "istambul")
    assert "Casablanca, MA (casablanca)" in failure("areas", "--city", "casablnca")
