"""The casebook: a participant's page, and the trial path it shows.

Each app adds its part of the casebook with a section provider, a function
`(participant, user) -> CasebookSection | None`; `workflow.casebook.SECTIONS` lists them in
the order the page shows them, so the arrows point from the workflow layer to each app.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Participant

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
