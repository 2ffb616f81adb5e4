from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Action, Role, role_allows


class Site(models.Model):
    """A hospital taking part in the trial; its code prefixes the study IDs it allocates."""

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Upper-case letters, e.g. CH; prefixes study IDs."),
    )
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2,8}$"), name="site_code_upper_letters"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def memberships_by_site(self) -> dict[int, set[str]]:
        roles: dict[int, set[str]] = {}
        # .all(): served by prefetch_related("memberships") when a caller lists many users.
        for membership in self.memberships.all():
            roles.setdefault(membership.site_id, set()).add(membership.role)
        return roles

    @property
    def site_ids(self) -> list[int]:
        return sorted(self.memberships_by_site)

    @property
    def roles(self) -> set[str]:
        return {role for roles in self.memberships_by_site.values() for role in roles}

    @property
    def primary_role(self) -> str | None:
        """The role that picks the home page: the first of the user's roles in Role's order."""
        return next((r.value for r in Role if r.value in self.roles), None)

    @property
    def primary_role_label(self) -> str:
        """The primary role in words, as the navigation bar shows it."""
        role = self.primary_role
        return str(Role(role).label) if role else ""

    def can(self, action: Action, site_id: int | None = None) -> bool:
        """True when a role the user holds (at `site_id`, or at any site) allows `action`."""
        if not self.is_active:
            return False
        sites = self.memberships_by_site
        candidates = sites.get(site_id, set()) if site_id is not None else self.roles
        return any(role_allows(role, action) for role in candidates)

    def sites_where(self, action: Action) -> list[int]:
        return [
            s
            for s, roles in self.memberships_by_site.items()
            if any(role_allows(r, action) for r in roles)
        ]


class Membership(models.Model):
    """A user's role at a site. A user may hold roles at several sites."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "site", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.site.code}"


class Preference(models.Model):
    """A user's own settings: for now the interface language, which their pages, e-mails and
    in-app notifications use. Until they choose, the browser's language decides."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="preference")
    # A code of settings.LANGUAGES ("en", "zh-hans"); checked by access.languages.
    language = models.CharField(_("language"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return str(self.user)
