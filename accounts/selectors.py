"""Account reads for the staff page: the people at the admin's sites and the changes made."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import Membership, User
from access.roles import Action

from .models import AccountChange

CHANGES_SHOWN = 100


def managed_site_ids(admin: Any) -> list[int]:
    return list(admin.sites_where(Action.MANAGE_USERS))


def staff(admin: Any) -> QuerySet[User]:
    """The people holding a role at a site the admin manages, with those memberships only and
    whether they have enrolled an authenticator: three queries, however many people."""
    sites = managed_site_ids(admin)
    return (
        User.objects.filter(memberships__site__in=sites)
        .distinct()
        .order_by("username")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(site__in=sites).select_related("site"),
                to_attr="managed_memberships",
            ),
            Prefetch(
                "totpdevice_set",
                queryset=TOTPDevice.objects.filter(confirmed=True),
                to_attr="authenticators",
            ),
        )
    )


def changes(admin: Any) -> QuerySet[AccountChange]:
    """The latest changes at the admin's sites (and to the accounts of their people)."""
    sites = managed_site_ids(admin)
    return AccountChange.objects.filter(site__in=sites).select_related("by", "user", "site")[
        :CHANGES_SHOWN
    ]


def membership_or_404(admin: Any, pk: int) -> Membership:
    try:
        return Membership.objects.select_related("user", "site").get(
            pk=pk, site__in=managed_site_ids(admin)
        )
    except Membership.DoesNotExist as exc:
        raise Http404 from exc


def person_or_404(admin: Any, pk: int) -> User:
    """A person with a role at one of the admin's sites (another site's people are absent)."""
    try:
        return (
            User.objects.filter(memberships__site__in=managed_site_ids(admin)).distinct().get(pk=pk)
        )
    except User.DoesNotExist as exc:
        raise Http404 from exc
