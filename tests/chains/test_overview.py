"""The chain summary (strength per segment, health) computed with set-based SQL, against a plain
per-firm computation of the same figures (the Python implementation it replaced, kept here as the
reference; both were checked equal before it was removed) on a fixture with every awkward case:
firms in several segments of one subtree, decisions, inactive firms, firms without figures or with
one year only, 链主 not on the chain, a second chain, another zone."""
import random
from decimal import Decimal

import pytest

from zoneops.chains import engine, services
from zoneops.chains.models import ChainLeader, ChainMapping, Segment

from ..registry import factories as reg
from . import factories

DEEP_TREE = """
name: 测试深链
segments:
- name: 原材料
  stage: up
  children:
  - name: 钢材
  - name: 铝材
- name: 零部件
  stage: mid
  children:
  - name: 制动系统
    children:
    - name: 刹车片
    - name: 制动盘
  - name: 车灯
- name: 整车
  stage: down
- name: 后市场
  stage: down
"""


def reference(chain):
    """The summary firm by firm in Python (the computation the SQL replaced)."""
    segs = services._tree_order(list(Segment.objects.filter(chain=chain)))
    by_id = {s.pk: s for s in segs}
    year = services.stats_year(chain.zone_id)
    leaders = set(ChainLeader.objects.filter(chain=chain).values_list("enterprise_id", flat=True))
    rows = [(m.segment_id, m.enterprise_id, m.enterprise.scale) for m in ChainMapping.objects.filter(
        chain=chain, source__in=services.ACTIVE_SOURCES).exclude(enterprise__status__in=services.INACTIVE)
        .select_related("enterprise")]
    figures = {}
    if year is not None:
        from zoneops.registry.models import EnterpriseYear

        for fy in EnterpriseYear.objects.filter(zone_id=chain.zone_id, year__in=[year, year - 1]):
            f = figures.setdefault(fy.enterprise_id, [0.0, 0.0, 0.0])
            if fy.year == year:
                f[0], f[2] = float(fy.revenue or 0), float(fy.tax or 0)
            else:
                f[1] = float(fy.revenue or 0)

    def count(st, e, scale):
        st.firms += 1
        st.above += scale == "above"
        st.leaders += e in leaders
        f = figures.get(e)
        if f is not None:
            st.revenue += f[0]
            st.tax += f[2]
            if f[0] and f[1]:
                st.revenue_prev += f[1]

    own = {s.pk: engine.SegmentStats() for s in segs}
    subtree = {s.pk: {} for s in segs}
    firms = {}
    for seg_id, e, scale in rows:
        firms[e] = scale
        count(own[seg_id], e, scale)
        node = by_id[seg_id]
        while node is not None:
            subtree[node.pk][e] = scale
            node = by_id.get(node.parent_id)
    rolled = {}
    for pk, members in subtree.items():
        rolled[pk] = engine.SegmentStats()
        for e, scale in members.items():
            count(rolled[pk], e, scale)
    thresholds = chain.effective_thresholds()
    stage_firms = {}
    for s in segs:
        if s.parent_id is None:
            stage_firms[s.stage] = stage_firms.get(s.stage, 0) + rolled[s.pk].firms
    has_children = {s.parent_id for s in segs}
    out = []
    for s in segs:
        score, klass = engine.strength(rolled[s.pk], thresholds)
        out.append({"segment": s.pk, "depth": s.depth, "own": own[s.pk], "stats": rolled[s.pk], "score": score,
                    "class": klass, "recommendation": engine.recommendation(klass, stage_firms.get(s.stage, 0) > 0),
                    "leaf": s.pk not in has_children})
    leaves = [r for r in out if r["leaf"]]
    covered = sum(1 for r in leaves if r["stats"].firms)
    health = {"segments": len(leaves), "covered": covered, "coverage": covered / len(leaves) if leaves else 0,
              "firms": len(firms), "leaders": len(leaders), "hhi": None, "top3": None, "leader_share": None,
              "revenue": 0}
    if year is not None:
        revenues = [figures[e][0] for e in firms if e in figures and figures[e][0] > 0]
        health["revenue"] = sum(revenues)
        if revenues:
            health["hhi"], health["top3"] = engine.concentration(revenues)
            health["leader_share"] = sum(figures[e][0] for e in leaders if e in figures and e in firms) / sum(revenues)
    return {"rows": out, "year": year, "health": health}


def assert_same(chain):
    got, want = services.compute_overview(chain), reference(chain)
    assert got["year"] == want["year"]
    assert [r["segment"].pk for r in got["rows"]] == [r["segment"] for r in want["rows"]]
    for g, w in zip(got["rows"], want["rows"]):
        name = g["segment"].name
        for key in ("own", "stats"):
            gs, ws = g[key], w[key]
            assert (gs.firms, gs.above, gs.leaders) == (ws.firms, ws.above, ws.leaders), (name, key)
            assert (gs.revenue, gs.tax, gs.revenue_prev) == pytest.approx((ws.revenue, ws.tax, ws.revenue_prev)), name
        assert (g["depth"], g["class"], g["recommendation"], g["leaf"]) == (
            w["depth"], w["class"], w["recommendation"], w["leaf"]), name
        assert g["score"] == pytest.approx(w["score"]), name
        assert g["growth"] == pytest.approx(w["stats"].growth), name
    gh, wh = got["health"], want["health"]
    assert {k: gh[k] for k in ("segments", "covered", "firms", "leaders")} == {
        k: wh[k] for k in ("segments", "covered", "firms", "leaders")}
    for k in ("coverage", "revenue", "hhi", "top3", "leader_share"):
        assert gh[k] == pytest.approx(wh[k], abs=0.051 if k == "hhi" else 1e-9), k
    return got


@pytest.fixture
def deep(zone_a, zone_b):
    rng = random.Random(42)
    chain = factories.chain(zone_a, tree=DEEP_TREE)
    other_chain = factories.chain(zone_a, name="另一条链")
    segs = list(Segment.objects.filter(chain=chain))
    firms = []
    for i in range(60):
        status = rng.choice(["active"] * 8 + ["deregistered", "moved_out"])
        ent = reg.enterprise(zone_a, i, status=status, scale=rng.choice(["above", "below"]))
        firms.append(ent)
        kind = rng.randrange(6)
        if kind in (1, 2, 3):
            reg.figures(ent, 2024, revenue=Decimal(rng.randrange(0, 90000)), tax=Decimal(rng.randrange(0, 3000)))
        if kind in (2, 4):
            reg.figures(ent, 2023, revenue=Decimal(rng.randrange(1, 90000)), tax=Decimal(rng.randrange(0, 3000)))
        if kind == 3:  # an old year only counts as nothing
            reg.figures(ent, 2021, revenue=Decimal(50000))
        if kind == 5:
            reg.figures(ent, 2024, revenue=None, tax=None)
        for seg in rng.sample(segs, rng.choice([1, 1, 1, 2, 3])):
            factories.mapping(ent, seg, source=rng.choice(["auto", "auto", "confirmed", "rejected"]))
        if i % 7 == 0:
            factories.mapping(ent, factories.segment(other_chain, "车灯"))
    for ent in firms[:3] + [firms[-1]]:
        ChainLeader.objects.create(zone=zone_a, chain=chain, enterprise=ent)
    b = reg.enterprise(zone_b, 99)
    reg.figures(b, 2025, revenue=Decimal(1))  # another zone's later year does not move ours
    return chain


def test_summary_matches_the_per_firm_computation(deep):
    got = assert_same(deep)
    # The fixture really exercises the roll-up: a firm in two sub-segments counts once above them.
    rows = {r["segment"].name: r for r in got["rows"]}
    assert rows["制动系统"]["stats"].firms < rows["刹车片"]["stats"].firms + rows["制动盘"]["stats"].firms + \
        rows["制动系统"]["own"].firms
    assert got["health"]["firms"] > 20 and got["health"]["hhi"]


def test_summary_without_figures_mappings_or_segments(zone_a):
    chain = factories.chain(zone_a, tree=DEEP_TREE)
    ov = assert_same(chain)  # no firms at all
    assert ov["year"] is None and ov["health"]["firms"] == 0
    ent = reg.enterprise(zone_a, 1)
    factories.mapping(ent, factories.segment(chain, "刹车片"))
    ov = assert_same(chain)  # a firm, no figures in the zone
    assert ov["health"]["firms"] == 1 and ov["health"]["revenue"] == 0
    reg.figures(ent, 2024, revenue=Decimal(0), tax=Decimal(0))
    assert_same(chain)  # figures, but no revenue
    Segment.objects.filter(chain=chain).delete()
    assert services.compute_overview(chain)["rows"] == []


def test_summary_is_four_queries_whatever_the_firms(deep, django_assert_num_queries):
    with django_assert_num_queries(4):  # segments, latest year, 链主, the aggregate statement
        services.compute_overview(deep)
