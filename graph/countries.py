"""Countries: ISO 3166-1 codes, their names, and country names as bulk data writes them.

The tables are pycountry's (the ISO 3166 tables of Debian's iso-codes, with their translations),
loaded on first use, and a few names of our own (`ALIASES`): the data's `country` fields are
checked against `country_codes`, importers turn names into codes with `country_code`, and the
HTML view names countries with `country_name` (its colours come from `sistercities.continents`).

>>> "ID" in country_codes(), "XK" in country_codes(), "XX" in country_codes()
(True, True, False)
"""

from __future__ import annotations

from functools import cache

from .names import normalize

__all__ = [
    "ALIASES",
    "USER_ASSIGNED_COUNTRIES",
    "country_code",
    "country_codes",
    "country_name",
]

# User-assigned ISO 3166-1 codes in common use (Wikidata, CLDR and the EU write Kosovo as XK).
USER_ASSIGNED_COUNTRIES = {"XK": "Kosovo"}

# English names that ISO 3166 does not give, as people and the shipped sources write them
# (data/world/sources/: "Bosnia and Hercegovina", "Kazakhstah", "in Italy" are its spellings).
ALIASES = {
    "bosnia and hercegovina": "BA",
    "byelorussia": "BY",
    "cape verde": "CV",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "east timor": "TL",
    "falkland islands": "FK",
    "georgia (country)": "GE",
    "great britain": "GB",
    "in italy": "IT",
    "ivory coast": "CI",
    "kazakhstah": "KZ",
    "kirghizia": "KG",
    "korea": "KR",
    "kosovo": "XK",
    "macedonia": "MK",
    "northern cyprus": "CY",
    "palestine": "PS",
    "palestinian territories": "PS",
    "pitcairn islands": "PN",
    "republic of ireland": "IE",
    "turkey": "TR",
    "u.s. virgin islands": "VI",
    "uk": "GB",
    "vatican city": "VA",
    "west bank": "PS",
}


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (pycountry's table), and `USER_ASSIGNED_COUNTRIES`."""
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries) | frozenset(
        USER_ASSIGNED_COUNTRIES
    )


@cache
def country_name(code: str) -> str:
    """A country's short English name (ISO 3166's common name where it has one), else the code.

    >>> country_name("KR"), country_name("TW"), country_name("XK"), country_name("XX")
    ('South Korea', 'Taiwan', 'Kosovo', 'XX')
    """
    import pycountry

    if code in USER_ASSIGNED_COUNTRIES:
        return USER_ASSIGNED_COUNTRIES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


MAX_COUNTRY_NAME = 100  # characters; the longest country name has 56


@cache
def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a country field names, or None.

    Read are: a code itself; the constituent countries of the United Kingdom; the English
    names of ISO 3166 (name, common and official name) and `ALIASES`; then the names of every
    country in every language of the iso-codes tables that pycountry ships ("Madagaskar",
    "Grèce"), where they name one country only. Of "City, Country", the part after the comma.

    >>> country_code("Georgia (country)"), country_code("England, United Kingdom")
    ('GE', 'GB')
    >>> country_code("Wales"), country_code("Ivory Coast"), country_code("Kosovo")
    ('GB', 'CI', 'XK')
    >>> country_code("Madagaskar"), country_code("Grece"), country_code("Atlantis")
    ('MG', 'GR', None)
    >>> country_code("The Gambia"), country_code("jp"), country_code("Russia")
    ('GM', 'JP', 'RU')
    """
    name = text.strip()
    if "," in name:
        name = name.rsplit(",", 1)[1].strip()
    if not name or len(name) > MAX_COUNTRY_NAME:
        return None
    if len(name) == 2 and name.upper() in country_codes():
        return name.upper()
    key = normalize(name)
    if key in _uk_nations():
        return "GB"
    for candidate in (key, key.removeprefix("the ")):
        code = _english_names().get(candidate) or _translated_country_names().get(candidate)
        if code is not None:
            return code
    return None


@cache
def _english_names() -> dict[str, str]:
    """Normalized English names of ISO 3166 (each naming one country) and `ALIASES` → code."""
    import pycountry

    codes: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            english = getattr(country, attribute, None)
            if english:
                codes.setdefault(normalize(english), set()).add(country.alpha_2)
    names = {name: next(iter(found)) for name, found in codes.items() if len(found) == 1}
    names.update({normalize(alias): code for alias, code in ALIASES.items()})
    return names


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
