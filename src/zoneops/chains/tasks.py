"""Background mapping runs (the database worker: `python manage.py db_worker`)."""
from django_tasks import task


@task()
def map_chain_task(chain_id):
    from . import services
    from .models import Chain

    chain = Chain.objects.select_related("zone").filter(pk=chain_id).first()
    if chain is None:
        return None
    result = services.run_mapping(chain.zone, [chain])
    services.map_candidates(chain.zone)
    return result
