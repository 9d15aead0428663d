"""Tables for people: plain rows as aligned text that fits the terminal.

Long list cells (``sources``, ``areas`` …, written ``a;b;c`` in rows) show their first items
and a count, ``a; b; +3 more``; then, while the table is wider than the terminal, the widest
columns are cut (ending in ``…``), none below its header's width or `MIN_WIDTH` (the first
column, which names the row, is kept whole up to `KEEP_FIRST`). ``wide`` shows every cell
whole. JSON and CSV are not made here: they always hold everything.

>>> rows = [{"id": "jakarta", "sources": "one;two;three;four"}]
>>> print("\\n".join(render(rows, ["id", "sources"], width=80)))
id       sources
-------  -----------------
jakarta  one; two; +2 more
>>> print("\\n".join(render(rows, ["id", "sources"], width=20)))
id       sources
-------  -----------
jakarta  one; two;…
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .text import visible

__all__ = ["LIST_COLUMNS", "SHOWN_ITEMS", "render", "shorten_list", "terminal_width"]

# The columns of the answers (`sistercities.query`) whose cells are lists joined by ";".
LIST_COLUMNS = frozenset(
    {"areas", "sources", "events", "parties", "visitors", "met", "sessions", "agreements"}
)
SHOWN_ITEMS = 2  # items of a long list shown before the count of the rest
MIN_WIDTH = 8  # a cut column keeps at least this many characters (or its header's width)
KEEP_FIRST = 24  # the first column (an id, mostly) is not cut below this
GAP = "  "


def terminal_width() -> int:
    """The terminal's width in columns (``$COLUMNS``, else the terminal's, else 80)."""
    return shutil.get_terminal_size((80, 24)).columns


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


def _fit(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Column widths that fit `room` characters (gaps included), cutting the widest column
    first (the last of equals), none below its floor."""
    total = sum(widths) + len(GAP) * (len(widths) - 1)
    widths = list(widths)
    while total > room:
        cuttable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not cuttable:
            break  # as narrow as it gets: let the terminal wrap
        widest = max(cuttable, key=lambda i: (widths[i], i))
        widths[widest] -= 1
        total -= 1
    return widths


def render(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    width: int | None = None,
    wide: bool = False,
    list_columns: Iterable[str] = LIST_COLUMNS,
) -> list[str]:
    """The lines of an aligned table of `rows`: a header, a rule, one line a row.

    `width` is the room there is (by default the terminal's); with `wide`, cells are shown
    whole and the table may be wider. Control, bidi and invisible characters of a cell are
    shown escaped (`sistercities.text.visible`), and the widths are those of what is shown.
    """
    lists = set(list_columns)
    cells = []
    for row in rows:
        line = []
        for column in columns:
            value = row.get(column)
            text = "" if value is None else str(value)
            if column in lists and not wide:
                text = shorten_list(text)
            line.append(visible(text))
        cells.append(line)
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    if not wide and columns:
        floors = [min(w, max(len(c), MIN_WIDTH)) for w, c in zip(widths, columns, strict=True)]
        floors[0] = min(widths[0], KEEP_FIRST)  # the first column names the row: keep it
        widths = _fit(widths, floors, width if width is not None else terminal_width())
    out = [GAP.join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    out.append(GAP.join("-" * w for w in widths))
    for line in cells:
        out.append(
            GAP.join(_cut(v, w).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        )
    return out
