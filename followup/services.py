"""Follow-up writes. (Stubs: the follow-up issue fills these in; enrolment already calls them.)"""

import datetime as dt
from typing import Any


def plan_visits(*, participant: Any, user: Any) -> list[Any]:
    """Create the participant's planned visits from followup.schedule.visit_schedule."""
    return []


def replan_visits(*, participant: Any, user: Any, reason: str) -> list[Any]:
    """Rebuild the planned visits after the diagnosis date was corrected."""
    return []


def close_visits(*, participant: Any, user: Any, as_of: dt.date) -> int:
    """Mark visits not yet done as not required once the participant is off study."""
    return 0
