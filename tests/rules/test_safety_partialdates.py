"""Partial dates (safety.partialdates): precision, validity, order at their precision."""

from __future__ import annotations

import datetime as dt

import pytest

from ruleviolation import BEFORE_EVENT, RuleViolation
from safety.partialdates import (
    DAY,
    MONTH,
    YEAR,
    PartialDate,
    check_order,
    from_stored,
    must_be_after,
    must_be_before,
    parse,
)


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2026", YEAR, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-02", MONTH, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2024-02", MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-03-02", DAY, dt.date(2026, 3, 2), dt.date(2026, 3, 2)),
        (" 2026-12 ", MONTH, dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    ],
)
def test_a_partial_date_is_the_interval_it_may_be(text, precision, earliest, latest):
    date = parse(text)
    assert (date.precision, date.earliest(), date.latest()) == (precision, earliest, latest)
    assert date.iso() == text.strip()


@pytest.mark.parametrize(
    "text", ["", "26", "2026-2", "2026-13", "2026-00", "2026-02-30", "2025-02-29", "1899",
             "2026/03/01", "March 2026", "2026-03-01T10:00", "２０２６"],
)  # fmt: skip
def test_what_is_not_a_partial_date_is_refused(text):
    with pytest.raises(RuleViolation):
        parse(text)


def test_a_day_needs_its_month():
    with pytest.raises(RuleViolation):
        PartialDate(2026, None, 3)


@pytest.mark.parametrize(
    ("stored", "precision", "iso"),
    [
        (dt.date(2026, 3, 1), YEAR, "2026"),
        (dt.date(2026, 3, 1), MONTH, "2026-03"),
        (dt.date(2026, 3, 1), DAY, "2026-03-01"),
        (None, DAY, None),
    ],
)
def test_stored_as_its_first_day_and_its_precision(stored, precision, iso):
    date = from_stored(stored, precision)
    assert (date.iso() if date else None) == iso


def test_an_unknown_precision_is_refused():
    with pytest.raises(RuleViolation):
        from_stored(dt.date(2026, 3, 1), "week")


@pytest.mark.parametrize(
    ("onset", "resolution", "in_order"),
    [
        ("2026-03-02", "2026-03-02", True),
        ("2026-03-02", "2026-03-01", False),
        ("2026-03", "2026-03-01", True),  # March may be the 1st
        ("2026-03", "2026-02-28", False),
        ("2026-04", "2026-03-31", False),
        ("2026", "2026-01-01", True),
        ("2026", "2025-12", False),
        ("2026-03-31", "2026-03", True),
        ("2026-03-02", "2026", True),
        ("2027-01-01", "2026", False),
    ],
)
def test_onset_before_resolution_at_their_precision(onset, resolution, in_order):
    start, end = parse(onset), parse(resolution)
    if in_order:
        check_order(start, end)
    else:
        with pytest.raises(RuleViolation) as exc:
            check_order(start, end)
        assert exc.value.code == BEFORE_EVENT and exc.value.field == "resolution_date"


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [("2026-03", False, False), ("2026-04", True, False), ("2026-02", False, True),
     ("2026", False, False), ("2026-03-16", True, False), ("2026-03-14", False, True)],
)  # fmt: skip
def test_a_partial_date_lies_wholly_after_or_before_a_day_or_may_not(text, after, before):
    limit = dt.date(2026, 3, 15)
    assert must_be_after(parse(text), limit) is after
    assert must_be_before(parse(text), limit) is before
