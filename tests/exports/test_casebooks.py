"""PDF casebooks: a participant's values, status and signatures are in the text of her PDF."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from access.models import Site
from exports import casebooks
from followup.models import Visit

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].get_object().values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_a_casebook_prints_values_as_labels_and_every_signature(trial):
    participant = trial.dead
    text = " ".join(_text(casebooks.casebook_pdf(participant, language="en")).split())
    assert f"Casebook of participant {participant.study_id}" in text
    assert participant.death_report.death_date.isoformat() in text
    visit = participant.visits.get(vital_status="dead")
    assert visit.get_vital_status_display() in text  # the label, not the code
    signatures = [a.signature for a in participant.arm_assignments.exclude(signature=None)]
    assert len(signatures) == 2
    for signature in signatures:
        assert signature.printed_name in text
        assert signature.meaning.split()[0] in text
    assert "Asia/Shanghai" in text
    assert "Audit trail" in text


def test_chinese_renders_with_a_cjk_font(trial):
    Site.objects.filter(pk=trial.dead.site_id).update(name="上海长海医院")
    data = casebooks.casebook_pdf(trial.dead, language="zh-hans")
    assert "上海长海医院" in _text(data)
    assert any("Noto-Sans-CJK-SC" in name for name in _fonts(data))


def test_the_blank_crf_book_lists_every_form_and_allowed_values(db):
    text = " ".join(_text(casebooks.blank_crf_pdf(language="en")).split())
    assert "Blank case report forms" in text
    assert "Screening" in text and "Follow-up visit" in text
    for _code, label in Visit._meta.get_field("vital_status").choices:
        assert str(label) in text  # the allowed values, by their labels


def test_a_site_archive_has_one_casebook_per_participant(trial, tmp_path):
    path = tmp_path / "site.zip"
    seen = []
    with path.open("wb") as handle:
        count = casebooks.write_site_archive(
            handle, [trial.dead.site_id], language="en", progress=lambda d, t: seen.append(d)
        )
    names = zipfile.ZipFile(path).namelist()
    assert count == len(names) == seen[-1]
    assert f"{trial.dead.site.code}/casebook_{trial.dead.study_id}.pdf" in names
    assert trial.other_site.study_id not in " ".join(names)


def test_a_casebook_reads_a_bounded_number_of_queries(trial):
    """However many forms, lesions and visits: a fixed number of queries per model."""
    with CaptureQueriesContext(connection) as small:
        casebooks.casebook_context(trial.alive)
    with CaptureQueriesContext(connection) as large:
        casebooks.casebook_context(trial.dead)
    assert len(large) <= len(small) + 8, [q["sql"][:120] for q in large.captured_queries]
