"""How sure a tie is: which sources assert it, and whether the default answer shows it.

The world layer joins three public sources (see `sistercities.world`): English Wikipedia's
lists of February 2026, Wikidata's twin-city ties of 2026, and Wikidata's 2016 crawl from
Weimar. The two Wikidata sets are one source seen twice, so a tie is *confirmed* when English
Wikipedia's lists and Wikidata both assert it. Against the official lists of the audit sample
(``bench/audit``, December 2026), confirmed ties were right 98% of the time; ties in English
Wikipedia's lists alone 62% where Wikidata knows both places (it lacks the statement) and 20%
where it knows one place and not the other (most often a place the lists' geocoding or the join
got wrong); ties in Wikidata alone 18% where a place has Wikipedia lists (friendships and ended
ties that the lists leave out); ties only in the 2016 crawl whose two places are in Wikidata's
2026 data without it 7%. So the default answer shows:

- every curated tie (a source other than the world layers), and every tie of data a user
  imported (a source ``imported-…``: graded "imported", marked ``I``);
- every confirmed tie;
- a Wikipedia-only tie, unless Wikidata knows exactly one of its places;
- a Wikidata-only tie when neither place has a tie in English Wikipedia's lists;

and leaves the others out, saying how many and why (``partners --all`` shows them).

>>> from sistercities.model import Dataset, Partnership, Place
>>> def tie(a, b, *sources):
...     return Partnership(f"{a}--{b}", (a, b), "sister-city", "listed", sources)
>>> ties = [tie("a", "b", "wikipedia-twin-towns", "wikidata-2026"),
...         tie("a", "c", "wikidata-2026"), tie("c", "d", "wikipedia-twin-towns"),
...         tie("e", "f", "wikipedia-twin-towns")]
>>> ds = Dataset(places={p: Place(p, p.upper(), "city", "DE", ("s",)) for p in "abcdef"},
...              partnerships={t.id: t for t in ties})
>>> [(e.grade, e.shown) for e in (tie_evidence(ds, t) for t in ties)]
[('confirmed', True), ('only Wikidata, not in Wikipedia lists', False), \
('only Wikipedia, a place unknown to Wikidata', False), ('only Wikipedia', True)]
>>> tie_evidence(ds, tie("a", "f", "imported-pairs-csv-3393963ea67e", "wikidata-2026"))
Evidence(mark='I+WD', grade='imported', shown=True)
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Dataset, Partnership

__all__ = [
    "LAYER_MARKS",
    "LAYER_NAMES",
    "WIKIDATA",
    "WIKIPEDIA",
    "Evidence",
    "legend",
    "tie_evidence",
]

WIKIPEDIA = frozenset({"wikipedia-twin-towns"})
WIKIDATA = frozenset({"wikidata-2026", "wikidata-p190"})
WORLD = WIKIPEDIA | WIKIDATA

# How answers name the world's sources (with the date of what each says), and a short mark.
LAYER_NAMES = {
    "wikipedia-twin-towns": "English Wikipedia's lists (2026-02)",
    "wikidata-2026": "Wikidata (2026-05)",
    "wikidata-p190": "Wikidata's 2016 crawl from Weimar",
}
LAYER_MARKS = {"wikipedia-twin-towns": "WP", "wikidata-2026": "WD", "wikidata-p190": "WD16"}
CURATED_MARK = "C"
# A csv, GraphML or GEXF import names its source ``imported-…`` (`importers.imported_source_id`):
# a user's own data, not facts curated here.
IMPORTED_PREFIX = "imported-"
IMPORTED_MARK = "I"


@dataclass(frozen=True)
class Evidence:
    """What backs a tie: a short mark (``C``, ``WP+WD``), a grade, and whether the default
    answer shows it."""

    mark: str
    grade: str
    shown: bool


def tie_evidence(
    dataset: Dataset, tie: Partnership, memo: dict[str, frozenset[str]] | None = None
) -> Evidence:
    """The evidence of a tie (see the module's docstring for what is shown by default).

    `memo` keeps, across the ties of one answer, the sources of each place's ties: each
    place's ties are then read once, not once a tie."""
    memo = {} if memo is None else memo

    def _asserted_in(place: str, family: frozenset[str]) -> bool:
        """Whether any tie of `place` comes from a source of `family`."""
        if place not in memo:
            memo[place] = frozenset(s for t in dataset.partnerships_of(place) for s in t.sources)
        return bool(family & memo[place])

    sources = set(tie.sources)
    marks = [LAYER_MARKS[s] for s in LAYER_NAMES if s in sources]
    if sources - WORLD:
        if all(s.startswith(IMPORTED_PREFIX) for s in sources - WORLD):
            return Evidence("+".join([IMPORTED_MARK, *marks]), "imported", True)
        return Evidence("+".join([CURATED_MARK, *marks]), "curated", True)
    mark = "+".join(marks)
    in_wikipedia, in_wikidata = bool(sources & WIKIPEDIA), bool(sources & WIKIDATA)
    a, b = tie.between
    if in_wikipedia and in_wikidata:
        return Evidence(mark, "confirmed", True)
    if in_wikipedia:
        known = _asserted_in(a, WIKIDATA) + _asserted_in(b, WIKIDATA)
        if known == 1:
            return Evidence(mark, "only Wikipedia, a place unknown to Wikidata", False)
        return Evidence(mark, "only Wikipedia", True)
    if sources == {"wikidata-p190"}:
        current = frozenset({"wikidata-2026"})
        if _asserted_in(a, current) and _asserted_in(b, current):
            return Evidence(mark, "dropped by Wikidata since 2016", False)
    if _asserted_in(a, WIKIPEDIA) or _asserted_in(b, WIKIPEDIA):
        return Evidence(mark, "only Wikidata, not in Wikipedia lists", False)
    return Evidence(mark, "only Wikidata", True)


def legend(marks: set[str]) -> str:
    """What the marks of an answer mean, in one line.

    >>> legend({"C", "WP+WD"})
    "C: curated facts; WP: English Wikipedia's lists (2026-02); WD: Wikidata (2026-05)"
    """
    used = {part for mark in marks for part in mark.split("+")}
    parts = [f"{CURATED_MARK}: curated facts"] if CURATED_MARK in used else []
    parts += [f"{IMPORTED_MARK}: imported data"] if IMPORTED_MARK in used else []
    parts += [
        f"{LAYER_MARKS[s]}: {name}" for s, name in LAYER_NAMES.items() if LAYER_MARKS[s] in used
    ]
    return "; ".join(parts)
