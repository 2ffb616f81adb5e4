"""An adverse event carries its CTCAE terms' columns: copied on every write from the term,
kept its term's by the database, and read by the export without joining the terms."""

import pytest
from django.db import IntegrityError, connection, transaction

from exports import streaming
from exports.datasets import BY_NAME
from safety import services
from safety.models import AdverseEvent
from tests.factories import safety as sf
from tests.factories.enrollment import participant

pytestmark = pytest.mark.django_db

ANEMIA = "Anemia"


def _carried(event):
    event.refresh_from_db()
    return (event.term_code, event.term_name, event.term_soc)


def test_an_event_copies_its_term_and_a_changed_term_is_copied_again(site_a):
    event = sf.serious_event(participant(site_a))
    term = event.term
    assert _carried(event) == (term.meddra_code, term.term, term.soc)
    assert (event.coded_term_code, event.coded_term_name) == (None, None)
    event.term = sf.term(ANEMIA)
    event.save()
    assert _carried(event) == (event.term.meddra_code, ANEMIA, event.term.soc)


def test_coding_an_other_specify_event_copies_the_coded_term(site_a, data_manager_a):
    event = sf.serious_event(participant(site_a))
    coded = sf.term(ANEMIA)
    services.code_other_term(
        event=event, user=data_manager_a, coded_term=coded, expected_version=event.version
    )
    event.refresh_from_db()
    assert (event.coded_term_code, event.coded_term_name) == (coded.meddra_code, ANEMIA)


def test_the_database_refuses_an_event_without_its_terms_copy(site_a):
    event = sf.serious_event(participant(site_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.filter(pk=event.pk).update(term_name=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the foreign key is PostgreSQL's")
def test_postgresql_refuses_a_copy_that_is_not_its_terms(site_a):
    event = sf.serious_event(participant(site_a))
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.filter(pk=event.pk).update(term_name="Made up")
        connection.check_constraints()


def test_the_trial_wide_export_of_adverse_events_joins_no_terms():
    sql = str(streaming.select_queryset(BY_NAME["adverse_events"], streaming.Scope()).query)
    assert "safety_ctcaeterm" not in sql
