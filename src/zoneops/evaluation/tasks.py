"""Background evaluation runs, executed by the database worker (`python manage.py db_worker`)."""
from django_tasks import task

from .models import Run, RunStatus


@task()
def compute_run_task(run_id):
    from . import services

    run = Run.objects.select_related("zone", "ruleset_version").filter(pk=run_id).first()
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.FAILED):
        return None
    services.compute_run(run)
    return Run.objects.get(pk=run_id).status
