from django.apps import AppConfig


class RankingsConfig(AppConfig):
    name = "zoneops.rankings"
    label = "rankings"
    verbose_name = "赛马比拼"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
