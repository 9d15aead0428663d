"""Bulk data → YAML in our format. First: the Wikipedia twin-town CSV.

`import_wikipedia_csv` reads ``city1,country1,lat1,lng1,city2,country2,lat2,lng2`` rows (the
layout of github.com/Hekman/twincities, scraped from English Wikipedia's "List of twin towns and
sister cities in …" pages) and decides who is who:

- countries become ISO 3166-1 codes through country_converter's maintained name patterns
  ("Ivory Coast", "Republic of Ireland", "Georgia (country)"), the constituent countries of the
  United Kingdom through pycountry's subdivisions ("Wales"), and "Region, Country" through its
  last part ("England, United Kingdom", "Martinique, France"); rows whose country has no ISO
  code (Kosovo, misspellings) are dropped and counted;
- a place is its normalized name (`names.normalize`: Constanța = Constanţa), its country
  and its position: the same name and country more than 30 km apart are different places
  (never by name alone: Casablanca in Chile is not Casablanca in Morocco);
- "District (City)" rows, where City is a place of the same country in the file, become places
  ``part_of`` that city (Kota Tua (Jakarta)); other brackets stay in the name (Halle (Saale));
  "City – District" is another spelling of "District (City)" (Haaren – Esch, Esch (Haaren));
- rows pairing a place with itself, and ties already seen, are dropped and counted.

The result is a `Dataset` (a `source` names the origin and licence) and an `ImportReport`.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .countries import country_code
from .errors import SisterCitiesError
from .files import FileRefused, read_regular_file
from .model import Coordinates, Dataset, Partnership, Place, Source, tie_id
from .names import normalize
from .text import one_writable_line

__all__ = [
    "IMPORTED_DATA",
    "IMPORTERS",
    "ImportError_",
    "ImportFormat",
    "ImportOptionError",
    "ImportOptions",
    "ImportReport",
    "import_csv",
    "import_data",
    "import_graph",
    "import_source",
    "import_wikipedia_csv",
    "imported_source_id",
    "parse_columns",
]

WIKIPEDIA_SOURCE = Source(
    "wikipedia-twin-towns",
    "Lists of twin towns and sister cities (English Wikipedia), geocoded",
    publisher="Wikipedia contributors; compiled by github.com/Hekman/twincities",
    url="https://github.com/Hekman/twincities",
    licence="CC BY-SA 4.0 (Wikipedia contributors)",
)
SAME_PLACE_KM = 30.0
PROGRESS_EVERY = 5_000  # rows between two progress reports
MAX_FIELD_CHARS = 10_000  # a field longer than this is a broken quote, not a name
MAX_QID_DIGITS = 12  # Wikidata's QIDs have 9 digits today
SHOWN_LOCATIONS = 3  # locations of dropped rows the report lists, per reason
# The id of a `sources` entry an importer replaces with the id of the files it read
# (`imported_source_id`): never written as it is.
IMPORTED_DATA = "imported-data"


def _bracketed(name: str) -> str | None:
    """What a "District (City)" name holds in its final brackets, or None (without a pattern:
    one with adjacent quantifiers backtracks quadratically on a long run of spaces).

    >>> _bracketed("Kota Tua (Jakarta)"), _bracketed("Halle"), _bracketed("(x)")
    ('Jakarta', None, None)
    """
    if not name.endswith(")"):
        return None
    opened = name.rfind("(")
    inside = name[opened + 1 : -1]
    if opened < 1 or not inside or ")" in inside:
        return None
    return inside


class ImportError_(SisterCitiesError):
    """A file that cannot be imported (missing, unreadable, wrong columns)."""


@dataclass
class ImportReport:
    """Every decision the importer made, counted."""

    rows: int = 0
    places: int = 0
    ties: int = 0
    merged_spellings: int = 0
    districts: int = 0
    countries_from_names: int = 0  # places with no country field, placed by their name
    dropped: Counter[str] = field(default_factory=Counter)
    unknown_countries: Counter[str] = field(default_factory=Counter)
    # where the first dropped rows of each reason were (``file:line`` or a JSON position)
    dropped_at: dict[str, list[str]] = field(default_factory=dict)

    def drop(self, reason: str, where: str | None = None) -> None:
        """Count a dropped row, with where it was."""
        self.dropped[reason] += 1
        shown = self.dropped_at.setdefault(reason, [])
        if where is not None and len(shown) < SHOWN_LOCATIONS:
            shown.append(where)

    def lines(self) -> list[str]:
        """The report as lines of text, for stderr."""
        out = [
            f"rows read: {self.rows:,}",
            f"places: {self.places:,} ({self.districts:,} districts part of a city; "
            f"{self.merged_spellings:,} other spellings merged)",
            f"ties: {self.ties:,}",
        ]
        if self.countries_from_names:
            out.append(
                f"countries read from the place's name (no country given): "
                f"{self.countries_from_names:,} ends of pairs"
            )
        for reason, count in sorted(self.dropped.items()):
            places = self.dropped_at.get(reason, [])
            more = ", …" if count > len(places) else ""
            at = f" (at {', '.join(places)}{more})" if places else ""
            out.append(f"dropped, {reason}: {count:,}{at}")
        if self.unknown_countries:
            shown = ", ".join(
                f"{name!r} ({n})" for name, n in self.unknown_countries.most_common(8)
            )
            out.append(f"countries without an ISO 3166-1 code: {shown}")
        return out


def _slug(text: str) -> str:
    return (
        re.sub(r"[^a-z0-9]+", "-", normalize(text).encode("ascii", "ignore").decode()).strip("-")
        or "place"
    )


@dataclass
class _Place:
    key: str
    name: str
    country: str
    point: Coordinates | None
    spellings: set[str] = field(default_factory=set)
    qid: str | None = None
    population: int | None = None
    parent_name: str | None = None
    ident: str = ""


# name, ISO code, point, Wikidata QID, population
End = tuple[str, str, Coordinates | None, str | None, int | None]
Row = tuple[End, End, str]  # the two ends and where the row was (file:line)

# Our roles → the Wikipedia file's column names.
WIKIPEDIA_COLUMNS = {
    "city1": "city1",
    "country1": "country1",
    "lat1": "lat1",
    "lon1": "lng1",
    "city2": "city2",
    "country2": "country2",
    "lat2": "lat2",
    "lon2": "lng2",
}


_clean_name = one_writable_line  # a name as validate accepts it, whatever the source holds


def _end(
    name: object,
    country: object,
    lat: object,
    lon: object,
    report: ImportReport,
    qid: object = None,
    population: object = None,
) -> End | str:
    """One end of a pair as (name, ISO code, point, QID, population), or the reason it is
    unusable: no country code, no name, or coordinates that are not numbers in range."""
    code = country_code(str(country or ""))
    if code is None and not str(country or "").strip():
        # No country: "Varna, Bulgaria" names it in the place's field, and a territory with
        # its own code ("Falkland Islands") is its own country.
        written, _, after = str(name or "").rpartition(",")
        if written.strip() and country_code(after):
            name, code = written, country_code(after)
        else:
            code = country_code(str(name or ""))
        if code is not None:
            report.countries_from_names += 1
    if code is None:
        report.unknown_countries[str(country or "")[:80]] += 1
        return "a country without an ISO 3166-1 code"
    point: Coordinates | None = None
    if lat not in (None, "") or lon not in (None, ""):
        try:
            point = Coordinates(float(lat), float(lon))  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return "coordinates that are not numbers"
        if (
            not (math.isfinite(point.lat) and math.isfinite(point.lon))
            or abs(point.lat) > 90
            or abs(point.lon) > 180
        ):
            return "coordinates out of range (or not finite)"
    text = _clean_name(str(name or ""))
    if not text:
        return "a place without a name"
    wikidata = _qid(str(qid)) if qid not in (None, "") else None
    try:
        people = int(float(str(population))) if population not in (None, "") else None
    except (ValueError, OverflowError):  # "INF", "NaN", "1e400", words
        people = None
    if people is not None and people < 0:
        people = None
    return (text, code, point, wikidata, people)


def _read_source_bytes(path: Path, digests: list[bytes] | None = None) -> bytes:
    """An import source's bytes: a regular file of at most 64 MiB, else `ImportError_`. The
    SHA-256 of the bytes is added to `digests` (for `imported_source_id`)."""
    try:
        raw = read_regular_file(Path(path))
    except FileRefused as refused:
        raise ImportError_(str(refused)) from None
    if digests is not None:
        digests.append(hashlib.sha256(raw).digest())
    return raw


def _read_source(path: Path, digests: list[bytes] | None = None) -> str:
    """An import source's text (UTF-8, a byte-order mark allowed); `ImportError_` naming the
    file (and the line of a byte that is not UTF-8) when it cannot be read."""
    raw = _read_source_bytes(path, digests)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ImportError_(
            f"{path}:{line}: byte 0x{raw[error.start]:02x} is not UTF-8: save the file as UTF-8"
        ) from None


def _csv_rows(path: Path, text: str) -> Iterable[tuple[int, list[str]]]:
    """The rows of a CSV text with the line each begins on. A quote left open (the csv module
    would swallow the rows after it into one field), a field over `MAX_FIELD_CHARS` and
    text after a closing quote are `ImportError_`s naming the line where the row began."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):
                raise ImportError_(
                    f"{path}:{line}: a field longer than {csv.field_size_limit():,} characters "
                    "(a quote left open?): refused"
                ) from None
            if "unexpected end of data" in str(error):
                raise ImportError_(
                    f"{path}:{line}: a quote opened in this row is never closed (every row "
                    "after it would be read as one field): close the quote"
                ) from None
            raise ImportError_(f"{path}:{line}: broken quoting ({error})") from None
        if reader.line_num > line or any(len(cell) > MAX_FIELD_CHARS for cell in row):
            column = next((i for i, cell in enumerate(row) if "\n" in cell or "\r" in cell), None)
            if column is None:
                column = next(i for i, cell in enumerate(row) if len(cell) > MAX_FIELD_CHARS)
            raise ImportError_(
                f"{path}:{line}: the quote of field {column + 1} opens on this line and is not "
                f"closed before the line ends (it runs to line {reader.line_num}, swallowing "
                "the rows between): close the quote"
            )
        yield line, row


def import_csv(
    paths: Iterable[Path],
    columns: dict[str, str] | None = None,
    source: Source = WIKIPEDIA_SOURCE,
    progress: Callable[[int], None] | None = None,
) -> tuple[Dataset, ImportReport]:
    """Read CSV files of pairs into a dataset and a report. `columns` maps our roles (city1,
    country1, lat1, lon1, city2, country2, lat2, lon2) to the files' column names; by default
    the Wikipedia layout. Every row dropped is counted with its reason and line. A `source`
    whose id is `IMPORTED_DATA` gets the id of the files read (`imported_source_id`)."""
    columns = columns or WIKIPEDIA_COLUMNS
    report = ImportReport()
    rows: list[Row] = []
    paths = list(paths)
    digests: list[bytes] = []
    for path in paths:
        rows_of_file = iter(_csv_rows(path, _read_source(path, digests)))
        header = next(rows_of_file, (1, []))[1]
        header = [name.strip() for name in header]
        missing = [c for c in columns.values() if c not in header]
        if missing:
            raise ImportError_(f"{path}:1: missing columns {', '.join(missing)}")
        index = {role: header.index(name) for role, name in columns.items()}
        for line, row in rows_of_file:
            if not row:  # a blank line
                continue
            report.rows += 1
            if progress is not None and report.rows % PROGRESS_EVERY == 0:
                progress(report.rows)
            where = f"{Path(path).name}:{line}"
            if len(row) != len(header):
                report.drop("a row whose number of fields is not the header's", where)
                continue
            if any("\x00" in cell for cell in row):
                report.drop("a NUL byte in a field", where)
                continue
            ends = [
                _end(
                    row[index[f"city{i}"]],
                    row[index[f"country{i}"]],
                    row[index[f"lat{i}"]],
                    row[index[f"lon{i}"]],
                    report,
                )
                for i in ("1", "2")
            ]
            first, second = ends
            if isinstance(first, str) or isinstance(second, str):
                report.drop(first if isinstance(first, str) else str(second), where)
                continue
            rows.append((first, second, where))
    return _build(rows, report, _own_source(source, paths, digests))


def import_wikipedia_csv(
    paths: Iterable[Path], progress: Callable[[int], None] | None = None
) -> tuple[Dataset, ImportReport]:
    """Read twin-town CSV files (the Wikipedia layout) into a dataset and a report."""
    return import_csv(paths, progress=progress)


def _attribute(data: dict[str, object], *names: str) -> object:
    for name in names:
        if data.get(name) not in (None, ""):
            return data[name]
    return None


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def import_graph(paths: Iterable[Path], source: Source) -> tuple[Dataset, ImportReport]:
    """Read GraphML or GEXF files (saved by Gephi or networkx): nodes with a label or name, a
    country, and lat/lon (or latitude/longitude), edges as ties. A file with a DTD is refused
    (entity declarations can expand without bound); dropped edges are counted with their
    position (``edge 3 ('a'–'b')``). A `source` whose id is `IMPORTED_DATA` gets the id of
    the files read (`imported_source_id`)."""
    import networkx as nx

    report = ImportReport()
    rows: list[Row] = []
    paths = list(paths)
    digests: list[bytes] = []
    for path in paths:
        raw = _read_source_bytes(path, digests)
        _refuse_dtd(path, raw)
        reader = nx.read_gexf if str(path).lower().endswith(".gexf") else nx.read_graphml
        try:
            with warnings.catch_warnings():  # networkx warns of keys without a type: noise
                warnings.simplefilter("ignore")
                network = reader(io.BytesIO(raw))
        except RecursionError:
            raise ImportError_(f"{path}: not a readable graph (nested too deeply)") from None
        except Exception as error:  # the XML parser's and networkx's own errors
            raise ImportError_(
                f"{path}: not a readable graph ({type(error).__name__}: {_short(str(error), 200)})"
            ) from None
        ends: dict[object, End | str] = {}
        for node, data in network.nodes(data=True):
            ends[node] = _end(
                _attribute(data, "label", "name") or node,
                _attribute(data, "country", "country_code", "iso2"),
                _attribute(data, "lat", "latitude", "y_lat"),
                _attribute(data, "lon", "lng", "longitude"),
                report,
                _attribute(data, "wikidata", "qid", "wikidata_id"),
                _attribute(data, "population"),
            )
        for number, (a, b) in enumerate(network.edges(), start=1):
            report.rows += 1
            first, second = ends[a], ends[b]
            where = f"{Path(path).name}: edge {number} ({_short(a)}–{_short(b)})"
            if isinstance(first, str) or isinstance(second, str):
                report.drop(first if isinstance(first, str) else str(second), where)
                continue
            rows.append((first, second, where))
    return _build(rows, report, _own_source(source, paths, digests))


def _refuse_dtd(path: Path, raw: bytes) -> None:
    """Refuse a GraphML or GEXF file with a DTD, in whatever encoding expat reads it (UTF-16
    with a BOM or a declaration, Latin-1, …): a first pass with expat itself, which stops at a
    document type or entity declaration before any entity is expanded. Bytes expat cannot read
    are refused as unreadable."""
    import xml.parsers.expat

    message = (
        f"{path}: a DTD (<!DOCTYPE …>) is not read: its entities can expand without bound, and "
        "GraphML and GEXF need none"
    )
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:  # the common case, without parsing
        raise ImportError_(message)

    class _Dtd(Exception):
        pass

    def refuse(*args: object) -> None:
        raise _Dtd

    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        parser.Parse(raw, True)
    except _Dtd:
        raise ImportError_(message) from None
    except (xml.parsers.expat.ExpatError, RecursionError, ValueError, LookupError) as error:
        kind = "ParseError" if isinstance(error, xml.parsers.expat.ExpatError) else None
        raise ImportError_(  # named as the reader (ElementTree) names the same error
            f"{path}: not a readable graph ({kind or type(error).__name__}: "
            f"{_short(str(error), 200)})"
        ) from None


_CITY_DASH_DISTRICT = (" – ", " - ")


def _spelling_key(name: str) -> str:
    """The key of a name among the file's spellings: its normalized form, where "City –
    District" and "District (City)" are one name.

    >>> _spelling_key("Haaren – Esch") == _spelling_key("Esch (Haaren)")
    True
    >>> _spelling_key("Halle (Saale)") == _spelling_key("Halle Saale") != _spelling_key("Halle")
    True
    """
    for dash in _CITY_DASH_DISTRICT:
        city, found, district = name.partition(dash)
        if found and city.strip() and district.strip() and dash not in district:
            return normalize(f"{district} {city}")
    return normalize(name)


def _build(rows: list[Row], report: ImportReport, source: Source) -> tuple[Dataset, ImportReport]:
    """Places and ties from pairs: who is who, districts, drops (see the module's docstring)."""
    # Places: by normalized name and country, split where the positions are far apart.
    groups: dict[tuple[str, str], list[_Place]] = {}
    by_qid: dict[str, _Place] = {}

    def place_of(
        name: str, country: str, point: Coordinates | None, qid: str | None, people: int | None
    ) -> _Place:
        if qid is not None and qid in by_qid:  # the same Wikidata item: the same place
            by_qid[qid].spellings.add(name)
            return by_qid[qid]
        key = (_spelling_key(name), country)
        for candidate in groups.setdefault(key, []):
            near = point is None or candidate.point is None
            same_item = qid is None or candidate.qid is None or candidate.qid == qid
            if same_item and (near or candidate.point.km_to(point) <= SAME_PLACE_KM):  # type: ignore[union-attr,arg-type]
                candidate.spellings.add(name)
                candidate.qid = candidate.qid or qid
                return candidate
        created = _Place(
            f"{key[0]}|{country}|{len(groups[key])}", name, country, point, {name}, qid, people
        )
        groups[key].append(created)
        if qid is not None:
            by_qid[qid] = created
        return created

    pairs = [(place_of(*a), place_of(*b), where) for a, b, where in rows]
    places = [p for group in groups.values() for p in group]
    report.merged_spellings = sum(len(p.spellings) - 1 for p in places)
    names_by_country = {(normalize(p.name), p.country) for p in places}
    for p in places:
        # A district spelled both ways is named "District (City)", as most lists spell it.
        p.name = min(p.spellings, key=lambda n: (_bracketed(n) is None, n != p.name))
        inside = _bracketed(p.name)
        if inside is not None and (normalize(inside), p.country) in names_by_country:
            p.parent_name = inside
    # Stable ids: slug-country, numbered when two places share them.
    taken: Counter[str] = Counter()

    def position(p: _Place) -> tuple[float, float]:
        return (p.point.lat, p.point.lon) if p.point is not None else (-999.0, -999.0)

    for p in sorted(places, key=lambda p: (p.country, normalize(p.name), *position(p))):
        base = f"{_slug(p.name)}-{p.country.lower()}"
        taken[base] += 1
        p.ident = base if taken[base] == 1 else f"{base}-{taken[base]}"
    by_name = {(normalize(p.name), p.country): p for p in places}

    ties: dict[str, Partnership] = {}
    for a, b, where in pairs:
        if a is b:
            report.drop("a place paired with itself", where)
            continue
        ident = tie_id(a.ident, b.ident)
        if ident in ties:
            report.drop("the same tie again", where)
            continue
        first, second = sorted((a.ident, b.ident))
        ties[ident] = Partnership(
            ident,
            (first, second),
            "sister-city",
            "active",
            (source.id,),
        )
    used = {i for t in ties.values() for i in t.between}
    entities = {}
    for p in sorted(places, key=lambda p: p.ident):
        parent = by_name.get((normalize(p.parent_name), p.country)) if p.parent_name else None
        if p.ident not in used and (parent is None):
            continue
        if parent is not None:
            report.districts += 1
        entities[p.ident] = Place(
            p.ident,
            p.name,
            "district" if parent is not None else "city",
            p.country,
            (source.id,),
            aliases=tuple(sorted(p.spellings - {p.name})),
            coordinates=p.point,
            wikidata=p.qid,
            population=p.population,
            part_of=parent.ident if parent is not None else None,
        )
    for entity in list(entities.values()):  # a district's city must be in the file too
        if entity.part_of and entity.part_of not in entities:
            parent = next(p for p in places if p.ident == entity.part_of)
            entities[parent.ident] = Place(
                parent.ident,
                parent.name,
                "city",
                parent.country,
                (source.id,),
                coordinates=parent.point,
            )
    report.places = len(entities)
    report.ties = len(ties)
    dataset = Dataset(
        sources={source.id: source},
        places=dict(sorted(entities.items())),
        partnerships=dict(sorted(ties.items())),
    )
    return dataset, report


WIKIDATA_2016_SOURCE = Source(
    "wikidata-p190",
    "Wikidata: twinned administrative body (P190) statements",
    publisher="Wikidata contributors",
    url="https://www.wikidata.org/wiki/Property:P190",
    licence="CC0 1.0",
    notes="Imported from pair lists or query results: places have no kind in the source "
    "(written as city), and a country only where the query gave one.",
)
_QID_IRI = re.compile(
    rf"^(?:https?://www\.wikidata\.org/entity/)?(Q[1-9][0-9]{{0,{MAX_QID_DIGITS - 1}}})$"
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WKT_POINT = re.compile(r"Point\(([^ ()]{1,40}) ([^ ()]{1,40})\)")
# The variables of graph/wikidata/twins.rq that the importer reads.
_WIKIDATA_VARIABLES = (
    "item",
    "twin",
    "itemLabel",
    "twinLabel",
    "country",
    "twinCountry",
    "coord",
    "twinCoord",
    "start",
    "end",
)


def _qid(value: str) -> str | None:
    """The QID an IRI or a QID names (at most `MAX_QID_DIGITS` digits), or None.

    >>> _qid("http://www.wikidata.org/entity/Q3630"), _qid("Q" + "9" * 5000), _qid("Q0")
    ('Q3630', None, None)
    """
    match = _QID_IRI.match(value.strip())
    return match[1] if match else None


class _Unusable(ValueError):
    """A value of a row that makes the row unusable (the message is the reason)."""


def _wikidata_date(value: str | None) -> str | None:
    """A WDQS dateTime as our date: the year when it is 1 January (the usual year precision).
    A date that is not a possible day (February 30, month 13, year 0, before the common era)
    raises `_Unusable`.

    >>> _wikidata_date("1990-01-01T00:00:00Z"), _wikidata_date("+2001-05-17T00:00:00Z")
    ('1990', '2001-05-17')
    """
    from .dates import DateSyntaxError, PartialDate

    if not value:
        return None
    day = value.removeprefix("+")[:10]
    if not _DAY.fullmatch(day):
        raise _Unusable("a date that is not YYYY-MM-DD…")
    text = day[:4] if day.endswith("-01-01") else day
    try:
        PartialDate.parse(text)
    except DateSyntaxError:
        raise _Unusable("an impossible date") from None
    return text


def _wikidata_point(value: str) -> Coordinates | None:
    """A WKT ``Point(lon lat)`` as coordinates (None for no value); `_Unusable` when it is
    malformed or out of range."""
    if not value:
        return None
    match = _WKT_POINT.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        lon, lat = float(match[1]), float(match[2])
    except ValueError:
        raise _Unusable("a malformed point (not Point(lon lat))") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        raise _Unusable("a point out of range")
    return Coordinates(lat, lon)


def _bindings(path: Path, text: str) -> list[object]:
    """The ``results.bindings`` list of SPARQL JSON results, or `ImportError_` saying where
    the shape is wrong."""
    import json

    try:
        document = json.loads(text)
    except RecursionError:
        raise ImportError_(f"{path}: not SPARQL JSON results (nested too deeply)") from None
    except ValueError as error:
        raise ImportError_(f"{path}: not JSON ({_short(str(error), 120)})") from None
    if not isinstance(document, dict):
        raise ImportError_(
            f"{path}: not SPARQL JSON results: the top level is {type(document).__name__}, "
            "not an object with 'results'"
        )
    results = document.get("results")
    if not isinstance(results, dict):
        raise ImportError_(f"{path}: results: expected an object holding 'bindings'")
    bindings = results.get("bindings")
    if not isinstance(bindings, list):
        raise ImportError_(f"{path}: results.bindings: expected a list of rows")
    return bindings


def _binding_values(row: object, position: str) -> dict[str, str]:
    """The values of one binding (``{"item": {"type": "uri", "value": …}, …}``) that the
    importer reads, as strings; `_Unusable` (naming the variable) when the shape is wrong."""
    if not isinstance(row, dict):
        raise _Unusable(f"{position}: a row that is not an object")
    values: dict[str, str] = {}
    for name in _WIKIDATA_VARIABLES:
        if name not in row:
            continue
        term = row[name]
        if not isinstance(term, dict) or not isinstance(term.get("value"), str):
            raise _Unusable(f"{position}.{name}: a value not of the form {{'value': '…'}}")
        if "\x00" in term["value"]:
            raise _Unusable(f"{position}.{name}: a NUL character in a value")
        values[name] = term["value"]
    return values


def import_wikidata(
    paths: Iterable[Path],
    labels: Path | None = None,
    language: str = "de",
    progress: Callable[[int], None] | None = None,
) -> tuple[Dataset, ImportReport]:
    """Wikidata twins: TSV pair lists (``QID<TAB>QID``, one direction a row) with a labels file
    (``QID<TAB>label``), or the JSON results of graph/wikidata/twins.rq from the
    Wikidata Query Service. Places are identified by QID. Rows that cannot be used are
    dropped and counted with their position (``file: results.bindings[12].start``)."""
    _check_language(language)
    from .dates import PartialDate

    report = ImportReport()
    names: dict[str, str] = {}
    if labels is not None:
        for line in _read_source(labels).splitlines():
            qid, _, label = line.partition("\t")
            label = _clean_name(label)
            if _qid(qid) and label and "\x00" not in label:
                names[qid.strip()] = label
    countries: dict[str, str] = {}
    points: dict[str, Coordinates] = {}
    dates: dict[frozenset[str], tuple[str | None, str | None]] = {}
    pairs: list[tuple[str, str, str]] = []
    for path in paths:
        text = _read_source(path)
        if str(path).lower().endswith(".json"):
            for number, row in enumerate(_bindings(path, text)):
                report.rows += 1
                position = f"results.bindings[{number}]"
                try:
                    value = _binding_values(row, position)
                    a, b = _qid(value.get("item", "")), _qid(value.get("twin", ""))
                    if a is None or b is None:
                        raise _Unusable(f"{position}.{'item' if a is None else 'twin'}: not a QID")
                    ends = []
                    for prefix, qid in (("item", a), ("twin", b)):
                        try:
                            point = _wikidata_point(
                                value.get("coord" if prefix == "item" else "twinCoord", "")
                            )
                        except _Unusable as unusable:
                            where = "coord" if prefix == "item" else "twinCoord"
                            raise _Unusable(f"{position}.{where}: {unusable}") from None
                        ends.append((qid, prefix, point))
                    when = []
                    for name in ("start", "end"):
                        try:
                            when.append(_wikidata_date(value.get(name)))
                        except _Unusable as unusable:
                            raise _Unusable(f"{position}.{name}: {unusable}") from None
                except _Unusable as unusable:
                    where, _, reason = str(unusable).partition(": ")
                    report.drop(reason, f"{Path(path).name}: {where}")
                    continue
                for qid, prefix, point in ends:
                    label = _clean_name(value.get(f"{prefix}Label", ""))
                    if label and not _qid(label) and "\x00" not in label:
                        names.setdefault(qid, label)
                    code = value.get("country" if prefix == "item" else "twinCountry", "")
                    code = code.strip().upper()
                    if len(code) == 2 and country_code(code) == code:
                        countries.setdefault(qid, code)
                    if point is not None:
                        points.setdefault(qid, point)
                dates.setdefault(frozenset((a, b)), (when[0], when[1]))
                pairs.append((a, b, f"{Path(path).name}: {position}"))
        else:
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                report.rows += 1
                if progress is not None and report.rows % PROGRESS_EVERY == 0:
                    progress(report.rows)
                first, _, second = line.partition("\t")
                a, b = _qid(first), _qid(second)
                if a is None or b is None:
                    report.drop("not a QID", f"{Path(path).name}:{number}")
                    continue
                pairs.append((a, b, f"{Path(path).name}:{number}"))
    ties: dict[frozenset[str], tuple[str, str]] = {}
    for a, b, where in pairs:
        if a == b:
            report.drop("a place paired with itself", where)
            continue
        key = frozenset((a, b))
        if key in ties:
            report.drop("the same tie again (or its other direction)", where)
            continue
        ties[key] = (a, b)
    qids = sorted({q for pair in ties.values() for q in pair}, key=lambda q: int(q[1:]))
    ident = {
        q: f"{_slug(names.get(q, ''))}-{q.lower()}".lstrip("-") if q in names else q.lower()
        for q in qids
    }
    places = {
        ident[q]: Place(
            ident[q],
            names.get(q, q),
            "city",
            countries.get(q),
            (WIKIDATA_2016_SOURCE.id,),
            labels={language: names[q]} if q in names and language else {},
            coordinates=points.get(q),
            wikidata=q,
        )
        for q in qids
    }
    partnerships: dict[str, Partnership] = {}
    for key, (a, b) in ties.items():
        first, second = sorted((ident[a], ident[b]))
        since, until = dates.get(key, (None, None))
        partnerships[f"{first}--{second}"] = Partnership(
            f"{first}--{second}",
            (first, second),
            "sister-city",
            "ended" if until else "active",
            (WIKIDATA_2016_SOURCE.id,),
            since=PartialDate.parse(since) if since else None,
            until=PartialDate.parse(until) if until else None,
        )
    report.places, report.ties = len(places), len(partnerships)
    dataset = Dataset(
        sources={WIKIDATA_2016_SOURCE.id: WIKIDATA_2016_SOURCE},
        places=dict(sorted(places.items())),
        partnerships=dict(sorted(partnerships.items())),
    )
    return dataset, report


# ---------------------------------------------------------------------------------------------
# the registry of import formats (beside `sistercities.export.FORMATS`)

CSV_ROLES = tuple(f"{role}{i}" for i in "12" for role in ("city", "country", "lat", "lon"))


class ImportOptionError(ImportError_):
    """Options that do not fit the import format (a usage error at the command line)."""


@dataclass(frozen=True)
class ImportOptions:
    """What an import may be told besides its files; each format reads what it needs."""

    source: Source | None = None  # csv, graphml, gexf: the `sources` entry of the output
    columns: str | None = None  # csv: "city1=from,country1=from_cc,…"
    labels: Path | None = None  # wikidata: a QID<TAB>label file for the pair lists
    labels_language: str = "de"
    progress: Callable[[int], None] | None = None  # called with the rows read so far


@dataclass(frozen=True)
class ImportFormat:
    """A format bulk data can be imported from."""

    name: str
    description: str
    read: Callable[[Sequence[Path], ImportOptions], tuple[Dataset, ImportReport]]


def parse_columns(text: str | None) -> dict[str, str]:
    """``city1=from,country1=from_cc,…`` as a mapping of our roles (`CSV_ROLES`) to columns.

    >>> parse_columns("city1=a,country1=b,lat1=c,lon1=d,city2=e,country2=f,lat2=g,lon2=h")["lat2"]
    'g'
    """
    if not text:
        raise ImportOptionError("csv needs --columns (see --help)")
    mapping = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
    if sorted(mapping) != sorted(CSV_ROLES):
        raise ImportOptionError(f"--columns must name exactly: {', '.join(CSV_ROLES)}")
    return mapping


def import_source(
    title: str | None, url: str | None = None, licence: str | None = None, *, default_title: str
) -> Source:
    """The `sources` entry of an import's output, from the command line's options, checked as
    `validate` checks data: a title that is not blank, an http(s) URL, a licence that is not
    blank. `ImportOptionError` says which option is wrong (before any source is read). Its id
    is `IMPORTED_DATA`, which the importer replaces with the id of the files it reads.

    >>> import_source(None, "https://example.org/x", default_title="Imported").url
    'https://example.org/x'
    >>> import_source("  ", default_title="Imported")
    Traceback (most recent call last):
    ...
    sistercities.importers.ImportOptionError: --source-title must not be blank
    """
    from urllib.parse import urlsplit

    def text(option: str, value: str) -> str:
        cleaned = _clean_name(value)
        if not cleaned:
            raise ImportOptionError(f"{option} must not be blank")
        if cleaned != value.strip():
            raise ImportOptionError(f"{option} must not hold control characters")
        return cleaned

    if url is not None:
        parts = urlsplit(url) if re.fullmatch(r"https?://\S+", url) else None
        if parts is None or not parts.hostname:
            raise ImportOptionError(
                f"--source-url must be an http:// or https:// URL with a host, not {url[:80]!r}"
            )
    return Source(
        IMPORTED_DATA,
        text("--source-title", title) if title is not None else _clean_name(default_title),
        url=url,
        licence=text("--licence", licence) if licence is not None else None,
    )


def _source(options: ImportOptions) -> Source:
    return options.source or Source(IMPORTED_DATA, "Imported data")


def imported_source_id(paths: Sequence[Path], digests: Sequence[bytes]) -> str:
    """The source id of an import: ``imported-``, the first file's name as a slug, and 12
    hex digits of the SHA-256 of the files' SHA-256 `digests`, in order. The same files give
    the same id (outputs are reproducible); two imports of different bytes never share one,
    so layered together neither's facts are credited to the other.

    >>> import hashlib
    >>> imported_source_id([Path("My Pairs.csv")], [hashlib.sha256(b"a,b").digest()])
    'imported-my-pairs-csv-3393963ea67e'
    """
    combined = hashlib.sha256(b"".join(digests)).hexdigest()
    name = _slug(Path(paths[0]).name)[:40].strip("-") if paths else "data"
    return f"imported-{name or 'data'}-{combined[:12]}"


def _own_source(source: Source, paths: Sequence[Path], digests: Sequence[bytes]) -> Source:
    """`source`, with the id of the files read when its id is the placeholder `IMPORTED_DATA`."""
    if source.id != IMPORTED_DATA:
        return source
    return dataclasses.replace(source, id=imported_source_id(paths, digests))


IMPORTERS: dict[str, ImportFormat] = {
    f.name: f
    for f in (
        ImportFormat(
            "wikipedia-csv",
            "the layout of Wikipedia's twin-town lists (city1,country1,lat1,lng1,city2,…)",
            lambda paths, o: import_wikipedia_csv(paths, o.progress),
        ),
        ImportFormat(
            "csv",
            "any CSV of pairs, with --columns",
            lambda paths, o: import_csv(paths, parse_columns(o.columns), _source(o), o.progress),
        ),
        ImportFormat(
            "wikidata",
            "QID pair lists with --labels, or the JSON results of graph/wikidata/twins.rq",
            lambda paths, o: import_wikidata(paths, o.labels, o.labels_language, o.progress),
        ),
        ImportFormat(
            "graphml",
            "GraphML saved by Gephi or networkx",
            lambda paths, o: import_graph(paths, _source(o)),
        ),
        ImportFormat(
            "gexf",
            "GEXF saved by Gephi or networkx",
            lambda paths, o: import_graph(paths, _source(o)),
        ),
    )
}


def import_data(
    format_name: str, paths: Sequence[Path], options: ImportOptions | None = None
) -> tuple[Dataset, ImportReport]:
    """Import `paths` in the format `format_name` (a key of `IMPORTERS`): the dataset and the
    report of every decision. Raises `ImportError_` (`ImportOptionError` for bad options,
    before any file is read)."""
    options = options or ImportOptions()
    _check_language(options.labels_language)
    return IMPORTERS[format_name].read(paths, options)


def _check_language(tag: str) -> None:
    """--labels-language must be a well-formed BCP 47 tag, as `validate` asks of every label
    (an empty one means no labels)."""
    from .text import is_language_tag

    if tag and not is_language_tag(tag):
        raise ImportOptionError(
            f"--labels-language must be a BCP 47 language tag (such as de, en, pt-BR), "
            f"not {tag[:40]!r}"
        )
