"""Tables for people: plain rows as aligned text, whole in a pipe, fitted on a terminal.

When stdout is not a terminal (``| less``, ``> file.txt``), every cell is whole, as gh and
kubectl print them: `stdout_width` is None. On a terminal (or with ``$COLUMNS`` set, an explicit
width), long list cells (``sources``, ``areas`` …, written ``a;b;c`` in rows) show their first
items and a count, ``a; b; +3 more``; then, while the table is wider than the terminal, the
least useful columns are cut first (sources, notes, areas …, ending in ``…``), and left out
when cutting is not enough (a last line says which). The values that carry the meaning are
never cut: kind, status, dates and years, numbers, and a name up to `NAME_WIDTH` characters; a
column empty in every row is left out.
An id column that only repeats a name (``partner`` beside ``name``) is left out; where two rows
share a name it shows the ids of those rows, to tell them apart. ``wide`` shows everything.
JSON and CSV are not made here: they always hold everything.

>>> rows = [{"id": "jakarta", "name": "Jakarta", "sources": "one;two;three;four"}]
>>> print("\\n".join(render(rows, ["id", "name", "sources"], width=80)))
name     sources
-------  -----------------
Jakarta  one; two; +2 more
>>> print("\\n".join(render(rows, ["id", "name", "sources"], width=20)))
name     sources
-------  -----------
Jakarta  one; two;…
>>> print("\\n".join(render(rows, ["id", "name", "sources"], width=None)))
name     sources
-------  ------------------
Jakarta  one;two;three;four
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from .text import visible

__all__ = [
    "LIST_COLUMNS",
    "NAME_WIDTH",
    "SHOWN_ITEMS",
    "render",
    "shorten_list",
    "stdout_width",
    "terminal_width",
]

# The columns of the answers (`sistercities.query`) whose cells are lists joined by ";".
LIST_COLUMNS = frozenset(
    {"areas", "sources", "events", "parties", "visitors", "met", "sessions", "agreements"}
)
# Columns cut first, and left out when cutting is not enough: the least useful first.
LEAST_USEFUL = (
    "sources",
    "notes",
    "met",
    "visitors",
    "sessions",
    "parties",
    "agreements",
    "areas",
    "venue",
    "purpose",
    "evidence",  # a short mark that the legend on stderr explains: left out last
)
# Columns never cut: what carries the meaning of a row (and columns of numbers, found by value).
NEVER_CUT = frozenset(
    {
        "kind",
        "status",
        "since",
        "until",
        "from",
        "signed",
        "in_force",
        "decade",
        "date",
        "year",
        "when",
        "country",
        "hop",
        "chain",
    }
)
NAME_COLUMNS = frozenset({"name", "label", "title"})
# An id column and the name column beside it: the id is shown only to tell names apart.
ID_COLUMNS = ("id", "partner", "official", "event")
SHOWN_ITEMS = 2  # items of a long list shown before the count of the rest
MIN_WIDTH = 8  # a cut column keeps at least this many characters (or its header's width)
NAME_WIDTH = 20  # a name is not cut below this
GAP = "  "


def terminal_width() -> int:
    """The terminal's width in columns (``$COLUMNS``, else the terminal's, else 80)."""
    return shutil.get_terminal_size((80, 24)).columns


def stdout_width() -> int | None:
    """The room a table has on stdout: the terminal's width when stdout is a terminal, or
    ``$COLUMNS`` when it is set (an explicit width); None when stdout is a pipe or a file
    (cells are then whole)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout is not None and sys.stdout.isatty():
            return terminal_width()
    except (AttributeError, ValueError):
        pass
    return None


def shorten_list(cell: str, shown: int = SHOWN_ITEMS) -> str:
    """A list cell (``a;b;c;d``) as its first items and a count of the rest.

    >>> shorten_list("a;b;c;d"), shorten_list("a; b"), shorten_list("")
    ('a; b; +2 more', 'a; b', '')
    """
    items = [item.strip() for item in cell.split(";") if item.strip()]
    if len(items) <= shown + 1:
        return "; ".join(items)
    return "; ".join([*items[:shown], f"+{len(items) - shown} more"])


def _cut(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: width - 1].rstrip() + "…"


def _name_of(column: str, columns: Sequence[str]) -> str | None:
    """The name column an id column stands beside (``from`` → ``from_name``, ``partner`` →
    ``name``), or None."""
    if f"{column}_name" in columns:
        return f"{column}_name"
    if column in ID_COLUMNS and "name" in columns:
        return "name"
    return None


def _id_cells(
    rows: list[Mapping[str, Any]], columns: Sequence[str]
) -> tuple[list[str], dict[str, set[int]]]:
    """The id columns to show, and for each the rows whose id it shows: those whose name
    another row's different id shares. An id column with no such row is left out."""
    shown: list[str] = []
    needed: dict[str, set[int]] = {}
    for column in columns:
        name = _name_of(column, columns)
        if name is None:
            shown.append(column)
            continue
        ids_of: dict[str, set[str]] = {}
        for row in rows:
            ids_of.setdefault(str(row.get(name) or ""), set()).add(str(row.get(column) or ""))
        shared = {n for n, ids in ids_of.items() if len(ids) > 1 or not n}
        rows_needed = {i for i, row in enumerate(rows) if str(row.get(name) or "") in shared}
        if rows_needed:
            shown.append(column)
            needed[column] = rows_needed
    return shown, needed


def _floor(column: str, width: int, cells: list[str]) -> int:
    """How narrow a column may be cut: not at all for the values that carry the meaning."""
    if column in NEVER_CUT or column.endswith(("_kind", "_since", "_until")):
        return width
    if cells and all(c.replace(",", "").replace(".", "").isdigit() or not c for c in cells):
        return width  # numbers
    if column in NAME_COLUMNS or column.endswith("_name") or _is_id(column):
        return min(width, max(NAME_WIDTH, len(column)))
    return min(width, max(len(column), MIN_WIDTH))


def _is_id(column: str) -> bool:
    return column in ID_COLUMNS or column in ("from", "to", "place", "visit", "agreement", "area")


def _rank(column: str) -> int:
    """The order columns are cut in: the least useful first, the names last."""
    if column in LEAST_USEFUL:
        return LEAST_USEFUL.index(column)
    if column in NAME_COLUMNS or column.endswith("_name"):
        return len(LEAST_USEFUL) + 2
    return len(LEAST_USEFUL) + 1


def _fit(widths: list[int], floors: list[int], ranks: list[int], room: int) -> list[int]:
    """Column widths that fit `room` characters (gaps included), cutting the least useful
    column first (the widest of equals), none below its floor."""
    total = sum(widths) + len(GAP) * (len(widths) - 1)
    widths = list(widths)
    while total > room:
        cuttable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not cuttable:
            break  # as narrow as it gets
        least = min(cuttable, key=lambda i: (ranks[i], -widths[i], -i))
        cut = min(widths[least] - floors[least], total - room)
        widths[least] -= cut
        total -= cut
    return widths


def render(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    width: int | Literal["stdout"] | None = "stdout",
    wide: bool = False,
    list_columns: Iterable[str] = LIST_COLUMNS,
) -> list[str]:
    """The lines of an aligned table of `rows`: a header, a rule, one line a row.

    `width` is the room there is (by default `stdout_width`; None: cells whole, for a pipe);
    with `wide`, every column and cell is shown whole, however wide the table gets. Control,
    bidi and invisible characters of a cell are shown escaped (`sistercities.text.visible`),
    and the widths are those of what is shown.
    """
    rows = list(rows)
    room = stdout_width() if width == "stdout" else width
    fit = room is not None and not wide
    needed: dict[str, set[int]] = {}
    if not wide:
        columns, needed = _id_cells(rows, columns)
    lists = set(list_columns)
    cells = []
    for index, row in enumerate(rows):
        line = []
        for column in columns:
            value = row.get(column)
            text = "" if value is None else str(value)
            if column in needed and index not in needed[column]:
                text = ""
            if column in lists and fit:
                text = shorten_list(text)
            line.append(visible(text))
        cells.append(line)
    columns = list(columns)
    if fit and cells:  # on a terminal, a column with no value in any row takes no room
        empty = {i for i in range(len(columns)) if not any(line[i] for line in cells)}
        columns = [c for i, c in enumerate(columns) if i not in empty]
        cells = [[v for i, v in enumerate(line) if i not in empty] for line in cells]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    left_out: list[str] = []
    if fit and columns:
        assert room is not None
        while True:
            floors = [
                _floor(c, w, [r[i] for r in cells])
                for i, (c, w) in enumerate(zip(columns, widths, strict=True))
            ]
            ranks = [_rank(c) for c in columns]
            fitted = _fit(widths, floors, ranks, room)
            total = sum(fitted) + len(GAP) * (len(fitted) - 1)
            droppable = [c for c in LEAST_USEFUL if c in columns]
            if total <= room or not droppable:
                widths = fitted
                break
            drop = columns.index(droppable[0])
            left_out.append(columns.pop(drop))
            widths.pop(drop)
            for line in cells:
                line.pop(drop)
    out = [GAP.join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    out.append(GAP.join("-" * w for w in widths))
    for line in cells:
        out.append(
            GAP.join(_cut(v, w).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        )
    if left_out:
        out.append(f"({', '.join(left_out)}: left out to fit the terminal; --wide shows them)")
    return out
