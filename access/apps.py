from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Sites, users and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .languages import language_at_login
        from .middleware import renewed_at_login

        user_logged_in.connect(renewed_at_login, dispatch_uid="access.session_renewed_at_login")
        user_logged_in.connect(language_at_login, dispatch_uid="access.language_at_login")
