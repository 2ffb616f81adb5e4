"""Outcomes (spec section 5): events, censoring, impossible dates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.endpoints import (
    OutcomeFacts,
    TimeToEvent,
    distant_pfs,
    locoregional_pfs,
    overall_survival,
)

DIAGNOSIS = date(2024, 1, 1)


def day(n: int) -> date:
    """The n-th day after diagnosis."""
    return DIAGNOSIS + timedelta(days=n)


ALIVE_NO_EVENT = OutcomeFacts(
    diagnosis_date=DIAGNOSIS,
    last_known_alive=day(400),
    last_disease_assessment=day(365),
    death_date=None,
    distant_progression_date=None,
    locoregional_recurrence_date=None,
)


def outcome(**changes: Any) -> OutcomeFacts:
    return replace(ALIVE_NO_EVENT, **changes)


def test_dataclass_fields() -> None:
    assert [f.name for f in fields(OutcomeFacts)] == [
        "diagnosis_date",
        "last_known_alive",
        "last_disease_assessment",
        "death_date",
        "distant_progression_date",
        "locoregional_recurrence_date",
    ]
    assert [f.name for f in fields(TimeToEvent)] == ["days", "event"]


# (changes, overall survival, distant PFS, locoregional PFS), each as (days, event)
CASES = [
    pytest.param({}, (400, False), (365, False), (365, False), id="alive-no-event"),
    pytest.param(
        {"last_disease_assessment": None},
        (400, False),
        (400, False),
        (400, False),
        id="no-disease-assessment-censored-at-last-alive",
    ),
    pytest.param(
        {"death_date": day(500), "last_known_alive": day(500)},
        (500, True),
        (500, True),
        (500, True),
        id="death-without-progression",
    ),
    pytest.param(
        {"death_date": day(500), "last_known_alive": day(450)},
        (500, True),
        (500, True),
        (500, True),
        id="death-after-last-known-alive",
    ),
    pytest.param(
        {"distant_progression_date": day(200)},
        (400, False),
        (200, True),
        (365, False),
        id="distant-progression-alive",
    ),
    pytest.param(
        {"locoregional_recurrence_date": day(300)},
        (400, False),
        (365, False),
        (300, True),
        id="locoregional-recurrence-alive",
    ),
    pytest.param(
        {
            "distant_progression_date": day(200),
            "locoregional_recurrence_date": day(250),
            "death_date": day(600),
            "last_known_alive": day(590),
        },
        (600, True),
        (200, True),
        (250, True),
        id="both-progressions-then-death",
    ),
    pytest.param(
        {
            "distant_progression_date": day(600),
            "death_date": day(600),
            "last_known_alive": day(600),
        },
        (600, True),
        (600, True),
        (600, True),
        id="progression-on-day-of-death",
    ),
    pytest.param(
        {"distant_progression_date": day(0)},
        (400, False),
        (0, True),
        (365, False),
        id="progression-on-diagnosis-day",
    ),
    pytest.param(
        {"last_known_alive": DIAGNOSIS, "last_disease_assessment": None},
        (0, False),
        (0, False),
        (0, False),
        id="lost-on-diagnosis-day",
    ),
    pytest.param(
        {"last_disease_assessment": day(450)},
        (400, False),
        (450, False),
        (450, False),
        id="assessment-after-last-alive-is-not-refused",
    ),
]


@pytest.mark.parametrize(("changes", "os", "dpfs", "lpfs"), CASES)
def test_outcomes(
    changes: dict[str, Any],
    os: tuple[int, bool],
    dpfs: tuple[int, bool],
    lpfs: tuple[int, bool],
) -> None:
    f = outcome(**changes)
    assert overall_survival(f) == TimeToEvent(*os)
    assert distant_pfs(f) == TimeToEvent(*dpfs)
    assert locoregional_pfs(f) == TimeToEvent(*lpfs)


ENDPOINTS = [
    pytest.param(overall_survival, id="os"),
    pytest.param(distant_pfs, id="dpfs"),
    pytest.param(locoregional_pfs, id="lpfs"),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"last_known_alive": day(-1)}, "last_known_alive", id="alive-before-dx"),
        pytest.param(
            {"last_disease_assessment": day(-1)},
            "last_disease_assessment",
            id="assessment-before-dx",
        ),
        pytest.param(
            {"death_date": day(-1), "last_known_alive": day(-1)}, "last_known_alive", id="both"
        ),
        pytest.param(
            {"death_date": day(-1), "last_known_alive": DIAGNOSIS},
            "death_date",
            id="death-before-dx",
        ),
        pytest.param(
            {"distant_progression_date": day(-1)},
            "distant_progression_date",
            id="distant-before-dx",
        ),
        pytest.param(
            {"locoregional_recurrence_date": day(-30)},
            "locoregional_recurrence_date",
            id="locoregional-before-dx",
        ),
        pytest.param(
            {"death_date": day(500), "distant_progression_date": day(501)},
            "death_date",
            id="death-before-distant-progression",
        ),
        pytest.param(
            {"death_date": day(500), "locoregional_recurrence_date": day(501)},
            "death_date",
            id="death-before-locoregional-recurrence",
        ),
        pytest.param({"death_date": day(399)}, "last_known_alive", id="known-alive-after-death"),
    ],
)
def test_impossible_dates_are_refused_naming_the_field(
    endpoint: Callable[[OutcomeFacts], TimeToEvent], changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        endpoint(outcome(**changes))


def test_endpoints_import_only_the_standard_library(assert_standard_library_only: Any) -> None:
    assert_standard_library_only("followup.endpoints")


# Property-based tests ---------------------------------------------------------------------------


@st.composite
def outcome_facts(draw: st.DrawFn) -> OutcomeFacts:
    diagnosis = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))

    def later(upto: int = 2500) -> date:
        return diagnosis + timedelta(days=draw(st.integers(0, upto)))

    def maybe_later(upto: int = 2500) -> date | None:
        return later(upto) if draw(st.booleans()) else None

    distant = maybe_later()
    locoregional = maybe_later()
    death = maybe_later()
    if death is not None:
        death = max([death, *(d for d in (distant, locoregional) if d is not None)])
    alive = later()
    if death is not None:
        alive = min(alive, death)
    return OutcomeFacts(
        diagnosis_date=diagnosis,
        last_known_alive=alive,
        last_disease_assessment=maybe_later(),
        death_date=death,
        distant_progression_date=distant,
        locoregional_recurrence_date=locoregional,
    )


def events_of(f: OutcomeFacts) -> tuple[date | None, ...]:
    return (f.death_date, f.distant_progression_date, f.locoregional_recurrence_date)


@pytest.mark.parametrize(
    ("endpoint", "progression"),
    [
        pytest.param(overall_survival, None, id="os"),
        pytest.param(distant_pfs, "distant_progression_date", id="dpfs"),
        pytest.param(locoregional_pfs, "locoregional_recurrence_date", id="lpfs"),
    ],
)
@given(f=outcome_facts())
def test_time_to_event_is_never_negative_nor_beyond_its_date(
    endpoint: Callable[[OutcomeFacts], TimeToEvent], progression: str | None, f: OutcomeFacts
) -> None:
    result = endpoint(f)
    assert result.days >= 0
    latest = max(d for d in (f.last_known_alive, f.last_disease_assessment, *events_of(f)) if d)
    assert result.days <= (latest - f.diagnosis_date).days
    events = [f.death_date] + ([getattr(f, progression)] if progression else [])
    known_events = [d for d in events if d is not None]
    if known_events:
        assert result.event
        assert f.diagnosis_date + timedelta(days=result.days) == min(known_events)
    else:
        assert not result.event
        censor = f.last_known_alive
        if progression is not None and f.last_disease_assessment is not None:
            censor = f.last_disease_assessment
        assert f.diagnosis_date + timedelta(days=result.days) == censor
