"""The continents of the page's colours: our own table (UN M49), covering every country."""

from __future__ import annotations

import sistercities
from sistercities.continents import CONTINENTS, M49_SUBREGIONS, continent
from sistercities.countries import country_codes
from sistercities.packaged import DEFAULT_LAYERS
from sistercities.viz import CONTINENT_COLOURS


def test_every_country_code_the_data_uses_has_a_continent() -> None:
    dataset = sistercities.load(*DEFAULT_LAYERS)
    used = {place.country for place in dataset.places.values() if place.country}
    assert len(used) > 150
    assert {code for code in used if continent(code) is None} == set()


def test_the_table_holds_each_iso_code_once_with_a_colour() -> None:
    listed = [
        code
        for regions in M49_SUBREGIONS.values()
        for codes in regions.values()
        for code in codes.split()
    ]
    assert len(listed) == len(set(listed))
    assert set(CONTINENTS) == country_codes()
    assert set(CONTINENTS.values()) <= set(CONTINENT_COLOURS)


def test_well_known_countries() -> None:
    expected = {
        "ID": "Asia",
        "TR": "Asia",
        "RU": "Europe",
        "CY": "Europe",
        "MX": "North America",
        "CU": "North America",
        "CO": "South America",
        "EG": "Africa",
        "NZ": "Oceania",
        "AQ": "Antarctica",
    }
    assert {code: continent(code) for code in expected} == expected
