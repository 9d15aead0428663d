"""Countries: ISO 3166-1 codes, and country names as bulk data writes them.

The tables are maintained ones (pycountry's ISO 3166 tables, country_converter's name patterns),
loaded on first use: the data's `country` fields are checked against `country_codes`, importers
turn names into codes with `country_code`, and the HTML view colours by `country_converter`'s
continents.

>>> "ID" in country_codes(), "XK" in country_codes(), "XX" in country_codes()
(True, True, False)
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .names import normalize

__all__ = ["USER_ASSIGNED_COUNTRIES", "country_code", "country_codes", "country_converter"]

# User-assigned ISO 3166-1 codes in common use (Wikidata, CLDR and the EU write Kosovo as XK).
USER_ASSIGNED_COUNTRIES = {"XK": "Kosovo"}


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (pycountry's table), and `USER_ASSIGNED_COUNTRIES`."""
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries) | frozenset(
        USER_ASSIGNED_COUNTRIES
    )


@cache
def country_converter() -> Any:
    """country_converter's converter (loading its table takes a while: made once)."""
    import logging

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    import country_converter as coco

    return coco.CountryConverter()


MAX_COUNTRY_NAME = 100  # characters; the longest country name has 56


@cache
def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a country field names, or None.

    Names are read by country_converter's patterns, then by the names of every country in
    every language of the iso-codes tables that pycountry ships ("Madagaskar", "Grèce"),
    where they name one country only.

    >>> country_code("Georgia (country)"), country_code("England, United Kingdom")
    ('GE', 'GB')
    >>> country_code("Wales"), country_code("Ivory Coast"), country_code("Kosovo")
    ('GB', 'CI', 'XK')
    >>> country_code("Madagaskar"), country_code("Grece"), country_code("Atlantis")
    ('MG', 'GR', None)
    """
    name = text.strip()
    if "," in name:
        name = name.rsplit(",", 1)[1].strip()
    if not name or len(name) > MAX_COUNTRY_NAME:  # its patterns backtrack on long texts
        return None
    if normalize(name) in _uk_nations():
        return "GB"
    code = country_converter().convert(names=name, src="regex", to="ISO2", not_found=None)
    if isinstance(code, str) and code in country_codes():
        return code
    return _translated_country_names().get(normalize(name))


@cache
def _translated_country_names() -> dict[str, str]:
    """Normalized country names in every language pycountry has a translation for → the one
    code they name (names that two countries share in some language are left out)."""
    import gettext
    from pathlib import Path

    import pycountry

    codes: dict[str, set[str]] = {}
    countries = list(pycountry.countries)
    locales = Path(pycountry.LOCALES_DIR)
    for folder in sorted(locales.iterdir()):
        try:
            translation = gettext.translation("iso3166-1", str(locales), languages=[folder.name])
        except OSError:
            continue
        for country in countries:
            for english in {country.name, getattr(country, "common_name", country.name)}:
                key = normalize(translation.gettext(english))
                if key:
                    codes.setdefault(key, set()).add(country.alpha_2)
    return {name: next(iter(found)) for name, found in codes.items() if len(found) == 1}


@cache
def _uk_nations() -> frozenset[str]:
    """The constituent countries of the United Kingdom, from pycountry's ISO 3166-2 table
    ("Wales [Cymru GB-CYM]" counts as "wales")."""
    import pycountry

    return frozenset(
        normalize(s.name.split("[")[0])
        for s in pycountry.subdivisions.get(country_code="GB")  # type: ignore[no-untyped-call]
        if s.type in ("Country", "Province")
    )
