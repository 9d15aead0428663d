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
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, Problem
from .model import Dataset, Place, Source
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

# How answers name the source of a tie, by source id.
LAYER_NAMES = {
    "wikipedia-twin-towns": "English Wikipedia's lists",
    "wikidata-p190": "Wikidata (2016)",
}


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
    return {n for n in (normalize(text) for text in place.names()) if n}


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


def join_by_partners(lists: Dataset, wikidata: Dataset) -> dict[str, str]:
    """Which place of `lists` (no QIDs) each place of `wikidata` is: ``{wikidata id: lists
    id}``, decided only where the two sources' evidence agrees.

    A Wikidata place W is place C of the lists when C is the only place that both has one of
    W's names and shares a partner with W: first a partner of the same name, then (repeated
    until nothing changes) a partner already joined. Then, for other spellings (Wikidata's
    labels are German: Rjasan, Ryazan), C is the only place of the lists that shares at least
    `MIN_SHARED_PARTNERS` joined partners with W, W the only one that claims C, and their names
    are alike (`_alike`); and again from the start, until nothing changes. Each place is
    joined at most once.

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

    joined: dict[str, str] = {}
    taken: set[str] = set()

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


def _with_qids(lists: Dataset, wikidata: Dataset, joined: dict[str, str]) -> Dataset:
    """`lists` with the QIDs of the joined places, each citing the join."""
    qid_of = {lists_id: wikidata.places[w].wikidata for w, lists_id in joined.items()}
    places = {}
    for ident, place in lists.places.items():
        qid = qid_of.get(ident)
        if qid is not None and place.wikidata is None:
            place = dataclasses.replace(
                place, wikidata=qid, sources=(*place.sources, JOIN_SOURCE.id)
            )
        places[ident] = place
    sources = {**lists.sources, JOIN_SOURCE.id: JOIN_SOURCE}
    return dataclasses.replace(lists, sources=sources, places=places)


def world_layers(
    sources: Path = WORLD_SOURCES, progress: Callable[[int], None] | None = None
) -> tuple[Dataset, Dataset, WorldReport]:
    """The two world layers (Wikipedia's lists with joined QIDs, Wikidata 2016) from the raw
    sources in `sources`, and what was done."""
    from .importers import import_wikidata, import_wikipedia_csv

    lists, lists_report = import_wikipedia_csv([sources / WIKIPEDIA_CSV.name], progress)
    wikidata, wikidata_report = import_wikidata(
        [sources / WIKIDATA_PAIRS.name], sources / WIKIDATA_LABELS.name, "de", progress
    )
    joined = join_by_partners(lists, wikidata)
    report = WorldReport(
        wikipedia_places=len(lists.places),
        wikipedia_ties=len(lists.partnerships),
        wikidata_places=len(wikidata.places),
        wikidata_ties=len(wikidata.partnerships),
        joined=len(joined),
        lines=(
            "English Wikipedia's lists:",
            *(f"  {line}" for line in lists_report.lines()),
            "Wikidata (2016):",
            *(f"  {line}" for line in wikidata_report.lines()),
            f"joined by QID (same name and a partner in common, or a name spelled alike and "
            f"two partners in common): {len(joined):,} places",
        ),
    )
    return _with_qids(lists, wikidata, joined), wikidata, report


def build_world_layers(
    out_dir: Path = WORLD_DIR,
    sources: Path = WORLD_SOURCES,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Path], WorldReport]:
    """Import the raw sources and write the world layers into `out_dir` (each file written
    atomically); the same sources give the same bytes."""
    from .atomic import atomic_batch
    from .dump import dataset_to_json

    lists, wikidata, report = world_layers(sources, progress)
    texts = {
        p.name: dataset_to_json(layer).encode("utf-8")
        for p, layer in zip(WORLD_LAYERS, (lists, wikidata), strict=True)
    }
    problems = _problems_of(texts)
    if problems:  # never write a layer that does not validate
        raise DataError(problems)
    manifest = {
        "about": "Written by `sistercities build-layers` (graph/world.py) from sources/: "
        "the SHA-256 of each layer as it was validated; a layer whose bytes match is "
        "loaded without checking it again.",
        "files": {
            name: {"sha256": hashlib.sha256(text).hexdigest()} for name, text in texts.items()
        },
        "sources": {
            p.name: {"sha256": hashlib.sha256((sources / p.name).read_bytes()).hexdigest()}
            for p in (WIKIPEDIA_CSV, WIKIDATA_PAIRS, WIKIDATA_LABELS)
        },
    }
    texts[MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    written = []
    with atomic_batch() as batch:  # the layers and their manifest change together or not at all
        for name, text in texts.items():
            with batch.open(out_dir / name) as out:
                out.write(text)
            written.append(out_dir / name)
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
