"""Bulk data → YAML in our format. First: the Wikipedia twin-town CSV.

`import_wikipedia_csv` reads ``city1,country1,lat1,lng1,city2,country2,lat2,lng2`` rows (the
layout of github.com/Hekman/twincities, scraped from English Wikipedia's "List of twin towns and
sister cities in …" pages) and decides who is who:

- countries become ISO 3166-1 codes through country_converter's maintained name patterns
  ("Ivory Coast", "Republic of Ireland", "Georgia (country)"), the constituent countries of the
  United Kingdom through pycountry's subdivisions ("Wales"), and "Region, Country" through its
  last part ("England, United Kingdom", "Martinique, France"); rows whose country has no ISO
  code (Kosovo, misspellings) are dropped and counted;
- a place is its normalized name (`graph.names.normalize`: Constanța = Constanţa), its country
  and its position: the same name and country more than 30 km apart are different places
  (never by name alone: Casablanca in Chile is not Casablanca in Morocco);
- "District (City)" rows, where City is a place of the same country in the file, become places
  ``part_of`` that city (Kota Tua (Jakarta)); other brackets stay in the name (Halle (Saale));
- rows pairing a place with itself, and ties already seen, are dropped and counted.

The result is a `Dataset` (a `source` names the origin and licence) and an `ImportReport`.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.countries import country_code
from graph.errors import SisterCitiesError
from graph.model import Coordinates, Dataset, Partnership, Place, Source, tie_id
from graph.names import normalize

__all__ = [
    "IMPORTERS",
    "ImportError_",
    "ImportFormat",
    "ImportOptionError",
    "ImportOptions",
    "ImportReport",
    "import_csv",
    "import_data",
    "import_graph",
    "import_wikipedia_csv",
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
_BRACKETS = re.compile(r"^(?P<name>.+?)\s*\((?P<inside>[^()]+)\)$")


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
            out.append(f"dropped, {reason}: {count:,}")
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
Row = tuple[End, End]

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


def _end(
    name: object,
    country: object,
    lat: object,
    lon: object,
    report: ImportReport,
    qid: object = None,
    population: object = None,
) -> End | None:
    """One end of a pair as (name, ISO code, point or None), or None (counted) when unusable:
    no country code, no name, or coordinates that are not numbers in range."""
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
        report.unknown_countries[str(country or "")] += 1
        return None
    point: Coordinates | None = None
    if lat not in (None, "") or lon not in (None, ""):
        try:
            point = Coordinates(float(lat), float(lon))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if (
            not (math.isfinite(point.lat) and math.isfinite(point.lon))
            or abs(point.lat) > 90
            or abs(point.lon) > 180
        ):
            return None
    text = str(name or "").strip()
    wikidata = _qid(str(qid)) if qid not in (None, "") else None
    try:
        people = int(float(str(population))) if population not in (None, "") else None
    except ValueError:
        people = None
    if people is not None and people < 0:
        people = None
    return (text, code, point, wikidata, people) if text else None


def import_csv(
    paths: Iterable[Path],
    columns: dict[str, str] | None = None,
    source: Source = WIKIPEDIA_SOURCE,
    progress: Callable[[int], None] | None = None,
) -> tuple[Dataset, ImportReport]:
    """Read CSV files of pairs into a dataset and a report. `columns` maps our roles (city1,
    country1, lat1, lon1, city2, country2, lat2, lon2) to the files' column names; by default
    the Wikipedia layout."""
    columns = columns or WIKIPEDIA_COLUMNS
    report = ImportReport()
    rows: list[Row] = []
    for path in paths:
        try:
            with Path(path).open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in columns.values() if c not in (reader.fieldnames or [])]
                if missing:
                    raise ImportError_(f"{path}: missing columns {', '.join(missing)}")
                for row in reader:
                    report.rows += 1
                    if progress is not None and report.rows % PROGRESS_EVERY == 0:
                        progress(report.rows)
                    ends = [
                        _end(
                            row[columns[f"city{i}"]],
                            row[columns[f"country{i}"]],
                            row[columns[f"lat{i}"]],
                            row[columns[f"lon{i}"]],
                            report,
                        )
                        for i in ("1", "2")
                    ]
                    if ends[0] is None or ends[1] is None:
                        report.dropped["unknown country or unreadable row"] += 1
                        continue
                    rows.append((ends[0], ends[1]))
        except OSError as error:
            raise ImportError_(f"{path}: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise ImportError_(f"{path}: not UTF-8 ({error.reason})") from None
    return _build(rows, report, source)


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


def import_graph(paths: Iterable[Path], source: Source) -> tuple[Dataset, ImportReport]:
    """Read GraphML or GEXF files (saved by Gephi or networkx): nodes with a label or name, a
    country, and lat/lon (or latitude/longitude), edges as ties."""
    import networkx as nx

    report = ImportReport()
    rows: list[Row] = []
    for path in paths:
        reader = nx.read_gexf if str(path).lower().endswith(".gexf") else nx.read_graphml
        try:
            network = reader(str(path))
        except (OSError, ValueError, KeyError, nx.NetworkXError) as error:
            raise ImportError_(f"{path}: not a readable graph ({error})") from None
        except Exception as error:  # the XML parser's own errors
            raise ImportError_(
                f"{path}: not a readable graph ({type(error).__name__}: {error})"
            ) from None
        ends: dict[object, End | None] = {}
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
        for a, b in network.edges():
            report.rows += 1
            if ends[a] is None or ends[b] is None:
                report.dropped["unknown country or unreadable row"] += 1
                continue
            rows.append((ends[a], ends[b]))  # type: ignore[arg-type]
    return _build(rows, report, source)


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
        key = (normalize(name), country)
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

    pairs: list[tuple[_Place, _Place]] = [(place_of(*a), place_of(*b)) for a, b in rows]
    places = [p for group in groups.values() for p in group]
    report.merged_spellings = sum(len(p.spellings) - 1 for p in places)
    names_by_country = {(normalize(p.name), p.country) for p in places}
    for p in places:
        match = _BRACKETS.match(p.name)
        if match and (normalize(match["inside"]), p.country) in names_by_country:
            p.parent_name = match["inside"]
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
    for a, b in pairs:
        if a is b:
            report.dropped["a place paired with itself"] += 1
            continue
        ident = tie_id(a.ident, b.ident)
        if ident in ties:
            report.dropped["the same tie again"] += 1
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
_QID_IRI = re.compile(r"^(?:https?://www\.wikidata\.org/entity/)?(Q[1-9][0-9]*)$")


def _qid(value: str) -> str | None:
    match = _QID_IRI.match(value.strip())
    return match[1] if match else None


def _wikidata_date(value: str | None) -> str | None:
    """A WDQS dateTime as our date: the year when it is 1 January (the usual year precision)."""
    if not value:
        return None
    day = value.lstrip("+")[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        return None
    return day[:4] if day.endswith("-01-01") else day


def import_wikidata(
    paths: Iterable[Path],
    labels: Path | None = None,
    language: str = "de",
    progress: Callable[[int], None] | None = None,
) -> tuple[Dataset, ImportReport]:
    """Wikidata twins: TSV pair lists (``QID<TAB>QID``, one direction a row) with a labels file
    (``QID<TAB>label``), or the JSON results of graph/wikidata/twins.rq from the
    Wikidata Query Service. Places are identified by QID."""
    from graph.dates import PartialDate

    report = ImportReport()
    names: dict[str, str] = {}
    if labels is not None:
        try:
            for line in Path(labels).read_text(encoding="utf-8").splitlines():
                qid, _, label = line.partition("\t")
                if _qid(qid) and label.strip():
                    names[qid.strip()] = label.strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ImportError_(f"{labels}: {error}") from None
    countries: dict[str, str] = {}
    points: dict[str, Coordinates] = {}
    dates: dict[frozenset[str], tuple[str | None, str | None]] = {}
    pairs: list[tuple[str, str]] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ImportError_(f"{path}: {error}") from None
        if str(path).lower().endswith(".json"):
            import json

            try:
                bindings = json.loads(text)["results"]["bindings"]
            except (ValueError, KeyError, TypeError) as error:
                raise ImportError_(f"{path}: not SPARQL JSON results ({error})") from None
            for row in bindings:
                report.rows += 1
                value: dict[str, str] = {
                    k: str(v.get("value", "")) for k, v in row.items() if isinstance(v, dict)
                }
                a, b = _qid(value.get("item", "")), _qid(value.get("twin", ""))
                if a is None or b is None:
                    report.dropped["not a QID"] += 1
                    continue
                for qid, prefix in ((a, ""), (b, "twin")):
                    label = value.get(f"{prefix}Label" if prefix else "itemLabel", "")
                    if label and not _qid(label):
                        names.setdefault(qid, label)
                    code = (value.get(f"{prefix}Country" if prefix else "country") or "").upper()
                    if len(code) == 2 and country_code(code) == code:
                        countries.setdefault(qid, code)
                    point = re.match(
                        r"Point\(([-0-9.eE]+) ([-0-9.eE]+)\)",
                        value.get(f"{prefix}Coord" if prefix else "coord", ""),
                    )
                    if point:
                        points.setdefault(qid, Coordinates(float(point[2]), float(point[1])))
                dates.setdefault(
                    frozenset((a, b)),
                    (_wikidata_date(value.get("start")), _wikidata_date(value.get("end"))),
                )
                pairs.append((a, b))
        else:
            for line in text.splitlines():
                if not line.strip():
                    continue
                report.rows += 1
                if progress is not None and report.rows % PROGRESS_EVERY == 0:
                    progress(report.rows)
                first, _, second = line.partition("\t")
                a, b = _qid(first), _qid(second)
                if a is None or b is None:
                    report.dropped["not a QID"] += 1
                    continue
                pairs.append((a, b))
    ties: dict[frozenset[str], tuple[str, str]] = {}
    for a, b in pairs:
        if a == b:
            report.dropped["a place paired with itself"] += 1
            continue
        key = frozenset((a, b))
        if key in ties:
            report.dropped["the same tie again (or its other direction)"] += 1
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
# the registry of import formats (beside `graph.export.FORMATS`)

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


def _source(options: ImportOptions) -> Source:
    return options.source or Source("imported-data", "Imported data")


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
    report of every decision. Raises `ImportError_` (`ImportOptionError` for bad options)."""
    return IMPORTERS[format_name].read(paths, options or ImportOptions())
