"""Names as people type them: case, accents, punctuation and known aliases don't matter.

A `NameIndex` finds a place (or an official) by its id, a Wikidata QID, its name, a label, an
alias, or ``Name,CC`` with an ISO country code; an ambiguous name raises `AmbiguousName` listing
the candidates, an unknown one `UnknownName` with the nearest names.

>>> normalize("  São-Paulo! ")
'sao paulo'
>>> normalize("Łódź"), normalize("Kraków"), normalize("İstanbul")
('lodz', 'krakow', 'istanbul')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .errors import NearWords, SisterCitiesError, suggestion
from .model import ADMIN1_PATTERN, Dataset, Official, Place
from .text import shortened

__all__ = [
    "AmbiguousName",
    "Found",
    "LookupFailed",
    "NameIndex",
    "UnknownName",
    "normalize",
]

# Letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)
_NOT_WORD = re.compile(r"[\W_]+")
_QID = re.compile(r"[Qq][1-9][0-9]*")
_ADMIN1 = re.compile(ADMIN1_PATTERN)


@lru_cache(maxsize=1 << 17)  # the layers' merge folds the same names more than once
def normalize(text: str) -> str:
    """Fold a name for matching: no accents, no case, punctuation as single spaces."""
    if text.isascii():
        return _NOT_WORD.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    bare = "".join(c for c in folded if not unicodedata.combining(c)).translate(_FOLD)
    return _NOT_WORD.sub(" ", bare).strip()


class LookupFailed(SisterCitiesError):
    """A name that names nothing, or more than one thing."""


class UnknownName(LookupFailed):
    """No place (or official) has this name; `suggestions` are the nearest names."""

    def __init__(self, kind: str, text: str, suggestions: Sequence[str]):
        self.text = text
        self.suggestions = list(suggestions)
        super().__init__(f"no {kind} is called '{shortened(text)}'{suggestion(self.suggestions)}")


class AmbiguousName(LookupFailed):
    """Several places (or officials) have this name; `candidates` lists them."""

    def __init__(self, kind: str, text: str, candidates: Sequence[str]):
        self.text = text
        self.candidates = list(candidates)
        super().__init__(
            f"'{shortened(text)}' could be {len(self.candidates)} {kind}s: "
            f"{'; '.join(self.candidates)}. "
            "Name one by its id, or as Name,CC or Name,CC-DIVISION (Springfield,US-IL)"
        )


@dataclass(frozen=True)
class _Entry:
    id: str
    label: str  # how a candidate is shown: "Casablanca, MA (casablanca)"
    country: str | None
    qid: str | None
    admin1: str | None = None
    population: int | None = None
    ties: int = 0
    name: str = ""  # its own name (not a label or an alias)


# A name that several places share names the most prominent one when it has this many times
# the people of the next (or, where a population is unknown, `TIES_DOMINANCE` times the ties
# and at least `MIN_TIES`): Paris is Paris, France; Springfield stays ambiguous.
POPULATION_DOMINANCE = 5
TIES_DOMINANCE = 5
MIN_TIES = 10


def _prominence(entry: _Entry) -> tuple[int, int]:
    return (entry.population or 0, entry.ties)


def _dominates(first: _Entry, second: _Entry) -> bool:
    if first.population and second.population:
        return first.population >= POPULATION_DOMINANCE * second.population
    if first.population and first.ties >= second.ties:
        return True  # a known town, better tied, over a place of which nothing is known
    return first.ties >= MIN_TIES and first.ties >= TIES_DOMINANCE * max(second.ties, 1)


def _qualifier_readings(qualifier: str) -> list[tuple[str, str | None, bool]]:
    """What may follow a name's comma, as (country, first-level division, loose) readings in
    the order they are tried: ``CC-DIVISION`` (US-IL); a country's code or name (FR, France);
    a US state's code or name (OR, Oregon); another country's first-level division by its ISO
    3166-2 name, read *loosely*, for its country alone (GeoNames' division codes are not
    ISO's): there, two places of the name in that country are ambiguous.

    >>> _qualifier_readings(" US-IL"), _qualifier_readings("France")
    ([('US', 'US-IL', False)], [('FR', None, False)])
    >>> _qualifier_readings("OR"), _qualifier_readings("oregon"), _qualifier_readings("Bayern")
    ([('US', 'US-OR', False)], [('US', 'US-OR', False)], [('DE', None, True)])
    >>> _qualifier_readings("CA")  # Canada, else California
    [('CA', None, False), ('US', 'US-CA', False)]
    """
    from .countries import country_code

    text = qualifier.strip()
    code = text.upper()
    readings: list[tuple[str, str | None, bool]] = []
    if _ADMIN1.fullmatch(code):
        readings.append((code[:2], code, False))
    country = country_code(text) if text else None
    if country is not None:
        readings.append((country, None, False))
    if len(code) == 2 and code.isalpha():
        readings.append(("US", f"US-{code}", False))
    for subdivision in _subdivisions_named().get(normalize(text), ()):
        country = subdivision[:2]
        reading = (country, subdivision, False) if country == "US" else (country, None, True)
        if reading not in readings:
            readings.append(reading)
    return readings


@lru_cache(maxsize=1)
def _subdivisions_named() -> dict[str, list[str]]:
    """ISO 3166-2 subdivision codes by their names, folded (pycountry's table)."""
    import pycountry

    named: dict[str, list[str]] = {}
    for subdivision in pycountry.subdivisions:
        named.setdefault(normalize(subdivision.name), []).append(subdivision.code)
    return named


@dataclass(frozen=True)
class Found:
    """The entity a name found, and a note for people where the name was not the only one's."""

    id: str
    note: str | None = None


class NameIndex:
    """Finds entities by any of their names.

    >>> import sistercities
    >>> index = NameIndex.of_places(sistercities.load_dataset(sistercities.DEFAULT_DATA))
    >>> index.find("kiev"), index.find("DURRES"), index.find("n'djamena"), index.find("Batavia")
    ('kyiv', 'durres', 'ndjamena', 'jakarta')
    >>> index.find("Q3630")
    'jakarta'
    """

    def __init__(self, kind: str, entries: Iterable[tuple[_Entry, Iterable[str]]]):
        self.kind = kind
        self.by_name: dict[str, list[_Entry]] = {}
        self.by_id: dict[str, _Entry] = {}
        self.by_qid: dict[str, _Entry] = {}
        self._near: NearWords | None = None  # built on the first unknown name
        for entry, names in entries:
            self.by_id[entry.id] = entry
            if entry.qid:
                self.by_qid[entry.qid] = entry
            spelled = [*names, entry.id.replace("-", " ")]
            spelled += [n.split(" (")[0] for n in spelled if n.endswith(")") and " (" in n]
            for name in {normalize(n) for n in spelled}:
                if name:
                    bucket = self.by_name.setdefault(name, [])
                    if entry not in bucket:
                        bucket.append(entry)

    @classmethod
    def of_places(cls, dataset: Dataset) -> NameIndex:
        """An index of the dataset's places: name, labels, aliases, id and QID."""

        def entry(place: Place) -> _Entry:
            where = f", {place.admin1 or place.country}" if place.country else ""
            label = f"{place.name}{where} ({place.id})"
            ties = sum(1 for _ in dataset.partnerships_of(place.id))
            return _Entry(
                place.id,
                label,
                place.country,
                place.wikidata,
                place.admin1,
                place.population,
                ties,
                place.name,
            )

        return cls("place", ((entry(p), p.names()) for p in dataset.places.values()))

    @classmethod
    def of_officials(cls, dataset: Dataset) -> NameIndex:
        """An index of the dataset's officials: name, id and QID."""

        def entry(official: Official) -> _Entry:
            return _Entry(official.id, f"{official.name} ({official.id})", None, official.wikidata)

        return cls("official", ((entry(o), [o.name]) for o in dataset.officials.values()))

    def find(self, text: str) -> str:
        """The id of the one entity `text` names; `LookupFailed` otherwise."""
        return self.lookup(text).id

    def lookup(self, text: str) -> Found:
        """The entity `text` names (by id, QID, name, label or alias, ``Name,CC`` or
        ``Name,CC-ADM1``), with a note where a more prominent place took a shared name;
        `AmbiguousName` (the candidates, most prominent first) or `UnknownName` otherwise.

        >>> index = NameIndex("place", [
        ...     (_Entry("paris-fr", "Paris, FR (paris-fr)", "FR", None, "FR-11", 2138551, 40,
        ...             "Paris"), ["Paris"]),
        ...     (_Entry("paris-us", "Paris, US-TX (paris-us)", "US", None, "US-TX", 24782, 2,
        ...             "Paris"), ["Paris"]),
        ...     (_Entry("spr-il", "Springfield, US-IL (spr-il)", "US", None, "US-IL", 116250,
        ...             3, "Springfield"), ["Springfield"]),
        ...     (_Entry("spr-ma", "Springfield, US-MA (spr-ma)", "US", None, "US-MA", 155929,
        ...             4, "Springfield"), ["Springfield"])])
        >>> index.lookup("PARIS").id, index.lookup("Paris,US").id, index.find("springfield,us-il")
        ('paris-fr', 'paris-us', 'spr-il')
        >>> index.lookup("paris").note
        "'paris' is taken as Paris, FR (paris-fr), the most prominent of 2 places of that name; \
the others: Paris, US-TX (paris-us)"
        >>> roma = NameIndex("place", [
        ...     (_Entry("rome", "Rome, IT (rome)", "IT", None, None, 2318895, 17, "Rome"),
        ...      ["Rome", "Roma"]),
        ...     (_Entry("roma-us", "Roma, US (roma-us)", "US", None, None, 10223, 1, "Roma"),
        ...      ["Roma"])])
        >>> roma.find("Roma")  # another name of a far greater, better tied place
        'rome'
        >>> index.find("Springfield")
        Traceback (most recent call last):
        sistercities.names.AmbiguousName: 'Springfield' could be 2 places: Springfield, US-MA...
        """
        given = text.strip()
        if given in self.by_id:
            return Found(given)
        if given.lower() in self.by_id:
            return Found(given.lower())
        if _QID.fullmatch(given):
            found = self.by_qid.get(given.upper())
            if found:
                return Found(found.id)
        name, loose = given, False
        candidates = self.by_name.get(normalize(given), [])
        if "," in given and not candidates:  # not a name with a comma (Bayside, Victoria)
            head, _, tail = given.rpartition(",")
            name = head
            for country, admin1, loosely in _qualifier_readings(tail):
                candidates = [
                    c
                    for c in self.by_name.get(normalize(head), [])
                    if c.country == country and admin1 in (None, c.admin1)
                ]
                if candidates:
                    loose = loosely
                    break
        wanted = normalize(name)
        if not candidates:
            raise UnknownName(self.kind, text, self.suggest(name))
        if loose and len(candidates) > 1:  # a division named, but places known by country
            raise AmbiguousName(self.kind, text, [c.label for c in candidates])
        if len(candidates) == 1:
            return Found(candidates[0].id)
        by_prominence = sorted(candidates, key=lambda c: (*(-n for n in _prominence(c)), c.id))
        # A place whose own name it is comes before places that have it as another name, unless
        # one of those is far greater and better tied: Roma is Rome, St Petersburg Russia's.
        own = [c for c in candidates if normalize(c.name) == wanted] or candidates
        ranked = sorted(own, key=lambda c: (*(-n for n in _prominence(c)), c.id))
        great = by_prominence[0]
        if great not in own and all(
            _dominates(great, c) and great.ties >= c.ties for c in by_prominence[1:]
        ):
            ranked = [great]
        others = [c for c in sorted(candidates, key=_prominence, reverse=True) if c != ranked[0]]
        if len(ranked) == 1 or _dominates(ranked[0], ranked[1]):
            shown = "; ".join(c.label for c in others[:3]) + ("; …" if len(others) > 3 else "")
            note = (
                f"'{text}' is taken as {ranked[0].label}, the most prominent of "
                f"{len(candidates)} places of that name; the others: {shown}"
            )
            return Found(ranked[0].id, note)
        raise AmbiguousName(self.kind, text, [c.label for c in by_prominence])

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """The names nearest to `text`, shown with country and id."""
        if self._near is None:
            self._near = NearWords(self.by_name)
        close = self._near.closest(normalize(text), n=limit, cutoff=0.6)
        shown: list[str] = []
        for name in close:
            for entry in self.by_name[name]:
                if entry.label not in shown:
                    shown.append(entry.label)
        return shown[:limit]

    def complete(self, prefix: str) -> list[str]:
        """Names starting with `prefix` (for shell completion), as typed in the data."""
        wanted = normalize(prefix)
        return sorted(
            {
                e.id
                for name, entries in self.by_name.items()
                if name.startswith(wanted)
                for e in entries
            }
        )
