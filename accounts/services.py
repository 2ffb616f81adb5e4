"""Account writes: the admins' staff page and each user's own second factor.

Every change an admin makes is checked against their right at the site (`access.roles`:
MANAGE_USERS) and recorded in `AccountChange` (who, when, before, after, why) in the same
transaction; a change to a person (deactivation, second-factor reset) needs the right at every
site where the person holds a role, so an admin never acts on someone else's staff. E-mails
(the invitation's set-password link) go through the outbox, in the same transaction.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from access.models import Membership, Site, User
from access.roles import Action, Role, require
from notifications.services import NewOutboxMessage, outbox_enqueue

from . import second_factor
from .models import AccountChange
from .tokens import invitation_tokens

Kind = AccountChange.Kind

REASON_REQUIRED = _("Give a reason for this change.")
ROLE_UNCHANGED = _("This person already holds that role at this site.")
ALREADY_INACTIVE = _("This account is already deactivated.")
NOT_YOURSELF = _("Ask another administrator: you cannot do this to your own account.")


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(REASON_REQUIRED)
    return reason


def _record(
    *,
    by: Any,
    user: Any,
    kind: str,
    site: Any = None,
    old: str = "",
    new: str = "",
    reason: str = "",
) -> AccountChange:
    return AccountChange.objects.create(
        by=by, user=user, kind=kind, site=site, old=old, new=new, reason=reason
    )


ADMIN_REASON = _("Changed in the site administration")


def record_admin_changes(
    *,
    by: Any,
    user: User,
    before: list[tuple[int, Site, str]],
    was_active: bool | None,
) -> None:
    """Log what a superuser changed on the Django admin's user page, as the staff page logs its
    own: each role given, changed or ended (from `before`, the user's `memberships_of` when the
    page was saved, to their memberships now) and a change of `is_active`."""
    reason = str(ADMIN_REASON)
    now = {pk: (site, role) for pk, site, role in memberships_of(user)}
    for pk, site, role in before:
        current = now.get(pk)
        if current is not None and current[0] == site:  # the same site: its role, if changed
            del now[pk]
            if current[1] != role:
                _record(
                    by=by,
                    user=user,
                    kind=Kind.ROLE_CHANGED,
                    site=site,
                    old=_role_at(role, site),
                    new=_role_at(current[1], site),
                    reason=reason,
                )
        else:  # ended, or moved to another site: ended here, given there (below)
            _record(
                by=by,
                user=user,
                kind=Kind.MEMBERSHIP_ENDED,
                site=site,
                old=_role_at(role, site),
                reason=reason,
            )
    for site, role in now.values():
        _record(
            by=by,
            user=user,
            kind=Kind.ROLE_CHANGED,
            site=site,
            new=_role_at(role, site),
            reason=reason,
        )
    if was_active is not None and was_active != user.is_active:
        sites: list[Site | None] = [*_person_sites(user)] or [None]
        _record_activity(by=by, user=user, sites=sites, was_active=was_active, reason=reason)


def memberships_of(user: User) -> list[tuple[int, Site, str]]:
    """(membership id, site, role) of each of the user's memberships: what
    `record_admin_changes` compares."""
    return [
        (m.pk, m.site, m.role) for m in Membership.objects.filter(user=user).select_related("site")
    ]


_ACTIVITY = {True: "active", False: "inactive"}


def _record_activity(
    *, by: Any, user: User, sites: Sequence[Site | None], was_active: bool, reason: str
) -> None:
    """The account was deactivated or reactivated: one change per site of the person's."""
    kind = Kind.ACTIVATED if user.is_active else Kind.DEACTIVATED
    for site in sites:
        _record(
            by=by,
            user=user,
            kind=kind,
            site=site,
            old=_ACTIVITY[was_active],
            new=_ACTIVITY[user.is_active],
            reason=reason,
        )


def _person_sites(user: User) -> list[Site]:
    return list(Site.objects.filter(memberships__user=user).distinct())


def _require_for_person(admin: Any, user: User) -> list[Site]:
    sites = _person_sites(user)
    if not sites:
        raise PermissionDenied
    for site in sites:
        require(admin, Action.MANAGE_USERS, site.pk)
    if user.pk == admin.pk:
        raise PermissionDenied(NOT_YOURSELF)
    return sites


def invitation_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "accounts:invitation", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)}
    )
    return base_url.rstrip("/") + path


@transaction.atomic
def invite(
    *,
    by: Any,
    site: Site,
    role: str,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    reason: str,
    base_url: str,
) -> User:
    """A new, inactive account with a role at the site; the person sets their password from
    the link the outbox e-mails them, which activates the account."""
    require(by, Action.MANAGE_USERS, site.pk)
    reason = _reason(reason)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.is_active = False
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, site=site, role=role)
    _record(by=by, user=user, kind=Kind.INVITED, site=site, new=_role_at(role, site), reason=reason)
    context = {
        "user": user,
        "site": site,
        "role": Role(role).label,
        "link": invitation_link(user, base_url),
        "invited_by": by,
    }
    outbox_enqueue(
        messages=[
            NewOutboxMessage(
                kind="invitation",
                key=f"invitation:{user.pk}",
                recipient=email,
                subject="".join(
                    loader.render_to_string(
                        "accounts/email/invitation_subject.txt", context
                    ).splitlines()
                ),
                body=loader.render_to_string("accounts/email/invitation.txt", context),
            )
        ]
    )
    return user


def _role_at(role: str, site: Site) -> str:
    return f"{Role(role).label} @ {site.code}"


@transaction.atomic
def change_role(*, by: Any, membership: Membership, role: str, reason: str) -> Membership:
    require(by, Action.MANAGE_USERS, membership.site_id)
    reason = _reason(reason)
    if Membership.objects.filter(user=membership.user, site=membership.site, role=role).exists():
        raise ValidationError(ROLE_UNCHANGED)
    old = _role_at(membership.role, membership.site)
    membership.role = role
    membership.save(update_fields=["role"])
    _record(
        by=by,
        user=membership.user,
        kind=Kind.ROLE_CHANGED,
        site=membership.site,
        old=old,
        new=_role_at(role, membership.site),
        reason=reason,
    )
    return membership


@transaction.atomic
def end_membership(*, by: Any, membership: Membership, reason: str) -> None:
    """The person no longer holds the role at the site; the change log keeps that they did."""
    require(by, Action.MANAGE_USERS, membership.site_id)
    reason = _reason(reason)
    _record(
        by=by,
        user=membership.user,
        kind=Kind.MEMBERSHIP_ENDED,
        site=membership.site,
        old=_role_at(membership.role, membership.site),
        reason=reason,
    )
    membership.delete()


@transaction.atomic
def deactivate(*, by: Any, user: User, reason: str) -> User:
    """The person can no longer sign in. Their password becomes unusable, so that a reset or
    invitation link sent before cannot bring the account back."""
    sites = _require_for_person(by, user)
    reason = _reason(reason)
    if not user.is_active:
        raise ValidationError(ALREADY_INACTIVE)
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    _record_activity(by=by, user=user, sites=sites, was_active=True, reason=reason)
    return user


@transaction.atomic
def reset_second_factor(*, by: Any, user: User, reason: str) -> int:
    """A lost phone: the person's authenticator and backup codes are removed; they enrol a new
    one at their next log-in."""
    sites = _require_for_person(by, user)
    reason = _reason(reason)
    removed = second_factor.remove_devices(user)
    for site in sites:
        _record(by=by, user=user, kind=Kind.SECOND_FACTOR_RESET, site=site, reason=reason)
    return removed


def record_own_change(*, user: User, kind: str) -> None:
    """A person's own change to their sign-in (password, second factor), at each of their
    sites, so their admins see it on the staff page."""
    sites: list[Site | None] = [*_person_sites(user)] or [None]
    for site in sites:
        _record(by=user, user=user, kind=kind, site=site)


def accept_invitation(*, user: User) -> None:
    """The invited person set their password: the account opens (never one deactivated)."""
    if user.is_active or AccountChange.objects.filter(user=user, kind=Kind.DEACTIVATED).exists():
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_own_change(user=user, kind=Kind.ACTIVATED)
