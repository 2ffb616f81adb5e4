"""Values as pages show them: decimals without padding zeros, labels with the trial's capitals."""

from decimal import Decimal

import pytest
from django.db import models

from audit.display import field_label, plain_number


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("3.200"), None, "3.2"),
        (Decimal("250.000"), None, "250"),
        (Decimal("0.000"), None, "0"),
        (Decimal("-0.000"), None, "0"),
        (Decimal("12.345"), None, "12.345"),
        (0.22222, 2, "0.22"),
        (262.0, 2, "262"),
        (None, None, None),
        ("text", None, "text"),
    ],
)
def test_plain_number(value, places, shown):
    assert plain_number(value, places) == shown


@pytest.mark.parametrize(
    ("verbose", "label"),
    [
        ("ER, % of stained nuclei", "ER, % of stained nuclei"),
        ("HER2 IHC", "HER2 IHC"),
        ("cT (AJCC 8th)", "cT (AJCC 8th)"),
        ("ypN", "ypN"),
        ("assessment date", "Assessment date"),
    ],
)
def test_field_label_keeps_the_capitals_as_written(verbose, label):
    assert field_label(models.CharField(verbose)) == label
