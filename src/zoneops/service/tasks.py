"""The supervision sweep as a background task of the database worker (`manage.py db_worker`).

The task schedules its own next run (tomorrow at SWEEP_HOUR local time) when it finishes, so once
one run is queued the worker keeps sweeping every morning without cron. `ensure_scheduled()`
queues the first run: the department inbox and the problem list call it (at most once an hour,
through the cache), and `manage.py escalate_problems --schedule` does it by hand. Backends that
cannot defer a task (the immediate backend of tests) are never scheduled.
"""
import datetime
import logging

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from . import escalation, figures

logger = logging.getLogger(__name__)
SWEEP_HOUR = 6
CACHE_KEY = "service:sweep-scheduled"


@task()
def escalate_problems():
    result = escalation.sweep()
    logger.info("督办 sweep: %s", result)
    figures.warm(timezone.localdate())
    schedule_next()
    return result


def next_run(now=None):
    now = timezone.localtime(now)
    at = now.replace(hour=SWEEP_HOUR, minute=0, second=0, microsecond=0)
    return at if at > now else at + datetime.timedelta(days=1)


def _pending():
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    path = escalate_problems.module_path
    return DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists()


def schedule_next(now=None):
    """Queue the next morning's sweep unless one is queued already. Returns whether it queued."""
    if not escalate_problems.get_backend().supports_defer or _pending():
        return False
    escalate_problems.using(run_after=next_run(now)).enqueue()
    return True


def ensure_scheduled():
    if cache.get(CACHE_KEY):
        return
    try:
        schedule_next()
    except Exception:  # never break a page over the schedule
        logger.exception("could not schedule the 督办 sweep")
    cache.set(CACHE_KEY, True, 3600)
