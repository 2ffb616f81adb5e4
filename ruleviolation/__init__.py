"""The structured refusal of the protocol rules core (spec: impossible facts are a `ValueError`).

Pure Python: standard library only. A rule that refuses facts raises `RuleViolation`, which *is*
a `ValueError` (so the spec's contract holds) and also says which field broke which rule, so the
Django shell can show the message at that field without parsing text.
"""

from __future__ import annotations

# The codes a violation can carry: what kind of impossibility it is, whatever the field.
UNKNOWN_CODE = "unknown_code"  # a value outside the rule's vocabulary (a site, a response)
OUT_OF_RANGE = "out_of_range"  # a number outside what can be measured (ECOG 7, -3 mm)
BEFORE_DIAGNOSIS = "before_diagnosis"  # a date before the diagnosis of stage IV disease
AFTER_SCREENING = "after_screening"  # a date of birth after the screening date
BEFORE_EVENT = "before_event"  # a death before a progression or recurrence it follows
AFTER_DEATH = "after_death"  # alive after the date of death
NOTHING_TO_ASSESS = "nothing_to_assess"  # a compartment with no lesions to judge

CODES = (
    UNKNOWN_CODE,
    OUT_OF_RANGE,
    BEFORE_DIAGNOSIS,
    AFTER_SCREENING,
    BEFORE_EVENT,
    AFTER_DEATH,
    NOTHING_TO_ASSESS,
)


class RuleViolation(ValueError):
    """Facts that cannot be true: `field` names the fact, `code` the rule, `message` says it.

    `str(exc)` is "field: message", the text the spec's `ValueError` has always had.
    """

    def __init__(self, field: str, code: str, message: str) -> None:
        if code not in CODES:
            raise TypeError(f"unknown rule violation code {code!r}")
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[RuleViolation], tuple[str, str, str]]:
        # Exceptions pickle through their args; keep the three parts (Celery, multiprocessing).
        return (type(self), (self.field, self.code, self.message))
