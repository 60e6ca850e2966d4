"""Parcel.map_geometry (the boundary as the map sends it) follows geometry on every write path,
and the parcel API takes only a valid boundary."""
import json

import pytest

from zoneops.core import geo
from zoneops.core.models import ObjectChange
from zoneops.registry.models import Parcel

from . import factories

SQUARE = {"type": "Polygon", "coordinates": [[[121.4, 28.6], [121.401, 28.6], [121.401, 28.601], [121.4, 28.601],
                                              [121.4, 28.6]]]}
LONG = {"type": "Polygon", "coordinates": [[[121.41234567891, 28.6], [121.42, 28.6], [121.42, 28.61],
                                            [121.41234567891, 28.6]]]}
BROKEN = {"type": "Polygon", "coordinates": [[[121.4, 28.6], [121.401, 28.6]]]}


def stored(p):
    return Parcel.objects.values_list("map_geometry", flat=True).get(pk=p.pk)


def test_save_writes_the_map_text(zone_a):
    p = factories.parcel(zone_a, "G-1", geometry=LONG)
    assert stored(p) == geo.map_text(LONG) and "121.412345," in stored(p)
    p.geometry = SQUARE
    p.save(update_fields=["geometry"])
    assert stored(p) == geo.map_text(SQUARE)
    p.geometry = None
    p.save()
    assert stored(p) is None
    p.geometry = {"type": "Point", "coordinates": [121, 28]}  # written some other way: kept off the map
    p.save()
    assert stored(p) is None


def test_bulk_paths_write_it(zone_a):
    a, b = Parcel.objects.bulk_create([Parcel(zone=zone_a, code="G-1", area_mu=1, geometry=SQUARE),
                                       Parcel(zone=zone_a, code="G-2", area_mu=1)])
    assert stored(Parcel.objects.get(code="G-1")) == geo.map_text(SQUARE) and stored(Parcel.objects.get(code="G-2")) is None
    a, b = Parcel.objects.filter(code__in=["G-1", "G-2"]).order_by("code")
    a.geometry, b.geometry = None, LONG
    Parcel.objects.bulk_update([a, b], ["geometry"])
    assert stored(a) is None and stored(b) == geo.map_text(LONG)
    Parcel.objects.set_geometries([(a.pk, SQUARE), (b.pk, None)], name="改")
    assert stored(a) == geo.map_text(SQUARE) and stored(b) is None
    assert list(Parcel.objects.filter(geometry__isnull=True).values_list("pk", flat=True)) == [b.pk]  # SQL NULL
    assert Parcel.objects.get(pk=a.pk).geometry == SQUARE and Parcel.objects.get(pk=a.pk).name == "改"
    with pytest.raises(TypeError):
        Parcel.objects.filter(pk=a.pk).update(geometry=LONG)


def test_change_log_leaves_the_derived_text_out(zone_a, staff_a):
    from zoneops.core.changelog import change_context

    with change_context(user=staff_a):
        p = factories.parcel(zone_a, "G-1", geometry=SQUARE)
    entry = ObjectChange.objects.filter(object_id=str(p.pk)).latest("pk")
    assert "geometry" in json.dumps(entry.after) and "map_geometry" not in json.dumps(entry.after)


@pytest.mark.parametrize("geometry, message", [
    (BROKEN, "外环至少需要 4 个坐标"),
    ({"type": "Point", "coordinates": [121.4, 28.6]}, "Polygon 或 MultiPolygon"),
    ("<script>alert(1)</script>", "GeoJSON 对象"),
    ({"type": "Polygon", "coordinates": [[[121.4 + i * 1e-6, 28.6] for i in range(6000)]]}, "上限"),
    ({"type": "Polygon", "coordinates": []}, "坐标"),
])
def test_api_refuses_a_broken_boundary_and_changes_nothing(client_a, zone_a, geometry, message):
    p = factories.parcel(zone_a, "G-1", geometry=SQUARE)
    r = client_a.patch(f"/api/parcels/{p.pk}/", {"geometry": geometry}, content_type="application/json")
    assert r.status_code == 400, r.content
    assert message in r.json()["geometry"][0]
    p.refresh_from_db()
    assert p.geometry == SQUARE and stored(p) == geo.map_text(SQUARE)


def test_api_stores_a_valid_boundary_clean(client_a, zone_a):
    p = factories.parcel(zone_a, "G-1")
    with_z = {"type": "Polygon", "coordinates": [[[*pos, 12.5] for pos in LONG["coordinates"][0]]]}  # 3-D in
    r = client_a.patch(f"/api/parcels/{p.pk}/", {"geometry": with_z}, content_type="application/json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert p.geometry == geo.validate(with_z)[0] == LONG and stored(p) == geo.map_text(LONG)
    doc = client_a.get("/land/map/data.geojson").json()  # the map shows it at once
    assert [f["geometry"] for f in doc["features"]] == [json.loads(geo.map_text(LONG))]
    r = client_a.patch(f"/api/parcels/{p.pk}/", {"geometry": None}, content_type="application/json")
    assert r.status_code == 200 and stored(p) is None
    assert client_a.get("/land/map/data.geojson").json()["features"] == []


def test_api_of_another_zone_is_404(client_b, zone_a):
    p = factories.parcel(zone_a, "G-1", geometry=SQUARE)
    r = client_b.patch(f"/api/parcels/{p.pk}/", {"geometry": LONG}, content_type="application/json")
    assert r.status_code == 404 and "G-1" not in r.content.decode()
    assert stored(p) == geo.map_text(SQUARE)


@pytest.mark.parametrize("body, message", [
    ('{"geometry": ' + "[" * 100000 + "]" * 100000 + "}", "嵌套层数过多"),
    ('{"geometry": {"type": "Polygon", "coordinates": [[[121.4, 28.6]', "JSON 格式有误：第 1 行第 "),
    ('{"geometry": NaN}', "NaN、Infinity 不是合法的 JSON 数值"),
    ('{"name": "\xff"}'.encode("latin-1"), "不是 UTF-8"),
    ("", None),
])
def test_api_body_that_cannot_be_decoded_is_a_400(client_a, zone_a, body, message):
    p = factories.parcel(zone_a, "G-1", geometry=SQUARE)
    r = client_a.patch(f"/api/parcels/{p.pk}/", body, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="zh-hans")
    if message is None:  # an empty body changes nothing and is no error
        assert r.status_code == 200
    else:
        assert r.status_code == 400 and message in r.json()["detail"]
    assert Parcel.objects.get(pk=p.pk).geometry == SQUARE

