from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "zoneops.registry"
    label = "registry"
    verbose_name = "企业库"

    def ready(self):
        from . import registrations  # noqa: F401  (registers list/detail/import/export/API)
