from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_terms(sender: AppConfig, **kwargs: Any) -> None:
    """The CTCAE list is reference data, like Django's content types: migrate loads it (the
    migration 0002) and a flush of the database (a transactional test's teardown) gets it
    back, here. Only when the table is empty: updates are the migration's and the command's."""
    from .models import CtcaeTerm  # noqa: PLC0415 - the app registry is ready only now
    from .terms import load_terms  # noqa: PLC0415

    using = kwargs.get("using", "default")
    if not CtcaeTerm.objects.using(using).exists():
        load_terms(CtcaeTerm)


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        post_migrate.connect(_ensure_terms, sender=self)
