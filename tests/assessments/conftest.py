import pytest


@pytest.fixture(autouse=True)
def _no_arms_hand_off(request, monkeypatch):
    """These tests are about assessments: completing one does not call into the arms app
    (whose own tests cover `propose_assignment`). Tests that check the hand-off itself ask for
    the `real_arms_hand_off` fixture."""
    if "real_arms_hand_off" not in request.fixturenames:
        monkeypatch.setattr("assessments.services._hand_off_to_arms", lambda assessment, user: None)


@pytest.fixture
def real_arms_hand_off():
    """Keep `assessments.services._hand_off_to_arms` as it is."""
