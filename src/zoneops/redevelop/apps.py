from django.apps import AppConfig


class RedevelopConfig(AppConfig):
    name = "zoneops.redevelop"
    label = "redevelop"
    verbose_name = "低效用地改造"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
