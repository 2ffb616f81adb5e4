"""Calendar arithmetic shared by the protocol's rules (spec: "Dates are `datetime.date`").

Pure Python: standard library only, no clock. The eligibility rules (age, the systemic therapy
limit) and the visit schedule both count in calendar months and completed years; they import
it from here rather than from each other.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """Return `d` plus `months` calendar months, clamped to the last day of the month.

    "Plus N months" and "plus N years" (12 N months) are calendar arithmetic: 31 Jan + 1 month
    is 28 or 29 Feb, and 29 Feb 2024 + 1 year is 28 Feb 2025. `months` may be negative.
    """
    year, month_index = divmod(d.year * 12 + d.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def completed_years(birth: date, on: date) -> int:
    """Age in completed years on `on`.

    A year is completed on the birthday; someone born on 29 February completes it on 1 March
    in a year without that day.
    """
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
