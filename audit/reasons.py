"""The reasons for change that the system writes itself (a first entry, a lifecycle move, an
enrolment, a visit planned), as templates in the trial's record language (English).

The audit trail stores them as written; `shown_reason` shows them in the reader's language.
A reason a person typed is shown exactly as typed, also where a system reason quotes it
("Form unlocked: <the admin's reason>"). Every template here is in the catalogue (gettext_noop).
"""

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

SYSTEM_REASONS: tuple[str, ...] = (
    gettext_noop("Initial entry"),
    gettext_noop("Draft saved"),
    gettext_noop("%(reason)s (verification voided by this change)"),
    gettext_noop("Form completed"),
    gettext_noop("Form completed: %(reason)s"),
    gettext_noop("Source data verified"),
    gettext_noop("Source data verified: %(reason)s"),
    gettext_noop("Form locked"),
    gettext_noop("Form locked: %(reason)s"),
    gettext_noop("Form unlocked"),
    gettext_noop("Form unlocked: %(reason)s"),
    gettext_noop("Screening started"),
    gettext_noop("Enrolled"),
    gettext_noop("Enrolled as %(study_id)s"),
    gettext_noop("Screen failure"),
    gettext_noop("Off study: %(reason)s"),
    gettext_noop("Signed: %(meaning)s"),
    gettext_noop("Proposed by the arm rules v%(version)s from the assessment of %(date)s"),
    gettext_noop("Responses recomputed: an earlier assessment was completed"),
    # followup.services writes these through gettext_lazy: the same msgids.
    "Visits planned at enrolment from the follow-up schedule.",
    "Visit rebuilt after the diagnosis date was corrected: %(reason)s",
    "No longer in the follow-up schedule: %(reason)s",
    "Participant off study on %(date)s.",
    "Participant died on %(date)s.",
    "Follow-up visit recorded.",
    "Unscheduled visit recorded.",
)
_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (template, re.compile("^" + _PLACEHOLDER.sub(r"(?P<\1>.+)", re.escape(template)) + "$"))
        for template in SYSTEM_REASONS
    )


def shown_reason(stored: str) -> str:
    """`stored` in the active language when the system wrote it, else exactly as stored."""
    if not stored:
        return stored
    for template, pattern in _patterns():
        match = pattern.match(stored)
        if match:
            values = {name: shown_reason(value) for name, value in match.groupdict().items()}
            return gettext(template) % values if values else gettext(template)
    return stored
