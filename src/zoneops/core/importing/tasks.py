"""Background import work, run by the database worker (`python manage.py db_worker`).

Files with more than settings.ZONEOPS_IMPORT_BACKGROUND_ROWS rows are validated and committed
here; smaller ones run in the request (service.start_validation / start_commit decide).
"""
import logging

from django_tasks import task

from zoneops.core.models import ImportBatch

from . import service

logger = logging.getLogger(__name__)


@task()
def validate_import(batch_id):
    batch = ImportBatch.objects.select_related("zone", "user").filter(pk=batch_id).first()
    if batch is None or batch.status not in (ImportBatch.Status.PENDING, ImportBatch.Status.VALIDATED,
                                             ImportBatch.Status.FAILED):
        return None
    service.validate_batch(batch)
    return batch.status


@task()
def commit_import(batch_id):
    batch = ImportBatch.objects.select_related("zone", "user").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.COMMITTING:
        return None
    try:
        service.commit_claimed(batch)
    except service.ImportRefused as e:
        # Recorded on the batch (status and message) for the page; nothing was written.
        logger.info("import batch %s refused: %s", batch_id, e)
    return batch.status
