"""The casebook's sections, in the order the participant's page shows them.

Each app offers its part (`<app>.casebook.section`); this list is the one place that says
which parts the casebook has, imported by reference so that a renamed provider fails at
import, never silently drops a section.
"""

from collections.abc import Callable
from typing import Any

from arms import casebook as arms_casebook
from assessments import casebook as assessments_casebook
from dataquality import casebook as dataquality_casebook
from enrollment.casebook import CasebookSection
from enrollment.models import Participant
from safety import casebook as safety_casebook

SectionProvider = Callable[[Participant, Any], CasebookSection | None]

SECTIONS: tuple[SectionProvider, ...] = (
    assessments_casebook.section,
    arms_casebook.section,
    safety_casebook.section,
    dataquality_casebook.section,
)


def casebook_sections(participant: Participant, user: Any) -> list[CasebookSection]:
    return [
        section for provider in SECTIONS if (section := provider(participant, user)) is not None
    ]
