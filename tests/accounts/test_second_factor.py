"""Two-factor sign-in: required for every role but the coordinator's, offered to coordinators;
enrolment by QR code; backup codes single-use; the code asked again after the idle log-off;
wrong codes lock the account like wrong passwords; the e-signature keeps the password."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.roles import SECOND_FACTOR_REQUIRED, Role
from accounts import second_factor
from accounts.models import AccountChange
from tests.factories.access import PASSWORD
from tests.factories.accounts import authenticator, code, login_password_only

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ENROL = reverse("accounts:two_factor_enrol")
VERIFY = reverse("accounts:two_factor_verify")
WORK = reverse("enrollment:participant_list")


def _log_in(client, user):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD})


def test_the_roles_that_sign_or_manage_or_read_all_need_a_second_factor():
    assert set(Role) - {Role.COORDINATOR} == SECOND_FACTOR_REQUIRED


@pytest.mark.parametrize(
    "persona",
    ["investigator_a", "data_manager_a", "admin_a", "monitor_a", "statistician_a"],
    indirect=True,
)
def test_a_required_role_without_a_device_is_sent_to_enrol_and_nowhere_else(client, persona):
    _log_in(client, persona)
    for url in (reverse("home"), WORK, reverse("reports:index"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == ENROL, url
    assert client.get(ENROL).status_code == 200


def test_a_coordinator_signs_in_with_the_password_alone(client, coordinator_a):
    _log_in(client, coordinator_a)
    assert client.get(WORK).status_code == 200


def test_a_promotion_asks_for_the_second_factor_at_once(client, coordinator_a):
    _log_in(client, coordinator_a)
    assert client.get(WORK).status_code == 200
    coordinator_a.memberships.update(role=Role.INVESTIGATOR)
    assert client.get(WORK)["Location"] == ENROL


def test_a_coordinator_who_enrolled_is_asked_for_the_code(client, coordinator_a):
    authenticator(coordinator_a)
    _log_in(client, coordinator_a)
    response = client.get(WORK)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def _enrol(client):
    response = client.get(ENROL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page  # the QR code, inline
    otpauth = re.search(r'data-otpauth="([^"]+)"', page).group(1).replace("&amp;", "&")
    secret = parse_qs(urlparse(otpauth).query)["secret"][0]
    assert secret in page  # typed in by hand when the camera cannot scan
    return secret


def test_enrolment_by_the_qr_codes_key(client, investigator_a):
    _log_in(client, investigator_a)
    secret = _enrol(client)
    device = TOTPDevice.objects.get(user=investigator_a)
    assert second_factor.base32_key(device) == secret
    assert not device.confirmed
    response = client.post(ENROL, {"token": code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == second_factor.BACKUP_CODES
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(WORK).status_code == 200  # verified by the enrolment
    assert AccountChange.objects.filter(
        user=investigator_a, kind=AccountChange.Kind.SECOND_FACTOR_ENROLLED
    ).exists()


def test_a_wrong_enrolment_code_is_a_field_error(client, investigator_a):
    _log_in(client, investigator_a)
    _enrol(client)
    response = client.post(ENROL, {"token": "000000x"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.get(user=investigator_a).confirmed


def test_an_unverified_user_with_a_device_cannot_enrol_another(client, investigator_a):
    authenticator(investigator_a)
    _log_in(client, investigator_a)
    assert client.get(ENROL)["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=investigator_a).count() == 1


def test_sign_in_with_the_code_then_back_to_the_page(client, investigator_a):
    device = authenticator(investigator_a)
    _log_in(client, investigator_a)
    redirect_to = client.get(WORK)["Location"]
    assert redirect_to == f"{VERIFY}?{urlencode({'next': WORK})}"
    response = client.post(redirect_to, {"token": code(device), "next": WORK})
    assert response.status_code == 302 and response["Location"] == WORK
    assert client.get(WORK).status_code == 200


def test_an_offsite_next_is_ignored(client, investigator_a):
    device = authenticator(investigator_a)
    _log_in(client, investigator_a)
    response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_a_code_works_once(client, investigator_a):
    device = authenticator(investigator_a)
    token = code(device)
    _log_in(client, investigator_a)
    assert client.post(VERIFY, {"token": token}).status_code == 302
    client.post(reverse("logout"))
    _log_in(client, investigator_a)
    response = client.post(VERIFY, {"token": token})
    assert response.status_code == 400


def test_a_backup_code_works_once(client, investigator_a):
    authenticator(investigator_a)
    [first, *_] = second_factor.new_backup_codes(investigator_a)
    _log_in(client, investigator_a)
    assert client.post(VERIFY, {"token": first}).status_code == 302
    client.post(reverse("logout"))
    _log_in(client, investigator_a)
    assert client.post(VERIFY, {"token": first}).status_code == 400
    assert second_factor.backup_codes_left(investigator_a) == second_factor.BACKUP_CODES - 1


def test_new_backup_codes_replace_the_old(client, investigator_a):
    old = second_factor.new_backup_codes(investigator_a)
    client.force_login(investigator_a)
    response = client.post(reverse("accounts:backup_codes"))
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    assert second_factor.backup_codes_left(investigator_a) == len(new)


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, investigator_a):
    authenticator(investigator_a)
    _log_in(client, investigator_a)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"token": "123456"}).status_code == 400
    response = client.post(VERIFY, {"token": "123456"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert _log_in(client, investigator_a).status_code == 429


def test_the_idle_log_off_asks_for_the_code_again(client, investigator_a):
    device = authenticator(investigator_a)
    _log_in(client, investigator_a)
    client.post(VERIFY, {"token": code(device)})
    assert client.get(WORK).status_code == 200
    # Thirty idle minutes: the session expires, and the second factor with it.
    Session.objects.filter(session_key=client.session.session_key).delete()
    assert client.get(WORK)["Location"].startswith(LOGIN)
    _log_in(client, investigator_a)
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(WORK)["Location"].startswith(VERIFY)


def test_the_signature_still_asks_for_the_password(investigator_a):
    from audit import signatures

    with pytest.raises(signatures.PasswordRefused):
        signatures.check_password(user=investigator_a, password="not-the-password")


def test_the_enrolment_page_passes_the_csp(client, investigator_a):
    login_password_only(client, investigator_a)
    response = client.get(ENROL)
    assert "style=" not in response.content.decode().split("<svg", 1)[1].split("</svg>")[0]
