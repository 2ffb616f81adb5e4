"""Partial dates: a year, a year and month, or a full date, stored with its precision.

Pure Python: standard library only. An adverse event's onset is often known only as "March
2026" (CDISC SDTM allows the same in --STDTC: "2026-03"). A partial date is the interval of
days it may be; two are in order when they may be, so "2026-03" and "2026-03-02" are not out
of order, but "2026-04" and "2026-03-31" are.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ruleviolation import BEFORE_EVENT, OUT_OF_RANGE, UNKNOWN_CODE, RuleViolation

YEAR, MONTH, DAY = "year", "month", "day"
PRECISIONS = (YEAR, MONTH, DAY)
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)
EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not EARLIEST_YEAR <= self.year <= 9999:
            raise RuleViolation("year", OUT_OF_RANGE, f"{self.year} is not a plausible year")
        if self.month is None and self.day is not None:
            raise RuleViolation("day", UNKNOWN_CODE, "a day needs its month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise RuleViolation("month", OUT_OF_RANGE, f"{self.month} is not a month")
        if self.day is not None and self.month is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise RuleViolation("day", OUT_OF_RANGE, f"{self.iso()} is not a date")

    @property
    def precision(self) -> str:
        return DAY if self.day is not None else MONTH if self.month is not None else YEAR

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        """ISO 8601 with reduced precision: "2026", "2026-03", "2026-03-02"."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.iso()


def parse(text: str) -> PartialDate:
    """A partial date from its ISO text; refuses anything else."""
    match = _ISO.match(text.strip())
    if match is None:
        raise RuleViolation("date", UNKNOWN_CODE, f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    return PartialDate(int(year), int(month) if month else None, int(day) if day else None)


def from_stored(date: dt.date | None, precision: str) -> PartialDate | None:
    """A partial date from its stored form: the earliest day and the precision."""
    if date is None:
        return None
    if precision not in PRECISIONS:
        raise RuleViolation("precision", UNKNOWN_CODE, f"{precision!r} is not a precision")
    if precision == YEAR:
        return PartialDate(date.year)
    if precision == MONTH:
        return PartialDate(date.year, date.month)
    return PartialDate(date.year, date.month, date.day)


def may_precede(first: PartialDate, second: PartialDate) -> bool:
    """Whether `first` can be on or before `second` given what each leaves unknown."""
    return first.earliest() <= second.latest()


def check_order(
    start: PartialDate, end: PartialDate, *, start_name: str = "onset", end_name: str = "resolution"
) -> None:
    """Refuse an end that must be before its start (onset <= resolution at their precision)."""
    if not may_precede(start, end):
        raise RuleViolation(
            f"{end_name}_date",
            BEFORE_EVENT,
            f"{end.iso()} is before the {start_name} {start.iso()}",
        )


def must_be_after(date: PartialDate, limit: dt.date) -> bool:
    """Whether every day `date` may be lies after `limit` (a date in the future, say)."""
    return date.earliest() > limit


def must_be_before(date: PartialDate, limit: dt.date) -> bool:
    """Whether every day `date` may be lies before `limit` (an onset before the diagnosis)."""
    return date.latest() < limit
