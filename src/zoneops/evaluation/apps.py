from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "zoneops.evaluation"
    label = "evaluation"
    verbose_name = "亩均评价"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
