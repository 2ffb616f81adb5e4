"""What the Django admin's user page changed, compared before and after its save
(accounts.services.record_admin_changes), as the account change log records it."""

import pytest

from access.models import Membership
from accounts.models import AccountChange
from accounts.services import memberships_of, record_admin_changes

pytestmark = pytest.mark.django_db

Kind = AccountChange.Kind


def _log(user):
    return list(
        AccountChange.objects.filter(user=user)
        .order_by("pk")
        .values_list("kind", "site__code", "old", "new")
    )


def test_a_membership_moved_to_another_site_ends_at_one_and_starts_at_the_other(
    coordinator_a, site_b, admin_a
):
    before = memberships_of(coordinator_a)
    Membership.objects.filter(user=coordinator_a).update(site=site_b)
    record_admin_changes(by=admin_a, user=coordinator_a, before=before, was_active=True)
    [(_, old_site, _)] = before
    assert _log(coordinator_a) == [
        (Kind.MEMBERSHIP_ENDED, old_site.code, f"Research coordinator @ {old_site.code}", ""),
        (Kind.ROLE_CHANGED, site_b.code, "", f"Research coordinator @ {site_b.code}"),
    ]


def test_nothing_changed_logs_nothing(coordinator_a, admin_a):
    before = memberships_of(coordinator_a)
    record_admin_changes(by=admin_a, user=coordinator_a, before=before, was_active=True)
    assert _log(coordinator_a) == []
