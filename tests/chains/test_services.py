"""Mapping runs, staff decisions over re-runs, strength and health, candidates."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zoneops.chains import services
from zoneops.chains.models import ChainLeader, ChainMapping, MappingSource
from zoneops.core.changelog import change_context
from zoneops.core.models import ObjectChange

from ..registry import factories as reg
from . import factories


@pytest.fixture
def setup(zone_a, zone_b):
    chain = factories.chain(zone_a)
    brake = reg.enterprise(zone_a, 1, name="台州甲刹车片有限公司", industry_id="3670",
                           business_scope="汽车刹车片、制动盘制造")
    lamp = reg.enterprise(zone_a, 2, name="台州甲车灯有限公司", industry_id="3670", business_scope="汽车车灯、前照灯制造")
    other = reg.enterprise(zone_a, 3, name="台州甲服装有限公司", industry_id="1819", business_scope="服装制造")
    gone = reg.enterprise(zone_a, 4, name="台州甲旧刹车片厂", industry_id="3670", business_scope="刹车片制造",
                          status="deregistered")
    b_firm = reg.enterprise(zone_b, 5, name="乙区刹车片有限公司", industry_id="3670", business_scope="刹车片制造")
    return {"chain": chain, "brake": brake, "lamp": lamp, "other": other, "gone": gone, "b": b_firm}


def pairs(chain):
    return {(m.enterprise.name, m.segment.name, m.source) for m in
            ChainMapping.objects.filter(chain=chain).select_related("enterprise", "segment")}


def test_run_maps_active_firms_of_the_zone_only(setup):
    result = services.run_mapping(setup["chain"].zone)
    assert pairs(setup["chain"]) == {("台州甲刹车片有限公司", "制动系统", "auto"), ("台州甲车灯有限公司", "车灯", "auto")}
    assert result["created"] == 2 and result["firms"] == 3  # the deregistered firm is left out
    assert services.run_mapping(setup["chain"].zone)["created"] == 0  # idempotent


def test_decisions_win_over_every_rerun_and_are_audited(setup, staff_a):
    chain = setup["chain"]
    services.run_mapping(chain.zone)
    brake_map = ChainMapping.objects.get(enterprise=setup["brake"])
    lamp_seg = factories.segment(chain, "车灯")
    with change_context(user=staff_a):
        services.decide(setup["brake"], brake_map.segment, MappingSource.REJECTED, staff_a)
        services.decide(setup["other"], lamp_seg, MappingSource.CONFIRMED, staff_a)  # staff add a firm by hand
    # The firm's scope changes so that the matcher would now map it elsewhere, and back.
    setup["lamp"].business_scope, setup["lamp"].name, setup["lamp"].industry_id = "服装销售", "台州甲服饰有限公司", "1819"
    setup["lamp"].save()
    for _ in range(2):
        services.run_mapping(chain.zone)
        assert pairs(chain) == {("台州甲刹车片有限公司", "制动系统", "rejected"), ("台州甲服装有限公司", "车灯", "confirmed")}
    changes = ObjectChange.objects.filter(action__in=["rejected", "confirmed"]).order_by("id")
    assert [(c.action, c.user_id) for c in changes] == [("rejected", staff_a.pk), ("confirmed", staff_a.pk)]
    assert changes[0].after["segment"] == "制动系统"
    # Undoing the decision hands the firm back to the matcher.
    services.decide(setup["brake"], brake_map.segment, MappingSource.AUTO, staff_a)
    services.run_mapping(chain.zone)
    assert ("台州甲刹车片有限公司", "制动系统", "auto") in pairs(chain)


def test_overview_strength_classes_and_health(setup):
    chain = setup["chain"]
    reg.figures(setup["brake"], 2023, revenue=Decimal(40000), tax=Decimal(1500))
    reg.figures(setup["brake"], 2024, revenue=Decimal(60000), tax=Decimal(2500))
    reg.figures(setup["lamp"], 2024, revenue=Decimal(2000), tax=Decimal(50))
    setup["brake"].scale = "above"
    setup["brake"].save()
    services.run_mapping(chain.zone)
    ChainLeader.objects.create(zone=chain.zone, chain=chain, enterprise=setup["brake"])
    ov = services.chain_overview(chain)
    rows = {r["segment"].name: r for r in ov["rows"]}
    assert ov["year"] == 2024
    assert rows["制动系统"]["stats"].firms == 1 and rows["制动系统"]["stats"].revenue == 60000
    assert rows["制动系统"]["stats"].growth == pytest.approx(0.5)
    assert rows["零部件"]["stats"].firms == 2  # rolled up from its sub-segments
    assert rows["原材料"]["class"] == "缺失" and rows["原材料"]["recommendation"] == "延链"  # no upstream at all
    assert rows["车灯"]["class"] == "薄弱" and rows["车灯"]["recommendation"] == "强链"
    h = ov["health"]
    assert (h["segments"], h["covered"], h["firms"], h["leaders"]) == (4, 2, 2, 1)
    assert h["leader_share"] == pytest.approx(60000 / 62000)
    assert h["hhi"] == pytest.approx(10000 * (60000 ** 2 + 2000 ** 2) / 62000 ** 2, abs=0.1)
    # Thresholds per chain change the classes.
    chain.thresholds = {"weak": 0, "strong": 1}
    chain.save()
    assert {r["class"] for r in services.chain_overview(chain)["rows"] if r["stats"].firms} == {"强"}


def test_missing_segment_inside_a_present_stage_is_bu_lian(setup):
    services.run_mapping(setup["chain"].zone)
    rows = {r["segment"].name: r for r in services.chain_overview(setup["chain"])["rows"]}
    assert rows["整车"]["recommendation"] == "延链"
    services.apply_tree(setup["chain"], {**services.chain_tree(setup["chain"]), "segments": [
        *services.chain_tree(setup["chain"])["segments"],
        {"name": "热管理", "stage": "mid", "parent": "零部件", "codes": [], "keywords": ["散热器"], "excludes": [],
         "products": "", "note": ""}]})
    rows = {r["segment"].name: r for r in services.chain_overview(setup["chain"])["rows"]}
    assert rows["热管理"]["class"] == "缺失" and rows["热管理"]["recommendation"] == "补链"


def test_candidates_ranked_for_gaps(setup):
    chain = setup["chain"]
    services.run_mapping(chain.zone)
    big = factories.candidate(chain.zone, 1, name="宁波大刹车片股份有限公司", revenue=Decimal(900000), is_listed=True)
    small = factories.candidate(chain.zone, 2, name="宁波小刹车片有限公司", revenue=Decimal(3000))
    factories.candidate(chain.zone, 3, name="宁波无关服装有限公司", products="服装")
    factories.candidate(chain.zone, 4, name="宁波不合适刹车片有限公司", status="unfit")
    services.map_candidates(chain.zone)
    gaps = services.rank_targets(chain)
    brake = next(g for g in gaps if g["row"]["segment"].name == "制动系统")
    assert [t["candidate"] for t in brake["targets"]] == [big, small]
    assert any("上市公司" in r for r in brake["targets"][0]["reasons"])


def test_template_create_and_tree_apply(zone_a):
    chain = services.create_chain(zone_a, factories.treeio.load_template("recycled_metal"), template="再生金属")
    assert chain.segments.count() == len(factories.treeio.load_template("recycled_metal")["segments"])
    assert chain.checklist.count() == 9
    with pytest.raises(services.ChainError, match="已有名为"):
        services.create_chain(zone_a, factories.treeio.load_template("recycled_metal"))
    tree = services.chain_tree(chain)
    tree["segments"] = [s for s in tree["segments"] if s["name"] not in ("环保与固废处置",)]
    tree["segments"][1]["codes"] = ["9999"]
    with pytest.raises(services.ChainError, match="9999"):
        services.apply_tree(chain, tree)
    tree["segments"][1]["codes"] = []
    assert services.apply_tree(chain, tree) == (0, 1, 1)


def test_map_chains_command(setup, capsys):
    call_command("map_chains", "--zone", setup["chain"].zone.code, "--no-progress")
    assert "新增 2" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有代码"):
        call_command("map_chains", "--zone", "nope")
    with pytest.raises(CommandError, match="没有名为"):
        call_command("map_chains", "--zone", setup["chain"].zone.code, "--chain", "不存在的链")
