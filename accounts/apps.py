from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # django-otp names its models in plain English strings; the admin's index and sidebar
        # name them in the user's language with these.
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model, singular, plural in (
            (TOTPDevice, _("TOTP device"), _("TOTP devices")),
            (StaticDevice, _("Static device"), _("Static devices")),
            (StaticToken, _("static token"), _("static tokens")),
        ):
            model._meta.verbose_name = singular  # noqa: SLF001
            model._meta.verbose_name_plural = plural  # noqa: SLF001
