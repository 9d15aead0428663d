"""Problems found in the data, and the exceptions the library raises.

Every problem points at a place in a file, as a compiler does::

    data/cities.yaml:12:5: error[unknown-reference]: partnership names unknown place 'atlantis'
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A position in a data file: 1-based line and column.

    >>> str(Location("data/cities.yaml", 3, 5))
    'data/cities.yaml:3:5'
    """

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


class Severity(enum.StrEnum):
    """How bad a problem is: errors make the data unusable, warnings only suspicious."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where, how bad, which rule, and what.

    >>> where = Location("a.yaml", 2, 3)
    >>> p = Problem(where, Severity.ERROR, "duplicate-id", "id 'x' is used twice")
    >>> str(p)
    "a.yaml:2:3: error[duplicate-id]: id 'x' is used twice"
    """

    location: Location
    severity: Severity
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}[{self.rule}]: {self.message}"

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, str | int]:
        """The problem as a plain dict (for JSON output)."""
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
        }


def suggestion(candidates: Sequence[str]) -> str:
    """The end of a message about an unknown word: ``; did you mean 'a', 'b' or 'c'?`` (empty
    when there is nothing to suggest).

    >>> suggestion(["cities"]), suggestion(["a", "b", "c"]), suggestion([])
    ("; did you mean 'cities'?", "; did you mean 'a', 'b' or 'c'?", '')
    """
    if not candidates:
        return ""
    quoted = [f"'{c}'" for c in candidates]
    shown = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"; did you mean {shown}?"


def did_you_mean(word: str, choices: Iterable[str], n: int = 1) -> str:
    """`suggestion` of the `n` choices nearest to `word` (difflib's ratio, at least 0.6).

    >>> "unknown section 'citys'" + did_you_mean("citys", ["sources", "cities"])
    "unknown section 'citys'; did you mean 'cities'?"
    """
    return suggestion(difflib.get_close_matches(word, list(choices), n=n))


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file, line, column order (stable for equal positions)."""
    return sorted(problems, key=lambda p: p.location)


class SisterCitiesError(Exception):
    """Base class of every error the library raises on purpose."""


class DataError(SisterCitiesError):
    """The data cannot be used: it holds at least one error.

    `problems` lists all of them (and any warnings), in file order.
    """

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sort_problems(problems)
        errors = [p for p in self.problems if p.is_error]
        shown = errors[0] if errors else (self.problems[0] if self.problems else None)
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__(f"{shown}{more}" if shown else "invalid data")


class ExportError(SisterCitiesError):
    """An export could not be written."""
