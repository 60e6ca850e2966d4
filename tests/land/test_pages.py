"""The parcel page's 土地流转 tab and its actions, the transitions API, space leases, hostile input."""
import datetime
import json
from decimal import Decimal

import pytest

from tests.conftest import make_user
from tests.projects import factories as pf
from tests.registry import factories as rf
from zoneops.core.models import Membership
from zoneops.land.models import ParcelEvent, ParcelLink, Sale, Space
from zoneops.registry.models import Parcel

from . import factories as f

D = datetime.date
pytestmark = pytest.mark.django_db


def _messages(r):
    return [str(m) for m in r.context["messages"]] if r.context else []


def test_tab_shows_timeline_and_only_allowed_moves(client_a, zone_a, staff_a):
    p = f.parcel(zone_a, code="TAB-1", status="acquired")
    f.walk(p, staff_a, [("ready", {})], start=D(2024, 5, 1))
    r = client_a.get(f"/registry/parcels/{p.pk}/?tab=land")
    html = r.content.decode()
    assert r.status_code == 200 and "土地流转" in html and "2024-05-01" in html and "已做地" in html
    assert [s for s, _l in r.context["targets"]] == ["listed"]
    assert 'value="sold"' not in html.split('id="transition-form"')[1].split("</select>")[0]


def test_tab_with_events_of_no_user(client_a, zone_a):
    """Demo, import and other apps' events may have no user."""
    p = f.parcel(zone_a, code="TAB-N", status="ready")
    ParcelEvent.objects.create(zone=zone_a, parcel=p, from_status="acquired", to_status="ready", on=D(2024, 1, 1),
                               area_mu=p.area_mu, details={"project_id": None})
    r = client_a.get(f"/registry/parcels/{p.pk}/?tab=land")
    assert r.status_code == 200 and "2024-01-01" in r.content.decode()


def test_viewer_sees_tab_without_forms(client, zone_a, viewer_a):
    p = f.parcel(zone_a, code="TAB-V", status="ready")
    client.force_login(viewer_a)
    html = client.get(f"/registry/parcels/{p.pk}/?tab=land").content.decode()
    assert "土地流转" in html and "transition-form" not in html and "split-form" not in html


def test_transition_through_the_page(client_a, zone_a, staff_a):
    ent = rf.enterprise(zone_a, 1)
    p = f.parcel(zone_a, code="PG-1", status="listed")
    r = client_a.post(f"/land/parcels/{p.pk}/transition/", {"to_status": "sold", "on": "2024-04-01",
                                                             "buyer": ent.uscc.lower(), "price_wan": "428.15",
                                                             "area_mu": "20"}, follow=True)
    assert "已变为“已出让”" in " ".join(_messages(r))
    sale = Sale.objects.get()
    assert sale.buyer == ent and sale.unit_price == Decimal("21.41")


@pytest.mark.parametrize("data,message", [
    ({"to_status": "sold", "on": "2024-04-01", "price_wan": "1", "area_mu": "1"}, "受让人"),
    ({"to_status": "sold", "on": "2024-04-01", "buyer_name": "x", "price_wan": "1e400", "area_mu": "1"}, ""),
    ({"to_status": "sold", "on": "2024-04-01", "buyer": "91110000600037341L", "price_wan": "1", "area_mu": "1"},
     "企业库中没有"),
    ({"to_status": "sold", "on": "2999-01-01", "buyer_name": "x", "price_wan": "1", "area_mu": "1"}, "未来"),
    ({"to_status": "sold", "on": "", "buyer_name": "x", "price_wan": "1", "area_mu": "1"}, "日期"),
    ({"to_status": "nonsense", "on": "2024-01-01"}, "变为"),
    ({"to_status": "supplied", "on": "2024-01-01", "project_id": "abc"}, "供地项目"),
    ({"to_status": "sold", "on": "2024-04-01", "buyer_name": "x" * 5000, "price_wan": "1", "area_mu": "1"}, "受让人名称"),
    ({"to_status": "sold", "on": "2024-04-01", "buyer_name": "x", "price_wan": "1", "area_mu": "-20"}, "应大于 0"),
])
def test_bad_transitions_change_nothing(client_a, zone_a, data, message):
    p = f.parcel(zone_a, code="BAD-1", status="listed")
    r = client_a.post(f"/land/parcels/{p.pk}/transition/", data, follow=True)
    text = " ".join(_messages(r))
    assert r.status_code == 200 and message in text and text
    assert Parcel.objects.get(pk=p.pk).status == "listed" and not ParcelEvent.objects.exists()
    assert not Sale.objects.exists()


def test_supply_with_other_zones_project_is_refused(client_a, zone_a, zone_b):
    p = f.parcel(zone_a, code="SUP-1", status="sold")
    pb = pf.project(zone_b, 3)
    r = client_a.post(f"/land/parcels/{p.pk}/transition/", {"to_status": "supplied", "on": "2024-01-01",
                                                             "project_id": str(pb.pk)}, follow=True)
    assert "不属于该地块所在的开发区" in " ".join(_messages(r))
    assert Parcel.objects.get(pk=p.pk).status == "sold"


def test_other_zone_and_viewer_get_404(client, zone_a, staff_b, viewer_a):
    p = f.parcel(zone_a, code="ISO-1", status="ready")
    for user in (staff_b, viewer_a):
        client.force_login(user)
        for action, data in (("transition", {"to_status": "listed", "on": "2024-01-01"}),
                             ("split", {"on": "2024-01-01", "parts": "A,10\nB,10"}),
                             ("merge", {"on": "2024-01-01", "others": "X", "code": "Y"})):
            r = client.post(f"/land/parcels/{p.pk}/{action}/", data)
            assert r.status_code == 404, (user, action)
    assert client.get(f"/land/parcels/{p.pk}/transition/").status_code == 405
    assert Parcel.objects.get(pk=p.pk).status == "ready" and Parcel.objects.count() == 1


def test_split_and_merge_through_the_page(client_a, zone_a, staff_a):
    p = f.parcel(zone_a, code="SP", area="30", status="ready")
    r = client_a.post(f"/land/parcels/{p.pk}/split/", {"on": "2024-01-01", "parts": "SP-1,10\nSP-2，20，东块"},
                      follow=True)
    assert "已分割为：SP-1、SP-2" in " ".join(_messages(r))
    assert Parcel.objects.get(code="SP-2").name == "东块"
    html = client_a.get(f"/registry/parcels/{p.pk}/?tab=land").content.decode()
    assert "已分割/合并注销" in html and "SP-1" in html and "split-form" not in html
    kid = Parcel.objects.get(code="SP-1")
    assert "来源地块" in client_a.get(f"/registry/parcels/{kid.pk}/?tab=land").content.decode()
    r = client_a.post(f"/land/parcels/{kid.pk}/merge/", {"on": "2024-01-02", "others": "SP-2", "code": "SP-M"},
                      follow=True)
    assert "已合并为新地块 SP-M" in " ".join(_messages(r))
    merged = Parcel.objects.get(code="SP-M")
    assert merged.area_mu == Decimal("30") and r.request["PATH_INFO"] == f"/registry/parcels/{merged.pk}/"


@pytest.mark.parametrize("parts,message", [
    ("SP-1,10\nSP-2,19", "不一致"), ("SP-1,abc\nSP-2,20", "应为数字"), ("only-one-cell", "第 1 行"),
    ("SP-1,-10\nSP-2,40", "应大于 0"), ("X,1e999\nY,1", "超出合理范围"), ("SP,15\nSP-2,15", "已有编号为 SP"),
    ("\n".join(f"K{i},0.1" for i in range(300)), "最多"),
])
def test_bad_splits_change_nothing(client_a, zone_a, parts, message):
    p = f.parcel(zone_a, code="SP", area="30", status="ready")
    r = client_a.post(f"/land/parcels/{p.pk}/split/", {"on": "2024-01-01", "parts": parts}, follow=True)
    assert message in " ".join(_messages(r))
    assert Parcel.objects.count() == 1 and not ParcelLink.objects.exists()


def test_merge_refuses_other_zones_parcel(client_a, zone_a, zone_b):
    p = f.parcel(zone_a, code="MA", status="ready")
    f.parcel(zone_b, code="MB", status="ready")
    r = client_a.post(f"/land/parcels/{p.pk}/merge/", {"on": "2024-01-01", "others": "MB", "code": "MX"}, follow=True)
    assert "没有编号为 MB" in " ".join(_messages(r)) and not Parcel.objects.filter(code="MX").exists()


# -- API ---------------------------------------------------------------------------------------

def test_api_transition(client_a, zone_a, staff_a):
    p = f.parcel(zone_a, code="API-1", status="listed")
    url = "/api/parcel-transitions/"
    r = client_a.post(url, {"parcel": p.pk, "to_status": "sold", "on": "2024-02-01", "buyer_name": "甲",
                            "price_wan": "0", "area_mu": "5"}, content_type="application/json")
    assert r.status_code == 400 and "应大于 0" in r.json()["detail"]
    r = client_a.post(url, {"parcel": p.pk, "to_status": "sold", "on": "2024-02-01", "buyer_name": "甲",
                            "price_wan": "100", "area_mu": "5"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["to_status"] == "sold" and r.json()["details"]["price_wan"] == "100.0000"
    events = client_a.get("/api/parcel-events/", {"parcel": p.pk}).json()
    assert [e["to_status"] for e in events["results"]] == ["sold"]
    assert client_a.post("/api/parcel-events/", {}).status_code == 405  # events are written by transitions only
    r = client_a.post(url, {"parcel": p.pk, "to_status": "supplied", "on": "2024-02-02",
                            "project_id": 99999999999999999999}, content_type="application/json")
    assert r.status_code == 400


def test_api_transition_other_zone_is_404(client, zone_a, zone_b, staff_b, viewer_a):
    p = f.parcel(zone_a, code="API-2", status="ready")
    for user in (staff_b, viewer_a):
        client.force_login(user)
        r = client.post("/api/parcel-transitions/", {"parcel": p.pk, "to_status": "listed", "on": "2024-01-01"},
                        content_type="application/json")
        assert r.status_code == 404 and "API-2" not in r.content.decode()
    client.logout()
    assert client.post("/api/parcel-transitions/", {"parcel": p.pk}).status_code in (401, 403)
    assert Parcel.objects.get(pk=p.pk).status == "ready"


# -- space -------------------------------------------------------------------------------------

def test_over_lease_is_refused_and_free_area_follows(zone_a):
    from django.core.exceptions import ValidationError

    space = f.space(zone_a, total="1000")
    f.lease(space, "600", start=D(2024, 1, 1), end=D(2024, 6, 30))
    f.lease(space, "600", start=D(2024, 7, 1))            # after the first: fits
    space.refresh_from_db()
    assert space.free_m2 == Decimal("400")               # today only the open-ended lease
    with pytest.raises(ValidationError, match="最多只有 400"):
        f.lease(space, "401", start=D(2024, 6, 1))
    lease = f.lease(space, "400", start=D(2024, 8, 1))
    space.refresh_from_db()
    assert space.free_m2 == 0
    lease.delete()
    space.refresh_from_db()
    assert space.free_m2 == Decimal("400")
    space.total_m2 = Decimal("500")
    with pytest.raises(ValidationError, match="总面积小于已出租面积"):
        space.full_clean()


def test_free_area_follows_the_calendar_without_any_save(client_a, zone_a, zone_b):
    from django.utils import timezone

    today = timezone.localdate()
    space = f.space(zone_a, name="到期厂房", total="1000")
    f.lease(space, "600", start=D(2024, 1, 1), end=today)  # its last day is today
    f.lease(space, "300", start=today + datetime.timedelta(days=2))
    other = f.space(zone_b, name="乙区厂房", total="1000")
    f.lease(other, "500", start=D(2024, 1, 1), end=today)
    assert Space.objects.get(pk=space.pk).free_m2 == Decimal("400")
    Space.objects.filter(zone=zone_a).refresh_free(today)  # nothing began or ended: unchanged
    assert Space.objects.get(pk=space.pk).free_m2 == Decimal("400")
    Space.objects.filter(zone=zone_a).refresh_free(today + datetime.timedelta(days=1))
    assert Space.objects.get(pk=space.pk).free_m2 == Decimal("1000")  # the first lease ran out
    Space.objects.filter(zone=zone_a).refresh_free(today + datetime.timedelta(days=5))
    assert Space.objects.get(pk=space.pk).free_m2 == Decimal("700")  # the second began
    # the pages and the API work it out when they read: yesterday's figure, a lease that ended
    three_days_ago = today - datetime.timedelta(days=3)
    Space.objects.filter(pk__in=[space.pk, other.pk]).update(free_as_of=three_days_ago)
    Space.objects.filter(pk=space.pk).update(free_m2=Decimal("400"))
    SpaceLease = space.leases.model
    SpaceLease.objects.filter(space=space, area_m2=600).update(end_on=today - datetime.timedelta(days=1))
    SpaceLease.objects.filter(space=space, area_m2=300).update(start_on=today + datetime.timedelta(days=30))
    r = client_a.get("/api/spaces/")
    assert [(s["name"], s["free_m2"]) for s in r.json()["results"]] == [("到期厂房", "1000.00")]
    assert "到期厂房" in client_a.get("/land/spaces/").content.decode()
    assert Space.objects.get(pk=other.pk).free_as_of == three_days_ago  # zone A's requests leave zone B alone


def test_project_tab_shows_space(client_a, zone_a):
    project = pf.project(zone_a, 1)
    space = f.space(zone_a, name="路桥标准厂房A栋")
    f.lease(space, "800", project=project)
    html = client_a.get(f"/projects/projects/{project.pk}/?tab=space").content.decode()
    assert "路桥标准厂房A栋" in html and "零供地招商" in html


def test_lease_api_refuses_over_lease(client_a, zone_a):
    space = f.space(zone_a, total="100")
    project = pf.project(zone_a, 1)
    r = client_a.post("/api/space-leases/", {"zone": zone_a.pk, "space": space.pk, "project": project.pk,
                                             "area_m2": "101", "start_on": "2024-01-01"},
                      content_type="application/json")
    assert r.status_code == 400 and "最多只有 100" in json.dumps(r.json(), ensure_ascii=False)
    assert not space.leases.exists()
