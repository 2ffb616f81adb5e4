"""The casebook: a participant's page, and the trial path it shows.

Later apps add their part of the casebook by naming a section provider in CASEBOOK_SECTIONS:
a function `(participant, user) -> CasebookSection | None`. The enrolment app imports them by
name, so the arrow stays from the casebook to the providers and no app signals another.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import Participant

# Dotted paths to section providers, in the order the casebook shows them; e.g.
# "assessments.casebook.section", "arms.casebook.section", "followup.casebook.section".
CASEBOOK_SECTIONS: tuple[str, ...] = (
    "assessments.casebook.section",
    "arms.casebook.section",
    "dataquality.casebook.section",
)

SCREENED = "screened"
ENROLLED = "enrolled"
ASSESSED = "assessed"
ARM_ASSIGNED = "arm_assigned"
IN_FOLLOW_UP = "in_follow_up"
OFF_STUDY = "off_study"

TRIAL_PATH = (
    (SCREENED, _("Screened")),
    (ENROLLED, _("Enrolled")),
    (ASSESSED, _("Assessed")),
    (ARM_ASSIGNED, _("Arm assigned")),
    (IN_FOLLOW_UP, _("In follow-up")),
    (OFF_STUDY, _("Off study")),
)


@dataclass(frozen=True)
class CasebookSection:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # Trial-path steps this section shows the participant has reached (e.g. {"assessed"}).
    reached: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PathStep:
    code: str
    label: str
    reached: bool
    current: bool


def casebook_sections(participant: Participant, user: Any) -> list[CasebookSection]:
    sections = []
    for path in CASEBOOK_SECTIONS:
        section = import_string(path)(participant, user)
        if section is not None:
            sections.append(section)
    return sections


def trial_path(participant: Participant, sections: list[CasebookSection]) -> list[PathStep]:
    """Where the participant is on the trial path; the last step reached is the current one."""
    reached = {SCREENED, ENROLLED}
    for section in sections:
        reached |= section.reached
    if participant.is_off_study:
        reached.add(OFF_STUDY)
    last = max(i for i, (code, _label) in enumerate(TRIAL_PATH) if code in reached)
    return [
        PathStep(code, str(label), code in reached, i == last)
        for i, (code, label) in enumerate(TRIAL_PATH)
    ]
