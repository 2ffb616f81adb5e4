"""The data-quality part of the casebook: every form's state and open queries, the audit
trail link and the investigator's sign-off.

Listed in `workflow.casebook.SECTIONS`.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from access.roles import Action
from enrollment.casebook import CasebookSection
from enrollment.models import Participant

from . import selectors


def section(participant: Participant, user: Any) -> CasebookSection:
    forms = selectors.participant_forms(participant)
    sign_offs = selectors.sign_offs(participant)
    valid = next((s for s in sign_offs if s.is_valid), None)
    all_verified = all(row.status in selectors.DONE_STATES for row in forms)
    return CasebookSection(
        title=str(_("Data quality")),
        template="dataquality/includes/casebook_section.html",
        context={
            "forms": forms,
            "open_queries": sum(row.open_queries for row in forms),
            "sign_off": valid,
            "voided_sign_offs": [s for s in sign_offs if not s.is_valid],
            "all_verified": all_verified,
            "can_sign": valid is None
            and all_verified
            and user.can(Action.SIGN_CASEBOOK, participant.site_id),
        },
    )
