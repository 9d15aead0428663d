"""The rules that need the whole dataset: references, date order, terms of office, duplicate
ties. This module only checks a dataset; it does not read files.

The per-field checks (types, keys, dates, codes) run while loading (`sistercities.schema`);
`sistercities.load` reads the files, runs `check_dataset` and gives the `Report` of `validate`.

Every rule has an id, printed as ``error[rule]``; `RULES` lists them with what they catch.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from .dates import DateSyntaxError, PartialDate
from .errors import Location, NearWords, Problem, Severity, did_you_mean
from .model import ENTITY_NAMES, Dataset, tie_id
from .yamltree import YamlList, YamlMap

__all__ = ["RULES", "Entries", "check_dataset", "located", "ties_overlap"]

# Where each entry was written: ``entries[section][id]`` is its YAML mapping, with locations.
Entries = Mapping[str, Mapping[str, YamlMap]]

RULES: dict[str, str] = {
    "yaml-syntax": "the file is not well-formed YAML",
    "yaml-tag": "a YAML tag (!!python/object, !!str …) is used",
    "yaml-alias": "an unknown alias, or too many aliases (a 'billion laughs' bomb)",
    "yaml-depth": "nesting deeper than the limit",
    "duplicate-key": "a key appears twice in one mapping",
    "encoding": "the file is not UTF-8",
    "file-too-large": "the file is larger than the limit",
    "unreadable": "the file cannot be read",
    "not-a-file": "a FIFO, a device, a socket or a symlink loop where a data file should be",
    "no-data": "a path names no file, or a folder has no *.yaml",
    "file-name": "a data file's path is not UTF-8",
    "empty-file": "a file holds no data",
    "unknown-key": "a key or section the format does not have",
    "missing-key": "a required key is missing",
    "wrong-type": "a value of the wrong type (a string for a number, a list for a string …)",
    "bad-value": "a value outside the allowed words or range",
    "bad-id": "an id that is not a lower-case slug",
    "control-character": "a control character in a text (tab and line breaks only in notes)",
    "noncharacter": "a Unicode noncharacter (U+FFFE, U+FDD0 …) or a lone surrogate in a text",
    "bad-language": "a language tag that is not well-formed BCP 47 (RFC 5646), such as en-1a",
    "duplicate-id": "two entries of a section share an id",
    "unknown-reference": "an id that names no entry of the section it should",
    "bad-date": "a malformed or impossible date (1999-13, 2018-02-30)",
    "date-order": "an end before its start",
    "visit-outside-term": "a visit when none of the visitor's known terms of office ran",
    "self-partnership": "a place partnered with itself",
    "duplicate-partnership": "the same pair twice with the same kind and overlapping dates",
    "unknown-country": "a country that is not an ISO 3166-1 alpha-2 code",
    "bad-coordinates": "coordinates out of range or not finite",
    "bad-qid": "a malformed Wikidata QID",
    "no-source": "a fact with no source",
    "part-of-cycle": "a place that lies in itself through part_of",
    "no-start-date": "warning: a tie with no start date",
    "unknown-term": "warning: a visit by an official whose terms of office are not recorded",
    "unused-source": "warning: a source that no fact cites",
    "reported-count-mismatch": "warning: a stated number of partners differs from the data",
}


def _span(
    start: PartialDate | None, end: PartialDate | None
) -> tuple[datetime.date, datetime.date]:
    """The widest range of days from `start` to `end` (a missing or open end: unbounded)."""
    first = start.earliest if start is not None and start.earliest else datetime.date.min
    last = end.latest if end is not None and end.latest else datetime.date.max
    return first, last


def ties_overlap(first: Any, second: Any) -> bool:
    """Whether two ties' date ranges can overlap (YAML mappings with since/until, or models)."""

    def span(tie: Any) -> tuple[datetime.date, datetime.date]:
        if isinstance(tie, dict):
            since, until = (_maybe_date(tie.get(key)) for key in ("since", "until"))
        else:
            since, until = tie.since, tie.until
        return _span(since, until)

    (s1, e1), (s2, e2) = span(first), span(second)
    return s1 <= e2 and s2 <= e1


def _maybe_date(value: Any) -> PartialDate | None:
    try:
        return PartialDate.parse(value) if value is not None else None
    except DateSyntaxError:
        return None


def located(entries: Entries, section: str, ident: str, key: str | None = None) -> Location:
    """The location of an entry, or of one of its values."""
    entry = entries.get(section, {}).get(ident)
    if entry is None:
        return Location("?")
    return entry.value_location(key) if key else entry.location


class _Checker:
    def __init__(
        self,
        dataset: Dataset,
        entries: Entries,
        declared: Mapping[str, set[str]],
        usable_ties: Mapping[str, Any],
    ) -> None:
        self.dataset = dataset
        self.entries = entries
        self.declared = declared
        self._near: dict[str, NearWords] = {}
        self.usable_ties = usable_ties
        self.problems: list[Problem] = []

    def add(self, where: Location, rule: str, message: str, *, warning: bool = False) -> None:
        severity = Severity.WARNING if warning else Severity.ERROR
        self.problems.append(Problem(where, severity, rule, message))

    def where(self, section: str, ident: str, key: str | None = None) -> Location:
        return located(self.entries, section, ident, key)

    def near_ids(self, section: str) -> NearWords:
        """The ids of a section, indexed once for the hints of every unknown reference."""
        if section not in self._near:
            self._near[section] = NearWords(sorted(self.declared[section]))
        return self._near[section]

    def raw(self, section: str, ident: str, within: tuple[str | int, ...] = ()) -> Any:
        """The YAML mapping of an entry, or of a mapping nested in it (a role, a session)."""
        node: Any = self.entries.get(section, {}).get(ident)
        for step in within:
            if isinstance(node, YamlMap) and isinstance(step, str):
                node = node.get(step)
            elif isinstance(node, YamlList) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return None
        return node

    def located(
        self,
        section: str,
        ident: str,
        key: str,
        within: tuple[str | int, ...] = (),
        value: Any = None,
    ) -> Location:
        """Where `key` (or `value`, an item of its list) is written in an entry."""
        mapping = self.raw(section, ident, within)
        if not isinstance(mapping, YamlMap):
            return self.where(section, ident)
        written = mapping.get(key)
        if value is not None and isinstance(written, YamlList) and value in written:
            return written.item_location(written.index(value))
        return mapping.value_location(key)

    def refs(
        self,
        section: str,
        ident: str,
        key: str,
        target: str,
        values: Any,
        within: tuple[str | int, ...] = (),
    ) -> None:
        """Report every id in `values` that names no entry of section `target`."""
        if values is None:
            return
        if isinstance(values, str):
            values = (values,)
        owner = f"{ENTITY_NAMES[section]} '{ident}'"
        if within:
            owner = f"{within[0]}[{int(within[1]) + 1}] of {owner}" if len(within) > 1 else owner
        for value in values:
            if value not in self.declared[target]:
                hint = did_you_mean(value, self.near_ids(target))
                pair = value.split("--")
                swapped = tie_id(*pair) if len(pair) == 2 else value
                if target == "partnerships" and swapped in self.declared[target]:
                    hint = f"; a tie's id puts the place ids in sorted order: '{swapped}'"
                self.add(
                    self.located(section, ident, key, within, value),
                    "unknown-reference",
                    f"'{key}' of {owner} names unknown {ENTITY_NAMES[target]} '{value}'{hint}",
                )

    def order(
        self, where: Location, what: str, start: PartialDate | None, end: PartialDate | None
    ) -> None:
        if start and end and end.certainly_before(start):
            self.add(where, "date-order", f"{what} ends ({end}) before it starts ({start})")

    def run(self) -> list[Problem]:
        ds = self.dataset
        for area in ds.areas.values():
            self.refs("areas", area.id, "broader", "areas", area.broader)
        for place in ds.places.values():
            self.refs("cities", place.id, "part_of", "cities", place.part_of)
            self.refs("cities", place.id, "sources", "sources", place.sources)
            self.part_of_cycle(place.id)
            for index, count in enumerate(place.reported_partner_counts or ()):
                self.refs(
                    "cities",
                    place.id,
                    "sources",
                    "sources",
                    count.sources,
                    ("reported_partner_counts", index),
                )
            if place.coverage is not None:
                self.refs(
                    "cities",
                    place.id,
                    "sources",
                    "sources",
                    place.coverage.sources,
                    ("coverage",),
                )
        self.partnerships()
        for official in ds.officials.values():
            self.refs("officials", official.id, "sources", "sources", official.sources)
            for index, role in enumerate(official.roles or ()):
                within = ("roles", index)
                self.refs("officials", official.id, "of", "cities", role.of, within)
                self.refs("officials", official.id, "sources", "sources", role.sources, within)
                self.order(
                    self.located("officials", official.id, "until", within),
                    f"the role '{role.title}' of '{official.id}'",
                    role.start,
                    role.end,
                )
        for event in ds.events.values():
            self.refs("events", event.id, "place", "cities", event.place)
            self.refs("events", event.id, "sources", "sources", event.sources)
            for index, session in enumerate(event.sessions or ()):
                self.refs(
                    "events",
                    event.id,
                    "speakers",
                    "officials",
                    session.speakers,
                    ("sessions", index),
                )
            self.order(
                self.located("events", event.id, "until"),
                f"event '{event.id}'",
                event.start,
                event.end,
            )
        for visit in ds.visits.values():
            self.visit(visit)
        for agreement in ds.agreements.values():
            aid = agreement.id
            self.refs("agreements", aid, "parties", "cities", agreement.parties)
            self.refs("agreements", aid, "partnership", "partnerships", agreement.partnership)
            self.refs("agreements", aid, "areas", "areas", agreement.areas)
            self.refs("agreements", aid, "sources", "sources", agreement.sources)
            if agreement.status == "planned" and agreement.signed:
                self.add(
                    self.where("agreements", aid, "signed"),
                    "bad-value",
                    f"agreement '{aid}' is planned but has a 'signed' date",
                )
        self.counts()
        cited = set(_cited_sources(self.entries))
        for source in ds.sources.values():
            if source.id not in cited:
                self.add(
                    self.where("sources", source.id),
                    "unused-source",
                    f"source '{source.id}' is cited by no fact",
                    warning=True,
                )
        return self.problems

    def part_of_cycle(self, start: str) -> None:
        """Report a place that lies, through `part_of`, in itself."""
        places = self.dataset.places
        seen = [start]
        current = places[start].part_of
        while current is not None and current in places:
            if current == start:
                chain = " → ".join([*seen, start])
                self.add(
                    self.located("cities", start, "part_of"),
                    "part-of-cycle",
                    f"place '{start}' lies in itself: {chain}",
                )
                return
            if current in seen:
                return  # a cycle that does not pass through `start`: reported at its members
            seen.append(current)
            current = places[current].part_of

    def partnerships(self) -> None:
        ds = self.dataset
        by_pair: dict[tuple[str, ...], list[Any]] = {}
        for tie in ds.partnerships.values():
            where = self.where("partnerships", tie.id)
            self.refs("partnerships", tie.id, "between", "cities", tie.between)
            self.refs("partnerships", tie.id, "areas", "areas", tie.areas)
            self.refs("partnerships", tie.id, "agreements", "agreements", tie.agreements)
            self.refs("partnerships", tie.id, "sources", "sources", tie.sources)
            if tie.between is None:
                continue
            if tie.between[0] == tie.between[1]:
                self.add(
                    self.where("partnerships", tie.id, "between"),
                    "self-partnership",
                    f"partnership '{tie.id}' pairs '{tie.between[0]}' with itself",
                )
            self.order(
                self.located("partnerships", tie.id, "until"),
                f"partnership '{tie.id}'",
                tie.since,
                tie.until,
            )
            usable = tie.id in self.usable_ties
            if tie.since is None and tie.status != "planned" and usable:
                self.add(
                    where,
                    "no-start-date",
                    f"partnership '{tie.id}' has no 'since' date",
                    warning=True,
                )
            by_pair.setdefault((*sorted(tie.between), tie.kind), []).append(tie)
        for (a, b, kind), ties in by_pair.items():
            for i, first in enumerate(ties):
                for second in ties[i + 1 :]:
                    if ties_overlap(first, second):
                        self.add(
                            self.where("partnerships", second.id),
                            "duplicate-partnership",
                            f"'{a}' and '{b}' already have a {kind} tie with overlapping dates "
                            f"('{first.id}' at {first.location})",
                        )

    def visit(self, visit: Any) -> None:
        ds = self.dataset
        vid = visit.id
        self.refs("visits", vid, "visitors", "officials", visit.visitors)
        self.refs("visits", vid, "place", "cities", visit.place)
        self.refs("visits", vid, "partnership", "partnerships", visit.partnership)
        self.refs("visits", vid, "events", "events", visit.events)
        self.refs("visits", vid, "met", "officials", visit.met)
        self.refs("visits", vid, "areas", "areas", visit.areas)
        self.refs("visits", vid, "sources", "sources", visit.sources)
        self.order(self.located("visits", vid, "until"), f"visit '{vid}'", visit.start, visit.end)
        first, last = _span(visit.start, visit.end or visit.start)
        for person in visit.visitors or ():
            official = ds.officials.get(person)
            if official is None or visit.start is None:
                continue
            if not official.roles:
                self.add(
                    self.where("visits", vid, "visitors"),
                    "unknown-term",
                    f"visit '{vid}': no term of office of '{person}' is recorded, so the "
                    "visit's date cannot be checked against one",
                    warning=True,
                )
                continue
            terms = [_span(role.start, role.end) for role in official.roles]
            if all(last < t_first or first > t_last for t_first, t_last in terms):
                spans = "; ".join(
                    f"{role.title} {role.start or '?'}–{role.end or ''}" for role in official.roles
                )
                self.add(
                    self.where("visits", vid, "from"),
                    "visit-outside-term",
                    f"visit '{vid}' ({visit.start}) falls outside every known term of "
                    f"'{person}' ({spans})",
                )

    def counts(self) -> None:
        ds = self.dataset
        for place in ds.places.values():
            if not place.reported_partner_counts:
                continue
            latest = max(
                place.reported_partner_counts,
                key=lambda c: c.as_of.latest or datetime.date.min,
            )
            active = sum(1 for tie in ds.partnerships_of(place.id) if tie.status == "active")
            if active != latest.count:
                self.add(
                    self.where("cities", place.id, "reported_partner_counts"),
                    "reported-count-mismatch",
                    f"place '{place.id}' has {active} active ties in the data, but "
                    f"{', '.join(latest.sources)} reports {latest.count} as of {latest.as_of}",
                    warning=True,
                )


def _cited_sources(entries: Entries) -> Iterator[str]:
    """Every source id that any entry (built or too broken to build) cites, at any depth."""
    stack: list[Any] = [entry for section in entries.values() for entry in section.values()]
    while stack:
        node = stack.pop()
        if isinstance(node, YamlMap):
            for key, value in node.items():
                if key == "sources" and isinstance(value, YamlList):
                    yield from (v for v in value if isinstance(v, str))
                else:
                    stack.append(value)
        elif isinstance(node, YamlList):
            stack.extend(node)


def check_dataset(
    dataset: Dataset,
    entries: Entries,
    declared: Mapping[str, set[str]],
    usable_ties: Mapping[str, Any] | None = None,
) -> list[Problem]:
    """The whole-dataset rules over `dataset` (the loader also passes entries too broken to
    use, with None for their wrong values). `entries` says where each entry was written;
    `declared` holds every id seen, so that one mistake is not reported again as unknown
    references; `usable_ties` are the ties that could be built (default: all of them), the only
    ones warned about."""
    usable = dataset.partnerships if usable_ties is None else usable_ties
    return _Checker(dataset, entries, declared, usable).run()
