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

An id names one thing in every layer; a later layer never replaces an earlier layer's entry:

- A later place under an id an earlier layer uses is that place only when the join above
  finds them the same; otherwise it is another place and is kept apart under the first of
  ``id-2``, ``id-3``, … that no layer uses (an import's ids are made from names, so two
  imports may give ``springfield-us`` to two Springfields), its ties and every reference of
  its layer moved with it. A later tie takes the id its places give it (``a--b``), or a
  fresh one when an earlier tie has that id.
- Any other entry (a source, an area, an official, an event, a visit, an agreement) has no
  identity but its id: a later one under an id an earlier layer uses must be the same entry,
  every field equal (its place references moved as above), and is then that one; a different
  one is an error (`LayerConflict`, rule ``duplicate-id``) naming both entries' files and
  lines, so that one source's facts are never credited to another.

>>> import sistercities
>>> curated = sistercities.load_dataset(sistercities.DEFAULT_DATA)
>>> merge_datasets(curated, curated).counts() == curated.counts()
True

`load_layers` loads the paths of ``--data`` one by one and merges them in order.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import DataError, Location, Problem, Severity
from .load import DataPaths, load_dataset, read_dataset
from .model import ENTITY_NAMES, SECTION_ATTRIBUTES, Dataset, Partnership, Place, tie_id
from .names import normalize

__all__ = [
    "CROSSCHECK_COLUMNS",
    "LIST_CHECK_COLUMNS",
    "LIST_CHECK_MATCHES",
    "MATCHES",
    "Crosscheck",
    "LayerConflict",
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


def _remap(entity: Any, places: Mapping[str, str], ties: Mapping[str, str] | None = None) -> Any:
    """The entity with every place reference moved to its merged id (and, with `ties`, every
    reference to a tie: a visit's or an agreement's ``partnership``)."""
    changes: dict[str, Any] = {}
    for name in ("part_of", "place", "of"):
        value = getattr(entity, name, None)
        if isinstance(value, str) and value in places:
            changes[name] = places[value]
    if ties:
        value = getattr(entity, "partnership", None)
        if isinstance(value, str) and value in ties and ties[value] != value:
            changes["partnership"] = ties[value]
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


def _fresh_id(ident: str, taken: Container[str]) -> str:
    """The first of ``ident-2``, ``ident-3``, … that is not `taken`: an id no layer uses."""
    number = 2
    while f"{ident}-{number}" in taken:
        number += 1
    return f"{ident}-{number}"


class LayerConflict(DataError):
    """Two layers give one id to two different entries (see the module's docstring): every
    such id is a problem (rule ``duplicate-id``) naming both entries' files and lines;
    `exact` is False when an entry was known only by its file (a layer read fast)."""

    def __init__(self, problems: Sequence[Problem], *, exact: bool = True):
        super().__init__(problems)
        self.exact = exact


def _where(entity: Any, layer: str | None) -> Location:
    """Where an entity was written: its own location, else its layer's file."""
    location = getattr(entity, "location", None)
    return location if isinstance(location, Location) else Location(layer or "<data>")


def _conflict(
    section: str, later: Any, earlier: Any, layers: tuple[str | None, str | None]
) -> Problem:
    """The problem of a later layer's entry whose id an earlier layer gives another entry."""
    what = ENTITY_NAMES[section]
    return Problem(
        _where(later, layers[1]),
        Severity.ERROR,
        "duplicate-id",
        f"{what} id '{later.id}' is already used by a different {what} at "
        f"{_where(earlier, layers[0])}, in an earlier layer: layers may share an id only for "
        f"the same {what} (every field equal); give one of them another id",
    )


def merge_datasets(
    earlier: Dataset,
    later: Dataset,
    *,
    corroborate: Container[str] = (),
    layers: tuple[str | None, str | None] = (None, None),
) -> Dataset:
    """`earlier` with `later` merged in (see the module's docstring). A tie of `earlier` whose
    id is in `corroborate` gets the sources of a tie of `later` for the same pair. Raises
    `LayerConflict` when the layers give one id to two different entries; `layers` names
    the two layers' files for its messages, where an entry has no location of its own."""
    matches = match_places(earlier, later)
    # A later place that is not an earlier one, under an id an earlier layer uses: kept apart
    # under an id that no layer uses, decided before any reference is moved.
    taken = {*earlier.places, *later.places}
    renamed: dict[str, str] = {}
    for ident in later.places:
        if ident not in matches and ident in earlier.places:
            renamed[ident] = _fresh_id(ident, taken)
            taken.add(renamed[ident])
    moves = {**matches, **renamed}
    places = dict(earlier.places)
    for place in later.places.values():
        if place.id in matches:
            earlier_place = places[matches[place.id]]
            places[earlier_place.id] = _filled(earlier_place, place)
            continue
        if place.id in renamed:
            place = _replaced(place, id=renamed[place.id])
        if place.part_of in moves:
            place = _remap(place, moves)
        assert place.id not in places, place.id  # never replaced: the ids above are free
        places[place.id] = place
    first_tie: dict[frozenset[str], list[str]] = {}
    for known in earlier.partnerships.values():
        first_tie.setdefault(frozenset(known.between), []).append(known.id)
    ties = dict(earlier.partnerships)
    tie_moves: dict[str, str] = {}  # a later tie's id → the id of the tie it is in the merge
    complete = {p.id for p in earlier.places.values() if p.coverage and p.coverage.complete}
    for tie in later.partnerships.values():
        a, b = tie.between
        if a in moves or b in moves:  # (a tie has no other place references to move)
            moved: Partnership = _replaced(tie, between=(moves.get(a, a), moves.get(b, b)))
        else:
            moved = tie
        pair = frozenset(moved.between)
        if len(pair) < 2:
            continue
        if pair in first_tie:
            known_ids = first_tie[pair]
            same_kind = [i for i in known_ids if ties[i].kind == moved.kind]
            tie_moves[tie.id] = (same_kind or known_ids)[0]
            for ident in known_ids:
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
        if ident in ties:  # an earlier tie of another pair under this id: never replaced
            ident = _fresh_id(ident, ties)
        first_tie[pair] = [ident]
        tie_moves[tie.id] = ident
        ties[ident] = moved if moved.id == ident else _replaced(moved, id=ident)

    problems: list[Problem] = []
    exact = True  # every entry of a conflict known by its line

    def union(section: str) -> dict[str, Any]:
        nonlocal exact
        name = SECTION_ATTRIBUTES[section]
        merged = dict(getattr(earlier, name))
        for ident, entity in getattr(later, name).items():
            entity = _remap(entity, moves, tie_moves)
            known = merged.get(ident)
            if known is None:
                merged[ident] = entity
            elif known != entity:  # one id, two different entries: never one for the other
                problems.append(_conflict(section, entity, known, layers))
                exact = exact and bool(_where(entity, None).line and _where(known, None).line)
        return merged

    merged = Dataset(
        sources=union("sources"),
        areas=union("areas"),
        places=places,
        partnerships=ties,
        officials=union("officials"),
        events=union("events"),
        visits=union("visits"),
        agreements=union("agreements"),
    )
    if problems:
        raise LayerConflict(problems, exact=exact)
    return merged


def load_layers(paths: DataPaths) -> Dataset:
    """Load each path (a file, or a folder of files) on its own and merge them in order: the
    first is the curated data, later ones are imports merged into it place by place. One
    path: `sistercities.load.load_dataset`. Raises `sistercities.DataError` for bad data, and
    `LayerConflict` (one of them) when two layers give one id to two different entries."""
    if isinstance(paths, (str, os.PathLike)) or len(paths) == 1:
        return load_dataset(paths)
    try:
        return _merge_layers(paths, [load_dataset(path) for path in paths])
    except LayerConflict as conflict:
        if conflict.exact:
            raise
    # Layers read fast (JSON) name only their file: read them again to say where.
    located = []
    for path in paths:
        result = read_dataset(path)
        if result.errors:
            raise DataError(result.problems)
        located.append(result.dataset)
    _merge_layers(paths, located)
    raise AssertionError("the layers merged when read again")  # pragma: no cover


def _merge_layers(paths: Sequence[str | os.PathLike[str]], layers: list[Dataset]) -> Dataset:
    """Merge loaded layers in order (`load_layers`)."""
    merged, *later = layers
    imported: set[str] = set()  # ties of the layers under the first: their sources grow
    for path, layer in zip(paths[1:], later, strict=True):
        known = set(merged.partnerships)
        merged = merge_datasets(
            merged, layer, corroborate=imported, layers=(str(paths[0]), str(path))
        )
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
