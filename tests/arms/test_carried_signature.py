"""An arm assignment carries its signature's manifestation (name, time, meaning): written with
the signature, refused by the database without it or (PostgreSQL) unlike it, and read by the
export without joining the signatures."""

import pytest
from django.db import IntegrityError, connection, transaction

from arms import services
from arms.models import ArmAssignment
from assessments import recist
from exports import streaming
from exports.datasets import BY_NAME
from tests.factories import arms as f
from tests.factories.access import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(site_a, coordinator_a):
    participant = f.participant_with_baseline(site_a, coordinator_a)
    f.completed_assessment(participant, coordinator_a, primary=recist.SD, metastatic=recist.PR)
    return ArmAssignment.objects.get(participant=participant)


def _manifestation(assignment):
    return (assignment.signed_by, assignment.signed_at, assignment.signature_meaning)


def test_a_pending_proposal_carries_no_signature(proposal):
    assert _manifestation(proposal) == (None, None, None)


@pytest.mark.parametrize("override", [False, True])
def test_a_signed_assignment_carries_its_signature(proposal, investigator_a, override):
    if override:
        services.assignment_override(
            assignment=proposal,
            user=investigator_a,
            password=PASSWORD,
            expected_version=proposal.version,
            arm=1,  # the rules propose arm 4
            reason="Primary tumour judged resectable",
        )
    else:
        services.assignment_confirm(
            assignment=proposal,
            user=investigator_a,
            password=PASSWORD,
            expected_version=proposal.version,
        )
    proposal.refresh_from_db()
    signature = proposal.signature
    assert _manifestation(proposal) == (
        signature.printed_name,
        signature.signed_at,
        signature.meaning,
    )
    if override:
        assert "Primary tumour judged resectable" in proposal.signature_meaning


def test_the_database_refuses_a_signature_without_its_copies(proposal, investigator_a):
    services.assignment_confirm(
        assignment=proposal,
        user=investigator_a,
        password=PASSWORD,
        expected_version=proposal.version,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ArmAssignment.objects.filter(pk=proposal.pk).update(signed_by=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the foreign key is PostgreSQL's")
@pytest.mark.parametrize("column", ["signed_by", "signed_at"])
def test_postgresql_refuses_a_copy_that_is_not_the_signatures(proposal, investigator_a, column):
    services.assignment_confirm(
        assignment=proposal,
        user=investigator_a,
        password=PASSWORD,
        expected_version=proposal.version,
    )
    proposal.refresh_from_db()
    forged = {"signed_by": "Someone else", "signed_at": proposal.signed_at.replace(year=2020)}
    with pytest.raises(IntegrityError), transaction.atomic():
        ArmAssignment.objects.filter(pk=proposal.pk).update(**{column: forged[column]})
        connection.check_constraints()


def test_the_trial_wide_export_of_assignments_joins_no_signatures():
    sql = str(streaming.select_queryset(BY_NAME["assignments"], streaming.Scope()).query)
    assert "JOIN" not in sql
