from django.apps import AppConfig


class ChainsConfig(AppConfig):
    name = "zoneops.chains"
    label = "chains"
    verbose_name = "产业链"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
