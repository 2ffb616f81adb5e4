from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataQualityConfig(AppConfig):
    name = "dataquality"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        from audit.services import on_crf_change

        from .services import void_sign_off

        # A change to any form voids its participant's casebook sign-off (audit cannot
        # import dataquality: it is the layer below).
        on_crf_change(void_sign_off)
