"""The web download's COPY runs in a thread and hands its output over through a bounded queue
(exports.streaming._copy_chunks): all of it arrives, and a response closed early stops the
statement and leaves the connection usable."""

import threading

import pytest
from django.db import DataError, connection

from exports import streaming
from exports.datasets import DATASETS
from exports.streaming import Counter, Scope, snapshot, stream_dataset, write_dataset

pytestmark = pytest.mark.django_db

PARTICIPANTS = next(d for d in DATASETS if d.name == "participants")


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(streaming, "COPY_CHUNK_BYTES", 64)
    monkeypatch.setattr(streaming, "COPY_QUEUE_CHUNKS", 1)


def test_the_streamed_copy_is_the_file_copy_byte_for_byte(trial, small_chunks, tmp_path):
    streamed_counter, written_counter = Counter(), Counter()
    with snapshot():
        streamed = b"".join(stream_dataset(PARTICIPANTS, Scope(), streamed_counter))
        with (tmp_path / "participants.csv").open("wb") as handle:
            write_dataset(PARTICIPANTS, Scope(), handle, written_counter)
    assert streamed == (tmp_path / "participants.csv").read_bytes()
    assert streamed_counter.rows == written_counter.rows > 2
    assert streamed.count(b"\n") > 3  # more rows than one chunk holds


def _response_body():
    """As the download view streams: the dataset inside its snapshot's transaction."""
    with snapshot():
        yield from stream_dataset(PARTICIPANTS, Scope())


def _copy_threads():
    return [t for t in threading.enumerate() if t.name == streaming.COPY_THREAD_NAME]


def test_a_response_closed_early_stops_the_copy_and_its_thread(trial, small_chunks):
    body = _response_body()
    next(body)  # the header
    next(body)  # the first of the COPY's chunks: the thread is copying
    body.close()  # the browser has gone
    assert not _copy_threads()
    with connection.cursor() as cursor:  # the connection is not left in the COPY
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_an_error_in_the_copy_reaches_the_response_as_django_s(trial, monkeypatch):
    monkeypatch.setattr(streaming, "select_queryset", _broken_select)
    with pytest.raises(DataError, match="division by zero"), snapshot():
        b"".join(stream_dataset(PARTICIPANTS, Scope()))
    assert not _copy_threads()


def _broken_select(dataset, scope):
    from django.db.models.expressions import RawSQL

    from enrollment.models import Participant

    return Participant.objects.annotate(x=RawSQL("1 / (id - id)", [])).values_list("x")


@pytest.mark.parametrize(
    "name", ["deaths", "radiotherapy", "adverse_events", "lesions", "lesion_measurements"]
)
def test_a_trial_wide_export_reads_the_rows_own_study_id_without_joining_participants(name):
    dataset = next(d for d in DATASETS if d.name == name)
    sql = str(streaming.select_queryset(dataset, Scope()).query)
    assert "enrollment_participant" not in sql
    # Narrowed to a site, the site is the participant's: then it joins.
    narrowed = str(streaming.select_queryset(dataset, Scope(site_ids=(1,))).query)
    assert "enrollment_participant" in narrowed
