"""Zone A's redevelopment records for tests/core/test_isolation.py: a rule set, a case (with its
parcel link and a milestone) over a parcel held by zone A's secret firm; zone A's own parcel stays
a candidate (the improvement hook gives its holder a class-D result). Zone B gets a case too."""
from decimal import Decimal

from zoneops.redevelop import services
from zoneops.redevelop.models import CandidateRule, Milestone
from zoneops.registry.models import Enterprise, Parcel


def zone_a_records(data, zone_b):
    zone, ent = data["zone"], data["enterprise"]
    CandidateRule.objects.create(zone=zone, name="甲区机密规则", classes="D", max_far=Decimal("1.0"), combine="any", note="甲区机密依据")
    p = Parcel.objects.create(zone=zone, code="A-SECRET-REDEV", name="甲区机密改造地块", holder=ent,
                              area_mu=Decimal("15"), floor_area_ratio=Decimal("0.5"))
    case = services.open_case(zone, [p], data["author"], name="甲区机密改造项目", approach="government")
    Milestone.objects.create(zone=zone, case=case, title="甲区机密节点")
    ent_b = Enterprise.objects.get(zone=zone_b, name="乙区企业有限公司")
    pb = Parcel.objects.create(zone=zone_b, code="B-REDEV", holder=ent_b, area_mu=Decimal("8"))
    services.open_case(zone_b, [pb], None, name="乙区改造项目", approach="soe")
    data["redevelopment_case"] = case
