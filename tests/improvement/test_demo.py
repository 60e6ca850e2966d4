"""The demo loader: sample policies everywhere, plans only where the evaluation left D firms with land."""
import io

import pytest

from zoneops.core.changelog import change_context
from zoneops.core.models import Membership
from zoneops.improvement import demo
from zoneops.improvement.models import ImprovementPlan, Measure, PolicyItem, ProgressNote

from ..conftest import make_user
from ..registry import factories
from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(zone_a):
    make_user("zy01", zone_a, Membership.Role.STAFF)
    run = helpers.run(zone_a, 2024, state="final")
    for i in range(20):
        ent = factories.enterprise(zone_a, 10 + i, name=f"甲区演示{i}有限公司")
        if i % 4:  # every fourth firm has no parcel: never a candidate
            factories.parcel(zone_a, f"P{i}", holder=ent, area="15")
        helpers.result(run, ent, cls="D" if i < 14 else "B", total=10.0 + i, land=15.0,
                       explanation={"next_class": "C", "need_tax_per_mu": 9.5})
    return run


def load(zones):
    out = io.StringIO()
    with change_context():
        demo.load_demo(zones, seed=1, last_year=2024, stdout=out)
    return out.getvalue()


def test_demo_plans_and_policies(zone_a, zone_b, evaluated):
    text = load([zone_a, zone_b])
    plans = list(ImprovementPlan.objects.filter(zone=zone_a).select_related("enterprise"))
    assert len(plans) == demo.PLANS_PER_ZONE
    for p in plans:
        assert p.eval_class == "D" and p.eval_year == 2024 and p.owner.username == "zy01"
        assert p.enterprise.parcels.exists()
        assert p.deadline >= p.created.date()
        assert p.measures.exists()
        for m in p.measures.all():
            m.full_clean()
        for n in p.notes.all():
            n.full_clean()
        p.full_clean()
    assert not ImprovementPlan.objects.filter(zone=zone_b).exists()   # zone B has no evaluation
    for zone in (zone_a, zone_b):
        items = PolicyItem.objects.filter(zone=zone)
        assert items.count() == 24 and set(items.values_list("note", flat=True)) == {demo.DEMO_NOTE}
    assert "演示数据" in text
    # Loading again adds nothing; the same seed chooses the same firms.
    chosen = sorted(p.enterprise_id for p in plans)
    load([zone_a, zone_b])
    assert ImprovementPlan.objects.count() == demo.PLANS_PER_ZONE and PolicyItem.objects.count() == 48
    ProgressNote.objects.all().delete()
    Measure.objects.all().delete()
    ImprovementPlan.objects.all().delete()
    load([zone_a])
    assert sorted(ImprovementPlan.objects.values_list("enterprise_id", flat=True)) == chosen
