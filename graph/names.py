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
from .model import Dataset, Official, Place

__all__ = [
    "AmbiguousName",
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
        super().__init__(f"no {kind} is called '{text}'{suggestion(self.suggestions)}")


class AmbiguousName(LookupFailed):
    """Several places (or officials) have this name; `candidates` lists them."""

    def __init__(self, kind: str, text: str, candidates: Sequence[str]):
        self.text = text
        self.candidates = list(candidates)
        super().__init__(
            f"'{text}' could be {len(self.candidates)} {kind}s: {'; '.join(self.candidates)}. "
            "Name one by its id, or as Name,CC"
        )


@dataclass(frozen=True)
class _Entry:
    id: str
    label: str  # how a candidate is shown: "Casablanca, MA (casablanca)"
    country: str | None
    qid: str | None


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
            where = f", {place.country}" if place.country else ""
            label = f"{place.name}{where} ({place.id})"
            return _Entry(place.id, label, place.country, place.wikidata)

        return cls("place", ((entry(p), p.names()) for p in dataset.places.values()))

    @classmethod
    def of_officials(cls, dataset: Dataset) -> NameIndex:
        """An index of the dataset's officials: name, id and QID."""

        def entry(official: Official) -> _Entry:
            return _Entry(official.id, f"{official.name} ({official.id})", None, official.wikidata)

        return cls("official", ((entry(o), [o.name]) for o in dataset.officials.values()))

    def find(self, text: str) -> str:
        """The id of the one entity `text` names; `LookupFailed` otherwise."""
        given = text.strip()
        if given in self.by_id:
            return given
        if _QID.fullmatch(given):
            found = self.by_qid.get(given.upper())
            if found:
                return found.id
        name, country = given, None
        if "," in given:
            head, _, tail = given.rpartition(",")
            if len(tail.strip()) == 2 and tail.strip().isalpha():
                name, country = head, tail.strip().upper()
        candidates = self.by_name.get(normalize(name), [])
        if country is not None:
            candidates = [c for c in candidates if c.country == country]
        if len(candidates) == 1:
            return candidates[0].id
        if len(candidates) > 1:
            raise AmbiguousName(self.kind, text, sorted(c.label for c in candidates))
        raise UnknownName(self.kind, text, self.suggest(name))

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
