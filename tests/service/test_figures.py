"""服务统计 on a hand-made fixture: every figure worked out by hand, on SQLite (a few GROUP BY
queries) and on PostgreSQL (one GROUPING SETS statement); a bounded number of queries."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from zoneops.service import figures
from zoneops.service.models import Department

from .conftest import category, problem

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat
TODAY = D("2024-07-01")
FIELDS = ["received", "closed", "close_rate", "answered", "on_time", "on_time_rate", "median_days", "rated",
          "satisfied", "satisfaction", "open", "overdue"]


def figs(received, closed, close_rate, answered, on_time, on_time_rate, median, rated, satisfied, satisfaction,
         open_, overdue):
    return dict(zip(FIELDS, [received, closed, close_rate, answered, on_time, on_time_rate, median, rated,
                             satisfied, satisfaction, open_, overdue]))


@pytest.fixture
def fixture(zone_a, zone_b):
    land, money = category(zone_a, "用地"), category(zone_a, "融资")
    a = Department.objects.create(zone=zone_a, name="自然资源和规划局")
    b = Department.objects.create(zone=zone_a, name="人社局")
    u1 = make_user("officer_1", first_name="张专员")
    u2 = make_user("officer_2")

    def add(i, cat, dept, officer, received, state, **kw):
        return problem(zone_a, i, category=cat, department=dept, officer=officer, received_on=D(received),
                       state=state, **kw)

    add(1, land, a, u1, "2024-01-10", "closed", on_time=True, days_to_close=5, rating="satisfied")
    add(2, land, a, u1, "2024-01-20", "closed", on_time=False, days_to_close=12, rating="basically")
    add(3, money, a, None, "2024-02-05", "closed", on_time=True, days_to_close=8)
    # Answered late, rated 不满意 and reopened: overdue again.
    add(4, money, b, u2, "2024-02-10", "in_progress", on_time=False, rating="unsatisfied",
        deadline=D("2024-06-01"))
    add(5, land, b, u2, "2024-03-01", "assigned", deadline=D("2024-08-01"))
    add(6, money, None, u1, "2024-03-15", "received")
    add(7, land, b, u2, "2024-03-20", "answered", on_time=True, deadline=D("2024-05-01"))
    add(8, land, b, u2, "2024-03-25", "closed", on_time=True, days_to_close=3, rating="satisfied")
    # Not counted: another year, another zone.
    add(9, land, a, u1, "2023-12-31", "closed", on_time=False, days_to_close=40, rating="satisfied")
    problem(zone_b, 10, category=category(zone_b, "用地"), received_on=D("2024-03-01"), state="closed",
            days_to_close=1, on_time=True)


def by_name(rows):
    return {r["name"]: {k: r[k] for k in FIELDS} for r in rows}


def test_every_figure(fixture, zone_a):
    data = figures.compute(zone_a, 2024, TODAY)
    assert {k: data["total"][k] for k in FIELDS} == figs(8, 4, 50.0, 6, 4, 66.7, 6.5, 4, 3, 75.0, 4, 1)
    g = data["groups"]
    assert by_name(g["department"]) == {
        "自然资源和规划局": figs(3, 3, 100.0, 3, 2, 66.7, 8.0, 2, 2, 100.0, 0, 0),
        "人社局": figs(4, 1, 25.0, 3, 2, 66.7, 3.0, 2, 1, 50.0, 3, 1),
        "未交办": figs(1, 0, 0.0, 0, 0, None, None, 0, 0, None, 1, 0)}
    assert by_name(g["category"]) == {
        "用地": figs(5, 3, 60.0, 4, 3, 75.0, 5.0, 3, 3, 100.0, 2, 0),
        "融资": figs(3, 1, 33.3, 2, 1, 50.0, 8.0, 1, 0, 0.0, 2, 1)}
    assert by_name(g["officer"]) == {
        "张专员": figs(3, 2, 66.7, 2, 1, 50.0, 8.5, 2, 2, 100.0, 1, 0),
        "officer_2": figs(4, 1, 25.0, 3, 2, 66.7, 3.0, 2, 1, 50.0, 3, 1),
        "未指定": figs(1, 1, 100.0, 1, 1, 100.0, 8.0, 0, 0, None, 0, 0)}
    assert [r["name"] for r in g["month"]] == ["2024-01", "2024-02", "2024-03"]
    assert by_name(g["month"]) == {
        "2024-01": figs(2, 2, 100.0, 2, 1, 50.0, 8.5, 2, 2, 100.0, 0, 0),
        "2024-02": figs(2, 1, 50.0, 2, 1, 50.0, 8.0, 1, 0, 0.0, 1, 1),
        "2024-03": figs(4, 1, 25.0, 2, 2, 100.0, 3.0, 1, 1, 100.0, 3, 0)}
    # Named groups in the database's name order, the "none" group where the database puts NULLs.
    null_last = connection.features.nulls_order_largest
    for key, missing in (("department", "未交办"), ("officer", "未指定")):
        names = [r["name"] for r in g[key]]
        assert names.index(missing) == (len(names) - 1 if null_last else 0)
    assert [r["name"] for r in g["officer"] if r["name"] != "未指定"] == ["张专员", "officer_2"]  # by username
    chart = data["chart"]
    assert chart["received"] == [2, 2, 4] + [0] * 9 and chart["closed"] == [2, 1, 1] + [0] * 9
    assert chart["satisfaction"] == [{"name": "满意", "value": 2}, {"name": "基本满意", "value": 1},
                                     {"name": "不满意", "value": 1}]
    assert sorted(chart["categories"], key=lambda c: c["name"]) == [{"name": "用地", "value": 5},
                                                                   {"name": "融资", "value": 3}]
    assert [str(n) for n in chart["departments"]] == [r["name"] for r in g["department"]]


def test_empty_year(fixture, zone_a):
    data = figures.compute(zone_a, 2020, TODAY)
    assert {k: data["total"][k] for k in FIELDS} == figs(0, 0, None, 0, 0, None, None, 0, 0, None, 0, 0)
    assert data["groups"] == {"department": [], "category": [], "officer": [], "month": []}
    assert data["chart"]["received"] == [0] * 12


def test_queries_do_not_grow_with_the_data(fixture, zone_a):
    with CaptureQueriesContext(connection) as before:
        figures.compute(zone_a, 2024, TODAY)
    c = Department.objects.create(zone=zone_a, name="金融办")
    for i in range(5):
        problem(zone_a, 20 + i, category=category(zone_a, "审批"), department=c, received_on=D("2024-05-02"),
                officer=make_user(f"officer_x{i}"), state="closed", on_time=True, days_to_close=i)
    with CaptureQueriesContext(connection) as after:
        data = figures.compute(zone_a, 2024, TODAY)
    assert len(after) == len(before)
    assert by_name(data["groups"]["department"])["金融办"]["median_days"] == 2.0
    if connection.vendor == "postgresql":
        # The months' fingerprint, the GROUPING SETS statement (with its two SET LOCAL) and three
        # name look-ups.
        assert len([q for q in after.captured_queries if not q["sql"].startswith(("SET", "SAVEPOINT", "RELEASE"))]) <= 5


def test_a_change_recomputes_its_month_and_only_it(fixture, zone_a):
    from django.core.cache import cache
    from django.utils import timezone

    from zoneops.service.models import Problem

    figures.compute(zone_a, 2024, TODAY)  # every month cached
    march = Problem.objects.get(title__endswith="诉求005")
    Problem.objects.filter(pk=march.pk).update(state="closed", on_time=True, days_to_close=30, updated=timezone.now())
    Problem.objects.get(title__endswith="诉求002").delete()  # January
    with CaptureQueriesContext(connection) as queries:
        data = figures.compute(zone_a, 2024, TODAY)
    cache.clear()
    assert data == figures.compute(zone_a, 2024, TODAY)
    assert data["total"]["received"] == 7 and data["total"]["closed"] == 4
    if connection.vendor == "postgresql":
        statement = next(q["sql"] for q in queries.captured_queries if "GROUPING SETS" in q["sql"])
        assert "'{1,3}'" in statement  # January and March only


def test_page_and_export(fixture, zone_a, staff_a, client):
    client.force_login(staff_a)
    url = reverse("service:figures") + f"?zone={zone_a.pk}&year=2024"
    r = client.get(url)
    assert r.status_code == 200
    assert "自然资源和规划局" in r.content.decode()
    r = client.get(url + "&export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("values", [[4], [3, 5], [1, 1, 2, 9], [0, 7, 7, 7, 30], list(range(1, 102)), [2] * 6 + [3] * 5])
def test_median_of_histogram_is_the_median(values):
    import statistics

    hist = {}
    for v in values:
        hist[v] = hist.get(v, 0) + 1
    assert figures.median_of_histogram(hist) == statistics.median(values)
    assert figures.median_of_histogram({}) is None


def test_the_daily_sweep_warms_the_figures(fixture, zone_a):
    from django.core.cache import cache
    from django.core.management import call_command

    from zoneops.core.models import Zone

    cache.clear()
    call_command("escalate_problems", date="2024-07-01", stdout=open("/dev/null", "w"))
    zone = Zone.objects.get(pk=zone_a.pk)
    with CaptureQueriesContext(connection) as queries:
        data = figures.cached(zone, 2024, TODAY)
    assert len(queries) == 0 and data["total"]["received"] == 8
