"""The figures of a period: both ends inclusive, stock as of the period end, relocation, space;
the page (presets, zones, export, cache) and the CLI."""
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tests.core.viewtests import read_xlsx
from tests.projects import factories as pf
from zoneops.land import figures, services
from zoneops.registry.models import Parcel

from . import factories as f

D = datetime.date
pytestmark = pytest.mark.django_db


def _ready_on(zone, user, code, day, area="10"):
    p = f.parcel(zone, code=code, area=area, status="acquired")
    services.transition(p, "ready", user, on=day)
    return p


def test_period_ends_are_inclusive(zone_a, staff_a):
    _ready_on(zone_a, staff_a, "R-first", D(2024, 1, 1), "10")
    _ready_on(zone_a, staff_a, "R-last", D(2024, 6, 30), "20")
    _ready_on(zone_a, staff_a, "R-after", D(2024, 7, 1), "40")
    _ready_on(zone_a, staff_a, "R-before", D(2023, 12, 31), "80")
    data = figures.compute([zone_a.pk], D(2024, 1, 1), D(2024, 6, 30))
    assert data["flows"]["ready"] == {"count": 2, "mu": Decimal("30")}
    assert figures.compute([zone_a.pk], D(2024, 7, 1), D(2024, 7, 1))["flows"]["ready"]["mu"] == Decimal("40")


def test_sales_in_period(zone_a, zone_b, staff_a):
    for code, day, price, area in (("S1", D(2024, 1, 1), "600", "20"), ("S2", D(2024, 6, 30), "428.15", "10"),
                                   ("S3", D(2024, 7, 1), "999", "5")):
        p = f.parcel(zone_a, code=code, area="20", status="listed")
        services.transition(p, "sold", staff_a, on=day, buyer_name="买方", price_wan=price, area_mu=area)
    pb = f.parcel(zone_b, code="SB", area="20", status="listed")
    services.transition(pb, "sold", None, on=D(2024, 3, 1), buyer_name="乙", price_wan="1", area_mu="1")
    s = figures.compute([zone_a.pk], D(2024, 1, 1), D(2024, 6, 30))["sales"]
    assert (s["count"], s["mu"], s["price"], s["unit"]) == (2, Decimal("30"), Decimal("1028.15"), Decimal("34.27"))
    assert figures.compute([zone_a.pk, zone_b.pk], D(2024, 1, 1), D(2024, 6, 30))["sales"]["count"] == 3


def test_supplied_and_acquired(zone_a, staff_a):
    project = pf.project(zone_a, 1)
    p = f.parcel(zone_a, code="SUP", area="12", status="sold")
    services.transition(p, "supplied", staff_a, on=D(2024, 3, 3), project_id=project.pk)
    q = f.parcel(zone_a, code="ACQ", area="7")
    services.transition(q, "acquired", staff_a, on=D(2024, 3, 4))
    flows = figures.compute([zone_a.pk], D(2024, 3, 3), D(2024, 3, 4))["flows"]
    assert flows["supplied"] == {"count": 1, "mu": Decimal("12")} and flows["acquired"]["mu"] == Decimal("7")


def test_stock_as_of_period_end(zone_a, staff_a):
    p = f.parcel(zone_a, code="ST", area="10")
    services.transition(p, "acquired", staff_a, on=D(2024, 1, 10))
    services.transition(p, "ready", staff_a, on=D(2024, 2, 10))
    f.parcel(zone_a, code="OTHER", area="5", status="producing")

    def stock(day):
        return {s: (n, mu) for s, _l, n, mu in figures.stock([zone_a.pk], day) if n}

    assert stock(D(2024, 1, 9)) == {"planned": (1, Decimal("10")), "producing": (1, Decimal("5"))}
    assert stock(D(2024, 1, 10)) == {"acquired": (1, Decimal("10")), "producing": (1, Decimal("5"))}
    assert stock(D(2024, 2, 9))["acquired"] == (1, Decimal("10"))
    assert stock(D(2024, 2, 10))["ready"] == (1, Decimal("10"))
    # a split: the parent counts up to the day before, the children from the day of the split
    services.split(p, [{"code": "ST-1", "area_mu": "4"}, {"code": "ST-2", "area_mu": "6"}], staff_a, on=D(2024, 3, 1))
    assert stock(D(2024, 2, 29))["ready"] == (1, Decimal("10"))
    assert stock(D(2024, 3, 1))["ready"] == (2, Decimal("10"))
    assert stock(datetime.date.today())["ready"] == (2, Decimal("10"))
    # 储备 (reserved) is counted with 规划
    f.parcel(zone_a, code="RES", area="3", status="reserved")
    assert stock(datetime.date.today())["planned"] == (1, Decimal("3"))


def test_relocation_progress(zone_a, staff_a):
    acq = f.acquisition(zone_a, households=444, firms=108, started=D(2024, 1, 1))
    f.progress(acq, D(2023, 12, 31) + datetime.timedelta(days=1), 100, 10)   # first day of period 1
    f.progress(acq, D(2024, 1, 16), 444, 108)                                 # 15 天清零
    r = figures.relocation([zone_a.pk], D(2024, 1, 2), D(2024, 1, 16))
    assert (r["households_signed"], r["households_period"], r["firms_period"]) == (444, 344, 98)
    assert r["cleared"] == [{"name": acq.name, "started_on": D(2024, 1, 1), "cleared_on": D(2024, 1, 16), "days": 15,
                             "households": 444, "firms": 108}]
    r = figures.relocation([zone_a.pk], D(2024, 1, 1), D(2024, 1, 15))
    assert (r["households_total"], r["households_signed"], r["cleared"]) == (444, 100, [])
    assert figures.relocation([zone_a.pk], D(2023, 1, 1), D(2023, 12, 31))["acquisitions"] == 0


def test_space_and_zero_land(zone_a, staff_a):
    space = f.space(zone_a, total="1000")
    placed = pf.project(zone_a, 1)
    landed = pf.project(zone_a, 2, parcel=f.parcel(zone_a, code="PL"))
    f.lease(space, "300", start=D(2024, 2, 1), project=placed)
    f.lease(space, "200", start=D(2024, 2, 1), end=D(2024, 2, 29), project=landed)
    sp = figures.space_figures([zone_a.pk], D(2024, 1, 1), D(2024, 6, 30))
    assert (sp["spaces"], sp["zero_land_projects"], sp["zero_land_m2"], sp["new_leases"]) == (1, 1, Decimal(300), 2)
    assert sp["free_m2"] == Decimal(700)  # today only the open-ended lease takes room


def test_page_presets_zones_and_export(client, zone_a, zone_b, staff_a, province):
    _ready_on(zone_a, staff_a, "PG-1", D(2024, 1, 1), "17")
    client.force_login(staff_a)
    r = client.get("/land/figures/", {"from": "2024-01-01", "to": "2024-01-01"})
    assert r.status_code == 200 and "土地流转统计" in r.content.decode()
    assert r.context["f"]["flows"]["ready"]["mu"] == Decimal("17")
    for preset in ("month", "quarter", "half", "year"):
        assert client.get("/land/figures/", {"preset": preset}).status_code == 200
    r = client.get("/land/figures/", {"from": "2024-13-45", "to": "<script>alert(1)</script>"})
    assert r.status_code == 200 and "不是有效日期" in r.content.decode()
    assert "<script>alert(1)" not in r.content.decode()
    r = client.get("/land/figures/", {"from": "2024-01-01", "to": "2024-01-31", "export": "xlsx"})
    rows = read_xlsx(r.content)
    flat = [c for row in rows for c in row]
    assert "土地流转（期间）" in flat and 17 in flat
    # another zone's user sees nothing of zone A, even when asking for it
    client.force_login(__import__("tests.conftest", fromlist=["make_user"]).make_user(
        "sb", zone_b, "staff"))
    r = client.get("/land/figures/", {"zone": zone_a.pk, "from": "2024-01-01", "to": "2024-01-01"})
    assert r.context["f"]["flows"]["ready"]["mu"] == 0
    # a province user picks a zone or sees all
    client.force_login(province)
    r = client.get("/land/figures/", {"from": "2024-01-01", "to": "2024-01-01"})
    assert r.context["f"]["flows"]["ready"]["mu"] == Decimal("17") and r.context["zone"] is None
    r = client.get("/land/figures/", {"zone": zone_b.pk, "from": "2024-01-01", "to": "2024-01-01"})
    assert r.context["f"]["flows"]["ready"]["mu"] == 0 and r.context["zone"] == zone_b


def test_cached_until_the_zone_changes(zone_a, staff_a, django_assert_max_num_queries):
    _ready_on(zone_a, staff_a, "C-1", D(2024, 1, 1))
    first = figures.period_figures([zone_a.pk], D(2024, 1, 1), D(2024, 1, 31))
    with django_assert_max_num_queries(1):  # the zones' data_version only
        assert figures.period_figures([zone_a.pk], D(2024, 1, 1), D(2024, 1, 31)) == first
    _ready_on(zone_a, staff_a, "C-2", D(2024, 1, 2))
    assert figures.period_figures([zone_a.pk], D(2024, 1, 1), D(2024, 1, 31))["flows"]["ready"]["count"] == 2


def test_cli(zone_a, staff_a):
    _ready_on(zone_a, staff_a, "CLI-1", D(2024, 2, 1), "1716")
    out = io.StringIO()
    call_command("land_figures", zone="zone-a", start="2024-01-01", end="2024-06-30", stdout=out)
    text = out.getvalue()
    assert "甲开发区 土地流转统计 2024-01-01 — 2024-06-30" in text and "做地（已做地）\t1\t1716.0" in text
    with pytest.raises(CommandError, match="没有代码为"):
        call_command("land_figures", zone="nope", start="2024-01-01", end="2024-06-30")
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("land_figures", zone="zone-a", start="2024-02-30", end="2024-06-30")
    with pytest.raises(CommandError, match="早于开始日期"):
        call_command("land_figures", zone="zone-a", start="2024-06-30", end="2024-01-01")


def test_past_stock_statement_agrees_with_the_orm(zone_a, zone_b, staff_a):
    """The one-statement stock of a past day equals status_at() grouped (the definition)."""
    import random

    from django.db.models import Count, Sum

    rng = random.Random(3)
    for i in range(30):
        p = f.parcel(zone_a if i % 5 else zone_b, code=f"AG-{i}", area=str(rng.randint(1, 50)))
        path = ["acquiring", "acquired", "ready", "listed"][:rng.randint(0, 4)]
        day = D(2023, 1, 1)
        for st in path:
            day += datetime.timedelta(days=rng.randint(1, 200))
            services.transition(p, st, staff_a if p.zone_id == zone_a.pk else None, on=day,
                                **({"households_total": 0} if st == "acquiring" else {}))
    p = Parcel.objects.filter(zone=zone_a, status="planned").first()
    services.split(p, [{"code": "AG-S1", "area_mu": str(p.area_mu / 2)}, {"code": "AG-S2", "area_mu": str(p.area_mu / 2)}],
                   staff_a, on=D(2023, 6, 1))
    for day in (D(2022, 12, 31), D(2023, 3, 1), D(2023, 5, 31), D(2023, 6, 1), D(2023, 9, 9), D(2024, 6, 1)):
        for zones in ([zone_a.pk], [zone_a.pk, zone_b.pk]):
            fast = {st: (n, mu) for st, n, mu in figures._past_stock(zones, day)}
            orm = {st: (n, mu) for st, n, mu in figures.status_at(zones, day).values("st").order_by("st").annotate(
                n=Count("id"), mu=Sum("area_mu")).values_list("st", "n", "mu")}
            assert fast == orm, (day, fast, orm)
