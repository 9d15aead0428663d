"""Every rule of `rules.RULES`, broken on purpose: `sistercities validate` must name the
rule, at the exact line (and column where it is meaningful), with the right severity, and exit
1 for errors (0 when there are only warnings), never with a traceback.

Each case is a small YAML text built from the shapes of tests/fixtures/minimal.yaml. Line
numbers are those of the text as written; `BASE` (a source and two places) is 14 lines, so
sections appended to it start at line 15.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sistercities.yamltree
from helpers import run_cli
from sistercities.rules import RULES

WARNING_RULES = {"no-start-date", "unused-source", "reported-count-mismatch", "unknown-term"}

SOURCES = """\
sources:
  - id: seed
    title: Seed
"""

# One source (lines 1-3) and one place (lines 4-9).
ONE_CITY = """\
sources:
  - id: seed
    title: Seed
cities:
  - id: jakarta
    name: Jakarta
    kind: province
    country: ID
    sources: [seed]
"""

# One source and two places: lines 1-14.
BASE = """\
sources:
  - id: seed
    title: Seed
cities:
  - id: jakarta
    name: Jakarta
    kind: province
    country: ID
    sources: [seed]
  - id: los-angeles
    name: Los Angeles
    kind: city
    country: US
    sources: [seed]
"""

# BASE and an official with one term of office: lines 1-24.
PEOPLE = (
    BASE
    + """\
officials:
  - id: anies
    name: Anies Baswedan
    roles:
      - title: Governor of Jakarta
        of: jakarta
        from: 2017-10-16
        until: 2022-10-16
        sources: [seed]
    sources: [seed]
"""
)

# A 'billion laughs': each line expands the one before nine times.
BOMB = """\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def tie(*lines: str, between: str = "[jakarta, los-angeles]", status: str = "active") -> str:
    """A partnership entry: `between`, `kind`, `status`, then `lines`, then `sources`."""
    head = [f"  - between: {between}", "    kind: sister-city", f"    status: {status}"]
    return "\n".join([*head, *lines, "    sources: [seed]"]) + "\n"


@dataclass(frozen=True)
class P:
    """An expected problem (line and column 0: the problem is about the whole file)."""

    rule: str
    line: int
    column: int
    file: str = "data.yaml"
    hint: str = ""

    @property
    def severity(self) -> str:
        return "warning" if self.rule in WARNING_RULES else "error"


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes | None]  # None: a directory
    expected: tuple[P, ...]
    data: tuple[str, ...] = ("data.yaml",)
    real_process: bool = False
    max_file_bytes: int | None = None

    @property
    def exit_code(self) -> int:
        return 1 if any(p.severity == "error" for p in self.expected) else 0


def case(
    name: str,
    text: str | bytes | dict[str, str | bytes | None],
    *expected: P,
    data: tuple[str, ...] = ("data.yaml",),
    real_process: bool = False,
    max_file_bytes: int | None = None,
    xfail: str | None = None,
) -> Any:
    files = text if isinstance(text, dict) else {"data.yaml": text}
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(
        Case(files, expected, data, real_process, max_file_bytes), id=name, marks=marks
    )


CASES = [
    # --- YAML itself ---------------------------------------------------------------------
    case(
        "yaml-syntax/colon-in-plain-value",
        "sources:\n  - id: seed\n    title: Seed: Jakarta\n",
        P("yaml-syntax", 3, 16),
    ),
    case(
        "yaml-syntax/bad-indentation",
        "sources:\n  - id: seed\n   title: Seed\n",
        P("yaml-syntax", 3, 4),
    ),
    case(
        "yaml-syntax/tab-indentation",
        "sources:\n  - id: seed\n\ttitle: Seed\n",
        P("yaml-syntax", 3, 1),
        real_process=True,
    ),
    case(
        "yaml-syntax/two-documents",
        SOURCES + "---\nareas: []\n",
        P("yaml-syntax", 4, 1),
    ),
    case(
        "yaml-syntax/control-character",
        "sources:\n  - id: seed\n    title: \x07Seed\n",
        P("yaml-syntax", 3, 12),
    ),
    case(
        "duplicate-key/in-an-entry",
        "sources:\n  - id: seed\n    title: Seed\n    title: Again\n",
        P("duplicate-key", 4, 5, hint="first at line 3"),
    ),
    case(
        "duplicate-key/in-a-flow-mapping",
        "sources:\n  - {id: seed, id: other, title: Seed}\n",
        P("duplicate-key", 2, 16),
    ),
    case(
        "duplicate-key/section-twice",
        SOURCES + "sources:\n  - id: other\n    title: Other\n",
        P("duplicate-key", 4, 1, hint="first at line 1"),
    ),
    case(
        "yaml-tag/python-object",
        'sources:\n  - id: seed\n    title: !!python/object/apply:os.system ["touch pwned"]\n',
        P("yaml-tag", 3, 12),
        real_process=True,
    ),
    case(
        "yaml-tag/str",
        "sources:\n  - id: seed\n    title: !!str Seed\n",
        P("yaml-tag", 3, 12),
    ),
    case(
        "yaml-alias/billion-laughs",
        BOMB,
        P("yaml-alias", 5, 8, hint="too many aliases"),
        real_process=True,
    ),
    case(
        "yaml-alias/unknown-alias",
        "sources:\n  - id: seed\n    title: *nowhere\n",
        P("yaml-alias", 3, 12, hint="*nowhere"),
    ),
    case(
        # The top mapping is level 1, so the 64th '[' (column 10 + 63) is level 65.
        "yaml-depth/70-nested-lists",
        "sources: " + "[" * 70 + "]" * 70 + "\n",
        P("yaml-depth", 1, 73),
    ),
    case(
        "encoding/latin-1-byte",
        b"sources:\n  - id: seed\n    title: Caf\xe9\n",
        P("encoding", 3, 15, hint="0xe9"),
        real_process=True,
    ),
    case(
        "encoding/after-a-byte-order-mark",
        b"\xef\xbb\xbfsources:\n  - id: seed\n    title: Seed\n    notes: \xff\n",
        P("encoding", 4, 12, hint="0xff"),
    ),
    case("empty-file/empty", "", P("empty-file", 1, 1)),
    case("empty-file/only-comments", "# nothing yet\n\n# still nothing\n", P("empty-file", 1, 1)),
    case(
        "wrong-type/list-at-the-top",
        "- id: seed\n  title: Seed\n",
        P("wrong-type", 1, 1, hint="top level must be a mapping"),
    ),
    # --- Shapes: sections, keys and types ------------------------------------------------
    case(
        "unknown-key/section",
        SOURCES + "citys: []\n",
        P("unknown-key", 4, 1, hint="did you mean 'cities'?"),
    ),
    case(
        "unknown-key/key-with-hint",
        ONE_CITY.replace("    country: ID", "    contry: ID"),
        P("unknown-key", 8, 5, hint="did you mean 'country'?"),
    ),
    case(
        "missing-key/name",
        ONE_CITY.replace("    name: Jakarta\n", ""),
        P("missing-key", 5, 5, hint="has no 'name'"),
    ),
    case(
        "missing-key/english-label",
        "areas:\n  - id: culture\n    label: {id: Budaya}\n",
        P("missing-key", 3, 12, hint="'en'"),
    ),
    case(
        "wrong-type/string-for-coordinates",
        ONE_CITY.replace("    sources:", "    coordinates: downtown\n    sources:"),
        P("wrong-type", 9, 18, hint="must be a mapping"),
    ),
    case(
        "wrong-type/int-for-name",
        ONE_CITY.replace("name: Jakarta", "name: 42"),
        P("wrong-type", 6, 11, hint="must be a string, not an integer (42)"),
    ),
    case(
        "wrong-type/list-for-country",
        ONE_CITY.replace("country: ID", "country: [ID]"),
        P("wrong-type", 8, 14, hint="not a list"),
    ),
    case(
        "wrong-type/section-not-a-list",
        SOURCES + "cities: {id: jakarta}\n",
        P("wrong-type", 4, 9, hint="must be a list of entries"),
    ),
    case(
        "bad-value/place-kind",
        ONE_CITY.replace("kind: province", "kind: town"),
        P("bad-value", 7, 11, hint="'town'"),
    ),
    case(
        "bad-value/partnership-status",
        BASE + "partnerships:\n" + tie("    since: 1990").replace("active", "actve"),
        P("bad-value", 18, 13, hint="did you mean 'active'?"),
    ),
    case(
        "bad-value/planned-agreement-with-signed-date",
        BASE
        + "agreements:\n  - id: loi\n    kind: letter-of-intent\n"
        + "    parties: [jakarta, los-angeles]\n    status: planned\n"
        + "    signed: 2018-04-18\n    sources: [seed]\n",
        P("bad-value", 20, 13, hint="planned"),
    ),
    case(
        "bad-id/capitals",
        ONE_CITY.replace("id: jakarta", "id: Jakarta"),
        P("bad-id", 5, 9),
    ),
    case(
        "bad-id/spaces",
        ONE_CITY.replace("id: jakarta", "id: los angeles"),
        P("bad-id", 5, 9),
    ),
    case(
        "bad-id/in-a-reference",
        ONE_CITY.replace("    sources:", "    part_of: Java\n    sources:"),
        P("bad-id", 9, 14),
    ),
    case(
        "duplicate-id/same-file",
        ONE_CITY + "  - id: jakarta\n    name: Jakarta again\n    kind: city\n"
        "    country: ID\n    sources: [seed]\n",
        P("duplicate-id", 10, 9, hint="already used at data.yaml:5:5"),
    ),
    case(
        "duplicate-id/across-two-files",
        {
            "data/a.yaml": SOURCES,
            "data/b.yaml": "sources:\n  - id: other\n    title: Other\n"
            "  - id: seed\n    title: Seed again\n",
        },
        P("duplicate-id", 4, 9, file="data/b.yaml", hint="data/a.yaml:2:5"),
        data=("data",),
        real_process=True,
    ),
    # --- References ------------------------------------------------------------------------
    case(
        "unknown-reference/place-in-partnership",
        BASE + "partnerships:\n" + tie("    since: 1990", between="[jakarta, atlantis]"),
        P("unknown-reference", 16, 24, hint="unknown place 'atlantis'"),
    ),
    case(
        "unknown-reference/place-of-event",
        BASE + "events:\n  - id: conference\n    name: Conference\n    place: atlantis\n"
        "    from: 2018-04\n    sources: [seed]\n",
        P("unknown-reference", 18, 12, hint="unknown place 'atlantis'"),
    ),
    case(
        "unknown-reference/source-with-hint",
        ONE_CITY.replace("sources: [seed]", "sources: [sead]"),
        P("unknown-reference", 9, 15, hint="unknown source 'sead'; did you mean 'seed'?"),
    ),
    case(
        "unknown-reference/area-of-partnership",
        BASE + "partnerships:\n" + tie("    since: 1990", "    areas: [culture]"),
        P("unknown-reference", 20, 13, hint="unknown area 'culture'"),
    ),
    case(
        "unknown-reference/broader-area",
        "areas:\n  - id: culture\n    label: {en: Culture}\n    broader: arts\n",
        P("unknown-reference", 4, 14, hint="unknown area 'arts'"),
    ),
    case(
        "unknown-reference/official-visitor",
        BASE + "visits:\n  - id: trip\n    visitors: [nobody]\n    place: los-angeles\n"
        "    from: 2018-04\n    sources: [seed]\n",
        P("unknown-reference", 17, 16, hint="unknown official 'nobody'"),
    ),
    case(
        "unknown-reference/partnership-of-agreement",
        BASE + "agreements:\n  - id: loi\n    kind: letter-of-intent\n"
        "    parties: [jakarta, los-angeles]\n    status: signed\n"
        "    partnership: jakarta--casablanca\n    sources: [seed]\n",
        P("unknown-reference", 20, 18, hint="unknown partnership 'jakarta--casablanca'"),
    ),
    case(
        "unknown-reference/partnership-of-visit",
        PEOPLE + "visits:\n  - id: trip\n    visitors: [anies]\n    place: los-angeles\n"
        "    from: 2018-04\n    partnership: jakarta--casablanca\n    sources: [seed]\n",
        P("unknown-reference", 30, 18, hint="unknown partnership 'jakarta--casablanca'"),
    ),
    case(
        "unknown-reference/event-of-visit",
        PEOPLE + "visits:\n  - id: trip\n    visitors: [anies]\n    place: los-angeles\n"
        "    from: 2018-04\n    events: [conference]\n    sources: [seed]\n",
        P("unknown-reference", 30, 14, hint="unknown event 'conference'"),
    ),
    case(
        "unknown-reference/agreement-of-partnership",
        BASE + "partnerships:\n" + tie("    since: 1990", "    agreements: [loi]"),
        P("unknown-reference", 20, 18, hint="unknown agreement 'loi'"),
    ),
    case(
        "unknown-reference/place-of-role",
        PEOPLE.replace("of: jakarta", "of: bandung"),
        P("unknown-reference", 20, 13, hint="unknown place 'bandung'"),
    ),
    case(
        "unknown-reference/speaker-of-session",
        BASE + "events:\n  - id: conference\n    name: Conference\n    place: los-angeles\n"
        "    from: 2018-04\n    sessions:\n      - title: Panel\n        speakers: [nobody]\n"
        "    sources: [seed]\n",
        P("unknown-reference", 22, 20, hint="unknown official 'nobody'"),
    ),
    case(
        "unknown-reference/second-item-of-a-block-list",
        ONE_CITY.replace("    sources: [seed]", "    sources:\n      - seed\n      - nowhere"),
        P("unknown-reference", 11, 9, hint="unknown source 'nowhere'"),
    ),
    case(
        "unknown-reference/source-of-reported-count",
        ONE_CITY.replace(
            "    sources: [seed]",
            "    reported_partner_counts:\n      - count: 0\n        as_of: 2020\n"
            "        sources: [nowhere]\n    sources: [seed]",
        ),
        P("unknown-reference", 12, 19, hint="unknown source 'nowhere'"),
    ),
    # --- Dates -----------------------------------------------------------------------------
    case(
        "bad-date/february-30",
        BASE + "partnerships:\n" + tie("    since: 2018-02-30"),
        P("bad-date", 19, 12, hint="February 2018 has no day 30"),
    ),
    case(
        "bad-date/month-13",
        BASE + "partnerships:\n" + tie("    since: 1999-13"),
        P("bad-date", 19, 12, hint="no month 13"),
    ),
    case(
        "bad-date/garbage",
        BASE + "partnerships:\n" + tie("    since: last spring"),
        P("bad-date", 19, 12, hint="'last spring' is not a date"),
    ),
    case(
        "bad-date/source-published",
        "sources:\n  - id: seed\n    title: Seed\n    published: 2018-04-31\n",
        P("bad-date", 4, 16, hint="April 2018 has no day 31"),
    ),
    case(
        "date-order/tie-until-before-since",
        BASE + "partnerships:\n" + tie("    since: 2000", "    until: 1999", status="ended"),
        P("date-order", 20, 12, hint="ends (1999) before it starts (2000)"),
    ),
    case(
        "date-order/role",
        PEOPLE.replace("until: 2022-10-16", "until: 2016"),
        P("date-order", 22, 16, hint="the role 'Governor of Jakarta'"),
    ),
    case(
        "date-order/visit",
        PEOPLE + "visits:\n  - id: trip\n    visitors: [anies]\n    place: los-angeles\n"
        "    from: 2018-04-20\n    until: 2018-04-18\n    sources: [seed]\n",
        P("date-order", 30, 12, hint="visit 'trip'"),
    ),
    case(
        "date-order/event",
        BASE + "events:\n  - id: conference\n    name: Conference\n    place: los-angeles\n"
        "    from: 2018-04-20\n    until: 2018-03\n    sources: [seed]\n",
        P("date-order", 20, 12, hint="event 'conference'"),
    ),
    case(
        "visit-outside-term/before-the-term",
        PEOPLE + "visits:\n  - id: trip\n    visitors: [anies]\n    place: los-angeles\n"
        "    from: 2015-04\n    sources: [seed]\n",
        P("visit-outside-term", 29, 11, hint="2017-10-16"),
    ),
    case(
        "unknown-term/visitor-without-roles",
        BASE + "officials:\n  - id: mawardi\n    name: M. Mawardi\n    sources: [seed]\n"
        "visits:\n  - id: trip\n    visitors: [mawardi]\n    place: los-angeles\n"
        "    from: 2018-04\n    sources: [seed]\n",
        P("unknown-term", 21, 15, hint="no term of office of 'mawardi'"),
    ),
    # --- Places -------------------------------------------------------------------------------
    case(
        "part-of-cycle/two-places",
        BASE.replace("    country: ID\n", "    country: ID\n    part_of: los-angeles\n").replace(
            "    country: US\n", "    country: US\n    part_of: jakarta\n"
        ),
        P("part-of-cycle", 9, 14, hint="jakarta → los-angeles → jakarta"),
        P("part-of-cycle", 15, 14, hint="los-angeles → jakarta → los-angeles"),
    ),
    case(
        "part-of-cycle/itself",
        BASE.replace("    country: ID\n", "    country: ID\n    part_of: jakarta\n"),
        P("part-of-cycle", 9, 14, hint="'jakarta' lies in itself"),
    ),
    case(
        "bad-value/a-source-named-twice",
        BASE.replace(
            "    sources: [seed]\n  - id: los-angeles",
            "    sources: [seed, seed]\n  - id: los-angeles",
        ),
        P("bad-value", 9, 21, hint="repeats 'seed'"),
    ),
    case(
        "unknown-reference/tie-id-with-the-places-swapped",
        PEOPLE
        + "partnerships:\n"
        + tie()
        + "visits:\n  - id: trip\n    visitors: [anies]\n    place: los-angeles\n"
        "    from: 2018-04\n    partnership: los-angeles--jakarta\n    sources: [seed]\n",
        P("no-start-date", 26, 5),
        P("unknown-reference", 35, 18, hint="sorted order: 'jakarta--los-angeles'"),
    ),
    # --- Partnerships ----------------------------------------------------------------------
    case(
        "self-partnership",
        BASE + "partnerships:\n" + tie("    since: 1990", between="[jakarta, jakarta]"),
        P("self-partnership", 16, 14),
    ),
    case(
        "duplicate-partnership/same-kind-overlapping",
        BASE
        + "partnerships:\n"
        + tie("    since: 1990").replace("  - between", "  - id: first\n    between")
        + tie("    since: 1995", between="[los-angeles, jakarta]").replace(
            "  - between", "  - id: second\n    between"
        ),
        P("duplicate-partnership", 22, 5, hint="'first' at data.yaml:16:5"),
    ),
    case(
        "duplicate-partnership/without-ids",
        BASE + "partnerships:\n" + tie("    since: 1990") + tie("    since: 1995"),
        P("duplicate-partnership", 21, 5),
    ),
    # --- Codes and numbers -----------------------------------------------------------------
    case(
        "unknown-country/XX",
        ONE_CITY.replace("country: ID", "country: XX"),
        P("unknown-country", 8, 14, hint="'XX'"),
    ),
    case(
        "unknown-country/lower-case",
        ONE_CITY.replace("country: ID", "country: id"),
        P("unknown-country", 8, 14),
    ),
    *[
        case(
            f"bad-coordinates/{name}",
            ONE_CITY.replace("    sources:", f"    coordinates: {value}\n    sources:"),
            P("bad-coordinates", 9, column, hint=hint),
        )
        for name, value, column, hint in [
            ("lat-91", "{lat: 91, lon: 0}", 24, "'lat'"),
            ("lon-minus-181", "{lat: 0, lon: -181}", 32, "'lon'"),
            ("lat-nan", "{lat: .nan, lon: 0}", 24, "nan"),
            ("lon-inf", "{lat: 0, lon: .inf}", 32, "inf"),
            ("lat-minus-inf", "{lat: -.inf, lon: 0}", 24, "-inf"),
        ]
    ],
    *[
        case(
            f"bad-qid/{qid}",
            ONE_CITY.replace("    sources:", f"    wikidata: {qid}\n    sources:"),
            P("bad-qid", 9, 15, hint=repr(qid)),
        )
        for qid in ["q42", "Q0", "Qabc", "Q042"]
    ],
    # --- Text that an export cannot hold, and language tags ---------------------------------
    *[
        case(
            f"control-character/{name}",
            ONE_CITY.replace("name: Jakarta", f'name: "Ja{escape}karta"'),
            P("control-character", 6, 11, hint=hint),
        )
        for name, escape, hint in [
            ("esc", "\\e", "U+001B"),
            ("bel", "\\a", "U+0007"),
            ("nul", "\\0", "U+0000"),
            ("del", "\\x7f", "U+007F"),
            ("newline-in-a-name", "\\n", "U+000A"),
            ("tab-in-a-name", "\\t", "U+0009"),
        ]
    ],
    case(
        "control-character/vertical-tab-in-notes",
        ONE_CITY.replace("    sources:", '    notes: "a\\vb"\n    sources:'),
        P("control-character", 9, 12, hint="U+000B"),
    ),
    case(
        "control-character/in-an-alias",
        ONE_CITY.replace("    sources:", '    aliases: ["DKI", "x\\x1b[2J"]\n    sources:'),
        P("control-character", 9, 22, hint="U+001B"),
    ),
    *[
        case(
            f"noncharacter/{name}",
            ONE_CITY.replace("name: Jakarta", f'name: "Jakarta{escape}"'),
            P("noncharacter", 6, 11, hint=hint),
        )
        for name, escape, hint in [
            ("fffe", "\\uFFFE", "U+FFFE"),
            ("ffff", "\\uFFFF", "U+FFFF"),
            ("fdd0", "\\uFDD0", "U+FDD0"),
            ("plane-16", "\\U0010FFFF", "U+10FFFF"),
            ("plane-1", "\\U0001FFFE", "U+1FFFE"),
        ]
    ],
    *[
        case(
            f"bad-language/label-{tag}",
            ONE_CITY.replace("    sources:", f"    labels: {{{tag}: X}}\n    sources:"),
            P("bad-language", 9, 14, hint=repr(tag)),
        )
        for tag in ["en-1a", "e", "en-", "en-GB-x", "abcdefghi"]
    ],
    case(
        "bad-language/source-language",
        ONE_CITY.replace("    title: Seed", "    title: Seed\n    language: en-1a"),
        P("bad-language", 4, 15, hint="BCP 47"),
    ),
    # --- Sources ---------------------------------------------------------------------------
    case(
        "no-source/missing",
        ONE_CITY.replace("    sources: [seed]\n", ""),
        P("no-source", 5, 5, hint="every fact needs a source"),
    ),
    case(
        "no-source/empty-list",
        ONE_CITY.replace("sources: [seed]", "sources: []"),
        P("no-source", 9, 14),
    ),
    case(
        "no-source/partnership",
        BASE + "partnerships:\n" + tie("    since: 1990").replace("    sources: [seed]\n", ""),
        P("no-source", 16, 5),
    ),
    # --- Files -----------------------------------------------------------------------------
    case(
        "no-data/missing-file",
        {},
        P("no-data", 0, 0, file="missing.yaml", hint="no such file"),
        data=("missing.yaml",),
        real_process=True,
    ),
    case(
        "no-data/folder-without-yaml",
        {"empty": None, "empty/readme.txt": "not yaml\n"},
        P("no-data", 0, 0, file="empty", hint="no *.yaml"),
        data=("empty",),
    ),
    case(
        "file-too-large",
        ONE_CITY,
        P("file-too-large", 0, 0),
        max_file_bytes=64,
    ),
    case(
        "unreadable/a-folder-named-like-a-file",
        {"data/a.yaml": ONE_CITY, "data/b.yaml": None},
        P("unreadable", 0, 0, file="data/b.yaml"),
        data=("data",),
    ),
    case(
        "file-name/not-utf8",
        {"data/a.yaml": ONE_CITY, "data/b\udcff.yaml": ONE_CITY},
        # the name as shown: the byte escaped, never raw
        P("file-name", 0, 0, file="data/b\\udcff.yaml", hint="not UTF-8"),
        data=("data",),
    ),
    case(
        "not-a-file/a-character-device",
        {},
        P("not-a-file", 0, 0, file="/dev/null", hint="a character device"),
        data=("/dev/null",),
    ),
    # --- Warnings --------------------------------------------------------------------------
    case(
        "unused-source",
        SOURCES + "  - id: other\n    title: Other\n" + ONE_CITY.removeprefix(SOURCES),
        P("unused-source", 4, 5, hint="'other'"),
    ),
    case(
        "no-start-date",
        BASE + "partnerships:\n" + tie(),
        P("no-start-date", 16, 5),
    ),
    case(
        "reported-count-mismatch",
        ONE_CITY.replace(
            "    sources: [seed]",
            "    reported_partner_counts:\n      - count: 3\n        as_of: 2020\n"
            "        sources: [seed]\n    sources: [seed]",
        ),
        P("reported-count-mismatch", 10, 7, hint="has 0 active ties"),
    ),
]


# --- Running the command line -------------------------------------------------------------

PROBLEM_LINE = re.compile(
    r"^(?P<where>.+?): (?P<severity>error|warning)\[(?P<rule>[a-z0-9-]+)\]: (?P<message>.*)$"
)
WHERE = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<column>\d+)$")
SUMMARY = re.compile(r"; (?P<errors>\d+) errors, (?P<warnings>\d+) warnings$")


@dataclass(frozen=True)
class Reported:
    file: str
    line: int
    column: int
    severity: str
    rule: str
    message: str


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str = ""
    problems: list[Reported] = field(default_factory=list)


def parse_output(stdout: str) -> list[Reported]:
    """The problems of `validate`'s text output; checks the summary line agrees with them."""
    lines = stdout.splitlines()
    assert lines, "no output at all"
    problems = []
    for text in lines[:-1]:
        match = PROBLEM_LINE.match(text)
        if not match:
            continue  # the continuation of a multi-line message
        where = WHERE.match(match["where"])
        file, line, column = (
            (where["file"], int(where["line"]), int(where["column"]))
            if where
            else (match["where"], 0, 0)
        )
        problems.append(
            Reported(file, line, column, match["severity"], match["rule"], match["message"])
        )
    summary = SUMMARY.search(lines[-1])
    assert summary, f"no summary line: {lines[-1]!r}"
    assert int(summary["errors"]) == sum(p.severity == "error" for p in problems)
    assert int(summary["warnings"]) == sum(p.severity == "warning" for p in problems)
    return problems


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir(exist_ok=True)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def console_script() -> list[str]:
    script = Path(sys.executable).parent / "sistercities"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from sistercities.cli import main; main()"]


def run_in_process(args: list[str], monkeypatch: pytest.MonkeyPatch, cwd: Path) -> Run:
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("SISTERCITIES_DATA", raising=False)
    result = run_cli(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def run_real_process(args: list[str], cwd: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if k != "SISTERCITIES_DATA"}
    proc = subprocess.run(
        [*console_script(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def validate(case_: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> Run:
    write_files(tmp_path, case_.files)
    # --verbose: every problem on its own line, warnings too (by default they are grouped)
    listed = () if "--format" in extra else ("--verbose",)
    args = ["validate", *(a for path in case_.data for a in ("--data", path)), *listed, *extra]
    if case_.max_file_bytes is not None:
        monkeypatch.setattr(sistercities.yamltree, "MAX_FILE_BYTES", case_.max_file_bytes)
    if case_.real_process:
        run = run_real_process(args, tmp_path)
    else:
        run = run_in_process(args, monkeypatch, tmp_path)
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output
    if "--format" not in extra:
        run.problems = parse_output(run.stdout)
    return run


def relevant(reported: list[Reported], expected: tuple[P, ...]) -> list[Reported]:
    """The reported problems, without the unused-source warnings that a broken entry causes
    (its sources are never counted as cited; see test_a_broken_entry_is_reported_once)."""
    if any(p.rule == "unused-source" for p in expected):
        return reported
    return [p for p in reported if p.rule != "unused-source"]


# --- The rules, one case at a time ----------------------------------------------------------


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = validate(c, tmp_path, monkeypatch)
    got = relevant(run.problems, c.expected)
    assert [(p.rule, p.file, p.line) for p in got] == [
        (p.rule, p.file, p.line) for p in c.expected
    ], run.stdout
    for reported, expected in zip(got, c.expected, strict=True):
        assert reported.column == expected.column, str(reported)
        assert reported.severity == expected.severity, str(reported)
        assert expected.hint in reported.message, str(reported)
    assert run.exit_code == c.exit_code, run.stdout
    if c.real_process:
        assert run.stderr == "", run.stderr
    if "pwned" in str(c.files):
        assert not (tmp_path / "pwned").exists(), "a YAML tag ran a command"


def _covered(cases: list[Any]) -> set[str]:
    return {p.rule for param in cases if not param.marks for p in param.values[0].expected}


def test_every_rule_has_a_case_that_passes() -> None:
    assert set(RULES) - _covered(CASES) == set()


def test_cases_name_only_known_rules() -> None:
    named = {p.rule for param in CASES for p in param.values[0].expected}
    assert named - set(RULES) == set()


def test_warning_rules_are_those_rules_describes_as_warnings() -> None:
    assert {rule for rule, text in RULES.items() if text.startswith("warning:")} == WARNING_RULES


def test_the_base_texts_are_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shapes the cases break are valid themselves, and as long as the docstring says."""
    assert len(ONE_CITY.splitlines()) == 9
    assert len(BASE.splitlines()) == 14
    assert len(PEOPLE.splitlines()) == 24
    for text in (ONE_CITY, BASE, PEOPLE, BASE + "partnerships:\n" + tie("    since: 1990")):
        run = validate(Case({"data.yaml": text}, ()), tmp_path, monkeypatch)
        assert run.problems == [], run.stdout
        assert run.exit_code == 0


# --- Rules that must not fire ---------------------------------------------------------------

QUIET = {
    "same-pair-same-kind-apart-with-ids": BASE
    + "partnerships:\n"
    + tie("    since: 1990", "    until: 1999", status="ended").replace(
        "  - between", "  - id: first\n    between"
    )
    + tie("    since: 2005").replace("  - between", "  - id: second\n    between"),
    "same-pair-different-kinds": BASE
    + "partnerships:\n"
    + tie("    since: 1990")
    + tie("    since: 1990").replace("sister-city", "friendship"),
    "until-about-the-year-before": BASE
    + "partnerships:\n"
    + tie("    since: 2000", "    until: 1999~", status="ended"),
    "norway-is-NO": ONE_CITY.replace("country: ID", "country: NO"),
    "edge-coordinates": ONE_CITY.replace(
        "    sources:", "    coordinates: {lat: -90, lon: 180}\n    sources:"
    ),
    "planned-tie-without-since": BASE + "partnerships:\n" + tie(status="planned"),
    "visit-on-the-last-day-of-term": PEOPLE
    + "visits:\n  - id: trip\n    visitors: [anies]\n    place: los-angeles\n"
    "    from: 2022-10-16\n    sources: [seed]\n",
    "64-levels-deep": "areas: " + "[" * 63 + "]" * 63 + "\n",
}


@pytest.mark.parametrize("text", list(QUIET.values()), ids=list(QUIET))
def test_no_false_alarm(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = validate(Case({"data.yaml": text}, ()), tmp_path, monkeypatch)
    if text.startswith("areas: ["):  # deep but allowed: only the shape is wrong
        assert {p.rule for p in run.problems} == {"wrong-type"}, run.stdout
        return
    assert run.problems == [], run.stdout
    assert run.exit_code == 0


def test_the_minimal_fixture_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = Path(__file__).parent / "fixtures" / "minimal.yaml"
    text = fixture.read_text(encoding="utf-8")
    run = validate(Case({"data.yaml": text}, ()), tmp_path, monkeypatch)
    assert run.problems == [], run.stdout
    assert run.exit_code == 0


def test_a_broken_entry_still_gets_every_other_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry with one wrong value is still checked for the rest: one run, every problem."""
    text = (
        BASE
        + "partnerships:\n"
        + tie("    since: 2018-02-30", between="[jakarta, atlantis]").replace(
            "sources: [seed]", "sources: [nowhere]"
        )
        + tie("    since: 2000", "    until: 1999", "    areas: [nope]", "    notes: 5")
        + tie(between="[jakarta, jakarta]").replace("kind: sister-city", "kind: sister-citi")
    )
    run = validate(Case({"data.yaml": text}, ()), tmp_path, monkeypatch)
    got = sorted((p.rule, p.line) for p in run.problems)
    assert got == sorted(
        [
            ("unknown-reference", 16),  # atlantis
            ("bad-date", 19),
            ("unknown-reference", 20),  # nowhere
            ("date-order", 25),
            ("unknown-reference", 26),  # nope
            ("wrong-type", 27),  # notes: 5
            ("self-partnership", 29),
            ("bad-value", 30),  # sister-citi
        ]
    ), run.stdout


def test_a_broken_entry_is_reported_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ONE_CITY.replace("name: Jakarta", "name: 42")
    run = validate(Case({"data.yaml": text}, ()), tmp_path, monkeypatch)
    assert [(p.rule, p.line) for p in run.problems] == [("wrong-type", 6)], run.stdout


# --- Many problems at once ------------------------------------------------------------------

MANY = """\
sources:
  - id: seed
    title: Seed
    published: 2018-02-30
  - id: unused
    title: Nobody cites this
cities:
  - id: Jakarta
    name: Jakarta
    kind: province
    country: XX
    coordinates: {lat: 91, lon: 106.8}
    sources: [seed]
  - id: los-angeles
    name: Los Angeles
    kind: town
    country: US
    wikidata: q65
    sources: [seed]
partnerships:
  - between: [los-angeles, atlantis]
    kind: sister-city
    status: active
    since: 2000
    until: 1990
    sources: [seed]
"""

MANY_EXPECTED = [
    ("bad-date", 4, 16, "error"),
    ("unused-source", 5, 5, "warning"),
    ("bad-id", 8, 9, "error"),
    ("unknown-country", 11, 14, "error"),
    ("bad-coordinates", 12, 24, "error"),
    ("bad-value", 16, 11, "error"),
    ("bad-qid", 18, 15, "error"),
    ("unknown-reference", 21, 28, "error"),
    ("date-order", 25, 12, "error"),
]


def test_every_problem_is_reported_in_one_run_in_line_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = validate(Case({"data.yaml": MANY}, ()), tmp_path, monkeypatch)
    got = [(p.rule, p.line, p.column, p.severity) for p in run.problems]
    assert got == MANY_EXPECTED, run.stdout
    assert got == sorted(got, key=lambda p: (p[1], p[2]))
    assert {p.file for p in run.problems} == {"data.yaml"}
    assert run.exit_code == 1
    assert run.stdout.splitlines()[-1].endswith("; 8 errors, 1 warnings")


def test_json_output_lists_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = validate(Case({"data.yaml": MANY}, ()), tmp_path, monkeypatch, "--format", "json")
    assert run.exit_code == 1
    report = json.loads(run.stdout)
    assert report["ok"] is False
    assert (report["errors"], report["warnings"]) == (8, 1)
    assert report["files"] == ["data.yaml"]
    got = [(p["rule"], p["line"], p["column"], p["severity"]) for p in report["problems"]]
    assert got == MANY_EXPECTED
    for problem in report["problems"]:
        assert problem["file"] == "data.yaml"
        assert problem["message"]
        assert set(problem) == {"file", "line", "column", "severity", "rule", "message"}


def test_json_output_of_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").write_text(MANY, encoding="utf-8")
    run = run_real_process(["validate", "--data", "data.yaml", "--format", "json"], tmp_path)
    assert run.exit_code == 1
    assert "Traceback" not in run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert [(p["rule"], p["line"], p["column"]) for p in report["problems"]] == [
        (rule, line, column) for rule, line, column, _ in MANY_EXPECTED
    ]


def test_json_output_of_a_warning_only_file_is_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BASE + "partnerships:\n" + tie()
    run = validate(Case({"data.yaml": text}, ()), tmp_path, monkeypatch, "--format", "json")
    assert run.exit_code == 0
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert [(p["rule"], p["line"], p["severity"]) for p in report["problems"]] == [
        ("no-start-date", 16, "warning")
    ]
