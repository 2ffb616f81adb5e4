"""The admins' staff page: invite, change a role, end a membership, deactivate, reset a second
factor; each change recorded (who, when, before, after, why) and listed; an admin's own sites
only."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import Membership, User
from access.roles import Role
from accounts.models import AccountChange
from notifications.models import OutboxMessage
from tests.factories.access import PASSWORD, user_with_role
from tests.factories.accounts import authenticator

pytestmark = pytest.mark.django_db

STAFF = reverse("accounts:staff")
INVITE = reverse("accounts:invite")
NEW_PASSWORD = "tumour-board-lamp-42"  # noqa: S105 (a test's password)
Kind = AccountChange.Kind


def _invite(client, site, callbacks, **overrides):
    data = {
        "username": "new_monitor",
        "first_name": "Mei",
        "last_name": "Lin",
        "email": "mei.lin@example.org",
        "site": site.pk,
        "role": Role.MONITOR,
        "reason": "Sponsor's CRA for site A",
        **overrides,
    }
    with callbacks(execute=True):
        return client.post(INVITE, data)


def test_an_invitation_makes_an_inactive_account_and_mails_its_link(
    client, admin_a, site_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    response = _invite(client, site_a, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == STAFF
    user = User.objects.get(username="new_monitor")
    assert not user.is_active and not user.has_usable_password()
    assert user.memberships.get().role == Role.MONITOR
    change = AccountChange.objects.get(user=user, kind=Kind.INVITED)
    assert (change.by, change.site, change.reason) == (admin_a, site_a, "Sponsor's CRA for site A")
    assert OutboxMessage.objects.get(kind="invitation").status == OutboxMessage.Status.SENT
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)

    client.logout()
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    # Used once: the link is dead.
    assert "does not work any more" in client.get(link, follow=True).content.decode()


def test_an_invitation_needs_a_reason_and_a_free_username(
    client, admin_a, site_a, coordinator_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    response = _invite(client, site_a, django_capture_on_commit_callbacks, reason="")
    assert response.status_code == 400
    response = _invite(
        client, site_a, django_capture_on_commit_callbacks, username=coordinator_a.username
    )
    assert response.status_code == 400
    assert "This username is taken." in response.content.decode()
    assert not User.objects.filter(username="new_monitor").exists()


def test_an_admin_invites_only_to_their_sites(
    client, admin_a, site_a, site_b, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    response = _invite(client, site_b, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert not User.objects.filter(username="new_monitor").exists()


def test_changing_a_role_is_recorded_before_and_after(client, admin_a, coordinator_a, site_a):
    membership = coordinator_a.memberships.get()
    client.force_login(admin_a)
    response = client.post(
        reverse("accounts:membership_role", args=[membership.pk]),
        {"role": Role.INVESTIGATOR, "reason": "Now sub-investigator"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.INVESTIGATOR
    change = AccountChange.objects.get(kind=Kind.ROLE_CHANGED)
    assert (change.old, change.new, change.by) == (
        "Research coordinator @ AA",
        "Investigator @ AA",
        admin_a,
    )
    page = client.get(STAFF).content.decode()
    assert "Now sub-investigator" in page and "Research coordinator @ AA" in page


def test_a_change_without_a_reason_changes_nothing(client, admin_a, coordinator_a):
    membership = coordinator_a.memberships.get()
    client.force_login(admin_a)
    client.post(reverse("accounts:membership_role", args=[membership.pk]), {"role": "admin"})
    client.post(reverse("accounts:membership_end", args=[membership.pk]), {"reason": "  "})
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    assert not AccountChange.objects.exists()


def test_ending_a_membership_keeps_its_record(client, admin_a, coordinator_a):
    membership = coordinator_a.memberships.get()
    client.force_login(admin_a)
    client.post(reverse("accounts:membership_end", args=[membership.pk]), {"reason": "Left"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    change = AccountChange.objects.get(kind=Kind.MEMBERSHIP_ENDED)
    assert (change.user, change.old, change.reason) == (
        coordinator_a,
        "Research coordinator @ AA",
        "Left",
    )


def test_deactivation_ends_the_sign_in_and_old_links(client, admin_a, coordinator_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("accounts:user_deactivate", args=[coordinator_a.pk]), {"reason": "Left the trial"}
    )
    assert response.status_code == 302
    coordinator_a.refresh_from_db()
    assert not coordinator_a.is_active and not coordinator_a.has_usable_password()
    assert AccountChange.objects.get(kind=Kind.DEACTIVATED).reason == "Left the trial"
    client.logout()
    response = client.post(
        reverse("login"), {"username": coordinator_a.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # refused


def test_a_lost_device_is_reset_and_audited(client, admin_a, investigator_a):
    authenticator(investigator_a)
    client.force_login(admin_a)
    response = client.post(
        reverse("accounts:user_second_factor_reset", args=[investigator_a.pk]),
        {"reason": "Phone lost, identity checked in person"},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=investigator_a).exists()
    change = AccountChange.objects.get(kind=Kind.SECOND_FACTOR_RESET)
    assert (change.by, change.user) == (admin_a, investigator_a)


def test_another_sites_people_are_absent(client, admin_a, coordinator_b):
    client.force_login(admin_a)
    membership = coordinator_b.memberships.get()
    assert coordinator_b.username not in client.get(STAFF).content.decode()
    for url in (
        reverse("accounts:membership_role", args=[membership.pk]),
        reverse("accounts:membership_end", args=[membership.pk]),
        reverse("accounts:user_deactivate", args=[coordinator_b.pk]),
        reverse("accounts:user_second_factor_reset", args=[coordinator_b.pk]),
    ):
        assert client.post(url, {"role": "admin", "reason": "x"}).status_code == 404, url
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    coordinator_b.refresh_from_db()
    assert coordinator_b.is_active


def test_a_person_also_at_another_site_is_not_deactivated_by_one_sites_admin(
    client, admin_a, site_b, coordinator_a
):
    Membership.objects.create(user=coordinator_a, site=site_b, role=Role.COORDINATOR)
    client.force_login(admin_a)
    response = client.post(
        reverse("accounts:user_deactivate", args=[coordinator_a.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    coordinator_a.refresh_from_db()
    assert coordinator_a.is_active


def test_an_admin_does_not_deactivate_themselves(client, admin_a):
    client.force_login(admin_a)
    response = client.post(reverse("accounts:user_deactivate", args=[admin_a.pk]), {"reason": "x"})
    assert response.status_code == 403


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(STAFF).status_code == 200
    return len(ctx.captured_queries)


def test_the_staff_page_costs_the_same_for_3_and_30_people(client, admin_a, site_a):
    for i in range(2):
        user_with_role(Role.COORDINATOR, site_a, username=f"few_{i}")
    client.force_login(admin_a)
    client.get(STAFF)
    few = _count(client)
    for i in range(27):
        user = user_with_role(Role.INVESTIGATOR, site_a, username=f"many_{i}")
        authenticator(user)
        AccountChange.objects.create(by=admin_a, user=user, site=site_a, kind=Kind.INVITED)
    assert _count(client) == few
