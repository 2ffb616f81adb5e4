"""The casebook's sections, in the order the participant's page shows them, and the
participant's timeline.

Each app offers its part (`<app>.casebook.section`) and its events
(`<app>.casebook.timeline_entries`); these lists are the one place that says which parts the
casebook has, imported by reference so that a renamed provider fails at import, never
silently drops a section. A new app adds its providers here.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from arms import casebook as arms_casebook
from assessments import casebook as assessments_casebook
from dataquality import casebook as dataquality_casebook
from enrollment import casebook as enrollment_casebook
from enrollment.casebook import CasebookSection, TimelineEntry
from enrollment.models import Participant
from followup import casebook as followup_casebook
from followup.selectors import site_today
from safety import casebook as safety_casebook

SectionProvider = Callable[[Participant, Any], CasebookSection | None]
TimelineProvider = Callable[[Participant, Any, dt.date], list[TimelineEntry]]

SECTIONS: tuple[SectionProvider, ...] = (
    assessments_casebook.section,
    arms_casebook.section,
    followup_casebook.section,
    safety_casebook.section,
    dataquality_casebook.section,
)

TIMELINE: tuple[TimelineProvider, ...] = (
    enrollment_casebook.timeline_entries,
    assessments_casebook.timeline_entries,
    arms_casebook.timeline_entries,
    followup_casebook.timeline_entries,
    safety_casebook.timeline_entries,
)


def casebook_timeline(participant: Participant, user: Any) -> list[TimelineEntry]:
    """Every provider's events in the order of time (a day's events in the trial's order)."""
    today = site_today(participant.site)
    entries = [entry for provider in TIMELINE for entry in provider(participant, user, today)]
    return sorted(entries, key=lambda entry: (entry.date, entry.order))


def casebook_sections(participant: Participant, user: Any) -> list[CasebookSection]:
    return [
        section for provider in SECTIONS if (section := provider(participant, user)) is not None
    ]
