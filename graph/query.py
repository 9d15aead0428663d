"""Questions over the data, answered as plain rows (dicts of strings, numbers and None).

Every function takes a `Dataset` and ids (resolve names first with `sistercities.names.NameIndex`),
and yields rows in a stable order; the command line only formats them.

>>> import sistercities
>>> ds = sistercities.load_dataset(sistercities.DEFAULT_DATA)
>>> [row["partner"] for row in partners(ds, "jakarta")][:3]
['jeddah', 'islamabad', 'seoul']
>>> next(partners(ds, "jakarta", as_of="1985"))["in_force"]
'certainly'
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import pairwise
from typing import Any, TypedDict, Unpack

from .dates import PartialDate, decade, decade_order
from .errors import SisterCitiesError, did_you_mean
from .model import Dataset, Partnership

__all__ = [
    "AGREEMENTS_COLUMNS",
    "AREAS_COLUMNS",
    "CITIES_COLUMNS",
    "ENDED",
    "EVENTS_COLUMNS",
    "PATH_COLUMNS",
    "PROFILE_OFFICIAL_COLUMNS",
    "PROFILE_VISIT_COLUMNS",
    "TIMELINE_COLUMNS",
    "VISITS_COLUMNS",
    "PartnersOptions",
    "QueryError",
    "agreements",
    "areas",
    "cities",
    "common",
    "common_columns",
    "coverage",
    "coverage_note",
    "decade_histogram",
    "events",
    "in_force",
    "left_out_note",
    "officials",
    "officials_columns",
    "partners",
    "partners_answer",
    "partners_columns",
    "partners_table_columns",
    "path",
    "profile",
    "provenance",
    "timeline",
    "visits",
]

Row = dict[str, Any]
_NEVER = datetime.date.min
_FOREVER = datetime.date.max


class QueryError(SisterCitiesError):
    """A question that has no answer as asked (no chain between two places …)."""


def _text(date: PartialDate | None) -> str | None:
    return None if date is None else date.text


def _earliest(date: PartialDate | None) -> datetime.date:
    return date.earliest if date is not None and date.earliest is not None else _NEVER


def _sort_key(date: PartialDate | None) -> tuple[bool, datetime.date]:
    """Dated things first, by their earliest day (an interval open at the start: its latest);
    undated ones last."""
    if date is None:
        return (True, _FOREVER)
    return (False, date.earliest or date.latest or _FOREVER)


def in_force(start: PartialDate | None, end: PartialDate | None, at: PartialDate) -> str:
    """Whether something running from `start` to `end` ran at `at`: certainly, possibly or no.

    Uncertain dates count honestly: a tie "since about 1990" may have begun in 1989.

    >>> from sistercities.dates import parse_date as d
    >>> in_force(d("1990~"), None, d("1989")), in_force(d("1990~"), None, d("1992"))
    ('possibly', 'certainly')
    >>> in_force(d("1990"), d("1995"), d("1996")), in_force(None, None, d("2000"))
    ('no', 'possibly')
    """
    at_first = at.earliest or _NEVER
    at_last = at.latest or _FOREVER
    start_first = start.earliest if start and start.earliest else _NEVER
    start_last = start.latest if start and start.latest else _FOREVER
    end_first = end.earliest if end and end.earliest else _FOREVER
    end_last = end.latest if end and end.latest else _FOREVER
    if start_first > at_last or end_last < at_first:
        return "no"
    certain = (
        start is not None
        and not start.uncertain
        and start_last <= at_first
        and (end is None or (not end.uncertain and end_first > at_last))
    )
    return "certainly" if certain else "possibly"


def _tie_in_force(tie: Partnership, at: PartialDate) -> str:
    if tie.status == "planned":
        return "no"
    answer = in_force(tie.since, tie.until, at)
    if answer == "certainly" and tie.status in ("ended", "suspended") and tie.until is None:
        return "possibly"  # it ended, but no source says when
    return answer


def _ties(dataset: Dataset, place: str) -> list[Partnership]:
    return sorted(dataset.partnerships_of(place), key=lambda t: (_sort_key(t.since), t.id))


CITIES_COLUMNS = ("id", "name", "country", "kind", "partners", "planned")


def cities(dataset: Dataset, country: str | None = None, kind: str | None = None) -> Iterator[Row]:
    """Places with their number of partners (distinct places with a tie in force or ended) and
    of places with only a planned tie."""
    partners_of: dict[str, set[str]] = {}
    planned_with: dict[str, set[str]] = {}
    for tie in dataset.partnerships.values():
        a, b = tie.between
        target = planned_with if tie.status == "planned" else partners_of
        target.setdefault(a, set()).add(b)
        target.setdefault(b, set()).add(a)
    for place in sorted(dataset.places.values(), key=lambda p: (p.country or "", p.name, p.id)):
        if country and place.country != country.upper():
            continue
        if kind and place.kind != kind:
            continue
        yield {
            "id": place.id,
            "name": place.name,
            "country": place.country,
            "kind": place.kind,
            "partners": len(partners_of.get(place.id, ())),
            "planned": len(planned_with.get(place.id, set()) - partners_of.get(place.id, set())),
        }


def partners_table_columns(as_of: object = None) -> tuple[str, ...]:
    """The columns of `partners` in a table for people: the evidence as its short mark (the
    legend says what the marks mean), not the grade."""
    return tuple(c for c in partners_columns(as_of) if c != "grade")


def partners_columns(as_of: object = None) -> tuple[str, ...]:
    """The columns of `partners` (with ``in_force`` when asked `as_of` a date)."""
    head = ("partner", "name", "country", "kind", "status", "since", "until")
    return (*head, *(("in_force",) if as_of else ()), "areas", "evidence", "grade", "sources")


def partners(
    dataset: Dataset,
    place: str,
    *,
    as_of: str | PartialDate | None = None,
    since: int | None = None,
    until: int | None = None,
    kind: str | None = None,
    area: str | None = None,
    status: str | None = None,
    everything: bool = False,
    left_out: Counter[str] | None = None,
) -> Iterator[Row]:
    """The ties of a place in date order (undated last). `since`/`until` keep ties that may
    have begun in or after / in or before a year; `as_of` keeps ties in force at a date and says
    whether they certainly or only possibly were. An `area` that is no area's id raises
    `QueryError` with the nearest ids.

    Each row says what backs the tie (`evidence`: a mark such as ``WP+WD``; `grade`; the
    `sources`). Ties whose evidence is weak (`sistercities.evidence`) are left out unless
    `everything`, and counted by grade in `left_out` when one is given; so are ties a source
    says have ended (`ENDED`), unless `as_of` (in force then) or `status` asks for them."""
    if area is not None and area not in dataset.areas:
        hint = did_you_mean(area, dataset.areas, n=3)
        raise QueryError(f"no cooperation area has the id '{area}'{hint}")
    at = PartialDate.parse(as_of) if isinstance(as_of, (str, int)) else as_of
    return _partner_rows(dataset, place, at, since, until, kind, area, status, everything, left_out)


def _partner_rows(
    dataset: Dataset,
    place: str,
    at: PartialDate | None,
    since: int | None,
    until: int | None,
    kind: str | None,
    area: str | None,
    status: str | None,
    everything: bool = False,
    left_out: Counter[str] | None = None,
) -> Iterator[Row]:
    from .evidence import tie_evidence

    places = dataset.places
    memo: dict[str, frozenset[str]] = {}  # each place's ties read once for the evidence
    for tie in _ties(dataset, place):
        if kind and tie.kind != kind:
            continue
        if status and tie.status != status:
            continue
        if area and area not in tie.areas:
            continue
        if since is not None and (tie.since is None or (tie.since.latest or _FOREVER).year < since):
            continue
        if until is not None and (tie.since is None or _earliest(tie.since).year > until):
            continue
        row: Row = {}
        if at is not None:
            answer = _tie_in_force(tie, at)
            if answer == "no":
                continue
            row["in_force"] = answer
        if tie.status == "ended" and at is None and status is None and not everything:
            if left_out is not None:
                left_out[ENDED] += 1  # a partner no longer: history, not the answer
            continue
        evidence = tie_evidence(dataset, tie, memo)
        if not evidence.shown and not everything:
            if left_out is not None:
                left_out[evidence.grade] += 1
            continue
        other = tie.other(place)
        partner = places.get(other)
        yield {
            "partner": other,
            "name": partner.name if partner else other,
            "country": partner.country if partner else None,
            "kind": tie.kind,
            "status": tie.status,
            "since": _text(tie.since),
            "until": _text(tie.until),
            **row,
            "areas": ";".join(tie.areas),
            "evidence": evidence.mark,
            "grade": evidence.grade,
            "sources": ";".join(tie.sources),
        }


def coverage(dataset: Dataset, place_id: str) -> Row:
    """Whether a place's list of partners is known to be complete, as of which official list.

    >>> import sistercities
    >>> coverage(sistercities.load_dataset(sistercities.DEFAULT_DATA), "bordeaux")
    {'complete': False, 'as_of': None, 'sources': []}
    """
    declared = dataset.places[place_id].coverage
    if declared is None:
        return {"complete": False, "as_of": None, "sources": []}
    return {
        "complete": declared.complete,
        "as_of": declared.as_of.text,
        "sources": list(declared.sources),
    }


def provenance(dataset: Dataset, place_id: str) -> Row:
    """Where a place's ties come from: how many the curated facts give, and how many each world
    layer asserts, in both layers or in one only.

    >>> import sistercities
    >>> provenance(sistercities.load_dataset(sistercities.DEFAULT_DATA), "jakarta")["curated"] > 20
    True
    """
    from .evidence import LAYER_NAMES

    layers = set(LAYER_NAMES)
    curated = 0
    by_layers: Counter[tuple[str, ...]] = Counter()
    for tie in _ties(dataset, place_id):
        from_layers = tuple(s for s in LAYER_NAMES if s in tie.sources)
        if set(tie.sources) - layers:
            curated += 1
        else:
            by_layers[from_layers] += 1
    row: Row = {"curated": curated}
    for source, name in LAYER_NAMES.items():
        row[name] = sum(n for found, n in by_layers.items() if source in found)
    row["in every layer"] = by_layers[tuple(LAYER_NAMES)]
    return row


def coverage_note(dataset: Dataset, place_id: str) -> str:
    """One line for people: where a place's ties come from (each world source with the date
    of what it says) and whether its list of partners is known to be complete.

    >>> import sistercities
    >>> coverage_note(sistercities.load_dataset(sistercities.DEFAULT_DATA), "bordeaux")
    'Bordeaux: ties from the curated facts; not checked against an official list'
    """
    place = dataset.places[place_id]
    declared = place.coverage
    counts = provenance(dataset, place_id)
    origins = [name for name, n in counts.items() if name != "in every layer" and n]
    origins = ["the curated facts" if name == "curated" else name for name in origins]
    if not origins:
        where = "no source (it has no ties)"
    else:
        where = " and ".join(
            [", ".join(origins[:-1]), origins[-1]] if len(origins) > 1 else origins
        )
    sources = ", ".join(declared.sources) if declared is not None else ""
    if declared is not None and declared.complete:
        checked = f"complete as of {declared.as_of.text}, checked against {sources}"
    elif declared is not None:
        checked = f"not complete as of {declared.as_of.text} ({sources})"
    else:
        checked = "not checked against an official list"
    return f"{place.name}: ties from {where}; {checked}"


ENDED = "ended"  # the reason a tie that a source says has ended is left out


def left_out_note(left_out: Mapping[str, int]) -> str | None:
    """What a `partners` answer left out, in one line for people (None: nothing).

    >>> left_out_note({"only Wikidata, not in Wikipedia lists": 2})
    'left out: 2 ties of weak evidence (2 only Wikidata, not in Wikipedia lists); --all shows them'
    >>> left_out_note({"ended": 1, "only Wikipedia, a place unknown to Wikidata": 1})
    'left out: 2 ties (1 ended; 1 of weak evidence: 1 only Wikipedia, a place unknown to \
Wikidata); --all shows them'
    """
    total = sum(left_out.values())
    if not total:
        return None
    weak = {grade: n for grade, n in left_out.items() if grade != ENDED}
    reasons = "; ".join(f"{n} {grade}" for grade, n in weak.items())
    ties = f"{total} tie{'s' if total != 1 else ''}"
    if not left_out.get(ENDED):
        return f"left out: {ties} of weak evidence ({reasons}); --all shows them"
    parts = [f"{left_out[ENDED]} ended"]
    if weak:
        parts.append(f"{sum(weak.values())} of weak evidence: {reasons}")
    return f"left out: {ties} ({'; '.join(parts)}); --all shows them"


PARTNERS_ANSWER_KEYS = ("place", "coverage", "note", "left_out", "partners")


class PartnersOptions(TypedDict, total=False):
    """What `partners` takes besides the dataset and the place (see there)."""

    as_of: str | PartialDate | None
    since: int | None
    until: int | None
    kind: str | None
    area: str | None
    status: str | None
    everything: bool


def partners_answer(dataset: Dataset, place: str, **options: Unpack[PartnersOptions]) -> Row:
    """A place's ties (`partners`, with its `options`) with what the answer is: the place,
    whether its list is known to be complete, where its ties come from, and how many ties were
    left out, by reason (`sistercities.evidence`'s grades, and `ENDED`).

    >>> import sistercities
    >>> answer = partners_answer(sistercities.load_dataset(sistercities.DEFAULT_DATA), "jakarta")
    >>> answer["coverage"]["complete"], len(answer["partners"]) > 20, answer["left_out"]
    (True, True, {})
    """
    left_out: Counter[str] = Counter()
    rows = list(partners(dataset, place, left_out=left_out, **options))
    found = dataset.places[place]
    return {
        "place": {"id": found.id, "name": found.name, "country": found.country},
        "coverage": coverage(dataset, place),
        "note": coverage_note(dataset, place),
        "left_out": dict(sorted(left_out.items())),
        "partners": rows,
    }


# The tables of a profile for people (json gives every field).
PROFILE_OFFICIAL_COLUMNS = ("official", "name", "title", "from", "until")
PROFILE_VISIT_COLUMNS = ("visit", "from", "until", "visitors", "place_name", "met")


def profile(dataset: Dataset, place_id: str) -> Row:
    """Everything about a place: names, where it is, its ties, the officials who held an office
    of it, and the visits to it or by those officials (read from the dataset directly: no
    graph of everything is built for one place)."""
    place = dataset.places[place_id]
    official_ids = sorted(
        o.id for o in dataset.officials.values() if any(r.of == place_id for r in o.roles)
    )
    of_place = set(official_ids)
    visit_ids = sorted(
        (
            v.id
            for v in dataset.visits.values()
            if v.place == place_id or of_place.intersection(v.visitors)
        ),
        key=lambda v: (_earliest(dataset.visits[v].start), v),
    )
    return {
        "id": place.id,
        "name": place.name,
        "labels": dict(place.labels),
        "aliases": list(place.aliases),
        "kind": place.kind,
        "country": place.country,
        "part_of": place.part_of,
        "coordinates": None
        if place.coordinates is None
        else {"lat": place.coordinates.lat, "lon": place.coordinates.lon},
        "wikidata": place.wikidata,
        "sources": list(place.sources),
        "coverage": coverage(dataset, place_id),
        "provenance": provenance(dataset, place_id),
        "partnerships": list(partners(dataset, place_id)),
        "officials": [
            {
                "official": o,
                "name": dataset.officials[o].name,
                "title": role.title,
                "from": _text(role.start),
                "until": _text(role.end),
            }
            for o in official_ids
            for role in dataset.officials[o].roles
            if role.of == place_id
        ],
        "visits": [_visit_row(dataset, dataset.visits[v]) for v in visit_ids],
    }


PATH_COLUMNS = ("chain", "hop", "from", "to", "from_name", "to_name", "kind", "since")


def path(dataset: Dataset, source: str, target: str, max_hops: int = 6) -> Iterator[Row]:
    """The shortest chains of ties (not planned ones) between two places, one row a hop:
    ``chain`` numbers the chains, ``hop`` the steps. The chains are networkx's
    ``all_shortest_paths`` over `sistercities.network.tie_network`."""
    import networkx as nx

    from .network import tie_network

    network = tie_network(dataset)
    try:
        chains = sorted(nx.all_shortest_paths(network, source, target))
    except nx.NetworkXNoPath:
        raise QueryError(f"no chain of ties links '{source}' and '{target}'") from None
    if len(chains[0]) - 1 > max_hops:
        raise QueryError(
            f"the shortest chain between '{source}' and '{target}' has {len(chains[0]) - 1} "
            f"ties, more than --max-hops {max_hops}"
        )
    for number, chain in enumerate(chains, 1):
        for hop, (a, b) in enumerate(pairwise(chain), 1):
            ties = sorted(
                (
                    t
                    for t in dataset.partnerships_of(a)
                    if t.other(a) == b and t.status != "planned"
                ),
                key=lambda t: _sort_key(t.since),
            )
            tie = ties[0]
            yield {
                "chain": number,
                "hop": hop,
                "from": a,
                "to": b,
                "from_name": dataset.places[a].name,
                "to_name": dataset.places[b].name,
                "kind": tie.kind,
                "since": _text(tie.since),
            }


def common_columns(first: str, second: str) -> tuple[str, ...]:
    """The columns of `common`: each place's tie is in two columns named after it."""
    each = [f"{place}_{column}" for place in (first, second) for column in ("kind", "since")]
    return ("partner", "name", "country", *each)


def common(dataset: Dataset, first: str, second: str) -> Iterator[Row]:
    """The partners two places share, with each one's tie."""
    ties_a: dict[str, Partnership] = {}
    ties_b: dict[str, Partnership] = {}
    for place, ties in ((first, ties_a), (second, ties_b)):
        for tie in _ties(dataset, place):  # the earliest tie of a pair stands for it
            if tie.status != "planned":
                ties.setdefault(tie.other(place), tie)
    for partner in sorted(set(ties_a) & set(ties_b), key=lambda p: dataset.places[p].name):
        yield {
            "partner": partner,
            "name": dataset.places[partner].name,
            "country": dataset.places[partner].country,
            f"{first}_kind": ties_a[partner].kind,
            f"{first}_since": _text(ties_a[partner].since),
            f"{second}_kind": ties_b[partner].kind,
            f"{second}_since": _text(ties_b[partner].since),
        }


def _names(dataset: Dataset, ids: Iterable[str]) -> str:
    return "; ".join(dataset.officials[i].name if i in dataset.officials else i for i in ids)


def _visit_row(dataset: Dataset, visit: Any) -> Row:
    place = dataset.places.get(visit.place)
    return {
        "visit": visit.id,
        "from": _text(visit.start),
        "until": _text(visit.end),
        "visitors": _names(dataset, visit.visitors),
        "place": visit.place,
        "place_name": place.name if place else visit.place,
        "purpose": visit.purpose,
        "events": ";".join(visit.events),
        "met": _names(dataset, visit.met),
    }


VISITS_COLUMNS = (
    "visit",
    "from",
    "until",
    "visitors",
    "place",
    "place_name",
    "purpose",
    "events",
    "met",
)


def visits(
    dataset: Dataset,
    *,
    official: str | None = None,
    city: str | None = None,
    year: int | None = None,
) -> Iterator[Row]:
    """Visits in date order, by an official, to a place, or in a year (possibly)."""
    for visit in sorted(dataset.visits.values(), key=lambda v: (_sort_key(v.start), v.id)):
        if official and official not in visit.visitors:
            continue
        if city and visit.place != city:
            continue
        if year is not None:
            first = _earliest(visit.start).year
            last = ((visit.end or visit.start).latest or _FOREVER).year
            if not first <= year <= last:
                continue
        yield _visit_row(dataset, visit)


def officials_columns(as_of: object = None) -> tuple[str, ...]:
    """The columns of `officials` (with ``in_force`` when asked `as_of` a date)."""
    return ("official", "name", "title", "of", "from", "until", *(("in_force",) if as_of else ()))


def officials(
    dataset: Dataset, *, city: str | None = None, as_of: str | PartialDate | None = None
) -> Iterator[Row]:
    """Offices held, one row a role: of a place, in force at a date (certainly or possibly)."""
    at = PartialDate.parse(as_of) if isinstance(as_of, (str, int)) else as_of
    rows: list[tuple[tuple[bool, datetime.date], Row]] = []
    for official in dataset.officials.values():
        for role in official.roles:
            if city and role.of != city:
                continue
            extra: Row = {}
            if at is not None:
                answer = in_force(role.start, role.end, at)
                if answer == "no":
                    continue
                extra["in_force"] = answer
            rows.append(
                (
                    _sort_key(role.start),
                    {
                        "official": official.id,
                        "name": official.name,
                        "title": role.title,
                        "of": role.of,
                        "from": _text(role.start),
                        "until": _text(role.end),
                        **extra,
                    },
                )
            )
    for _, row in sorted(rows, key=lambda r: (r[0], r[1]["official"])):
        yield row


EVENTS_COLUMNS = ("event", "name", "place", "venue", "from", "until", "sessions")


def events(dataset: Dataset) -> Iterator[Row]:
    """Events in date order, with their sessions."""
    for event in sorted(dataset.events.values(), key=lambda e: (_sort_key(e.start), e.id)):
        yield {
            "event": event.id,
            "name": event.name,
            "place": event.place,
            "venue": event.venue,
            "from": _text(event.start),
            "until": _text(event.end),
            "sessions": "; ".join(
                f"{s.title} ({s.kind})" if s.kind else s.title for s in event.sessions
            ),
        }


AGREEMENTS_COLUMNS = ("agreement", "kind", "status", "signed", "parties", "areas")


def agreements(dataset: Dataset, *, status: str | None = None) -> Iterator[Row]:
    """Agreements (letters of intent, memoranda …) in date order, planned ones last."""
    for agreement in sorted(dataset.agreements.values(), key=lambda a: (_sort_key(a.signed), a.id)):
        if status and agreement.status != status:
            continue
        yield {
            "agreement": agreement.id,
            "kind": agreement.kind,
            "status": agreement.status,
            "signed": _text(agreement.signed),
            "parties": ";".join(agreement.parties),
            "areas": ";".join(agreement.areas),
        }


AREAS_COLUMNS = ("area", "label", "ties", "visits", "agreements")


def areas(dataset: Dataset, *, city: str | None = None) -> Iterator[Row]:
    """Cooperation areas and how many ties, visits and agreements name them."""
    counts: dict[str, Counter[str]] = {a: Counter() for a in dataset.areas}
    for tie in dataset.partnerships.values():
        if city is None or city in tie.between:
            for area in tie.areas:
                counts.setdefault(area, Counter())["ties"] += 1
    for visit in dataset.visits.values():
        if (
            city is None
            or visit.place == city
            or any(
                city == r.of
                for o in visit.visitors
                if o in dataset.officials
                for r in dataset.officials[o].roles
            )
        ):
            for area in visit.areas:
                counts.setdefault(area, Counter())["visits"] += 1
    for agreement in dataset.agreements.values():
        if city is None or city in agreement.parties:
            for area in agreement.areas:
                counts.setdefault(area, Counter())["agreements"] += 1
    rows: list[Row] = []
    for area, count in counts.items():
        if city is not None and not count:
            continue
        label = dataset.areas[area].label.get("en", area) if area in dataset.areas else area
        rows.append(
            {
                "area": area,
                "label": label,
                "ties": count["ties"],
                "visits": count["visits"],
                "agreements": count["agreements"],
            }
        )
    yield from sorted(rows, key=lambda r: (-r["ties"], -r["visits"], -r["agreements"], r["area"]))


TIMELINE_COLUMNS = ("date", "what", "id", "summary")


def timeline(dataset: Dataset, place: str | None = None) -> Iterator[Row]:
    """Ties, visits, events and signed agreements in date order (of a place, or all)."""
    rows: list[tuple[tuple[bool, datetime.date], Row]] = []
    names = dataset.places
    for tie in dataset.partnerships.values():
        if place and place not in tie.between:
            continue
        a, b = (names[p].name if p in names else p for p in tie.between)
        rows.append(
            (
                _sort_key(tie.since),
                {
                    "date": _text(tie.since),
                    "what": "tie",
                    "id": tie.id,
                    "summary": f"{a} – {b} ({tie.kind}, {tie.status})",
                },
            )
        )
    for visit in dataset.visits.values():
        if place and visit.place != place:
            continue
        where = names[visit.place].name if visit.place in names else visit.place
        rows.append(
            (
                _sort_key(visit.start),
                {
                    "date": _text(visit.start),
                    "what": "visit",
                    "id": visit.id,
                    "summary": f"{_names(dataset, visit.visitors)} in {where}",
                },
            )
        )
    for event in dataset.events.values():
        if place and event.place != place:
            continue
        rows.append(
            (
                _sort_key(event.start),
                {
                    "date": _text(event.start),
                    "what": "event",
                    "id": event.id,
                    "summary": event.name,
                },
            )
        )
    for agreement in dataset.agreements.values():
        if (place and place not in agreement.parties) or agreement.signed is None:
            continue
        rows.append(
            (
                _sort_key(agreement.signed),
                {
                    "date": _text(agreement.signed),
                    "what": "agreement",
                    "id": agreement.id,
                    "summary": f"{agreement.kind} signed by {', '.join(agreement.parties)}",
                },
            )
        )
    for _, row in sorted(rows, key=lambda r: (r[0], r[1]["what"], r[1]["id"])):
        yield row


def decade_histogram(rows: Iterable[Row]) -> list[Row]:
    """Timeline rows counted per decade of their earliest possible day (for a date open at the
    start, ``../1994-05-31``, its latest); undated rows apart.

    >>> decade_histogram([{"date": "1991", "what": "tie"}, {"date": "1998~", "what": "tie"},
    ...                   {"date": None, "what": "tie"}, {"date": "2018-04", "what": "visit"}])
    [{'decade': '1990s', 'ties': 2, 'visits': 0, 'events': 0, 'agreements': 0}, \
{'decade': '2010s', 'ties': 0, 'visits': 1, 'events': 0, 'agreements': 0}, \
{'decade': 'undated', 'ties': 1, 'visits': 0, 'events': 0, 'agreements': 0}]
    """
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        when = decade(PartialDate.parse(row["date"]) if row["date"] else None)
        counts.setdefault(when, Counter())[row["what"] + "s"] += 1
    return [
        {"decade": d, **{k: counts[d][k] for k in ("ties", "visits", "events", "agreements")}}
        for d in decade_order(counts)
    ]
