"""Hypothesis strategies for random valid datasets (every field exercised, hostile strings)."""

from __future__ import annotations

import datetime

from hypothesis import strategies as st
from sistercities.dates import PartialDate
from sistercities.model import (
    AGREEMENT_KINDS,
    AGREEMENT_STATUSES,
    PARTNERSHIP_KINDS,
    PARTNERSHIP_STATUSES,
    PLACE_KINDS,
    SESSION_KINDS,
    Agreement,
    Area,
    Coordinates,
    Coverage,
    Dataset,
    Event,
    Official,
    Partnership,
    Place,
    ReportedCount,
    Role,
    Session,
    Source,
    Visit,
)
from sistercities.text import noncharacter

# Text that breaks naive serializers: quotes, backslashes, newlines, markup, unicode escapes.
NASTY = st.sampled_from(
    [
        'a "quoted" name',
        "back\\slash",
        "line\u2028separator",  # line breaks and tabs: refused in one-line fields
        "right-to-left \u202eoverride, C1 \u009b",
        "<img src=x onerror=alert(1)>",
        "</script><script>alert(1)</script>",
        '"""triple"""',
        "\\u0041 not an escape",
        "São Paulo",
        "Hạ Long",
        "東京",
        'x" } ; DROP ALL ; #',
        "emoji 🏙️",
        "trailing space ",
    ]
)
TEXT = st.one_of(
    NASTY,
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
        min_size=1,
        max_size=30,
    ).filter(lambda s: s.strip() and noncharacter(s) is None),  # refused by validate
)
SLUG = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
LANG = st.sampled_from(["en", "id", "fr", "de", "tr", "ar", "pt-BR"])


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    """A random ISO/EDTF date: year, month or day precision, qualifiers, open intervals."""
    day = draw(st.dates(min_value=datetime.date(2, 1, 1), max_value=datetime.date(9998, 12, 31)))
    precision = draw(st.sampled_from(["y", "m", "d"]))
    text = {"y": f"{day.year:04d}", "m": f"{day.year:04d}-{day.month:02d}", "d": day.isoformat()}[
        precision
    ]
    form = draw(st.sampled_from(["plain", "~", "?", "%", "before", "after"]))
    if form in ("~", "?", "%"):
        text += form
    elif form == "before":
        text = "../" + text
    elif form == "after":
        text += "/.."
    return PartialDate.parse(text)


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}-{i}" for i in range(n)]


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    """A random dataset whose references point at entries that exist."""
    sources = _ids("s", draw(st.integers(1, 3)))
    areas = _ids("a", draw(st.integers(0, 3)))
    places = _ids("p", draw(st.integers(2, 5)))
    officials = _ids("o", draw(st.integers(0, 3)))
    events = _ids("e", draw(st.integers(0, 2)))
    agreements = _ids("g", draw(st.integers(0, 2)))
    optional = st.none() | TEXT
    maybe_date = st.none() | partial_dates()
    some_sources = st.lists(st.sampled_from(sources), min_size=1, max_size=2, unique=True)

    def some(ids: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
        if not ids:
            return st.just(())
        return st.lists(st.sampled_from(ids), max_size=2, unique=True).map(tuple)

    source_entries = {
        i: Source(
            i,
            draw(TEXT),
            publisher=draw(optional),
            published=draw(maybe_date),
            url=draw(st.none() | st.just("https://example.org/a?b=c&d=%20")),
            language=draw(st.none() | LANG),
            licence=draw(optional),
            notes=draw(optional),
        )
        for i in sources
    }
    area_entries = {
        i: Area(
            i,
            {"en": draw(TEXT), **draw(st.dictionaries(LANG, TEXT, max_size=2))},
            broader=draw(st.none() | st.sampled_from(areas)) if areas else None,
            notes=draw(optional),
        )
        for i in areas
    }
    place_entries = {}
    for i in places:
        coords = draw(
            st.none()
            | st.builds(
                Coordinates,
                st.floats(-90, 90, allow_nan=False),
                st.floats(-180, 180, allow_nan=False),
            )
        )
        place_entries[i] = Place(
            i,
            draw(TEXT),
            draw(st.sampled_from(PLACE_KINDS)),
            draw(st.sampled_from(["ID", "US", "MA", "TR", "NO"])),
            tuple(draw(some_sources)),
            labels=draw(st.dictionaries(LANG, TEXT, max_size=2)),
            aliases=tuple(draw(st.lists(TEXT, max_size=2, unique=True))),
            coordinates=coords,
            wikidata=draw(st.none() | st.integers(1, 10**8).map(lambda n: f"Q{n}")),
            geonames=draw(st.none() | st.integers(1, 10**7)),
            population=draw(st.none() | st.integers(0, 10**8)),
            admin1=draw(st.none() | st.from_regex(r"\A[A-Z]{2}-[A-Z0-9]{1,6}\Z")),
            part_of=draw(st.none() | st.sampled_from([p for p in places if p != i])),
            reported_partner_counts=tuple(
                draw(
                    st.lists(
                        st.builds(
                            ReportedCount,
                            st.integers(0, 500),
                            partial_dates(),
                            some_sources.map(tuple),
                        ),
                        max_size=2,
                    )
                )
            ),
            coverage=draw(
                st.none()
                | st.builds(
                    Coverage,
                    st.booleans(),
                    partial_dates(),
                    some_sources.filter(bool).map(tuple),
                    optional,
                )
            ),
            notes=draw(optional),
        )
    ties = {}
    for a, b in draw(
        st.lists(
            st.lists(st.sampled_from(places), min_size=2, max_size=2, unique=True),
            max_size=4,
            unique_by=lambda pair: tuple(sorted(pair)),
        )
    ):
        ident = "--".join(sorted((a, b)))
        ties[ident] = Partnership(
            ident,
            (a, b),
            draw(st.sampled_from(PARTNERSHIP_KINDS)),
            draw(st.sampled_from(PARTNERSHIP_STATUSES)),
            tuple(draw(some_sources)),
            since=draw(maybe_date),
            until=draw(maybe_date),
            areas=draw(some(areas)),
            agreements=draw(some(agreements)),
            notes=draw(optional),
        )
    official_entries = {
        i: Official(
            i,
            draw(TEXT),
            tuple(draw(some_sources)),
            wikidata=draw(st.none() | st.just("Q42")),
            roles=tuple(
                draw(
                    st.lists(
                        st.builds(
                            Role,
                            TEXT,
                            some_sources.map(tuple),
                            of=st.none() | st.sampled_from(places),
                            organisation=optional,
                            start=maybe_date,
                            end=maybe_date,
                        ),
                        max_size=2,
                    )
                )
            ),
            notes=draw(optional),
        )
        for i in officials
    }
    event_entries = {
        i: Event(
            i,
            draw(TEXT),
            draw(st.sampled_from(places)),
            draw(partial_dates()),
            tuple(draw(some_sources)),
            end=draw(maybe_date),
            venue=draw(optional),
            url=draw(st.none() | st.just("http://example.org/event")),
            sessions=tuple(
                draw(
                    st.lists(
                        st.builds(
                            Session,
                            TEXT,
                            kind=st.none() | st.sampled_from(SESSION_KINDS),
                            date=maybe_date,
                            speakers=some(officials),
                        ),
                        max_size=2,
                    )
                )
            ),
            notes=draw(optional),
        )
        for i in events
    }
    visit_entries = {}
    if officials:
        for i in _ids("v", draw(st.integers(0, 2))):
            visit_entries[i] = Visit(
                i,
                tuple(
                    draw(st.lists(st.sampled_from(officials), min_size=1, max_size=2, unique=True))
                ),
                draw(st.sampled_from(places)),
                draw(partial_dates()),
                tuple(draw(some_sources)),
                end=draw(maybe_date),
                purpose=draw(optional),
                partnership=draw(st.none() | st.sampled_from(sorted(ties))) if ties else None,
                events=draw(some(events)),
                met=draw(some(officials)),
                areas=draw(some(areas)),
                notes=draw(optional),
            )
    agreement_entries = {
        i: Agreement(
            i,
            draw(st.sampled_from(AGREEMENT_KINDS)),
            tuple(draw(st.lists(st.sampled_from(places), min_size=2, max_size=3, unique=True))),
            draw(st.sampled_from(AGREEMENT_STATUSES)),
            tuple(draw(some_sources)),
            title=draw(optional),
            signed=draw(maybe_date),
            partnership=draw(st.none() | st.sampled_from(sorted(ties))) if ties else None,
            areas=draw(some(areas)),
            notes=draw(optional),
        )
        for i in agreements
    }
    return Dataset(
        sources=source_entries,
        areas=area_entries,
        places=place_entries,
        partnerships=ties,
        officials=official_entries,
        events=event_entries,
        visits=visit_entries,
        agreements=agreement_entries,
    )
