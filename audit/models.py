"""The base of every clinical record: audited, versioned, never hard-deleted.

django-simple-history keeps one historical row per change with the user, the time (UTC), the
full record before and after, and the reason. `version` lets a form detect that someone else
saved the record since it was opened (optimistic locking, see `audit.services.save_record`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.scoping import SiteScopedQuerySet


class HardDeleteForbidden(Exception):
    """Clinical records are corrected or withdrawn, never deleted (ICH E6, 21 CFR 11.10(e))."""


class ClinicalQuerySet(SiteScopedQuerySet):
    def delete(self):  # type: ignore[no-untyped-def]
        raise HardDeleteForbidden(_("Clinical records cannot be deleted."))


class ClinicalRecord(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(inherit=True)
    objects = ClinicalQuerySet.as_manager()

    # The lookup from the model to its Site; see access.scoping.
    site_path = "site"

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise HardDeleteForbidden(_("Clinical records cannot be deleted."))
