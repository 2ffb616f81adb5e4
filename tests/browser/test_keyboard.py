"""The whole journey with the keyboard alone: log in, open the screening log, a screening, its
participant's casebook and her visit schedule, with Tab and Enter only, each focus visible."""

import pytest
from django.contrib.auth.hashers import make_password

from tests.test_access_matrix import world  # noqa: F401 - `world` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "keyboard-only-2026"


def _tab_to(page, is_target: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies `is_target` (a JS expression over `el`);
    every element on the way must show where the focus is (an outline or a box shadow)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(
            f"""() => {{
              const el = document.activeElement;
              const style = getComputedStyle(el);
              const visible = el === document.body
                || style.outlineStyle !== 'none' || style.boxShadow !== 'none';
              return {{hit: !!(el && ({is_target})), visible, tag: el.outerHTML.slice(0, 60)}};
            }}"""
        )
        assert found["visible"], f"focus not visible on {found['tag']}"
        if found["hit"]:
            return
    raise AssertionError(f"Tab never reached {is_target}")


def _text_is(text: str) -> str:
    return f"el.textContent.trim().startsWith({text!r})"


def test_login_screening_casebook_and_schedule_with_the_keyboard_alone(
    page,
    world,  # noqa: F811
    coordinator_a,
):
    coordinator_a.password = make_password(PASSWORD)
    coordinator_a.save()
    participant = world["participant"]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/accounts/login/")
    _tab_to(page, "el.id === 'id_username'")
    page.keyboard.type(coordinator_a.username)
    _tab_to(page, "el.id === 'id_password'")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/followup/")

    _tab_to(page, _text_is("Screening log"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/enrollment/screenings/")
    screening = participant.screening
    _tab_to(page, _text_is(screening.screening_number))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/enrollment/screenings/{screening.pk}/")

    _tab_to(page, _text_is(participant.study_id))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/enrollment/participants/{participant.study_id}/")

    _tab_to(page, _text_is("Visit schedule"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/followup/participants/{participant.pk}/")
