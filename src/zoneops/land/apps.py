from django.apps import AppConfig


class LandConfig(AppConfig):
    name = "zoneops.land"
    label = "land"
    verbose_name = "土地要素"

    def ready(self):
        from . import registrations, registrations_map  # noqa: F401  (features, menu, tabs)
