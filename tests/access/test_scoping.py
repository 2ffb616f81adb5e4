import datetime as dt

import pytest
from django.http import Http404

from access.roles import Action, Role
from access.scoping import get_for_user_or_404
from enrollment.models import Participant
from tests.factories.access import user_with_role

pytestmark = pytest.mark.django_db


def _participant(site, n=1):
    return Participant.objects.create(
        site=site,
        study_id=f"{site.code}-{n:04d}",
        sequence=n,
        diagnosis_date=dt.date(2026, 1, 5),
        enrolment_date=dt.date(2026, 2, 1),
    )


def test_a_user_sees_only_participants_of_their_sites(coordinator_a, site_a, site_b):
    own, other = _participant(site_a), _participant(site_b)
    visible = Participant.objects.for_user(coordinator_a)
    assert list(visible) == [own]
    assert other not in visible


def test_another_sites_record_is_a_404(coordinator_a, site_a, site_b):
    other = _participant(site_b)
    with pytest.raises(Http404):
        get_for_user_or_404(Participant.objects.all(), coordinator_a, pk=other.pk)


def test_a_user_with_roles_at_two_sites_sees_both(site_a, site_b):
    user = user_with_role(Role.DATA_MANAGER, site_a, site_b)
    _participant(site_a), _participant(site_b)
    assert Participant.objects.for_user(user).count() == 2


def test_scope_follows_the_action(site_a, site_b):
    """A coordinator at A and investigator at B signs arms only at B."""
    user = user_with_role(Role.COORDINATOR, site_a)
    user_with_role_b = user  # same person, second role
    from access.models import Membership

    Membership.objects.create(user=user_with_role_b, site=site_b, role=Role.INVESTIGATOR)
    a, b = _participant(site_a), _participant(site_b)
    assert list(Participant.objects.for_user(user, Action.SIGN_ARM)) == [b]
    assert set(Participant.objects.for_user(user)) == {a, b}


def test_anonymous_and_inactive_users_see_nothing(coordinator_a, site_a):
    from django.contrib.auth.models import AnonymousUser

    _participant(site_a)
    assert not Participant.objects.for_user(AnonymousUser()).exists()
    coordinator_a.is_active = False
    assert not Participant.objects.for_user(coordinator_a).exists()
