from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArmsConfig(AppConfig):
    name = "arms"
    verbose_name = _("Arm assignment")
