"""The parcel map: the page, the GeoJSON data endpoint and the API action — zone isolation,
filters shared with the parcel list, colour modes and legends, the cache and its invalidation."""
import json
from decimal import Decimal

import pytest

from zoneops.core import geo
from zoneops.core.models import Membership
from zoneops.evaluation.models import Result, Run, RunStatus
from zoneops.registry.models import Parcel

from ..conftest import make_user
from ..evaluation.support import preset_version
from ..registry import factories

pytestmark = pytest.mark.django_db
DATA = "/land/map/data.geojson"
API = "/api/parcels/geojson/"


def shaped(zone, code, i, **kw):
    area = kw.pop("area", "20")
    kw.setdefault("geometry", geo.synthetic_polygon(121.4 + 0.003 * i, 28.6, float(area), seed=i))
    return factories.parcel(zone, code, area=area, **kw)


@pytest.fixture
def land(zone_a, zone_b):
    ent = factories.enterprise(zone_a, 0, name="甲区地图企业有限公司")
    ent2 = factories.enterprise(zone_a, 1, name="甲区另一企业有限公司")
    p = {
        "sold": shaped(zone_a, "A-1", 1, status="sold", holder=ent, floor_area_ratio=Decimal("0.6"), area="10"),
        "prod": shaped(zone_a, "A-2", 2, status="producing", holder=ent2, floor_area_ratio=Decimal("1.3"), area="30"),
        "prod2": shaped(zone_a, "A-3", 3, status="producing", holder=ent, area="5", name="甲区三号地块"),
        "nogeo": factories.parcel(zone_a, "A-NOGEO", area="7"),
        "b": shaped(zone_b, "B-SECRET", 4, status="producing", name="乙区机密地块"),
    }
    p["ent"], p["ent2"] = ent, ent2
    return p


def get_json(client, url, params=None):
    r = client.get(url, params or {})
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"].startswith("application/geo+json")
    return json.loads(r.content)


def codes(doc):
    return sorted(f["properties"]["code"] for f in doc["features"])


@pytest.mark.parametrize("url", [DATA, API])
def test_feature_collection_of_the_users_zone_only(client_a, land, url):
    doc = get_json(client_a, url)
    assert doc["type"] == "FeatureCollection"
    assert codes(doc) == ["A-1", "A-2", "A-3"]  # no zone B, no parcel without geometry
    f = next(f for f in doc["features"] if f["properties"]["code"] == "A-1")
    assert f["id"] == land["sold"].pk
    assert f["properties"] == {"code": "A-1", "name": "", "area": 10.0, "status": "已出让",
                               "holder": "甲区地图企业有限公司", "class": "", "far": 0.6, "key": "sold"}
    ring = f["geometry"]["coordinates"][0]
    assert all(len(str(v).split(".")[1]) <= 6 for p in ring for v in p)  # rounded to 6 decimals
    assert geo.area_mu(f["geometry"]) == pytest.approx(10, rel=0.005)
    assert "乙区机密地块" not in json.dumps(doc, ensure_ascii=False)
    assert doc["zone"]["name"] == "甲开发区" and doc["count"] == 3
    assert "bbox" not in doc  # the page works out its extent; an approximate bbox would break RFC 7946


@pytest.mark.parametrize("url", [DATA, API])
def test_another_zone_is_404_and_shows_nothing(client_b, land, zone_a, url):
    r = client_b.get(url, {"zone": zone_a.pk})
    assert r.status_code == 404
    assert "A-1" not in r.content.decode()
    for params in ({"holder": land["ent"].pk}, {"q": "A-1"}, {"q": "甲区三号"}):
        assert codes(get_json(client_b, url, params)) == []
    assert codes(get_json(client_b, url)) == ["B-SECRET"]


def test_anonymous_and_portal_users_get_nothing(client, land, zone_a):
    assert client.get(DATA).status_code == 302
    assert client.get(API).status_code in (401, 403)
    ent_user = make_user("ent_a", zone_a, Membership.Role.ENTERPRISE, enterprise=land["ent"])
    client.force_login(ent_user)
    r = client.get(DATA)
    assert r.status_code == 404 and "A-1" not in r.content.decode()


def test_province_user_picks_a_zone(client, land, province, zone_a, zone_b):
    client.force_login(province)
    assert codes(get_json(client, DATA, {"zone": zone_b.pk})) == ["B-SECRET"]
    assert codes(get_json(client, DATA, {"zone": zone_a.pk})) == ["A-1", "A-2", "A-3"]
    assert get_json(client, DATA)["zone"]["id"] == min((zone_a, zone_b), key=lambda z: z.code).pk
    page = client.get("/land/map/", {"zone": zone_b.pk}).content.decode()
    assert 'id="map-zone"' in page and "乙开发区" in page
    assert client.get(DATA, {"zone": "abc"}).status_code == 404
    assert client.get(DATA, {"zone": 999999}).status_code == 404


@pytest.mark.parametrize("params, expected", [
    ({"status": "producing"}, ["A-2", "A-3"]),
    ({"q": "A-1"}, ["A-1"]),
    ({"q": "甲区另一"}, ["A-2"]),  # by holder name, as on the list
    ({"area_min": "10"}, ["A-1", "A-2"]),
    ({"holder": None}, ["A-1", "A-3"]),
])
def test_filters_are_the_parcel_lists(client_a, land, params, expected):
    if "holder" in params:
        params = {"holder": land["ent"].pk}
    assert codes(get_json(client_a, DATA, params)) == expected
    # the list with the same filters agrees
    html = client_a.get("/registry/parcels/", params).content.decode()
    for code in ("A-1", "A-2", "A-3"):
        assert (f">{code}<" in html) == (code in expected)


def test_bad_filters_and_colour_are_400_in_chinese(client_a, land):
    r = client_a.get(DATA, {"status": "nonsense"})
    assert r.status_code == 400 and "筛选条件有误" in r.json()["detail"] and "状态" in r.json()["detail"]
    r = client_a.get(DATA, {"area_min": "lots"})
    assert r.status_code == 400 and "面积不小于" in r.json()["detail"]
    r = client_a.get(DATA, {"colour": "rainbow"})
    assert r.status_code == 400 and "颜色方式" in r.json()["detail"]
    r = client_a.get(API, {"colour": "rainbow"})
    assert r.status_code == 400


def test_colour_by_status_legend_counts_and_mu(client_a, land):
    doc = get_json(client_a, DATA, {"colour": "status"})
    legend = {l["key"]: l for l in doc["legend"]}
    assert legend["producing"]["count"] == 2 and legend["producing"]["mu"] == 35.0
    assert legend["producing"]["label"] == "投产" and legend["producing"]["colour"] == geo.STATUS_COLOURS["producing"]
    assert legend["sold"]["count"] == 1 and legend["sold"]["mu"] == 10.0
    assert sum(l["count"] for l in doc["legend"]) == doc["count"]


def test_colour_by_floor_area_ratio(client_a, land):
    doc = get_json(client_a, DATA, {"colour": "far"})
    keys = {f["properties"]["code"]: f["properties"]["key"] for f in doc["features"]}
    assert keys == {"A-1": "lt08", "A-2": "12_15", "A-3": "none"}
    assert [l["key"] for l in doc["legend"]] == ["lt08", "12_15", "none"]
    assert doc["legend"][-1]["label"] == "未填容积率"


def test_colour_by_holders_class_from_the_latest_run(client_a, land, zone_a):
    doc = get_json(client_a, DATA, {"colour": "class"})
    assert {l["key"] for l in doc["legend"]} == {"none"} and doc["run"] is None
    version = preset_version()
    old = Run.objects.create(zone=zone_a, year=2022, ruleset_version=version, status=RunStatus.DONE)
    Result.objects.create(zone=zone_a, run=old, enterprise=land["ent"], unit_key=land["ent"].pk, final_class="D")
    run = Run.objects.create(zone=zone_a, year=2023, ruleset_version=version, status=RunStatus.DONE)
    Result.objects.create(zone=zone_a, run=run, enterprise=land["ent"], unit_key=land["ent"].pk, final_class="A",
                          class_code="B")
    Result.objects.create(zone=zone_a, run=run, enterprise=land["ent2"], unit_key=land["ent2"].pk, class_code="C")
    Run.objects.create(zone=zone_a, year=2024, ruleset_version=version, status=RunStatus.FAILED)
    doc = get_json(client_a, DATA, {"colour": "class"})
    assert doc["run"] == {"id": run.pk, "year": 2023}
    classes = {f["properties"]["code"]: f["properties"]["class"] for f in doc["features"]}
    assert classes == {"A-1": "A", "A-2": "C", "A-3": "A"}
    legend = {l["key"]: (l["count"], l["mu"]) for l in doc["legend"]}
    assert legend == {"A": (2, 15.0), "C": (1, 30.0)}
    # 调档 changes the run's class counts: the cached map follows
    Result.objects.filter(run=run, enterprise=land["ent2"]).update(final_class="B")
    Run.objects.filter(pk=run.pk).update(class_counts={"": {"B": 1, "A": 1}})
    doc = get_json(client_a, DATA, {"colour": "class"})
    assert {f["properties"]["code"]: f["properties"]["class"] for f in doc["features"]}["A-2"] == "B"


def test_cached_until_the_zone_changes(client_a, land, zone_a, django_assert_max_num_queries):
    first = client_a.get(DATA).content
    with django_assert_max_num_queries(5):  # session, user, memberships, zone — no parcel query
        assert client_a.get(DATA).content == first
    p = Parcel.objects.get(pk=land["prod2"].pk)
    p.status = "sold"
    p.save()  # the change log touches the zone: a new data_version
    doc = json.loads(client_a.get(DATA).content)
    assert {f["properties"]["code"]: f["properties"]["key"] for f in doc["features"]}["A-3"] == "sold"


def test_query_count_does_not_grow_with_parcels(client_a, land, zone_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client_a.get(DATA, {"colour": "class"})
        return len(ctx)

    few = count()
    for i in range(30):
        shaped(zone_a, f"M-{i}", 10 + i)
    assert count() == few


def test_map_page(client_a, land, zone_a):
    r = client_a.get("/land/map/", {"status": "producing", "colour": "far"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "地块地图" in html and "vendor/echarts.min.js" in html and "land/map.js" in html
    assert "/land/map/data.geojson?" in html and "colour=far" in html and "status=producing" in html
    assert f"zone={zone_a.pk}" in html
    assert 'href="/land/map/import/"' in html  # staff may import
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # no online tiles
    assert 'name="zone"' in html and "按亩均等级" in html
    nav = [i["label"] for g in r.context["nav_menu"] if str(g["label"]) == "土地要素" for i in g["items"]]
    assert "地块地图" in [str(x) for x in nav]


def test_map_page_for_viewer_has_no_import_and_bad_zone_is_404(client, land, zone_a, zone_b, viewer_a):
    client.force_login(viewer_a)
    html = client.get("/land/map/").content.decode()
    assert "/land/map/import/" not in html
    assert client.get("/land/map/", {"zone": zone_b.pk}).status_code == 404
    nobody = make_user("nobody")
    client.force_login(nobody)
    r = client.get("/land/map/")
    assert r.status_code == 200 and "您还没有任何开发区的权限" in r.content.decode()
    assert client.get(DATA).status_code == 404


def test_api_action_for_a_viewer_with_filters(client, land, zone_a):
    client.force_login(make_user("api_a", zone_a, Membership.Role.VIEWER))
    doc = get_json(client, API, {"colour": "far", "status": "producing"})
    assert codes(doc) == ["A-2", "A-3"] and doc["colour"] == "far"
    assert client.post(API, {}).status_code in (403, 405)  # read only


def test_broken_stored_geometry_is_left_off(client_a, land, zone_a):
    broken = land["prod2"]
    broken.geometry = {"type": "Polygon", "coordinates": [[]]}  # as the API could once store it
    broken.save()
    factories.parcel(zone_a, "A-PT", geometry={"type": "Point", "coordinates": [121, 28]})
    assert codes(get_json(client_a, DATA)) == ["A-1", "A-2"]
