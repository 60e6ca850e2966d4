from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "zoneops.service"
    label = "service"
    verbose_name = "为企服务"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
