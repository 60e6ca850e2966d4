"""Zone A's evaluation records for tests/core/test_isolation.py (every evaluation model, one each)."""
import datetime

from zoneops.evaluation import services
from zoneops.evaluation.models import (
    Adjustment,
    Exemption,
    MergeGroup,
    Objection,
    Ruleset,
)
from zoneops.registry.models import EnterpriseYear

from ..registry import factories


def zone_a_records(data, zone_b):
    zone, ent = data["zone"], data["enterprise"]
    services.ensure_presets()
    preset = Ruleset.objects.get(zone__isnull=True, name="huangyan_2022")
    ruleset = services.copy_ruleset(preset, zone, "zone_a_rules", "甲区机密规则")
    EnterpriseYear.objects.filter(pk=data["year"].pk).update(power_mwh=500)
    run = services.create_run(zone, 2023, ruleset.latest_version(), user=data["author"], background=False)
    services.publish(run, datetime.date.today(), datetime.date.today() + datetime.timedelta(days=5))
    result = run.results.get(enterprise=ent)
    Objection.objects.create(zone=zone, run=run, result=result, text="甲区机密异议", evidence="evaluation/none.pdf",
                             evidence_name="甲区机密材料.pdf")
    Exemption.objects.create(zone=zone, enterprise=ent, year=2024, reason="在建")
    Adjustment.objects.create(zone=zone, enterprise=ent, year=2024, code="x", reason="甲区加分")
    MergeGroup.objects.create(zone=zone, name="甲区合并", year=2024).enterprises.set([ent])
    # zone B's own run, so its pages are not empty
    ent_b = factories.enterprise(zone_b, 2, name="乙区评价企业有限公司")
    factories.parcel(zone_b, "B-EV", holder=ent_b)
    factories.figures(ent_b, 2023, power_mwh=300)
    services.create_run(zone_b, 2023, preset.latest_version(), background=False)
    data["run"] = run
