from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "zoneops.peers"
    label = "peers"
    verbose_name = "同行数据"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
