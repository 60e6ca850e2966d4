"""The demo: each zone gets the preset run of the last two years, the earlier final, the last in 公示
with 调档 entries and an objection."""
import pytest
from django.core.management import call_command

from zoneops.core.models import ObjectChange, Zone
from zoneops.evaluation import services
from zoneops.evaluation.models import Objection, Run, RunState

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_runs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo_data", zones=2, enterprises=150, years=2, seed=5, last_year=2024, verbosity=0)
    for zone in Zone.objects.all():
        runs = list(Run.objects.filter(zone=zone).order_by("year"))
        assert [r.year for r in runs] == [2023, 2024]
        assert runs[0].state == RunState.FINAL and runs[1].state == RunState.OBJECTION
        assert runs[1].results.count() > 50 and services.recompute(runs[1]) == []
        assert ObjectChange.objects.filter(zone=zone, action="调档").count() >= 4
        assert Objection.objects.filter(run=runs[1]).count() == 1
        matrix, moved = services.compare(runs[0], runs[1])
        assert matrix and moved
    info = services.latest_classes()
    assert len(info) > 50 and {i.year for i in info.values()} == {2024}
