from django.apps import AppConfig


class ScaledataConfig(AppConfig):
    name = "scaledata"
    verbose_name = "Synthetic trial data at scale"
