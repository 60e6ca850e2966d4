"""land.engine, pure: the whole transition table, preconditions, split/merge sums, space use, presets."""
import datetime
import re
from decimal import Decimal

import pytest

from zoneops.land import engine

D = datetime.date
ALL = engine.ORDER
SALE = {"buyer_name": "某公司", "price_wan": "600", "area_mu": "20", "parcel_area": Decimal("20")}
GOOD = {engine.SOLD: SALE, engine.SUPPLIED: {"project_id": 1, "project_zone_ok": True}}
EXPECTED = {
    "planned": {"acquiring", "acquired"}, "reserved": {"acquiring", "acquired"}, "acquiring": {"acquired", "planned"},
    "acquired": {"ready"}, "ready": {"listed"}, "listed": {"sold", "ready"}, "sold": {"supplied", "inefficient"},
    "supplied": {"building", "inefficient"}, "building": {"producing", "inefficient"}, "producing": {"inefficient"},
    "inefficient": {"redeveloping", "producing"}, "redeveloping": {"redeveloped", "inefficient"},
    "redeveloped": {"producing", "inefficient"},
}


@pytest.mark.parametrize("src", ALL)
@pytest.mark.parametrize("dst", ALL)
def test_transition_table(src, dst):
    errors, _details = engine.check_transition(src, dst, GOOD.get(dst, {}))
    assert (not errors) == (dst in EXPECTED[src]), (src, dst, errors)
    if errors:
        assert all(re.search(r"[\u4e00-\u9fff]", e) for e in errors)


def test_every_status_has_a_label_and_moves():
    from zoneops.registry.models import ParcelStatus

    assert set(engine.LABELS) == {c for c, _l in ParcelStatus.choices} == set(ALL) == set(EXPECTED)


def test_built_statuses_may_become_inefficient():
    for s in (engine.SOLD, engine.SUPPLIED, engine.BUILDING, engine.PRODUCING, engine.REDEVELOPED):
        assert engine.INEFFICIENT in engine.allowed_targets(s)


def test_listing_before_ready_names_the_reason():
    errors, _ = engine.check_transition("acquired", "listed", {})
    assert "须先完成做地" in errors[0] and "已做地" in errors[0]


def test_unknown_status_and_same_status():
    assert "未知的地块状态" in engine.check_transition("planned", "<script>", {})[0][0]
    assert "已是" in engine.check_transition("ready", "ready", {})[0][0]
    assert "分割或合并注销" in engine.check_transition("ready", "listed", {"retired": True})[0][0]


@pytest.mark.parametrize("facts,message", [
    ({**SALE, "buyer_name": "  "}, "受让人"), ({**SALE, "buyer_name": "x" * 201}, "200 个字"),
    ({**SALE, "price_wan": None}, "须填写成交价"), ({**SALE, "price_wan": "0"}, "应大于 0"),
    ({**SALE, "price_wan": "-1"}, "应大于 0"), ({**SALE, "price_wan": "inf"}, "应为数字"),
    ({**SALE, "price_wan": "1" * 40}, "超出合理范围"), ({**SALE, "area_mu": ""}, "须填写出让面积"),
    ({**SALE, "area_mu": "20.0001"}, "大于地块面积"), ({**SALE, "area_mu": "0"}, "应大于 0"),
])
def test_sale_preconditions(facts, message):
    errors, details = engine.check_transition("listed", "sold", facts)
    assert any(message in e for e in errors), errors
    assert details == {}


def test_sale_details_are_cleaned():
    errors, details = engine.check_transition("listed", "sold", {**SALE, "price_wan": "1,200.5", "buyer_id": 3})
    assert not errors and details == {"price_wan": "1200.5000", "area_mu": "20.0000", "buyer_id": 3,
                                      "buyer_name": "某公司"}


def test_supply_and_acquisition_preconditions():
    assert "须选择供地" in engine.check_transition("sold", "supplied", {})[0][0]
    assert "不属于" in engine.check_transition("sold", "supplied", {"project_id": 9, "project_zone_ok": False})[0][0]
    assert "还有 2 户居民、0 家企业" in engine.check_transition("acquiring", "acquired", {"open_households": 2})[0][0]
    errors, details = engine.check_transition("planned", "acquiring", {"households_total": "444", "firms_total": 108})
    assert not errors and details == {"households_total": 444, "firms_total": 108}
    for bad, msg in (("-1", "不能为负数"), ("abc", "应为整数"), ("99999999", "超出合理范围")):
        assert msg in engine.check_transition("planned", "acquiring", {"households_total": bad})[0][0]


def test_dates():
    today = D(2024, 6, 30)
    assert engine.check_date(D(2024, 6, 30), today, D(2024, 6, 30)) == []
    assert "未来" in engine.check_date(D(2024, 7, 1), today, None)[0]
    assert "早于" in engine.check_date(D(2024, 6, 29), today, D(2024, 6, 30))[0]
    assert "请填写日期" in engine.check_date(None, today, None)[0]


def test_split_parts():
    assert engine.check_parts(Decimal("30"), [Decimal("10"), Decimal("20")]) == []
    assert engine.check_parts(Decimal("30"), [Decimal("10.00005"), Decimal("20")]) == []  # within 0.0001
    assert "不一致" in engine.check_parts(Decimal("30"), [Decimal("10"), Decimal("19")])[0]
    assert "至少要得到 2 块" in engine.check_parts(Decimal("30"), [Decimal("30")])[0]
    assert "第 2 块" in engine.check_parts(Decimal("30"), [Decimal("40"), Decimal("-10")])[0]
    assert "缺少面积" in engine.check_parts(Decimal("30"), [Decimal("30"), None])[0]


def test_merge_rules():
    assert engine.check_merge([("A", "ready", False), ("B", "ready", False)]) == []
    assert "状态相同" in engine.check_merge([("A", "ready", False), ("B", "sold", False)])[0]
    assert "重复" in engine.check_merge([("A", "ready", False), ("A", "ready", False)])[0]
    assert "B 已分割" in engine.check_merge([("A", "ready", False), ("B", "ready", True)])[0]


def test_peak_use_counts_concurrent_leases_only():
    leases = [(Decimal(600), D(2024, 1, 1), D(2024, 6, 30)), (Decimal(600), D(2024, 7, 1), None)]
    assert engine.peak_use(leases, D(2024, 1, 1), D(2024, 12, 31)) == 600  # one after the other
    assert engine.peak_use(leases + [(Decimal(100), D(2024, 6, 30), D(2024, 7, 1))], D(2024, 1, 1), None) == 700
    assert engine.peak_use(leases, D(2025, 1, 1), None) == 600
    assert engine.peak_use(leases, D(2023, 1, 1), D(2023, 12, 31)) == 0
    assert engine.in_use(leases, D(2024, 6, 30)) == 600 and engine.in_use(leases, D(2023, 6, 30)) == 0


def test_presets():
    assert engine.period_preset("month", D(2024, 2, 10)) == (D(2024, 2, 1), D(2024, 2, 29))
    assert engine.period_preset("month", D(2024, 12, 31)) == (D(2024, 12, 1), D(2024, 12, 31))
    assert engine.period_preset("quarter", D(2024, 11, 5)) == (D(2024, 10, 1), D(2024, 12, 31))
    assert engine.period_preset("quarter", D(2024, 5, 5)) == (D(2024, 4, 1), D(2024, 6, 30))
    assert engine.period_preset("half", D(2024, 11, 5)) == (D(2024, 1, 1), D(2024, 6, 30))
    assert engine.period_preset("year", D(2024, 11, 5)) == (D(2024, 1, 1), D(2024, 12, 31))
    assert engine.period_preset("bogus", D(2024, 11, 5)) is None


def test_days_to_clear_and_unit_price():
    progress = [(D(2024, 1, 16), 444, 108), (D(2024, 1, 5), 200, 50)]
    assert engine.days_to_clear(D(2024, 1, 1), progress, 444, 108) == 15
    assert engine.days_to_clear(D(2024, 1, 1), progress[1:], 444, 108) is None
    assert engine.days_to_clear(D(2024, 1, 1), [], 0, 0) is None
    assert engine.unit_price(Decimal("428.15"), Decimal("10")) == Decimal("42.82")
    assert engine.unit_price(None, Decimal("10")) is None


def test_engine_has_no_django_imports():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(engine))
    names = [a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names]
    mods = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not any("django" in (m or "") for m in names + mods)
