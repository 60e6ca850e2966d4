from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "zoneops.improvement"
    label = "improvement"
    verbose_name = "一企一策"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
