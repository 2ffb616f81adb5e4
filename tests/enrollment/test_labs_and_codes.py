"""Units, site codes and the casebook hook: small pieces, tested without ceremony."""

import pytest

from enrollment import casebook, eligibility, labs
from enrollment.models import Confirmation, MetastaticSite, Sex
from workflow import casebook as workflow_casebook


@pytest.mark.parametrize(
    ("value", "unit", "units", "expected"),
    [
        (3.2, "10e9_l", labs.ANC_UNITS, 3.2),
        (3.2, "10e3_ul", labs.ANC_UNITS, 3.2),
        (1500, "per_ul", labs.ANC_UNITS, 1.5),
        (120, "g_l", labs.HEMOGLOBIN_UNITS, 12.0),
        (6.0, "mmol_l", labs.HEMOGLOBIN_UNITS, 9.666),
        (None, "g_dl", labs.HEMOGLOBIN_UNITS, None),
        (12.0, "", labs.HEMOGLOBIN_UNITS, None),
    ],
)
def test_lab_values_convert_to_the_rules_unit(value, unit, units, expected):
    result = labs.convert(value, unit, units)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        labs.convert(1.0, "mg", labs.ANC_UNITS)


@pytest.mark.parametrize(
    ("value", "uln", "expected"),
    [(30, 40, 0.75), (160, 40, 4.0), (None, 40, None), (30, None, None)],
)
def test_uln_ratio(value, uln, expected):
    assert labs.uln_ratio(value, uln) == expected


@pytest.mark.parametrize("uln", [0, -1])
def test_a_uln_of_zero_is_refused(uln):
    with pytest.raises(ValueError):
        labs.uln_ratio(10, uln)


def test_choices_are_the_rules_codes():
    assert set(MetastaticSite.values) == eligibility.METASTATIC_SITES
    assert set(MetastaticSite.values[:7]) == eligibility.VISCERAL_SITES
    assert set(Confirmation.values) == set(eligibility.METASTASIS_CONFIRMATIONS)
    assert set(Sex.values) == set(eligibility.SEXES)


def _assessed_section(participant, user):
    return casebook.CasebookSection(
        title="Assessments",
        template="includes/pagination.html",
        reached=frozenset({casebook.ASSESSED}),
    )


@pytest.mark.django_db
def test_apps_add_casebook_sections_and_trial_path_steps(
    client, coordinator_a, site_a, monkeypatch
):
    from tests.factories.enrollment import enrolled_participant

    participant = enrolled_participant(site_a, coordinator_a)
    monkeypatch.setattr(workflow_casebook, "SECTIONS", (_assessed_section,))
    client.force_login(coordinator_a)
    content = client.get(f"/enrollment/participants/{participant.study_id}/").content.decode()
    assert "Assessments" in content
    assert 'data-step="assessed" data-reached="yes"' in content
