"""The record of every change an admin makes to who may do what (ICH E6(R3): account creation,
role and permission changes), and of second factors enrolled and reset. Never changed, never
deleted: the staff page lists it and the Django admin shows it read-only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from access.models import Site


class AccountChange(models.Model):
    class Kind(models.TextChoices):
        INVITED = "invited", _("Invited")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MEMBERSHIP_ENDED = "membership_ended", _("Membership ended")
        DEACTIVATED = "deactivated", _("Account deactivated")
        ACTIVATED = "activated", _("Account activated")
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
        PASSWORD_CHANGED = "password_changed", _("Password changed")

    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="account_changes",
        verbose_name=_("account"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    kind = models.CharField(_("change"), max_length=30, choices=Kind.choices)
    old = models.CharField(_("before"), max_length=200, blank=True)
    new = models.CharField(_("after"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("account change")
        verbose_name_plural = _("account changes")
        indexes = [models.Index(fields=["site", "-at"], name="account_change_site_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.user}"
