"""Unit tests of `graph.dates.PartialDate`: the date table of docs/data-format.md, impossible
dates, leap years, and properties over generated dates."""

from __future__ import annotations

import calendar
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sistercities.dates import DateSyntaxError, PartialDate, Precision, parse_date

D = datetime.date
YEAR, MONTH, DAY = Precision.YEAR, Precision.MONTH, Precision.DAY


# written, earliest, latest, precision, approximate, uncertain  (docs/data-format.md "Dates")
TABLE = [
    ("1990", D(1990, 1, 1), D(1990, 12, 31), YEAR, False, False),
    ("2018-04", D(2018, 4, 1), D(2018, 4, 30), MONTH, False, False),
    ("2018-04-18", D(2018, 4, 18), D(2018, 4, 18), DAY, False, False),
    ("1990~", D(1989, 1, 1), D(1991, 12, 31), YEAR, True, False),
    ("1993?", D(1993, 1, 1), D(1993, 12, 31), YEAR, False, True),
    ("1993%", D(1992, 1, 1), D(1994, 12, 31), YEAR, True, True),
    ("../1994-05-31", None, D(1994, 5, 31), DAY, False, False),
    ("1998/..", D(1998, 1, 1), None, YEAR, False, False),
    ("1993/1994", D(1993, 1, 1), D(1994, 12, 31), YEAR, False, False),
    # Beyond the table: the other precisions with qualifiers, and mixed intervals.
    ("2018-04~", D(2018, 3, 1), D(2018, 5, 31), MONTH, True, False),
    ("2018-01~", D(2017, 12, 1), D(2018, 2, 28), MONTH, True, False),
    ("2018-04-18~", D(2018, 4, 17), D(2018, 4, 19), DAY, True, False),
    ("2018-12-31~", D(2018, 12, 30), D(2019, 1, 1), DAY, True, False),
    ("2018-04-18?", D(2018, 4, 18), D(2018, 4, 18), DAY, False, True),
    ("1990-05/1991", D(1990, 5, 1), D(1991, 12, 31), YEAR, False, False),
    ("1990~/1995-06-01?", D(1989, 1, 1), D(1995, 6, 1), YEAR, True, True),
]


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision", "approximate", "uncertain"),
    TABLE,
    ids=[row[0] for row in TABLE],
)
def test_documented_forms(
    text: str,
    earliest: datetime.date | None,
    latest: datetime.date | None,
    precision: Precision,
    approximate: bool,
    uncertain: bool,
) -> None:
    d = PartialDate.parse(text)
    assert (d.earliest, d.latest) == (earliest, latest)
    assert d.precision is precision
    assert (d.approximate, d.uncertain) == (approximate, uncertain)
    assert str(d) == text
    assert d.is_interval == ("/" in text)
    assert d.is_exact == (
        earliest is not None and earliest == latest and not approximate and not uncertain
    )
    assert parse_date(text) == d


def test_integer_year_is_the_year() -> None:
    d = PartialDate.parse(2018)
    assert (d.earliest, d.latest, d.precision, str(d)) == (
        D(2018, 1, 1),
        D(2018, 12, 31),
        YEAR,
        "2018",
    )
    assert PartialDate.parse(2018) == PartialDate.parse("2018")
    assert str(PartialDate.parse(476)) == "0476"


def test_surrounding_whitespace_is_ignored() -> None:
    assert PartialDate.parse("  1993? \n") == PartialDate.parse("1993?")


def test_open_interval_flags() -> None:
    before = PartialDate.parse("../1994-05-31")
    after = PartialDate.parse("1998/..")
    assert before.is_interval and after.is_interval
    assert not before.is_exact and not after.is_exact
    assert not before.certainly_before(PartialDate.parse("1994"))
    assert before.certainly_before(PartialDate.parse("1994-06"))
    assert not after.certainly_before(PartialDate.parse("2100"))


def test_certainly_before_respects_approximation() -> None:
    assert not PartialDate.parse("1990").certainly_before(PartialDate.parse("1991~"))
    assert PartialDate.parse("1989").certainly_before(PartialDate.parse("1991~"))
    assert not PartialDate.parse("1991").certainly_before(PartialDate.parse("1991"))


@pytest.mark.parametrize(
    "text",
    [
        "2018-02-30",  # February has no 30th
        "2018-04-31",  # April has 30 days
        "1999-13",  # no month 13
        "1999-00",
        "1999-01-00",
        "1999-01-32",
        "0000",  # no year 0
        "garbage",
        "",
        "   ",
        "90",  # two-digit year
        "1990-1",
        "1990-01-1",
        "19900",
        "1990-01-01T00:00",
        "1990~~",
        "~1990",
        "../..",  # an interval needs a known end
        "1995/1990",  # ends before it starts
        "1990/",
        "/1990",
        "1990/1991/1992",
        "2018-02-30/..",
        "../1999-13",
    ],
)
def test_impossible_or_malformed_dates_raise(text: str) -> None:
    with pytest.raises(DateSyntaxError):
        PartialDate.parse(text)


@pytest.mark.parametrize("value", [0, -1, 10000, True, False, None, 1990.0, [1990], b"1990"])
def test_values_that_are_not_dates_raise(value: object) -> None:
    with pytest.raises(DateSyntaxError):
        PartialDate.parse(value)  # type: ignore[arg-type]


def test_date_syntax_error_is_a_value_error() -> None:
    assert issubclass(DateSyntaxError, ValueError)


def test_impossible_day_message_names_the_month() -> None:
    with pytest.raises(DateSyntaxError, match="February 2018 has no day 30"):
        PartialDate.parse("2018-02-30")
    with pytest.raises(DateSyntaxError, match="no month 13"):
        PartialDate.parse("1999-13")


@pytest.mark.parametrize("text", ["2020-02-29", "2000-02-29", "1600-02-29", "2024-02-29~"])
def test_leap_days_exist_in_leap_years(text: str) -> None:
    d = PartialDate.parse(text)
    assert d.precision is DAY
    assert d.earliest is not None and d.earliest <= D(int(text[:4]), 2, 29) <= d.latest  # type: ignore[operator]


@pytest.mark.parametrize("text", ["2019-02-29", "1900-02-29", "2100-02-29", "2019-02-29~"])
def test_leap_days_do_not_exist_in_other_years(text: str) -> None:
    with pytest.raises(DateSyntaxError):
        PartialDate.parse(text)


def test_february_month_bounds_follow_leap_years() -> None:
    assert PartialDate.parse("2020-02").latest == D(2020, 2, 29)
    assert PartialDate.parse("2019-02").latest == D(2019, 2, 28)


# --- The edges of the calendar ------------------------------------------------------------


def test_year_edges_are_clamped() -> None:
    assert PartialDate.parse("0001~").earliest == D(1, 1, 1)
    assert PartialDate.parse("9999~").latest == D(9999, 12, 31)


def test_approximate_first_month_is_clamped() -> None:
    d = PartialDate.parse("0001-01~")
    assert (d.earliest, d.latest) == (D(1, 1, 1), D(1, 2, 28))


def test_approximate_last_month_is_clamped() -> None:
    d = PartialDate.parse("9999-12~")
    assert (d.earliest, d.latest) == (D(9999, 11, 1), D(9999, 12, 31))


def test_approximate_first_day_is_clamped() -> None:
    d = PartialDate.parse("0001-01-01~")
    assert (d.earliest, d.latest) == (D(1, 1, 1), D(1, 1, 2))


def test_approximate_last_day_is_clamped() -> None:
    d = PartialDate.parse("9999-12-31~")
    assert (d.earliest, d.latest) == (D(9999, 12, 30), D(9999, 12, 31))


@pytest.mark.parametrize("text", ["١٩٩٠", "１９９０", "1990-0٥"])
def test_only_ascii_digits_are_dates(text: str) -> None:
    with pytest.raises(DateSyntaxError):
        PartialDate.parse(text)


# --- Properties -------------------------------------------------------------------------------
# Years 2..9998: the calendar's first and last month and day are edge cases, tested above.

QUALIFIERS = st.sampled_from(["", "~", "?", "%"])


@st.composite
def single_dates(draw: st.DrawFn, qualifier: st.SearchStrategy[str] = QUALIFIERS) -> str:
    year = draw(st.integers(2, 9998))
    precision = draw(st.sampled_from([YEAR, MONTH, DAY]))
    text = f"{year:04d}"
    if precision >= MONTH:
        month = draw(st.integers(1, 12))
        text += f"-{month:02d}"
        if precision is DAY:
            day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
            text += f"-{day:02d}"
    return text + draw(qualifier)


@st.composite
def intervals(draw: st.DrawFn) -> str:
    start, end = draw(single_dates()), draw(single_dates())
    a, b = PartialDate.parse(start), PartialDate.parse(end)
    if b.latest < a.earliest:  # type: ignore[operator]
        start, end = end, start
    shape = draw(st.sampled_from(["closed", "open-start", "open-end"]))
    if shape == "open-start":
        return f"../{end}"
    if shape == "open-end":
        return f"{start}/.."
    return f"{start}/{end}"


@settings(database=None)  # no saved examples: each run stands alone
@given(st.one_of(single_dates(), intervals()))
def test_text_round_trips(text: str) -> None:
    d = PartialDate.parse(text)
    assert str(d) == text
    assert PartialDate.parse(str(d)) == d


@settings(database=None)  # no saved examples: each run stands alone
@given(st.integers(1, 9999))
def test_integer_years_round_trip(year: int) -> None:
    d = PartialDate.parse(year)
    assert PartialDate.parse(str(d)) == d
    assert (d.earliest, d.latest) == (D(year, 1, 1), D(year, 12, 31))


@settings(database=None)  # no saved examples: each run stands alone
@given(st.one_of(single_dates(), intervals()))
def test_earliest_is_not_after_latest(text: str) -> None:
    d = PartialDate.parse(text)
    if d.earliest is not None and d.latest is not None:
        assert d.earliest <= d.latest
    assert d.earliest is not None or d.latest is not None


@settings(database=None)  # no saved examples: each run stands alone
@given(single_dates(qualifier=st.just("")), st.sampled_from(["~", "%"]))
def test_approximate_bounds_contain_the_exact_bounds(text: str, qualifier: str) -> None:
    exact = PartialDate.parse(text)
    about = PartialDate.parse(text + qualifier)
    assert about.approximate and not exact.approximate
    assert about.precision is exact.precision
    assert about.earliest < exact.earliest  # type: ignore[operator]
    assert about.latest > exact.latest  # type: ignore[operator]


@settings(database=None)  # no saved examples: each run stands alone
@given(single_dates(qualifier=st.just("")))
def test_uncertain_keeps_the_exact_bounds(text: str) -> None:
    exact = PartialDate.parse(text)
    doubtful = PartialDate.parse(text + "?")
    assert doubtful.uncertain and not exact.uncertain
    assert (doubtful.earliest, doubtful.latest) == (exact.earliest, exact.latest)


DATE_LIKE = st.from_regex(
    r"\A( ?(\.\.|[0-9]{1,5}(-[0-9]{1,3}(-[0-9]{1,3})?)?[~?%]{0,2})){1,2}"
    r"(/(\.\.|[0-9]{4}(-[0-9]{2})?[~?%]?))?\Z"
)


@settings(derandomize=True, max_examples=300, database=None)
@given(st.one_of(st.text(), DATE_LIKE, st.integers()))
@pytest.mark.slow
def test_arbitrary_input_raises_only_date_syntax_error(value: str | int) -> None:
    try:
        d = PartialDate.parse(value)
    except DateSyntaxError:
        return
    if d.earliest is not None and d.latest is not None:
        assert d.earliest <= d.latest
