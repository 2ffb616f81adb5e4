"""Table tests of the pure helpers: no database."""

from decimal import Decimal

import pytest

from assessments import biomarkers, measurability, pathology


@pytest.mark.parametrize(
    ("percent", "category"),
    [
        (None, None),
        (0, "negative"),
        (1, "low_positive"),
        (5, "low_positive"),
        (10, "low_positive"),
        (11, "positive"),
        (100, "positive"),
    ],
)
def test_hormone_receptor_category(percent, category):
    assert biomarkers.hormone_receptor_category(percent) == category


@pytest.mark.parametrize("percent", [-1, 101])
def test_hormone_receptor_percent_out_of_range_is_refused(percent):
    with pytest.raises(ValueError, match="percent"):
        biomarkers.hormone_receptor_category(percent)


@pytest.mark.parametrize(
    ("ihc", "ish", "category"),
    [
        ("3+", None, "positive"),
        ("3+", "not_done", "positive"),
        ("2+", "positive", "positive"),
        ("2+", "negative", "low"),
        ("2+", "not_done", None),
        ("2+", None, None),
        ("1+", "not_done", "low"),
        ("1+", "negative", "low"),
        ("0", "not_done", "zero"),
        ("0", "negative", "zero"),
        ("0", "positive", "positive"),
        (None, None, None),
        (None, "positive", "positive"),
    ],
)
def test_her2_category(ihc, ish, category):
    assert biomarkers.her2_category(ihc, ish) == category


def test_unknown_her2_codes_are_refused():
    with pytest.raises(ValueError, match="ihc"):
        biomarkers.her2_category("4+", None)
    with pytest.raises(ValueError, match="ish"):
        biomarkers.her2_category("1+", "maybe")


@pytest.mark.parametrize(
    ("ypt", "ypn", "pcr"),
    [
        ("ypT0", "ypN0", True),
        ("ypTis", "ypN0", True),
        ("ypT0", "ypN0(i+)", False),
        ("ypT0", "ypN1mi", False),
        ("ypT1mi", "ypN0", False),
        ("ypT1a", "ypN0", False),
        ("ypT2", "ypN2a", False),
        ("ypT0", "ypNX", None),
        ("ypTX", "ypN0", None),
        ("ypTX", "ypN1a", False),
        ("ypT2", None, False),
        (None, "ypN0", None),
        (None, None, None),
    ],
)
def test_pcr_is_ypt0_or_tis_and_ypn0(ypt, ypn, pcr):
    assert pathology.is_pcr(ypt, ypn) is pcr


def test_unknown_yp_category_is_refused():
    with pytest.raises(ValueError, match="ypt"):
        pathology.is_pcr("T0", "ypN0")


@pytest.mark.parametrize(
    ("nodal", "mm", "measurable"),
    [
        (False, "9.9", False),
        (False, "10", True),
        (True, "14.9", False),
        (True, "15", True),
    ],
)
def test_measurability_limits(nodal, mm, measurable):
    assert measurability.is_measurable(nodal=nodal, baseline_mm=Decimal(mm)) is measurable


def test_target_limits_are_per_compartment_and_organ():
    t = measurability.PlannedTarget
    five_metastatic = [t("metastatic", "liver"), t("metastatic", "liver")] + [
        t("metastatic", organ) for organ in ("lung", "bone", "brain")
    ]
    two_primary = [t("primary", "breast"), t("primary", "regional_node")]
    assert measurability.too_many_targets(five_metastatic + two_primary) == (set(), set())
    assert measurability.too_many_targets([*five_metastatic, t("metastatic", "adrenal")]) == (
        {"metastatic"},
        set(),
    )
    assert measurability.too_many_targets(
        [*two_primary, t("primary", "breast"), t("primary", "breast")]
    ) == (
        set(),
        {("primary", "breast")},
    )
