"""A formula typed into a form reaches every export as text (OWASP CSV injection), on the
COPY fast path as on the CSV writer's, while negative numbers stay numbers."""

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse

from access.models import Site
from assessments.models import TherapyLine
from audit.csv_writer import safe_cell
from exports import sql
from tests.exports.helpers import FORMULA_CASES as CASES
from tests.exports.helpers import read_csv, unzip
from tests.factories.enrollment import enrolled_participant

pytestmark = pytest.mark.django_db

FORMULA = "=1+2"


@pytest.fixture
def formula_therapy(client, site_a, coordinator_a):
    participant = enrolled_participant(site_a, coordinator_a)
    client.force_login(coordinator_a)
    response = client.post(
        reverse("assessments:therapy_create", args=[participant.pk]),
        {
            "line_number": 1,
            "category": TherapyLine.Category.CHEMOTHERAPY,
            "agents": FORMULA,
            "start_date": participant.enrolment_date.isoformat(),
        },
    )
    assert response.status_code == 302, response.content
    line = TherapyLine.objects.get(participant=participant)
    assert line.agents == FORMULA  # stored as typed: the export, not the form, neutralises
    return line


@pytest.mark.parametrize("variant", ["identified", "deidentified"])
def test_a_formula_typed_as_therapy_agents_is_exported_as_text(
    client, formula_therapy, admin_a, variant
):
    client.force_login(admin_a)
    response = client.post(reverse("exports:download"), {"variant": variant, "dataset": "therapy"})
    assert response.status_code == 200 and response.streaming
    [row] = read_csv(b"".join(response.streaming_content))
    assert row["agents"] == "'" + FORMULA
    assert row["line_number"] == "1"


def test_the_zip_of_every_dataset_neutralises_it_too(client, formula_therapy, admin_a):
    client.force_login(admin_a)
    response = client.post(reverse("exports:download"), {"variant": "identified", "dataset": "all"})
    files = unzip(b"".join(response.streaming_content))
    [row] = read_csv(files["therapy.csv"])
    assert row["agents"] == "'" + FORMULA


def test_the_copy_select_applies_the_writers_rule():
    """The SQL twin of safe_cell, cell for cell (a text column, as the COPY reads one)."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQL rule is PostgreSQL's; SQLite rows go through the CSV writer")
    Site.objects.bulk_create(
        Site(code="Z" + chr(65 + i), name=text) for i, text in enumerate(CASES)
    )
    got = dict(
        Site.objects.filter(code__startswith="Z")
        .annotate(cell=sql.SpreadsheetSafe(F("name")))
        .values_list("name", "cell")
    )
    assert got == {text: safe_cell(text) for text in CASES}
