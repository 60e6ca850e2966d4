"""Zone A's improvement records for tests/core/test_isolation.py: a plan with a measure and a
note, a policy item, and a class-D result with land so that the candidate list has a row."""
import datetime

from zoneops.improvement.models import ImprovementPlan, Measure, PolicyItem, ProgressNote
from zoneops.registry.models import Enterprise

from . import helpers


def zone_a_records(data, zone_b):
    zone, ent = data["zone"], data["enterprise"]
    run = helpers.run(zone, 2024, state="final")   # newer than any other: the run that counts
    helpers.result(run, ent, cls="D", total=12.0, land=12.5)
    plan = ImprovementPlan.objects.create(zone=zone, enterprise=ent, owner=data["author"],
                                          deadline=datetime.date.today() + datetime.timedelta(days=90),
                                          situation="甲区机密现状")
    Measure.objects.create(zone=zone, plan=plan, category="revitalize", content="甲区机密措施")
    ProgressNote.objects.create(zone=zone, plan=plan, text="甲区机密进展", author=data["author"])
    PolicyItem.objects.create(zone=zone, class_code="D", item="甲区机密电价", value="0.1")
    # Zone B's own, so that its pages are not empty (its one firm, which holds a parcel:
    # test_the_zone_b_user_does_see_zone_b expects zone B to have exactly that firm).
    ent_b = Enterprise.objects.get(zone=zone_b, name="乙区企业有限公司")
    helpers.result(helpers.run(zone_b, 2024), ent_b, cls="D", land=9.0)
    PolicyItem.objects.create(zone=zone_b, class_code="D", item="乙区电价", value="0.2")
    data["plan"] = plan
