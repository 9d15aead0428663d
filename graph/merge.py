"""Layers of data: the curated facts first, then bulk imports, merged place by place.

A place of a later layer is the same as one of an earlier layer when both have the same Wikidata
QID, or the same name (any name, label or alias, accents and case aside) in the same country and
no more than `SAME_PLACE_KM` apart where both have coordinates. The earlier layer wins: its place
keeps its id and facts (it gains only what it lacks: position, ids, population, division and
other names as aliases), the later layer's ties are moved onto it, and a later tie for a pair the
earlier layers already tie is dropped — but its sources are added to an earlier *imported* tie
(`merge_datasets`' `corroborate`), so that each imported tie names every layer that asserts it.
A place whose list of partners the earlier layer declares complete (`coverage`) gets no new
ties from a later one: curated facts win.

>>> import sistercities
>>> curated = sistercities.load_dataset(sistercities.DEFAULT_DATA)
>>> merge_datasets(curated, curated).counts() == curated.counts()
True

`load_layers` loads the paths of ``--data`` one by one and merges them in order.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import Any

from .load import DataPaths, load_dataset
from .model import Dataset, Partnership, Place, tie_id
from .names import normalize

__all__ = [
    "CROSSCHECK_COLUMNS",
    "LIST_CHECK_COLUMNS",
    "LIST_CHECK_MATCHES",
    "MATCHES",
    "Crosscheck",
    "compare",
    "crosscheck",
    "list_check",
    "load_layers",
    "match_places",
    "merge_datasets",
]

SAME_PLACE_KM = 50.0


def _km(a: Place, b: Place) -> float:
    """How far apart two places are (0 when either has no coordinates: no evidence)."""
    if a.coordinates is None or b.coordinates is None:
        return 0.0
    return a.coordinates.km_to(b.coordinates)


def match_places(earlier: Dataset, later: Dataset) -> dict[str, str]:
    """For each place of `later` that is a place of `earlier`, the earlier place's id."""
    by_qid = {p.wikidata: p for p in earlier.places.values() if p.wikidata}
    by_name: dict[tuple[str, str], list[Place]] = {}
    for place in earlier.places.values():
        if place.country is None:
            continue  # never matched by name alone
        for name in {normalize(n) for n in place.names()}:
            by_name.setdefault((name, place.country), []).append(place)
    matches: dict[str, str] = {}
    for place in later.places.values():
        if place.wikidata and place.wikidata in by_qid:
            matches[place.id] = by_qid[place.wikidata].id
            continue
        if place.country is None:
            continue  # never matched by name alone
        for name in dict.fromkeys(normalize(n) for n in place.names()):
            candidates = [
                c
                for c in by_name.get((name, place.country), [])
                if _km(c, place) <= SAME_PLACE_KM
                and not (c.wikidata and place.wikidata and c.wikidata != place.wikidata)
            ]
            if len(candidates) == 1:
                matches[place.id] = candidates[0].id
                break
    return matches


def _remap(entity: Any, places: dict[str, str]) -> Any:
    """The entity with every place reference moved to its merged id."""
    changes: dict[str, Any] = {}
    for name in ("part_of", "place", "of"):
        value = getattr(entity, name, None)
        if isinstance(value, str) and value in places:
            changes[name] = places[value]
    for name in ("between", "parties"):
        value = getattr(entity, name, None)
        if isinstance(value, tuple):
            changes[name] = tuple(places.get(v, v) for v in value)
    if isinstance(getattr(entity, "roles", None), tuple):
        changes["roles"] = tuple(_remap(r, places) for r in entity.roles)
    return _replaced(entity, **changes) if changes else entity


def _replaced(entity: Any, **changes: Any) -> Any:
    """`dataclasses.replace` for our frozen entities, without running `__init__` again (the
    values come from an entity already built and checked): ~10x faster, which the merge of
    the world layers (tens of thousands of ties) feels."""
    copy = object.__new__(type(entity))
    copy.__dict__.update(entity.__dict__)
    copy.__dict__.update(changes)
    return copy


_FILLED = ("coordinates", "wikidata", "geonames", "population", "admin1")


def _filled(known: Place, later: Place) -> Place:
    """An earlier place with what it lacks from the same place of a later layer: its position,
    ids, population and division, and its other names as aliases (earlier facts are kept)."""
    changes: dict[str, Any] = {
        name: getattr(later, name)
        for name in _FILLED
        if getattr(known, name) is None and getattr(later, name) is not None
    }
    seen = {normalize(n) for n in known.names()}
    extra = []
    for name in later.names():
        folded = normalize(name)
        if folded and folded not in seen:
            seen.add(folded)
            extra.append(name)
    if extra:
        changes["aliases"] = (*known.aliases, *extra)
    return _replaced(known, **changes) if changes else known


def merge_datasets(
    earlier: Dataset, later: Dataset, *, corroborate: Container[str] = ()
) -> Dataset:
    """`earlier` with `later` merged in (see the module's docstring). A tie of `earlier` whose
    id is in `corroborate` gets the sources of a tie of `later` for the same pair."""
    matches = match_places(earlier, later)
    places = dict(earlier.places)
    for place in later.places.values():
        if place.id in matches:
            earlier_place = places[matches[place.id]]
            places[earlier_place.id] = _filled(earlier_place, place)
            continue
        if place.id in places:  # an id taken by another place: keep both, apart
            matches[place.id] = f"{place.id}-2"
            place = _replaced(place, id=matches[place.id])
        places[place.id] = _remap(place, matches) if place.part_of in matches else place
    first_tie: dict[frozenset[str], list[str]] = {}
    for known in earlier.partnerships.values():
        first_tie.setdefault(frozenset(known.between), []).append(known.id)
    ties = dict(earlier.partnerships)
    complete = {p.id for p in earlier.places.values() if p.coverage and p.coverage.complete}
    for tie in later.partnerships.values():
        a, b = tie.between
        if a in matches or b in matches:  # (a tie has no other place references to move)
            moved: Partnership = _replaced(tie, between=(matches.get(a, a), matches.get(b, b)))
        else:
            moved = tie
        pair = frozenset(moved.between)
        if len(pair) < 2:
            continue
        if pair in first_tie:
            for ident in first_tie[pair]:
                if ident in corroborate:  # an imported tie: name every layer that asserts it
                    known = ties[ident]
                    added = tuple(s for s in moved.sources if s not in known.sources)
                    if added:
                        ties[ident] = _replaced(known, sources=known.sources + added)
            continue
        if pair & complete:
            continue  # not on a list the earlier layer declares complete: curated facts win
        a, b = moved.between
        ident = tie_id(a, b)
        if ident in ties:
            ident = tie_id(a, b, moved.kind)
        if ident in ties:
            continue
        first_tie[pair] = [ident]
        ties[ident] = moved if moved.id == ident else _replaced(moved, id=ident)

    def union(name: str) -> dict[str, Any]:
        merged = dict(getattr(earlier, name))
        for ident, entity in getattr(later, name).items():
            merged.setdefault(ident, _remap(entity, matches))
        return merged

    return Dataset(
        sources=union("sources"),
        areas=union("areas"),
        places=places,
        partnerships=ties,
        officials=union("officials"),
        events=union("events"),
        visits=union("visits"),
        agreements=union("agreements"),
    )


def load_layers(paths: DataPaths) -> Dataset:
    """Load each path (a file, or a folder of files) on its own and merge them in order: the
    first is the curated data, later ones are imports merged into it place by place. One
    path: `sistercities.load.load_dataset`."""
    if isinstance(paths, (str, os.PathLike)) or len(paths) == 1:
        return load_dataset(paths)
    merged, *later = [load_dataset(path) for path in paths]
    imported: set[str] = set()  # ties of the layers under the first: their sources grow
    for layer in later:
        known = set(merged.partnerships)
        merged = merge_datasets(merged, layer, corroborate=imported)
        imported.update(ident for ident in merged.partnerships if ident not in known)
    return merged


def _overlap(a: Partnership, b: Partnership) -> bool | None:
    """Whether two ties' start dates can be the same; None when one is unknown."""
    if a.since is None or b.since is None:
        return None
    a_first, a_last = a.since.earliest, a.since.latest
    b_first, b_last = b.since.earliest, b.since.latest
    if None in (a_first, a_last, b_first, b_last):
        return True
    return bool(a_first <= b_last and b_first <= a_last)  # type: ignore[operator]


LIST_CHECK_COLUMNS = ("match", "partner", "name", "country", "kind", "since", "status", "evidence")
LIST_CHECK_MATCHES = ("both", "only-curated", "only-layers")


def list_check(curated: Dataset, layers: Dataset, place: str) -> Iterator[dict[str, Any]]:
    """A curated place's ties beside what the world layers say of it, one row a partner:
    ``both``, ``only-curated`` (on the official list, not in the layers) or ``only-layers``
    (what the layers claim that the curated list does not have: to check, or to note).

    >>> import sistercities
    >>> from sistercities.model import Partnership, Place
    >>> curated = sistercities.load_dataset(sistercities.DEFAULT_DATA)
    >>> layer = Dataset(
    ...     places={p.id: p for p in [
    ...         Place("jak", "Jakarta", "city", "ID", ("w",), wikidata="Q3630"),
    ...         Place("tok", "Tokyo", "city", "JP", ("w",), wikidata="Q1490"),
    ...         Place("lon", "London", "city", "GB", ("w",), wikidata="Q84")]},
    ...     partnerships={t.id: t for t in [
    ...         Partnership("jak--tok", ("jak", "tok"), "sister-city", "listed", ("w",)),
    ...         Partnership("jak--lon", ("jak", "lon"), "sister-city", "listed", ("w",))]})
    >>> rows = list(list_check(curated, layer, "jakarta"))
    >>> [(r["match"], r["name"]) for r in rows if r["match"] != "only-curated"]
    [('both', 'Tokyo'), ('only-layers', 'London')]
    """
    matches = match_places(curated, layers)
    claimed: dict[str, Partnership] = {}
    theirs = {layer_id for layer_id, ours in matches.items() if ours == place}
    for layer_id in sorted(theirs):
        for tie in layers.partnerships_of(layer_id):
            other = tie.other(layer_id)
            claimed.setdefault(matches.get(other, f"layers:{other}"), tie)
    rows: list[dict[str, Any]] = []
    for tie in curated.partnerships_of(place):
        other = tie.other(place)
        partner = curated.places[other]
        layer_tie = claimed.pop(other, None)
        rows.append(
            {
                "match": "both" if layer_tie else "only-curated",
                "partner": other,
                "name": partner.name,
                "country": partner.country,
                "kind": tie.kind,
                "since": tie.since.text if tie.since else None,
                "status": tie.status,
                "evidence": ";".join(layer_tie.sources) if layer_tie else None,
            }
        )
    for key, tie in claimed.items():
        ident = key.removeprefix("layers:")
        found = curated.places.get(ident) or layers.places[ident]
        rows.append(
            {
                "match": "only-layers",
                "partner": ident,
                "name": found.name,
                "country": found.country,
                "kind": tie.kind,
                "since": tie.since.text if tie.since else None,
                "status": tie.status,
                "evidence": ";".join(tie.sources),
            }
        )
    order = {m: i for i, m in enumerate(LIST_CHECK_MATCHES)}
    rows.sort(key=lambda r: (order[r["match"]], r["name"], r["partner"]))
    yield from rows


# The kinds of row of `crosscheck`, in the order of its summary, and its columns.
MATCHES = ("both", "only-ours", "only-theirs", "dates-disagree")
CROSSCHECK_COLUMNS = ("match", "place_a", "place_b", "name_a", "name_b", "our_since", "their_since")


def crosscheck(ours: Dataset, theirs: Dataset) -> Iterator[dict[str, Any]]:
    """Our ties against another dataset's, one row a tie: ``both``, ``only-ours`` (to
    contribute upstream), ``only-theirs`` (to curate) or ``dates-disagree``."""
    matches = match_places(ours, theirs)
    our_ties: dict[frozenset[str], Partnership] = {}
    for tie in ours.partnerships.values():
        our_ties.setdefault(frozenset(tie.between), tie)
    their_ties: dict[frozenset[str], Partnership] = {}
    unmatched: list[Partnership] = []
    for tie in theirs.partnerships.values():
        mapped = [matches.get(p) for p in tie.between]
        if None in mapped:
            if mapped != [None, None]:  # a tie of one of our places with one we don't have
                unmatched.append(tie)
            continue
        if len(set(mapped)) == 2:
            their_ties.setdefault(frozenset(p for p in mapped if p), tie)

    def name(dataset: Dataset, place: str) -> str:
        return dataset.places[place].name if place in dataset.places else place

    rows: list[dict[str, Any]] = []
    for pair, tie in our_ties.items():
        a, b = sorted(pair)
        theirs_tie = their_ties.get(pair)
        if theirs_tie is None:
            match = "only-ours"
        else:
            match = "dates-disagree" if _overlap(tie, theirs_tie) is False else "both"
        rows.append(
            {
                "match": match,
                "place_a": a,
                "place_b": b,
                "name_a": name(ours, a),
                "name_b": name(ours, b),
                "our_since": tie.since.text if tie.since else None,
                "their_since": theirs_tie.since.text if theirs_tie and theirs_tie.since else None,
            }
        )
    for pair, tie in their_ties.items():
        if pair not in our_ties:
            a, b = sorted(pair)
            rows.append(
                {
                    "match": "only-theirs",
                    "place_a": a,
                    "place_b": b,
                    "name_a": name(ours, a),
                    "name_b": name(ours, b),
                    "our_since": None,
                    "their_since": tie.since.text if tie.since else None,
                }
            )
    for tie in unmatched:
        ends = [
            (matches[p], name(ours, matches[p])) if p in matches else (p, name(theirs, p))
            for p in tie.between
        ]
        (a, name_a), (b, name_b) = sorted(ends)
        rows.append(
            {
                "match": "only-theirs",
                "place_a": a,
                "place_b": b,
                "name_a": name_a,
                "name_b": name_b,
                "our_since": None,
                "their_since": tie.since.text if tie.since else None,
            }
        )
    order = {"dates-disagree": 0, "only-ours": 1, "only-theirs": 2, "both": 3}
    rows.sort(
        key=lambda r: (order[r["match"]], r["name_a"], r["name_b"], r["place_a"], r["place_b"])
    )
    yield from rows


@dataclass(frozen=True)
class Crosscheck:
    """What `compare` found: the rows asked for, and every row counted by its match."""

    rows: list[dict[str, Any]]
    counts: dict[str, int]

    def summary(self) -> str:
        """The counts in one line: ``12 both, 3 only-ours, 40 only-theirs, 1 dates-disagree``."""
        return ", ".join(f"{self.counts.get(k, 0)} {k}" for k in MATCHES)


def compare(ours: Dataset, theirs: Dataset, only: str | None = None) -> Crosscheck:
    """`crosscheck` once: the rows of kind `only` (a value of `MATCHES`; None: all), and the
    counts of every kind."""
    every_row = list(crosscheck(ours, theirs))
    counts = Counter(row["match"] for row in every_row)
    rows = [row for row in every_row if only is None or row["match"] == only]
    return Crosscheck(rows, {k: counts[k] for k in MATCHES})
