"""Demo sites and users: one user per role per site, with documented passwords (README)."""

from django.db import transaction

from .models import Membership, Site, User
from .roles import Role

DEMO_SITES = (
    ("CH", "Changhai Hospital, Shanghai"),
    ("RJ", "Ruijin Hospital, Shanghai"),
)
# Demo logins are <role>_<site code lower-case>, e.g. coordinator_ch; admin is trial-wide.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (documented in the README, demo only)


@transaction.atomic
def seed_sites_and_users() -> list[Site]:
    sites = []
    for code, name in DEMO_SITES:
        site, _ = Site.objects.update_or_create(code=code, defaults={"name": name})
        sites.append(site)
    for site in sites:
        for role in (Role.COORDINATOR, Role.INVESTIGATOR):
            _demo_user(f"{role.value}_{site.code.lower()}", [(site, role)])
    # Data manager and admin work across sites, as central staff do; so do the sponsor's
    # monitor and the trial statistician.
    _demo_user("data_manager", [(site, Role.DATA_MANAGER) for site in sites])
    _demo_user("monitor", [(site, Role.MONITOR) for site in sites])
    _demo_user("statistician", [(site, Role.STATISTICIAN) for site in sites])
    admin = _demo_user("admin", [(site, Role.ADMIN) for site in sites])
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    return sites


def _demo_user(username: str, memberships: list[tuple[Site, Role]]) -> User:
    first, _, last = username.partition("_")
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first.title(),
            "last_name": last.upper(),
            "email": f"{username}@example.org",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    for site, role in memberships:
        Membership.objects.get_or_create(user=user, site=site, role=role)
    return user
