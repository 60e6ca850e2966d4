"""The rule engine, directly (no database)."""
import datetime

import pytest

from zoneops.redevelop import engine
from zoneops.redevelop.engine import ALL, ANY, CaseFacts, ParcelFacts, Rules, check

DAY = datetime.date(2025, 6, 30)


def facts(**kw):
    base = dict(area_mu=20.0, has_holder=True, holder_class="D", tax_per_mu=3.0, far=0.6, idle_since=None)
    base.update(kw)
    return ParcelFacts(**base)


def test_class_rule():
    rules = Rules(classes=("C", "D"))
    m = check(rules, facts(holder_class="D"))
    assert m.matched and m.reasons == ["使用企业亩均评价 D 类（规则：C、D）"]
    m = check(rules, facts(holder_class="A"))
    assert not m.matched and "A 类，不在 C、D 之列" in m.misses[0]


def test_tax_rule_is_strictly_under():
    rules = Rules(max_tax_per_mu=5.0)
    assert check(rules, facts(tax_per_mu=4.99)).matched
    m = check(rules, facts(tax_per_mu=5.0))
    assert not m.matched and "不低于 5.00" in m.misses[0]
    assert "亩均税收 4.99 万元/亩，低于 5.00" in check(rules, facts(tax_per_mu=4.99)).reasons[0]


def test_far_rule():
    rules = Rules(max_far=1.0)
    assert check(rules, facts(far=0.87)).reasons == ["容积率 0.87，低于 1.00"]
    assert not check(rules, facts(far=1.2)).matched


def test_idle_rule():
    rules = Rules(idle_before=datetime.date(2023, 6, 30))
    m = check(rules, facts(idle_since=datetime.date(2022, 1, 5), has_holder=False))
    assert m.matched and m.reasons == ["无使用企业，自 2022-01-05 起闲置（早于 2023-06-30）"]
    m = check(rules, facts(idle_since=datetime.date(2022, 1, 5), sold_not_built=True))
    assert m.reasons[0].startswith("已出让未开工")
    assert not check(rules, facts(idle_since=datetime.date(2024, 1, 1))).matched
    assert check(rules, facts(idle_since=datetime.date(2023, 6, 30))).matched  # on the date counts
    m = check(rules, facts(idle_since=None))
    assert not m.matched and m.misses == ["地块在使用中，未闲置"]


@pytest.mark.parametrize("kw, rules, miss", [
    ({"holder_class": ""}, Rules(classes=("D",)), "使用企业无亩均评价结果"),
    ({"has_holder": False, "holder_class": ""}, Rules(classes=("D",)), "无使用企业，无亩均评价等级"),
    ({"tax_per_mu": None}, Rules(max_tax_per_mu=5.0), "缺少亩均税收数据"),
    ({"far": None}, Rules(max_far=1.0), "缺少容积率数据"),
    ({"idle_known": False}, Rules(idle_before=DAY), "缺少地块状态变更日期，无法判断是否闲置"),
])
def test_missing_data_is_not_matched_with_a_reason(kw, rules, miss):
    m = check(rules, facts(**kw))
    assert not m.matched and m.misses == [miss] and m.reasons == []


def test_and_needs_every_criterion():
    rules = Rules(classes=("D",), max_far=1.0, combine=ALL)
    assert check(rules, facts(holder_class="D", far=0.5)).matched
    m = check(rules, facts(holder_class="D", far=1.5))
    assert not m.matched and m.reasons == [] and len(m.misses) == 1
    # Missing data under AND: not matched, and the missing figure is named.
    m = check(rules, facts(holder_class="D", far=None))
    assert not m.matched and "缺少容积率数据" in m.misses


def test_or_needs_one_and_lists_only_the_hits():
    rules = Rules(classes=("D",), max_far=1.0, max_tax_per_mu=5.0, combine=ANY)
    m = check(rules, facts(holder_class="A", far=0.5, tax_per_mu=None))
    assert m.matched and m.reasons == ["容积率 0.50，低于 1.00"]
    assert not check(rules, facts(holder_class="A", far=2.0, tax_per_mu=9.0)).matched


def test_zero_or_missing_area_is_never_a_candidate():
    rules = Rules(classes=("D",))
    for area in (0.0, None, -1.0):
        m = check(rules, facts(area_mu=area))
        assert not m.matched and "面积为零" in m.misses[0]


def test_minimum_area_is_a_gate_for_and_and_or():
    for combine in (ALL, ANY):
        rules = Rules(classes=("D",), min_area_mu=30.0, combine=combine)
        assert not check(rules, facts(area_mu=29.9)).matched
        assert check(rules, facts(area_mu=30.0)).matched
    assert not check(Rules(min_area_mu=5.0, include_marked=True), facts(area_mu=1.0, marked=True)).matched


def test_marked_parcels_and_empty_rules():
    assert check(Rules(), facts(marked=True)).reasons == ["地块已标记为“低效”"]
    assert not check(Rules(include_marked=False), facts(marked=True)).matched
    m = check(Rules(), facts())
    assert not m.matched and m.misses == ["未设置任何识别条件"]


def test_parse_classes_and_months_before():
    assert engine.parse_classes(" c，D；d 、B") == ("C", "D", "B")
    assert engine.parse_classes("") == ()
    assert engine.months_before(datetime.date(2025, 3, 31), 1) == datetime.date(2025, 2, 28)
    assert engine.months_before(datetime.date(2024, 3, 31), 1) == datetime.date(2024, 2, 29)
    assert engine.months_before(datetime.date(2025, 1, 15), 13) == datetime.date(2023, 12, 15)


def test_totals_are_area_weighted_by_hand():
    cases = [CaseFacts(area_mu=100, far_before=0.8, far_after=3.0, tax_before=5, tax_after=30, investment=1000,
                       freed_m2=2000, new_m2=50000),
             CaseFacts(area_mu=10, far_before=1.9, far_after=1.9, tax_before=None, tax_after=None, investment=None,
                       freed_m2=None, new_m2=None)]
    t = engine.totals(cases)
    assert t["cases"] == 2 and t["area_mu"] == 110
    # (0.8*100 + 1.9*10) / 110 = 99/110 = 0.9;  (3.0*100 + 1.9*10) / 110 = 319/110 = 2.9
    assert t["far_before"] == pytest.approx(0.9) and t["far_after"] == pytest.approx(2.9)
    # Tax only over the case that has it: 5 and 30 over 100 亩.
    assert t["tax_before"] == pytest.approx(5) and t["tax_after"] == pytest.approx(30)
    assert t["tax_before_area"] == 100 and t["investment"] == 1000 and t["new_m2"] == 50000
    empty = engine.totals([])
    assert empty["cases"] == 0 and empty["far_before"] is None


def test_weighted_mean_skips_zero_area_and_missing():
    assert engine.weighted_mean([(1.0, 0), (None, 5), (2.0, 10)]) == 2.0
    assert engine.weighted_mean([]) is None
