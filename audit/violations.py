"""What a person reads when the rules core refuses facts (`ruleviolation.RuleViolation`).

The core's own message is English and names its field and value for a developer ("must be 0
to 5, got 7"); a page shows the violation's code in the reader's language, at the field.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ruleviolation import (
    AFTER_DEATH,
    AFTER_SCREENING,
    BEFORE_DIAGNOSIS,
    BEFORE_EVENT,
    NOTHING_TO_ASSESS,
    OUT_OF_RANGE,
    UNKNOWN_CODE,
    RuleViolation,
)

VIOLATION_MESSAGES: dict[str, Promise] = {
    UNKNOWN_CODE: _("This value is not one of the allowed choices."),
    OUT_OF_RANGE: _("This value is outside the range that can be measured."),
    BEFORE_DIAGNOSIS: _("This date is before the date of diagnosis."),
    AFTER_SCREENING: _("This date is after the screening date."),
    BEFORE_EVENT: _("This date is before the progression or recurrence that it follows."),
    AFTER_DEATH: _("This date is after the date of death."),
    NOTHING_TO_ASSESS: _("There is no lesion to assess."),
}


def violation_message(violation: RuleViolation) -> str:
    """The violation in the active language."""
    return str(VIOLATION_MESSAGES[violation.code])
