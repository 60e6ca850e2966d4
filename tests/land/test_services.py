"""transition(), split() and merge() against the database: preconditions, dates, history, isolation."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.projects import factories as pf
from tests.registry import factories as rf
from zoneops.core.models import ObjectChange, Zone
from zoneops.land import services
from zoneops.land.models import Acquisition, ParcelEvent, ParcelLink, Sale
from zoneops.registry.models import Parcel

from . import factories as f

D = datetime.date
pytestmark = pytest.mark.django_db


def test_transition_writes_event_and_status(zone_a, staff_a):
    p = f.parcel(zone_a)
    version = Zone.objects.get(pk=zone_a.pk).data_version
    e = services.transition(p, "acquiring", staff_a, on=D(2024, 1, 2), note="启动征收", households_total=444,
                            firms_total=108)
    p.refresh_from_db()
    assert p.status == "acquiring"
    assert (e.from_status, e.to_status, e.on, e.user, e.note, e.area_mu) == (
        "planned", "acquiring", D(2024, 1, 2), staff_a, "启动征收", Decimal("20"))
    assert e.details["households_total"] == 444
    acq = Acquisition.objects.get(parcel=p)
    assert (acq.households_total, acq.firms_total, acq.started_on) == (444, 108, D(2024, 1, 2))
    assert Zone.objects.get(pk=zone_a.pk).data_version > version
    assert ObjectChange.objects.filter(object_id=p.pk, user=staff_a).exists()


def test_acquired_needs_relocation_cleared(zone_a, staff_a):
    p = f.parcel(zone_a)
    services.transition(p, "acquiring", staff_a, on=D(2024, 1, 1), households_total=3, firms_total=1)
    with pytest.raises(ValidationError, match="还有 3 户居民、1 家企业未签约"):
        services.transition(p, "acquired", staff_a, on=D(2024, 1, 5))
    acq = Acquisition.objects.get(parcel=p)
    f.progress(acq, D(2024, 1, 3), 3, 1)
    acq.refresh_from_db()
    assert acq.cleared_on == D(2024, 1, 3) and acq.days_to_clear == 2
    services.transition(p, "acquired", staff_a, on=D(2024, 1, 5))
    assert Parcel.objects.get(pk=p.pk).status == "acquired"


def test_no_sale_before_ready(zone_a, staff_a):
    p = f.parcel(zone_a, status="acquired")
    with pytest.raises(ValidationError, match="须先完成做地"):
        services.transition(p, "listed", staff_a, on=D(2024, 1, 1))
    with pytest.raises(ValidationError, match="须先完成做地"):
        services.transition(p, "sold", staff_a, on=D(2024, 1, 1), **f.SALE)
    assert not ParcelEvent.objects.exists()
    assert Parcel.objects.get(pk=p.pk).status == "acquired"


def test_sale_needs_buyer_price_area(zone_a, staff_a):
    p = f.parcel(zone_a, status="listed")
    for details, message in [({**f.SALE, "buyer_name": ""}, "受让人"), ({**f.SALE, "price_wan": ""}, "成交价"),
                             ({**f.SALE, "price_wan": "0"}, "应大于 0"), ({**f.SALE, "price_wan": "-5"}, "应大于 0"),
                             ({**f.SALE, "price_wan": "1e30"}, "超出合理范围"),
                             ({**f.SALE, "price_wan": "abc"}, "应为数字"), ({**f.SALE, "area_mu": "20.5"}, "大于地块面积"),
                             ({**f.SALE, "area_mu": "-1"}, "应大于 0"), ({**f.SALE, "area_mu": "nan"}, "应为数字")]:
        with pytest.raises(ValidationError, match=message):
            services.transition(p, "sold", staff_a, on=D(2024, 2, 1), **details)
    assert not Sale.objects.exists() and not ParcelEvent.objects.exists()
    e = services.transition(p, "sold", staff_a, on=D(2024, 2, 1), **{**f.SALE, "area_mu": "15"})
    sale = Sale.objects.get()
    assert sale.event == e and sale.price_wan == Decimal("600") and sale.unit_price == Decimal("40.00")


def test_sale_to_enterprise_of_zone_only(zone_a, zone_b, staff_a):
    p = f.parcel(zone_a, status="listed")
    other = rf.enterprise(zone_b, 1)
    with pytest.raises(ValidationError, match="不属于该地块所在的开发区"):
        services.transition(p, "sold", staff_a, on=D(2024, 2, 1), buyer_id=other.pk, price_wan="10", area_mu="5")
    mine = rf.enterprise(zone_a, 2)
    services.transition(p, "sold", staff_a, on=D(2024, 2, 1), buyer_id=mine.pk, price_wan="10", area_mu="5")
    p.refresh_from_db()
    assert p.holder == mine and Sale.objects.get().buyer == mine


def test_supply_needs_project_of_same_zone(zone_a, zone_b, staff_a):
    p = f.parcel(zone_a, status="sold")
    with pytest.raises(ValidationError, match="须选择供地的招商项目"):
        services.transition(p, "supplied", staff_a, on=D(2024, 3, 1))
    pb = pf.project(zone_b, 1)
    with pytest.raises(ValidationError, match="不属于该地块所在的开发区"):
        services.transition(p, "supplied", staff_a, on=D(2024, 3, 1), project_id=pb.pk)
    with pytest.raises(ValidationError, match="不属于该地块所在的开发区"):
        services.transition(p, "supplied", staff_a, on=D(2024, 3, 1), project_id="1 OR 1=1")
    pa = pf.project(zone_a, 1)
    e = services.transition(p, "supplied", staff_a, on=D(2024, 3, 1), project_id=pa.pk)
    pa.refresh_from_db()
    assert pa.parcel == p and e.details["project_id"] == pa.pk


def test_dates_not_future_nor_before_last_event(zone_a, staff_a):
    p = f.parcel(zone_a)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能登记未来"):
        services.transition(p, "acquired", staff_a, on=tomorrow)
    with pytest.raises(ValidationError, match="请填写日期"):
        services.transition(p, "acquired", staff_a, on=None)
    with pytest.raises(ValidationError, match="格式不对"):
        services.transition(p, "acquired", staff_a, on="2024-13-01")
    services.transition(p, "acquired", staff_a, on=D(2024, 5, 1))
    with pytest.raises(ValidationError, match="早于该地块上一次变更"):
        services.transition(p, "ready", staff_a, on=D(2024, 4, 30))
    services.transition(p, "ready", staff_a, on=D(2024, 5, 1))  # the same day is fine


def test_user_of_other_zone_cannot_move(zone_a, staff_b, viewer_a):
    p = f.parcel(zone_a)
    for user in (staff_b, viewer_a):
        with pytest.raises(ValidationError, match="没有该地块所在开发区的写入权限"):
            services.transition(p, "acquired", user, on=D(2024, 1, 1))
    assert not ParcelEvent.objects.exists()


def test_redevelopment_path_for_l3(zone_a, staff_a):
    """inefficient → redeveloping → redeveloped from every built status, details kept as given."""
    for i, status in enumerate(("sold", "supplied", "building", "producing", "redeveloped")):
        p = f.parcel(zone_a, code=f"R-{i}", status=status)
        services.transition(p, "inefficient", staff_a, on=D(2024, 1, 1))
        services.transition(p, "redeveloping", staff_a, on=D(2024, 2, 1), case_id=7)
        e = services.transition(p, "redeveloped", staff_a, on=D(2024, 6, 1), far_after="2.95")
        assert e.details == {"far_after": "2.95"} and Parcel.objects.get(pk=p.pk).status == "redeveloped"


def test_split_keeps_history_and_sums(zone_a, staff_a):
    p = f.parcel(zone_a, code="S-1", area="30", status="ready")
    services.transition(p, "listed", staff_a, on=D(2024, 1, 1))
    with pytest.raises(ValidationError, match="合计 29 亩，与原地块面积 30 亩不一致"):
        services.split(p, [{"code": "S-1-1", "area_mu": "10"}, {"code": "S-1-2", "area_mu": "19"}], staff_a,
                       on=D(2024, 2, 1))
    with pytest.raises(ValidationError, match="应大于 0"):
        services.split(p, [{"code": "S-1-1", "area_mu": "-10"}, {"code": "S-1-2", "area_mu": "40"}], staff_a,
                       on=D(2024, 2, 1))
    with pytest.raises(ValidationError, match="至少要得到 2 块"):
        services.split(p, [{"code": "S-1-1", "area_mu": "30"}], staff_a, on=D(2024, 2, 1))
    with pytest.raises(ValidationError, match="编号不能重复"):
        services.split(p, [{"code": "X", "area_mu": "10"}, {"code": "X", "area_mu": "20"}], staff_a, on=D(2024, 2, 1))
    assert Parcel.objects.count() == 1
    kids = services.split(p, [{"code": "S-1-1", "area_mu": "10.5"}, {"code": "S-1-2", "area_mu": "19.5"}], staff_a,
                          on=D(2024, 2, 1))
    assert [k.status for k in kids] == ["listed", "listed"]
    assert services.is_retired(p) and Parcel.objects.get(pk=p.pk).status == "listed"
    parents, children = services.lineage(p)
    assert [c.child.code for c in children] == ["S-1-1", "S-1-2"] and not parents
    parents, _c = services.lineage(kids[0])
    assert [x.parent.code for x in parents] == ["S-1"]
    assert ParcelEvent.objects.filter(parcel=p).count() == 2  # the history stays on the parent
    with pytest.raises(ValidationError, match="已分割或合并注销"):
        services.transition(p, "sold", staff_a, on=D(2024, 3, 1), **f.SALE)
    with pytest.raises(ValidationError, match="已分割或合并注销"):
        services.split(p, [{"code": "Y1", "area_mu": "15"}, {"code": "Y2", "area_mu": "15"}], staff_a, on=D(2024, 3, 1))


def test_merge(zone_a, zone_b, staff_a):
    a = f.parcel(zone_a, code="M-1", area="10", status="ready")
    b = f.parcel(zone_a, code="M-2", area="5.25", status="ready")
    c = f.parcel(zone_a, code="M-3", area="5", status="producing")
    with pytest.raises(ValidationError, match="只能合并状态相同的地块"):
        services.merge([a, c], staff_a, code="M-X", on=D(2024, 1, 1))
    with pytest.raises(ValidationError, match="至少需要 2 块"):
        services.merge([a], staff_a, code="M-X", on=D(2024, 1, 1))
    other = f.parcel(zone_b, code="M-B", area="5", status="ready")
    with pytest.raises(ValidationError, match="同一开发区"):
        services.merge([a, other], staff_a, code="M-X", on=D(2024, 1, 1))
    with pytest.raises(ValidationError, match="已有编号为 M-3"):
        services.merge([a, b], staff_a, code="M-3", on=D(2024, 1, 1))
    child = services.merge([a, b], staff_a, code="M-12", name="合并地块", on=D(2024, 1, 1))
    assert child.area_mu == Decimal("15.25") and child.status == "ready"
    assert set(ParcelLink.objects.filter(child=child).values_list("parent__code", flat=True)) == {"M-1", "M-2"}
    with pytest.raises(ValidationError, match="已分割或合并注销"):
        services.merge([a, b], staff_a, code="M-99", on=D(2024, 1, 2))


def test_merged_parcel_keeps_its_parents_boundaries_and_a_given_one_is_checked(zone_a, staff_a):
    from zoneops.core import geo

    shapes = [geo.synthetic_polygon(121.4 + i * 0.01, 28.6, 10, seed=i) for i in range(3)]
    multi = {"type": "MultiPolygon", "coordinates": [shapes[1]["coordinates"], shapes[2]["coordinates"]]}
    a = f.parcel(zone_a, code="G-1", area="10", status="ready", geometry=shapes[0])
    b = f.parcel(zone_a, code="G-2", area="20", status="ready", geometry=multi)
    child = Parcel.objects.get(pk=services.merge([a, b], staff_a, code="G-12", on=D(2024, 1, 1)).pk)
    assert child.geometry["type"] == "MultiPolygon" and len(child.geometry["coordinates"]) == 3
    assert geo.area_mu(child.geometry) == pytest.approx(30, rel=0.01) and child.map_geometry
    c = f.parcel(zone_a, code="G-3", area="5", status="ready", geometry=shapes[0])
    d = f.parcel(zone_a, code="G-4", area="5", status="ready")  # no boundary: the merged one has none
    assert services.merge([c, d], staff_a, code="G-34", on=D(2024, 1, 1)).geometry is None
    e = f.parcel(zone_a, code="G-5", area="5", status="ready")
    g = f.parcel(zone_a, code="G-6", area="5", status="ready")
    with pytest.raises(ValidationError, match="新地块 G-56 的边界：几何类型须为 Polygon"):
        services.merge([e, g], staff_a, code="G-56", on=D(2024, 1, 1), geometry={"type": "Point", "coordinates": [1, 2]})
    assert not Parcel.objects.filter(code="G-56").exists()


def test_change_log_names_the_user_of_split_and_merge(zone_a, staff_a):
    p = f.parcel(zone_a, code="CL", area="10", status="ready")
    kids = services.split(p, [{"code": "CL-1", "area_mu": "4"}, {"code": "CL-2", "area_mu": "6"}], staff_a,
                          on=D(2024, 1, 1))
    child = services.merge(kids, staff_a, code="CL-M", on=D(2024, 1, 2))
    for obj in (*kids, child):
        assert ObjectChange.objects.filter(object_id=obj.pk, user=staff_a).exists()


def test_details_of_other_apps_are_stored_as_json(zone_a, staff_a):
    p = f.parcel(zone_a, code="J", status="producing")
    e = services.transition(p, "inefficient", staff_a, on=D(2024, 1, 1), far=Decimal("0.87"), since=D(2020, 1, 1),
                            parcel_ref=p, tags=("亩均D类",))
    e.refresh_from_db()
    assert e.details == {"far": "0.87", "since": "2020-01-01", "parcel_ref": p.pk, "tags": ["亩均D类"]}
