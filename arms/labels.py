"""The arms' names in the reader's language. The rules core (`arms.rules`) names them in the
protocol's English and imports no Django; pages, e-mails and the data dictionary use these.
tests/arms/test_labels.py holds the two tables to the same arms and the same English."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .rules import ARMS

ARM_LABELS: dict[int, Promise] = {
    1: _("Primary CR, metastases CR"),
    2: _("Primary non-CR, metastases CR"),
    3: _("Primary CR, metastases non-CR"),
    4: _("Primary non-CR, metastases non-CR"),
}


def arm_label(number: int | None) -> str:
    """The arm's name in the active language ("" for no arm)."""
    if number is None or number not in ARMS:
        return ""
    return str(ARM_LABELS[number])
