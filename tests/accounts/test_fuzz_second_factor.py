"""The second factor's forms (verify, enrol) with random and hostile codes, as a user who gave
the password only (the page-discovering fuzz signs in past the second factor, so never sees
them): no 500, never verified by a wrong code, no device confirmed."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories.accounts import authenticator, login_password_only
from tests.quality.test_fuzz_forms import HOSTILE, hostile

pytestmark = pytest.mark.django_db

codes = st.one_of(
    st.sampled_from(HOSTILE),
    hostile,
    st.integers(min_value=0, max_value=999_999).map(lambda n: f"{n:06d}"),
)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_the_verify_form_refuses_what_it_is_sent(client, coordinator_a):
    # A coordinator who enrolled: wrong codes do not lock them out of the test (axes counts
    # per account; each example signs in afresh).
    authenticator(coordinator_a)

    @FUZZ
    @given(token=codes)
    def submit(token):
        login_password_only(client, coordinator_a)
        response = client.post(reverse("accounts:two_factor_verify"), {"token": token})
        assert response.status_code < 500
        if response.status_code != 429:
            assert DEVICE_ID_SESSION_KEY not in client.session

    submit()


def test_the_enrol_form_refuses_what_it_is_sent(client, investigator_a):
    @FUZZ
    @given(token=codes)
    def submit(token):
        login_password_only(client, investigator_a)
        response = client.post(reverse("accounts:two_factor_enrol"), {"token": token})
        assert response.status_code < 500
        assert not TOTPDevice.objects.filter(user=investigator_a, confirmed=True).exists()

    submit()
