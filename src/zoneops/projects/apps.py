from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zoneops.projects"
    label = "projects"
    verbose_name = "招商项目"

    def ready(self):
        from . import registrations  # noqa: F401  (features, menu, tabs)
