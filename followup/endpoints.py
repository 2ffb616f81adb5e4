"""Outcome measures of NCT05285332 (spec section 5).

All three outcomes are times from the diagnosis of de novo stage IV breast cancer:

- Overall survival (primary outcome): "the time from the beginning of diagnosis of breast
  cancer to the death with any causes".
- Distant progression-free survival: "the time from the diagnosis of de novo stage IV breast
  cancer to the confirmed time of distant progression, or death due to any other cause".
- Locoregional progression-free survival: "time between the time of diagnosis and the time of
  locoregional recurrence, or death occurred".

A patient without the event is censored: at the last day known alive for overall survival, at
the last disease assessment (or, lacking one, the last day known alive) for the two
progression-free survivals.

Pure Python: standard library only, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ruleviolation import AFTER_DEATH, BEFORE_DIAGNOSIS, BEFORE_EVENT, RuleViolation

# The version of these rules: an outcome stored with another version is recomputed
# (`manage.py recompute_derived`). Raise it with any change that can change an outcome.
RULES_VERSION = "1.0"


@dataclass(frozen=True)
class OutcomeFacts:
    diagnosis_date: date
    last_known_alive: date  # latest date the patient was known to be alive
    last_disease_assessment: date | None  # latest follow-up at which disease status was known
    death_date: date | None
    distant_progression_date: date | None
    locoregional_recurrence_date: date | None


@dataclass(frozen=True)
class TimeToEvent:
    days: int  # from diagnosis to the event or to censoring
    event: bool  # False: censored


def check_outcome_facts(f: OutcomeFacts) -> None:
    """Refuse outcome facts that cannot be true, with a `RuleViolation` (a `ValueError`)
    naming the field and the rule.

    A date before the diagnosis date, a death before another event's date, and a last day
    known alive after the death are impossible. Each outcome function checks this first.
    """
    followup_dates = (
        ("last_known_alive", f.last_known_alive),
        ("last_disease_assessment", f.last_disease_assessment),
        ("death_date", f.death_date),
        ("distant_progression_date", f.distant_progression_date),
        ("locoregional_recurrence_date", f.locoregional_recurrence_date),
    )
    for name, value in followup_dates:
        if value is not None and value < f.diagnosis_date:
            raise RuleViolation(
                name,
                BEFORE_DIAGNOSIS,
                f"{value.isoformat()} is before the diagnosis date {f.diagnosis_date.isoformat()}",
            )
    if f.death_date is None:
        return
    events = (
        ("distant progression date", f.distant_progression_date),
        ("locoregional recurrence date", f.locoregional_recurrence_date),
    )
    for label, event in events:
        if event is not None and f.death_date < event:
            raise RuleViolation(
                "death_date",
                BEFORE_EVENT,
                f"{f.death_date.isoformat()} is before the {label} {event.isoformat()}",
            )
    if f.last_known_alive > f.death_date:
        raise RuleViolation(
            "last_known_alive",
            AFTER_DEATH,
            f"{f.last_known_alive.isoformat()} is after the death date {f.death_date.isoformat()}",
        )


def _event(f: OutcomeFacts, on: date) -> TimeToEvent:
    return TimeToEvent(days=(on - f.diagnosis_date).days, event=True)


def _censored(f: OutcomeFacts, on: date) -> TimeToEvent:
    return TimeToEvent(days=(on - f.diagnosis_date).days, event=False)


def overall_survival(f: OutcomeFacts) -> TimeToEvent:
    """Overall survival: the event is death from any cause; otherwise censored at the last day
    the patient was known to be alive."""
    check_outcome_facts(f)
    if f.death_date is not None:
        return _event(f, f.death_date)
    return _censored(f, f.last_known_alive)


def _progression_free(f: OutcomeFacts, progression: date | None) -> TimeToEvent:
    """The earlier of `progression` and death from any cause; otherwise censored at the last
    disease assessment, or at the last day known alive when there was none."""
    check_outcome_facts(f)
    events = [d for d in (progression, f.death_date) if d is not None]
    if events:
        return _event(f, min(events))
    if f.last_disease_assessment is not None:
        return _censored(f, f.last_disease_assessment)
    return _censored(f, f.last_known_alive)


def distant_pfs(f: OutcomeFacts) -> TimeToEvent:
    """Distant progression-free survival: the event is the earlier of distant progression and
    death from any cause; otherwise censored at the last disease assessment, or at the last day
    known alive when that is missing."""
    return _progression_free(f, f.distant_progression_date)


def locoregional_pfs(f: OutcomeFacts) -> TimeToEvent:
    """Locoregional progression-free survival: the event is the earlier of locoregional
    recurrence and death from any cause; otherwise censored at the last disease assessment, or
    at the last day known alive when that is missing."""
    return _progression_free(f, f.locoregional_recurrence_date)
