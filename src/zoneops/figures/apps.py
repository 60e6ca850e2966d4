from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "zoneops.figures"
    label = "figures"
    verbose_name = "开发区指标"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
