"""The continent of every country, for the colours of the HTML graph: our own small table,
from the United Nations' M49 standard of geographic regions (public: unstats.un.org/unsd/
methodology/m49), with the Americas cut into North America (M49's Northern America, Central
America and the Caribbean) and South America, and Kosovo (XK, not in M49) in Southern Europe.

>>> continent("ID"), continent("MA"), continent("US"), continent("BR"), continent("XX")
('Asia', 'Africa', 'North America', 'South America', None)
"""

from __future__ import annotations

__all__ = ["CONTINENTS", "M49_SUBREGIONS", "PLACED_APART", "continent"]

# M49's sub-regions (and their ISO 3166-1 alpha-2 codes), by the continent the page shows.
M49_SUBREGIONS: dict[str, dict[str, str]] = {
    "Africa": {
        "Northern Africa": "DZ EG EH LY MA SD TN",
        "Eastern Africa": "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW",
        "Middle Africa": "AO CD CF CG CM GA GQ ST TD",
        "Southern Africa": "BW LS NA SZ ZA",
        "Western Africa": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
    },
    "North America": {
        "Northern America": "BM CA GL PM US",
        "Central America": "BZ CR GT HN MX NI PA SV",
        "Caribbean": "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC "
        "TT VC VG VI",
    },
    "South America": {
        "South America": "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE",
    },
    "Antarctica": {"Antarctica": "AQ"},
    "Asia": {
        "Central Asia": "KG KZ TJ TM UZ",
        "Eastern Asia": "CN HK JP KP KR MN MO TW",
        "South-eastern Asia": "BN ID KH LA MM MY PH SG TH TL VN",
        "Southern Asia": "AF BD BT IN IR LK MV NP PK",
        "Western Asia": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
    },
    "Europe": {
        "Eastern Europe": "BG BY CZ HU MD PL RO RU SK UA",
        "Northern Europe": "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ",
        "Southern Europe": "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA XK",
        "Western Europe": "AT BE CH DE FR LI LU MC NL",
    },
    "Oceania": {
        "Australia and New Zealand": "AU CC CX HM NF NZ",
        "Melanesia": "FJ NC PG SB VU",
        "Micronesia": "FM GU KI MH MP NR PW UM",
        "Polynesia": "AS CK NU PF PN TK TO TV WF WS",
    },
}

# M49 puts Cyprus in Western Asia; the page colours it with Europe (a member of the European
# Union, and how the page has always shown it).
PLACED_APART = {"CY": "Europe"}

CONTINENTS: dict[str, str] = {
    **{
        code: name
        for name, subregions in M49_SUBREGIONS.items()
        for codes in subregions.values()
        for code in codes.split()
    },
    **PLACED_APART,
}


def continent(code: str) -> str | None:
    """The continent of an ISO 3166-1 alpha-2 country code, or None when it is not one."""
    return CONTINENTS.get(code.upper())
