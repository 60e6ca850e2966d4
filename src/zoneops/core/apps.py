from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zoneops.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self):
        from . import changelog, registrations  # noqa: F401  (signal handlers, features)
