"""Partial and uncertain dates: ISO 8601 at year, month or day precision, with EDTF level 1.

A `PartialDate` is a value with an earliest and a latest possible day, so that questions can
use both honestly: a tie "since about 1990" may have started in 1989.

>>> d = PartialDate.parse("1990~")
>>> d.earliest, d.latest, d.precision.name, d.approximate
(datetime.date(1989, 1, 1), datetime.date(1991, 12, 31), 'YEAR', True)
>>> PartialDate.parse("../1994-05-31").earliest is None
True
>>> PartialDate.parse(2018).latest
datetime.date(2018, 12, 31)
"""

from __future__ import annotations

import calendar
import datetime
import enum
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "UNDATED",
    "DateSyntaxError",
    "PartialDate",
    "Precision",
    "decade",
    "decade_order",
    "parse_date",
]


class DateSyntaxError(ValueError):
    """A date that is malformed or impossible (``1999-13``, ``2018-02-30``)."""


class Precision(enum.IntEnum):
    """How much of a date is known."""

    YEAR = 1
    MONTH = 2
    DAY = 3


# One date: a four-digit year, an optional month and day, an optional EDTF qualifier.
_SINGLE = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?(?P<q>[~?%])?")
OPEN = ".."
# The pattern a JSON Schema can check. It cannot know how many days a month has: that is the
# validator's job (2018-02-30 passes this pattern and fails `PartialDate.parse`).
_SINGLE_PATTERN = r"(?!0000)[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?[~?%]?"
DATE_PATTERN = (  # white space around the date is allowed, as the parser strips it
    rf"^\s*({_SINGLE_PATTERN}|{_SINGLE_PATTERN}/({_SINGLE_PATTERN}|\.\.)|\.\./{_SINGLE_PATTERN})\s*$"
)


@dataclass(frozen=True)
class _Bounds:
    earliest: datetime.date
    latest: datetime.date
    precision: Precision
    approximate: bool
    uncertain: bool


def _shift_months(day: datetime.date, months: int, *, end: bool) -> datetime.date:
    """The first (or last) day of the month `months` away, clamped to the calendar's ends."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year < 1:
        return datetime.date.min
    if year > 9999:
        return datetime.date.max
    month += 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1] if end else 1)


def _shift_days(day: datetime.date, days: int) -> datetime.date:
    """`day` moved by `days`, clamped to the calendar's ends."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.min if days < 0 else datetime.date.max


def _parse_single(text: str) -> _Bounds:
    match = _SINGLE.fullmatch(text)
    if not match:
        raise DateSyntaxError(
            f"'{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, "
            "optionally followed by ~ (about), ? (uncertain) or % (both)"
        )
    year = int(match["y"])
    if year == 0:
        raise DateSyntaxError(f"'{text}': there is no year 0000")
    qualifier = match["q"] or ""
    approximate = qualifier in ("~", "%")
    uncertain = qualifier in ("?", "%")
    if match["m"] is None:
        earliest, latest, precision = (
            datetime.date(year, 1, 1),
            datetime.date(year, 12, 31),
            Precision.YEAR,
        )
    else:
        month = int(match["m"])
        if not 1 <= month <= 12:
            raise DateSyntaxError(f"'{text}': there is no month {month:02d}")
        last = calendar.monthrange(year, month)[1]
        if match["d"] is None:
            earliest, latest = datetime.date(year, month, 1), datetime.date(year, month, last)
            precision = Precision.MONTH
        else:
            day = int(match["d"])
            if not 1 <= day <= last:
                raise DateSyntaxError(
                    f"'{text}': {calendar.month_name[month]} {year} has no day {day}"
                )
            earliest = latest = datetime.date(year, month, day)
            precision = Precision.DAY
    if approximate:  # "about": one unit of the precision either side
        if precision is Precision.YEAR:
            earliest = earliest.replace(year=max(year - 1, 1))
            latest = latest.replace(year=min(year + 1, 9999))
        elif precision is Precision.MONTH:
            earliest = _shift_months(earliest, -1, end=False)
            latest = _shift_months(latest, 1, end=True)
        else:
            earliest = _shift_days(earliest, -1)
            latest = _shift_days(latest, 1)
    return _Bounds(earliest, latest, precision, approximate, uncertain)


@dataclass(frozen=True)
class PartialDate:
    """A date known to some precision, perhaps approximate, uncertain, or an open interval.

    `earliest` and `latest` are the first and last day it can be (None where an interval is
    open on that side). `text` is the canonical EDTF form, which `str()` returns.

    >>> PartialDate.parse("2018-04").precision
    <Precision.MONTH: 2>
    >>> str(PartialDate.parse(" 1993? "))
    '1993?'
    >>> PartialDate.parse("1998/..").latest is None
    True
    """

    text: str
    earliest: datetime.date | None
    latest: datetime.date | None
    precision: Precision
    approximate: bool = False
    uncertain: bool = False

    @classmethod
    def parse(cls, value: str | int) -> PartialDate:
        """Parse an ISO 8601 / EDTF level-1 date, or an integer year (equal texts give the
        same object, so a dataset holds each distinct date once).

        >>> PartialDate.parse("1990") is PartialDate.parse(1990)
        True
        """
        if isinstance(value, str) and len(value) <= 40:
            return _parse_cached(value.strip())
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
            return _parse_cached(f"{value:04d}")
        return cls._parse(value)

    @classmethod
    def _parse(cls, value: str | int) -> PartialDate:
        """Parse an ISO 8601 / EDTF level-1 date, or an integer year.

        >>> PartialDate.parse("2018-02-30")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        ...
        sistercities.dates.DateSyntaxError: '2018-02-30': February 2018 has no day 30
        """
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise DateSyntaxError(f"{value!r} is not a date")
        if isinstance(value, int):
            if not 1 <= value <= 9999:
                raise DateSyntaxError(f"{value} is not a year between 1 and 9999")
            text = f"{value:04d}"
        else:
            text = value.strip()
        if "/" not in text:
            b = _parse_single(text)
            return cls(text, b.earliest, b.latest, b.precision, b.approximate, b.uncertain)
        start_text, _, end_text = text.partition("/")
        if not start_text or not end_text or "/" in end_text:
            raise DateSyntaxError(
                f"'{text}' is not an interval: write START/END, with '..' for an open end "
                "(../1994-05-31, 1998/..)"
            )
        if start_text == OPEN and end_text == OPEN:
            raise DateSyntaxError(f"'{text}': an interval needs at least one known end")
        start = None if start_text == OPEN else _parse_single(start_text)
        end = None if end_text == OPEN else _parse_single(end_text)
        if start and end and end.latest < start.earliest:
            raise DateSyntaxError(f"'{text}': the interval ends before it starts")
        known = [b for b in (start, end) if b is not None]
        return cls(
            text,
            start.earliest if start else None,
            end.latest if end else None,
            min(b.precision for b in known),
            any(b.approximate for b in known),
            any(b.uncertain for b in known),
        )

    def __str__(self) -> str:
        return self.text

    @property
    def is_interval(self) -> bool:
        """True for ``A/B`` forms, open or closed."""
        return "/" in self.text

    @property
    def is_exact(self) -> bool:
        """True when the date is one known day, neither approximate nor uncertain."""
        return (
            self.earliest is not None
            and self.earliest == self.latest
            and not self.approximate
            and not self.uncertain
        )

    def certainly_before(self, other: PartialDate) -> bool:
        """True when every day this date can be falls before every day `other` can be.

        >>> PartialDate.parse("1990").certainly_before(PartialDate.parse("1991~"))
        False
        >>> PartialDate.parse("1989").certainly_before(PartialDate.parse("1991~"))
        True
        >>> PartialDate.parse("../1994-05-31").certainly_before(PartialDate.parse("1994"))
        False
        """
        if self.latest is None or other.earliest is None:
            return False
        return self.latest < other.earliest


@functools.lru_cache(maxsize=65536)
def _parse_cached(text: str) -> PartialDate:
    return PartialDate._parse(text)


def parse_date(value: str | int) -> PartialDate:
    """Shorthand for `PartialDate.parse`.

    >>> parse_date("2018-04-18").is_exact
    True
    """
    return PartialDate.parse(value)


UNDATED = "undated"


def decade(date: PartialDate | None) -> str:
    """The decade of a date's earliest possible day (for a date open at the start,
    ``../1994-05-31``, its latest), as ``1990s``; `UNDATED` without a date.

    >>> decade(parse_date("1998~")), decade(parse_date("../1994-05-31")), decade(None)
    ('1990s', '1990s', 'undated')
    """
    day = (date.earliest or date.latest) if date is not None else None
    return UNDATED if day is None else f"{day.year // 10 * 10}s"


def decade_order(decades: Iterable[str]) -> list[str]:
    """Decades (as `decade` writes them) in time order, `UNDATED` last.

    >>> decade_order(["undated", "2010s", "990s", "1990s"])
    ['990s', '1990s', '2010s', 'undated']
    """
    return sorted(decades, key=lambda d: (d == UNDATED, int(d[:-1]) if d != UNDATED else 0))
