"""Golden and rule tests of the evaluation engine (pure Polars, no database)."""
import dataclasses

import polars as pl
import pytest

from zoneops.evaluation.engine import EvaluationError, evaluate
from zoneops.evaluation.ruleset import (
    Adjustment,
    Benchmark,
    Classification,
    GroupRules,
    Item,
    Ruleset,
    Scope,
    load_preset,
)

from .engine_helpers import figures, row

approx = lambda x: pytest.approx(x, rel=1e-12, abs=1e-12)


def huangyan_firms():
    return figures([
        # 规上
        dict(key=1, land_mu=10, tax=300, value_added=1500, energy_tce=500, emissions_t=0.5, employees=75,
             revenue=5000, rd_expense=151),
        dict(key=2, land_mu=20, tax=240, value_added=2000, energy_tce=1000, emissions_t=None, employees=100,
             revenue=4000, rd_expense=None),
        dict(key=3, land_mu=5, tax=50, value_added=300, energy_tce=200, emissions_t=0.2, employees=30,
             revenue=1000, rd_expense=10),
        dict(key=4, land_mu=0, tax=50, value_added=300, energy_tce=200, emissions_t=0.2, employees=30,
             revenue=1000, rd_expense=10),
        dict(key=5, producing=False, land_mu=10, tax=1, value_added=1, energy_tce=1, emissions_t=1, employees=1,
             revenue=1, rd_expense=0),
        # 规下
        dict(key=11, scale="below", land_mu=4, tax=40, power_mwh=100),
        dict(key=12, scale="below", land_mu=2, tax=10, power_mwh=50),
    ])


def test_huangyan_golden():
    ev = evaluate(huangyan_firms(), load_preset("huangyan_2022"))
    f = ev.frame
    # firm 1: 亩均税收 300/10 = 30, 亩均增加值 1500/10 = 150, 单位能耗增加值 1500/500 = 3,
    # 单位排放增加值 1500/0.5 = 3000, 劳动生产率 1500/75 = 20, R&D 151/5000 = 0.0302
    s1 = {"tax_per_mu": 30 / 24.097 * 30, "va_per_mu": 150 / 136.16 * 20, "va_per_energy": 3 / 2.694 * 20,
          "va_per_emission": 3000 / 4929.81 * 10, "labour_productivity": 20 / 18.14 * 10,
          "rd_intensity": 0.0302 / 0.0302 * 10}
    # firm 3: 50/5 = 10, 300/5 = 60, 300/200 = 1.5, 300/0.2 = 1500, 300/30 = 10, 10/1000 = 0.01
    s3 = {"tax_per_mu": 10 / 24.097 * 30, "va_per_mu": 60 / 136.16 * 20, "va_per_energy": 1.5 / 2.694 * 20,
          "va_per_emission": 1500 / 4929.81 * 10, "labour_productivity": 10 / 18.14 * 10,
          "rd_intensity": 0.01 / 0.0302 * 10}
    # firm 2 has no emission figure: the 规上 average item score of the firms that have one (1 and 3);
    # no R&D figure: 0 (policy zero). 240/20 = 12, 2000/20 = 100, 2000/1000 = 2, 2000/100 = 20
    avg_emission = (3000 / 4929.81 * 10 + 1500 / 4929.81 * 10) / 2
    s2 = {"tax_per_mu": 12 / 24.097 * 30, "va_per_mu": 100 / 136.16 * 20, "va_per_energy": 2 / 2.694 * 20,
          "va_per_emission": avg_emission, "labour_productivity": 20 / 18.14 * 10, "rd_intensity": 0.0}
    for key, expected in ((1, s1), (2, s2), (3, s3)):
        r = row(f, key)
        assert r["included"] and r["group"] == "above"
        for code, score in expected.items():
            assert r[f"s_{code}"] == approx(score), (key, code)
        assert r["total"] == approx(sum(expected.values()))
    r2 = row(f, 2)
    assert r2["v_va_per_emission"] is None
    assert r2["n_va_per_emission"] == "缺失（主要污染物排放量缺失），按组平均得分"
    assert r2["n_rd_intensity"] == "缺失（R&D经费支出缺失），计 0 分"
    assert ev.group_averages["above"]["va_per_emission"] == approx(avg_emission)
    assert row(f, 1)["v_rd_intensity"] == approx(0.0302)
    # totals: 1 ≈ 112.0, 2 ≈ 70.3, 3 ≈ 41.7 → ranks 1, 2, 3 of 3; percentiles 33.3, 66.7, 100 → B, B, D
    assert [row(f, k)["rank"] for k in (1, 2, 3)] == [1, 2, 3]
    assert [row(f, k)["class_code"] for k in (1, 2, 3)] == ["B", "B", "D"]
    assert row(f, 1)["percentile"] == approx(100 / 3)
    # zero land and not producing: out, with the reason
    r4, r5 = row(f, 4), row(f, 5)
    assert not r4["included"] and r4["exclusion_reason"] == "亩均税收无法计算（用地面积为 0），不参评"
    assert r4["total"] is None and r4["rank"] is None and r4["class_code"] is None
    assert not r5["included"] and r5["exclusion_reason"] == "尚未投产"
    # 规下: 40/4 = 10 万元/亩, 40/100 = 0.4; 10/2 = 5, 10/50 = 0.2
    assert row(f, 11)["total"] == approx(10 / 11.5932 * 50 + 0.4 / 0.2352 * 50)
    assert row(f, 12)["total"] == approx(5 / 11.5932 * 50 + 0.2 / 0.2352 * 50)
    assert row(f, 11)["group_size"] == 2 and row(f, 12)["class_code"] == "D"
    assert ev.benchmarks["above"]["tax_per_mu"] == 24.097
    assert ev.cut_scores["above"] == {"B": approx(row(f, 2)["total"]), "D": approx(row(f, 3)["total"])}


def test_what_if_and_drag():
    ev = evaluate(huangyan_firms(), load_preset("huangyan_2022"))
    r3, r2 = row(ev.frame, 3), row(ev.frame, 2)
    # firm 3 (D) needs the lowest B total, firm 2's
    assert r3["next_class"] == "B"
    assert r3["gap_score"] == approx(r2["total"] - r3["total"])
    # holding the other items fixed: tax item score must rise by the gap; value = score × 24.097 / 30
    assert r3["need_tax_per_mu"] == approx((r3["s_tax_per_mu"] + r3["gap_score"]) * 24.097 / 30)
    assert r3["need_va_per_mu"] == approx((r3["s_va_per_mu"] + r3["gap_score"]) * 136.16 / 20)
    assert r3["what_if_note"] is None
    # firms in the best class present (B here, no A) have no next class
    assert row(ev.frame, 1)["next_class"] is None and row(ev.frame, 1)["gap_score"] is None
    # drag: largest weight − score first; firm 2: R&D 10 − 0 = 10 short, 亩均税收 30 − 14.94 = 15.06
    assert r2["drag"][:2] == ["tax_per_mu", "rd_intensity"]
    # firm 1 falls short only on emission (10 − 6.09); R&D is exactly at its weight
    assert row(ev.frame, 1)["drag"] == ["va_per_emission"]
    # 规下 has no 亩均增加值: null with the reason
    r12 = row(ev.frame, 12)
    assert r12["need_va_per_mu"] is None and r12["what_if_note"] == "本组不评价亩均增加值"


def test_what_if_reaches_the_class():
    """Raising firm 3's tax to the needed value moves it to the next class (benchmarks are fixed)."""
    ruleset = load_preset("huangyan_2022")
    f = huangyan_firms()
    r3 = row(evaluate(f, ruleset).frame, 3)
    new_tax = r3["need_tax_per_mu"] * 5 * (1 + 1e-12)
    again = evaluate(f.with_columns(tax=pl.when(pl.col("key") == 3).then(new_tax).otherwise(pl.col("tax"))),
                     ruleset)
    assert row(again.frame, 3)["class_code"] == r3["next_class"]


def small_ruleset(*, method="percentile", classes=("A", "B", "C", "D"), cuts=(25, 70, 95), cap=None,
                  missing="exclude", benchmark=Benchmark("fixed", 10.0), scope=Scope(), min_land=None,
                  lessee=False, adjustments=()):
    items = (Item("tax_per_mu", 100.0, benchmark, cap=cap, missing=missing),)
    cl = Classification(method, tuple(classes), tuple(cuts))
    groups = [GroupRules("above", "规上", items, cl), GroupRules("below", "规下", items, cl, min_land_mu=min_land)]
    if lessee:
        groups.append(GroupRules("lessee", "租赁", items, cl))
    return Ruleset(name="t", title="测试", year=2024, groups=tuple(groups), scope=scope,
                   adjustments=tuple(adjustments))


def tax_firms(taxes, scale="above", start=1, **extra):
    return [dict(key=start + i, scale=scale, land_mu=1, tax=t, **extra) for i, t in enumerate(taxes)]


def test_percentile_classes_with_ties():
    # 8 firms; tax per mu 80, 70, 70, 60, 50, 50, 50, 10 → ranks 1, 2, 2, 4, 5, 5, 5, 8
    f = figures(tax_firms([80, 70, 70, 60, 50, 50, 50, 10]))
    out = evaluate(f, small_ruleset()).frame.sort("key")
    assert out["rank"].to_list() == [1, 2, 2, 4, 5, 5, 5, 8]
    # percentile = rank / 8 × 100: 12.5, 25, 25, 50, 62.5 ×3, 100 → A A A B B B B D
    assert out["percentile"].to_list() == [12.5, 25.0, 25.0, 50.0, 62.5, 62.5, 62.5, 100.0]
    assert out["class_code"].to_list() == ["A", "A", "A", "B", "B", "B", "B", "D"]
    assert out["group_size"].to_list() == [8] * 8
    # tied firms always get the same class, whatever the input order
    again = evaluate(f.reverse(), small_ruleset()).frame.sort("key")
    assert again.equals(out)


def test_threshold_classes():
    f = figures(tax_firms([9.5, 9.0, 7.0, 6.99, 3, 0]))  # scores = tax per mu × 10
    rs = small_ruleset(method="threshold", cuts=(90, 70, 50))
    out = evaluate(f, rs).frame.sort("key")
    assert out["class_code"].to_list() == ["A", "A", "B", "C", "D", "D"]
    r4 = row(out, 4)
    assert r4["next_class"] == "B" and r4["gap_score"] == approx(70 - 69.9)
    assert r4["need_tax_per_mu"] == approx(7.0)


def test_threshold_without_d_is_not_a_quota():
    out = evaluate(figures(tax_firms([9, 8, 7.5])), small_ruleset(method="threshold", cuts=(90, 70, 50))).frame
    assert set(out["class_code"]) == {"A", "B"}


def test_zero_and_missing_denominators():
    f = figures([dict(key=1, land_mu=0, tax=10), dict(key=2, land_mu=None, tax=10), dict(key=3, land_mu=-1, tax=1),
                 dict(key=4, land_mu=2, tax=None), dict(key=5, land_mu=1, tax=5)])
    out = evaluate(f, small_ruleset()).frame
    reasons = dict(zip(out["key"], out["exclusion_reason"]))
    assert reasons == {1: "亩均税收无法计算（用地面积为 0），不参评", 2: "亩均税收无法计算（用地面积缺失），不参评",
                       3: "亩均税收无法计算（用地面积为负数），不参评", 4: "亩均税收无法计算（评价税收缺失），不参评",
                       5: None}
    # policy zero instead of exclude: scored 0 with the note
    out = evaluate(f, small_ruleset(missing="zero")).frame
    assert row(out, 1)["included"] and row(out, 1)["total"] == 0.0
    assert row(out, 1)["n_tax_per_mu"] == "缺失（用地面积为 0），计 0 分"
    assert row(out, 3)["included"]  # negative land is not a value, like zero


def test_nan_and_infinity_are_missing():
    f = figures([dict(key=1, land_mu=float("nan"), tax=1), dict(key=2, land_mu=1, tax=float("inf")),
                 dict(key=3, land_mu=1, tax=1)])
    out = evaluate(f, small_ruleset()).frame
    assert out["included"].to_list() == [False, False, True]


def test_overflowing_ratio_is_missing_not_infinite():
    """A denominator so small that the ratio overflows (hypothesis generates 5e-324) is not a value."""
    f = figures([dict(key=1, land_mu=5e-324, tax=10), dict(key=2, land_mu=1, tax=1)])
    out = evaluate(f, small_ruleset()).frame
    assert row(out, 1)["exclusion_reason"] == "亩均税收无法计算（用地面积过小，比值溢出），不参评"
    out = evaluate(f, small_ruleset(missing="zero")).frame
    assert row(out, 1)["total"] == 0.0 and row(out, 1)["n_tax_per_mu"] == "缺失（用地面积过小，比值溢出），计 0 分"


def test_group_average_policy_and_computed_benchmarks():
    f = figures([dict(key=1, land_mu=1, tax=10), dict(key=2, land_mu=1, tax=30), dict(key=3, land_mu=0, tax=5),
                 dict(key=4, land_mu=1, tax=50, exempt_reason="公用事业")])
    ev = evaluate(f, small_ruleset(missing="group_average", benchmark=Benchmark("mean")))
    # the mean benchmark is over included, non-exempt firms with a value: (10 + 30) / 2 = 20
    assert ev.benchmarks["above"]["tax_per_mu"] == 20.0
    assert row(ev.frame, 1)["s_tax_per_mu"] == approx(10 / 20 * 100)
    # firm 3: the group's mean item score (50 + 150) / 2 = 100
    assert row(ev.frame, 3)["s_tax_per_mu"] == approx(100.0)
    assert row(ev.frame, 3)["n_tax_per_mu"] == "缺失（用地面积为 0），按组平均得分"
    med = evaluate(figures(tax_firms([1, 2, 9])), small_ruleset(benchmark=Benchmark("median")))
    assert med.benchmarks["above"]["tax_per_mu"] == 2.0


def test_benchmark_that_cannot_be_computed():
    f = figures([dict(key=1, land_mu=1, tax=0), dict(key=2, land_mu=1, tax=0)])
    ev = evaluate(f, small_ruleset(benchmark=Benchmark("mean")))
    assert ev.benchmarks["above"]["tax_per_mu"] is None
    assert row(ev.frame, 1)["total"] == 0.0 and row(ev.frame, 1)["n_tax_per_mu"] == "基准值无法计算，计 0 分"


def test_cap():
    f = figures(tax_firms([50, 11, 5]))
    out = evaluate(f, small_ruleset(cap=1.2)).frame  # at most 120 points
    assert row(out, 1)["s_tax_per_mu"] == 120.0 and row(out, 1)["n_tax_per_mu"] == "超过上限，按 120 分封顶"
    assert row(out, 2)["s_tax_per_mu"] == approx(110.0) and row(out, 2)["n_tax_per_mu"] is None
    # firm 3 (D) needs 110 points (the lowest B total), below the cap: 11 万元/亩
    r3 = row(out, 3)
    assert r3["next_class"] == "B" and r3["need_tax_per_mu"] == approx(11.0)
    out = evaluate(figures(tax_firms([50, 30, 5])), small_ruleset(cap=1.2, method="threshold", cuts=(130, 70, 50))).frame
    r = row(out, 1)
    assert r["class_code"] == "B" and r["next_class"] == "A" and r["need_tax_per_mu"] is None
    assert r["what_if_note"] == "亩均税收单项封顶 120 分，仅提高此项无法升档；本组不评价亩均增加值"


def test_exemptions_scored_without_rank_or_class():
    f = figures(tax_firms([10, 5, 1]) + [dict(key=9, land_mu=1, tax=100, exempt_reason="在建项目")])
    out = evaluate(f, small_ruleset()).frame
    r9 = row(out, 9)
    assert r9["included"] and r9["exempt"] and r9["exemption_reason"] == "在建项目"
    assert r9["total"] == approx(1000.0)
    assert r9["rank"] is None and r9["class_code"] is None and r9["next_class"] is None
    assert row(out, 1)["rank"] == 1 and row(out, 1)["group_size"] == 3


def test_merge_shared_parcel():
    f = figures([dict(key=7, land_mu=2, tax=10, merge_key="P1"), dict(key=3, land_mu=3, tax=40, merge_key="P1"),
                 dict(key=5, land_mu=5, tax=10, scale="below", merge_key="P1"), dict(key=1, land_mu=1, tax=1)])
    out = evaluate(f, small_ruleset()).frame
    assert out["key"].to_list() == [1, 3, 5, 7]
    unit = out.filter(pl.col("key") != 1)
    assert set(unit["unit_key"]) == {3}
    # one unit: (10 + 40 + 10) / (2 + 3 + 5) = 6 万元/亩, 规上 because one member is
    assert set(unit["v_tax_per_mu"]) == {6.0} and set(unit["group"]) == {"above"}
    assert row(out, 1)["group_size"] == 2 and set(unit["rank"]) == {1}
    no_merge = evaluate(f, small_ruleset(scope=Scope(merge_shared=False))).frame
    assert no_merge["unit_key"].to_list() == [1, 3, 5, 7]


def test_adjustments():
    adj = [Adjustment("hi", "高新技术企业", 3.0, 3.0), Adjustment("acc", "安全事故", -5.0, 8.0),
           Adjustment("p", "专利", 1.0)]
    rs = small_ruleset(adjustments=adj)
    f = figures(tax_firms([5, 5, 5]))
    a = pl.DataFrame({"key": [1, 1, 2, 2, 3, 99], "code": ["hi", "hi", "acc", "acc", "p", "p"],
                      "reason": ["高新", "复评", "6月", "9月", None, None]})
    out = evaluate(f, rs, adjustments=a).frame
    # 1: 3 + 3 capped at 3; 2: −5 − 5 capped at −8; 3: +1; key 99 is not evaluated: ignored
    assert out.sort("key")["adjust_points"].to_list() == [3.0, -8.0, 1.0]
    assert row(out, 1)["total"] == approx(53.0) and row(out, 2)["total"] == approx(42.0)
    assert row(out, 2)["adjust_notes"] == "安全事故：6月，9月（-8 分）"
    assert row(out, 3)["adjust_notes"] == "专利（+1 分）"
    with pytest.raises(EvaluationError, match="加减分项不在本规则中：zz"):
        evaluate(f, rs, adjustments=pl.DataFrame({"key": [1], "code": ["zz"], "reason": ["x"]}))


def test_lessee_group_and_min_land():
    f = figures(tax_firms([5, 4], scale="below", start=1, is_lessee=True)
                + [dict(key=10, scale="below", land_mu=2.9, tax=100), dict(key=11, scale="below", land_mu=3, tax=30),
                   dict(key=12, scale="below", land_mu=None, tax=30)])
    rs = small_ruleset(scope=Scope(lessees_separate=True), min_land=3, lessee=True)
    out = evaluate(f, rs).frame
    assert row(out, 1)["group"] == "lessee" and row(out, 1)["group_size"] == 2 and row(out, 2)["rank"] == 2
    assert row(out, 10)["exclusion_reason"] == "用地面积不足 3 亩"
    assert row(out, 12)["exclusion_reason"] == "用地面积不足 3 亩"
    assert row(out, 11)["group"] == "below" and row(out, 11)["rank"] == 1 and row(out, 11)["group_size"] == 1
    # lessee list without a lessee group: out with the reason
    no_group = small_ruleset(scope=Scope(lessees_separate=True))
    assert row(evaluate(f, no_group).frame, 1)["exclusion_reason"] == "本规则未设租赁企业组"
    # lessees not separate: in their scale group
    assert row(evaluate(f, small_ruleset()).frame, 1)["group"] == "below"


def test_group_missing_from_ruleset():
    rs = small_ruleset()
    rs = dataclasses.replace(rs, groups=rs.groups[:1])
    out = evaluate(figures(tax_firms([1], scale="below")), rs).frame
    assert row(out, 1)["exclusion_reason"] == "本规则未设规下企业组"


def test_input_errors():
    rs = small_ruleset()
    with pytest.raises(EvaluationError, match="缺少列"):
        evaluate(pl.DataFrame({"key": [1]}), rs)
    with pytest.raises(EvaluationError, match="key 重复"):
        evaluate(figures(tax_firms([1, 2])).with_columns(key=pl.lit(1, pl.Int64)), rs)
    with pytest.raises(EvaluationError, match="scale"):
        evaluate(figures(tax_firms([1], scale="huge")), rs)


def test_empty_input():
    ev = evaluate(figures([]), load_preset("huangyan_2022"))
    assert ev.frame.height == 0 and ev.cut_scores == {"above": {}, "below": {}}


def test_without_explanations():
    out = evaluate(huangyan_firms(), load_preset("huangyan_2022"), explain=False).frame
    assert out["next_class"].null_count() == out.height and out["total"].null_count() == 2


def test_duplicate_keys_found_in_any_order():
    rs = small_ruleset()
    with pytest.raises(EvaluationError, match="key 重复（如 3）"):
        evaluate(figures(tax_firms([5, 1, 2])).with_columns(key=pl.Series([3, 1, 3])), rs)


THREADS_SCRIPT = """
import hashlib, sys
import numpy as np, polars as pl
from zoneops.evaluation.engine import evaluate
from zoneops.evaluation.ruleset import load_preset
rng = np.random.default_rng(5)
n = 3000
fig = pl.DataFrame({"key": np.arange(1, n + 1), "scale": np.where(rng.random(n) < 0.4, "above", "below"),
                    **{c: rng.lognormal(3, 2, n) for c in ("land_mu", "tax", "value_added", "revenue", "energy_tce",
                                                           "emissions_t", "employees", "rd_expense", "power_mwh")}})
out = evaluate(fig, load_preset("huangyan_2022")).frame
sys.stdout.write(hashlib.sha256(out.select("total", "rank", "class_code", "gap_score").write_csv(
    float_precision=None).encode()).hexdigest())
"""


def test_same_results_whatever_the_thread_count():
    # the total must be a fixed order of additions: Polars' sum_horizontal reduces columns in
    # parallel with a grouping that depends on threads and work stealing (last-bit differences,
    # so flaky ties under load); the pool size is fixed at import, hence subprocesses
    import os
    import subprocess
    import sys

    from zoneops.evaluation import engine as engine_module

    def run(threads):
        src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(engine_module.__file__))))
        env = dict(os.environ, POLARS_MAX_THREADS=str(threads), PYTHONPATH=src)
        return subprocess.run([sys.executable, "-c", THREADS_SCRIPT], env=env, capture_output=True, text=True,
                              check=True).stdout

    assert run(1) == run(3)
