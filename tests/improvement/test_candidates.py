"""The 低效用地 candidate list against hand-made evaluation results."""
import pytest
from django.urls import reverse

from zoneops.evaluation import services as eval_services

from ..core.viewtests import parse_table, read_export
from ..registry import factories
from . import helpers

pytestmark = pytest.mark.django_db
URL = "/improvement/candidates/"


@pytest.fixture
def world(zone_a, zone_b):
    """Zone A: an old run and the run that counts (2024, published); firms of every kind."""
    old = helpers.run(zone_a, 2023, state="final")
    run = helpers.run(zone_a, 2024, state="published")
    helpers.run(zone_a, 2024, state="computed")           # newer but not published: not the one that counts
    helpers.run(zone_a, 2025, state="computed", status="failed")  # not finished: ignored
    f = {}

    def firm(key, i, parcels=(), **res):
        ent = factories.enterprise(zone_a, i, name=f"甲区{key}有限公司")
        for n, area in enumerate(parcels):
            factories.parcel(zone_a, f"{key}-{n}", holder=ent, area=area)
        factories.figures(ent, 2024, tax=res.pop("tax", 100))
        f[key] = ent
        if res.pop("skip", False):
            return ent
        helpers.result(run, ent, **res)
        return ent

    firm("D有地", 1, parcels=("12", "8"), cls="D", total=30.0, land=20.0, tax=200)
    firm("D无地块有认定", 2, cls="D", total=35.0, land=6.0)
    firm("D无地", 3, cls="D", total=20.0, land=0.0)
    firm("C低分", 4, parcels=("5",), cls="C", total=44.0, land=5.0)
    firm("C高分", 5, parcels=("50",), cls="C", total=70.0, land=50.0)
    firm("B类", 6, parcels=("30",), cls="B", total=90.0, land=30.0)
    firm("免评", 7, parcels=("9",), cls="", total=None, land=9.0, exempt=True, class_code="")
    firm("调档出D", 8, parcels=("7",), cls="C", class_code="D", total=33.0, land=7.0)
    firm("调档入D", 9, parcels=("3",), cls="D", class_code="C", total=55.0, land=3.0)
    # Last year's D that is B this year: not a candidate.
    ent = firm("去年D", 10, parcels=("40",), cls="B", total=80.0, land=40.0)
    helpers.result(old, ent, cls="D", total=10.0, land=40.0)
    # Zone B: a D firm with land, never shown to zone A users (and the other way round).
    run_b = helpers.run(zone_b, 2024)
    ent_b = factories.enterprise(zone_b, 1, name="乙区D类有限公司")
    factories.parcel(zone_b, "B-1", holder=ent_b, area="15")
    helpers.result(run_b, ent_b, cls="D", total=10.0, land=15.0)
    f["run"], f["old"], f["ent_b"] = run, old, ent_b
    return f


def names(client, params=None):
    r = client.get(URL, params or {})
    assert r.status_code == 200
    return [row[1] for row in parse_table(r.content.decode())[1] if len(row) > 1], r


def test_default_is_class_d_holding_land(client_a, world):
    shown, r = names(client_a)
    # D (final class, after 调档) with land from parcels or the evaluated land; sorted by score.
    assert shown == ["甲区D有地有限公司", "甲区D无地块有认定有限公司", "甲区调档入D有限公司"]
    assert r.context["totals"] == {"firms": 3, "land": 20.0 + 6.0 + 3.0}
    html = r.content.decode()
    assert "乙区" not in html


def test_land_and_tax_per_mu(client_a, world):
    _, r = names(client_a)
    row = next(x for x in r.context["rows"] if x.enterprise.name == "甲区D有地有限公司")
    assert row.land == 20.0                      # parcels 12 + 8
    assert row.tax == 200.0
    assert row.shown_tax_per_mu == pytest.approx(10.0)   # 200 万元 / 20 亩 evaluated land
    assert row.plan_id is None


def test_threshold_and_classes(client_a, world):
    shown, _ = names(client_a, {"below": "45"})
    assert sorted(shown) == sorted(["甲区D有地有限公司", "甲区D无地块有认定有限公司", "甲区C低分有限公司",
                                    "甲区调档出D有限公司"])
    shown, _ = names(client_a, {"classes": ["C", "D"]})
    assert "甲区C高分有限公司" in shown and "甲区B类有限公司" not in shown and "甲区免评有限公司" not in shown
    shown, _ = names(client_a, {"classes": ["D"], "min_land": "10"})
    assert shown == ["甲区D有地有限公司"]
    shown, _ = names(client_a, {"classes": ["D"], "q": "认定"})
    assert shown == ["甲区D无地块有认定有限公司"]


def test_year_filter_uses_that_years_run(client_a, world):
    shown, r = names(client_a, {"year": "2023"})
    assert shown == ["甲区去年D有限公司"]
    assert [y for y, _ in r.context["form"].fields["year"].choices][1:] == [2024, 2023]


def test_plan_column_and_filter(client_a, world, staff_a):
    plan = helpers.plan(world["D有地"], owner=staff_a)
    helpers.plan(world["调档入D"], owner=staff_a, status="stopped", stop_reason="企业已搬迁")
    _, r = names(client_a)
    rows = {x.enterprise.name: x for x in r.context["rows"]}
    assert rows["甲区D有地有限公司"].plan_id == plan.pk
    assert rows["甲区调档入D有限公司"].plan_id is None       # a stopped plan does not count
    html = r.content.decode()
    assert reverse("improvement:improvementplan_detail", args=[plan.pk]) in html
    assert f"/improvement/plans/add/?enterprise={world['D无地块有认定'].pk}" in html
    assert names(client_a, {"has_plan": "1", "classes": ["D"]})[0] == ["甲区D有地有限公司"]
    assert "甲区D有地有限公司" not in names(client_a, {"has_plan": "0", "classes": ["D"]})[0]


def test_matches_latest_classes(client_a, world, zone_a):
    """The run and class used here are the ones the evaluation app says count."""
    counts = eval_services.latest_classes([zone_a.pk])
    d_firms = {e for e, info in counts.items() if info.class_code == "D"}
    _, r = names(client_a, {"classes": ["D"]})
    shown = {x.enterprise_id for x in r.context["rows"]}
    assert shown == d_firms - {world["D无地"].pk}
    assert {x.run_id for x in r.context["rows"]} == {counts[next(iter(shown))].run_id}


def test_export(client_a, world):
    headers, rows = read_export(client_a.get(URL, {"export": "xlsx"}), "xlsx")
    assert headers[:3] == ["序号", "企业名称", "统一社会信用代码"]
    assert [r[1] for r in rows] == ["甲区D有地有限公司", "甲区D无地块有认定有限公司", "甲区调档入D有限公司"]
    assert rows[0][0] == 1 and rows[0][5] == "D" and rows[0][7] == 20
    headers, rows = read_export(client_a.get(URL, {"export": "csv", "below": "45"}), "csv")
    assert len(rows) == 4


def test_zone_b_sees_only_its_own(client_b, world, zone_a):
    shown, r = names(client_b)
    assert shown == ["乙区D类有限公司"]
    assert names(client_b, {"zone": zone_a.pk})[0] == []     # another zone is not a valid choice
    text = client_b.get(URL, {"export": "csv"}).content.decode("utf-8-sig")
    assert "甲区" not in text and "乙区D类有限公司" in text


def test_province_sees_both_zones(client, province, world):
    client.force_login(province)
    shown, _ = names(client)
    assert "乙区D类有限公司" in shown and "甲区D有地有限公司" in shown


def test_invalid_filter_shows_nothing_and_chinese(client_a, world):
    r = client_a.get(URL, {"below": "abc"})
    assert r.status_code == 200
    assert "请输入数字" in r.content.decode()
    assert r.context["totals"]["firms"] == 0


def test_without_runs(client_a, zone_a):
    r = client_a.get(URL)
    assert r.status_code == 200 and "尚无已完成的亩均评价" in r.content.decode()


def test_query_count_does_not_grow(client_a, zone_a, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get(URL, {"classes": ["C", "D"]}).status_code == 200
        return len(ctx)

    few = count()
    for i in range(30):
        ent = factories.enterprise(zone_a, 100 + i, name=f"甲区批量{i}有限公司")
        factories.parcel(zone_a, f"BULK-{i}", holder=ent, area="4")
        factories.figures(ent, 2024)
        helpers.result(world["run"], ent, cls="D", total=10.0 + i, land=4.0)
        if i % 2:
            helpers.plan(ent)
    with django_assert_max_num_queries(12):
        many = count()
    assert many == few, (few, many)
