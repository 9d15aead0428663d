"""Problems found in the data, and the exceptions the library raises.

Every problem points at a place in a file, as a compiler does::

    data/cities.yaml:12:5: error[unknown-reference]: partnership names unknown place 'atlantis'
"""

from __future__ import annotations

import difflib
import enum
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


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


class NearWords:
    """A set of words to find the nearest ones in, built once and asked many times: the same
    answers as ``difflib.get_close_matches(word, choices, n, cutoff)``, without comparing
    `word` with every choice in Python.

    difflib's ``quick_ratio`` (twice the characters two words share, counted with repeats,
    over their total length) is an upper bound of its ``ratio``. Each choice's character
    counts (folded into `BUCKETS` columns, which only raises the bound) are one row of a
    matrix, so the bounds of all choices are computed at once (numpy); choices are then
    compared by ``ratio`` in the order of their bounds, until the bound falls below the n-th
    best ratio found. Small sets are searched by difflib itself.

    >>> near = NearWords(["jakarta", "jayapura", "bordeaux"] * 100)
    >>> near.closest("jakrta"), near.closest("xyz")
    (['jakarta'], [])
    """

    BUCKETS = 128  # every ASCII character its own column
    SMALL = 300  # choices: below this, difflib directly

    def __init__(self, choices: Iterable[str]):
        self.choices = list(choices)
        self._lengths: Any = None
        self._counts: Any = None

    def _vector(self, word: str) -> Any:
        import numpy as np

        vector = np.zeros(self.BUCKETS, dtype=np.int32)
        for character in word:
            vector[ord(character) % self.BUCKETS] += 1
        return vector

    def _index(self) -> tuple[Any, Any]:
        if self._counts is None:
            import numpy as np

            counts = np.zeros((len(self.choices), self.BUCKETS), dtype=np.int32)
            for row, choice in enumerate(self.choices):
                for character in choice:
                    counts[row, ord(character) % self.BUCKETS] += 1
            self._lengths = np.array([len(c) for c in self.choices], dtype=np.int64)
            self._counts = counts
        return self._lengths, self._counts

    def closest(self, word: str, n: int = 1, cutoff: float = 0.6) -> list[str]:
        """The (at most) `n` choices nearest to `word` with a ratio of at least `cutoff`,
        best first: exactly what `difflib.get_close_matches` answers."""
        if len(self.choices) < self.SMALL or n <= 0 or not 0.0 <= cutoff <= 1.0:
            return difflib.get_close_matches(word, self.choices, n=n, cutoff=cutoff)
        import numpy as np

        lengths, counts = self._index()
        shared = np.minimum(counts, self._vector(word)).sum(axis=1)
        total = lengths + len(word)
        with np.errstate(divide="ignore", invalid="ignore"):
            bounds = np.where(total > 0, 2.0 * shared / total, 1.0)
        (hopeful,) = np.nonzero(bounds >= cutoff)
        order = hopeful[np.argsort(-bounds[hopeful], kind="stable")]
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: list[tuple[float, str]] = []  # a min-heap of the n best (ratio, choice)
        for row in order.tolist():
            if len(best) == n and bounds[row] < best[0][0]:
                break  # no choice left can beat the n-th best
            choice = self.choices[row]
            matcher.set_seq1(choice)
            score = matcher.ratio()
            if score >= cutoff:
                if len(best) < n:
                    heapq.heappush(best, (score, choice))
                else:
                    heapq.heappushpop(best, (score, choice))
        return [choice for _, choice in heapq.nlargest(n, best)]


def did_you_mean(word: str, choices: Iterable[str] | NearWords, n: int = 1) -> str:
    """`suggestion` of the `n` choices nearest to `word` (difflib's ratio, at least 0.6).
    Asking about many words of one set of choices, give a `NearWords` of them, built once.

    >>> "unknown section 'citys'" + did_you_mean("citys", ["sources", "cities"])
    "unknown section 'citys'; did you mean 'cities'?"
    """
    near = choices if isinstance(choices, NearWords) else NearWords(choices)
    return suggestion(near.closest(word, n=n))


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
