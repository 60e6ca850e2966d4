"""Boundary import (land/geo_import.py, its pages and the CLI): dry run, commit, all-or-nothing,
broken geometry, hostile files, other zones' codes, rights, history and the zone's data version."""
import io
import json
import math

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from zoneops.core.models import ImportBatch, Membership, ObjectChange, Zone
from zoneops.core import geo
from zoneops.land import geo_import
from zoneops.registry.models import Parcel

from ..conftest import make_user
from ..core.import_support import media_root  # noqa: F401 (fixture)
from ..registry import factories

pytestmark = pytest.mark.usefixtures("media_root")


def square(lon0, lat0, side_m, close=True):
    dlat = side_m / geo.M_PER_DEG
    dlon = side_m / (geo.M_PER_DEG * math.cos(math.radians(lat0)))
    ring = [[lon0, lat0], [lon0 + dlon, lat0], [lon0 + dlon, lat0 + dlat], [lon0, lat0 + dlat]]
    return {"type": "Polygon", "coordinates": [ring + ([ring[0]] if close else [])]}


def fc(features):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": g} for code, g in features]},
        ensure_ascii=False).encode()


@pytest.fixture
def parcels(zone_a, zone_b):
    return {"a1": factories.parcel(zone_a, "A-001", area="15"), "a2": factories.parcel(zone_a, "A-002", area="40"),
            "b1": factories.parcel(zone_b, "B-001", area="20")}


def upload(client, zone, data, name="boundaries.geojson", **extra):
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("land:map_import"), {"zone": zone.pk, "file": f, **extra})


def test_dry_run_then_commit_through_the_pages(client_a, zone_a, staff_a, parcels):
    g1 = square(121.40, 28.60, 100)
    data = fc([("A-001", g1), ("A-002", square(121.41, 28.60, 163.3)), ("A-404", square(121.42, 28.60, 50)),
               ("B-001", square(121.43, 28.60, 50)), ("A-BAD", square(121.44, 28.60, 50, close=False))])
    r = upload(client_a, zone_a, data)
    assert r.status_code == 302
    batch = ImportBatch.objects.get(kind=geo_import.KIND)
    version = Zone.objects.get(pk=zone_a.pk).data_version
    page = client_a.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "第 3 个要素：本开发区没有编号为 A-404 的地块" in html
    assert "第 4 个要素：本开发区没有编号为 B-001 的地块" in html  # zone B's code is unknown here
    assert "第 5 个要素（A-BAD）：外环未闭合（首尾坐标须相同）" in html
    assert "图形面积 15.00 亩与登记面积 15.00 亩" not in html
    assert Parcel.objects.filter(geometry__isnull=False).count() == 0  # a dry run writes nothing
    # commit without 仅导入有效行: refused, nothing written
    r = client_a.post(reverse("land:map_import_commit", args=[batch.pk]), {}, follow=True)
    assert "有 3 个要素被拒绝，没有写入任何数据" in r.content.decode()
    assert Parcel.objects.filter(geometry__isnull=False).count() == 0
    assert Zone.objects.get(pk=zone_a.pk).data_version == version
    # with 仅导入有效行: the two matching parcels, in one go, logged with the user and the batch
    r = client_a.post(reverse("land:map_import_commit", args=[batch.pk]), {"valid_only": "1"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("land:map"))
    # the zone's map was built by the commit: the next request is served from the cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        doc = json.loads(client_a.get(reverse("land:map_data"), {"zone": zone_a.pk}).content)
    assert doc["count"] == 2 and not any("registry_parcel" in q["sql"] for q in ctx.captured_queries)
    a1, a2, b1 = (Parcel.objects.get(pk=p.pk) for p in parcels.values())
    assert a1.geometry == geo.validate(g1)[0] and a1.import_batch_id == batch.pk
    assert a2.geometry is not None and b1.geometry is None
    assert a1.area_mu == 15  # the registered area is kept
    changes = ObjectChange.objects.filter(import_batch=batch)
    assert changes.count() == 2
    assert {c.user_name for c in changes} == {staff_a.username}
    assert changes.filter(object_id=str(a1.pk)).get().after["geometry"] == a1.geometry
    assert Zone.objects.get(pk=zone_a.pk).data_version > version
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.updated_count == 2 and batch.rejected_count == 3
    assert batch.valid_only
    # a second commit of the same batch does nothing
    r = client_a.post(reverse("land:map_import_commit", args=[batch.pk]), {"valid_only": "1"}, follow=True)
    assert "已经导入过了" in r.content.decode()
    assert ObjectChange.objects.filter(import_batch=batch).count() == 2


def test_create_missing_parcels_with_area_from_geometry(zone_a, staff_a, parcels):
    g = square(121.40, 28.60, math.sqrt(30 * geo.MU_M2))
    batch = geo_import.store(zone_a, staff_a, "x.geojson", fc([("A-NEW", g), ("A-001", square(121.41, 28.6, 100))]))
    options = geo_import.Options(create_missing=True)
    result = geo_import.dry_run(batch, options)
    assert result.counts == {geo_import.CREATE: 1, geo_import.UPDATE: 1}
    assert not Parcel.objects.filter(code="A-NEW").exists()
    geo_import.commit(batch, staff_a, options)
    new = Parcel.objects.get(code="A-NEW")
    assert new.zone == zone_a and float(new.area_mu) == pytest.approx(30, rel=0.005)
    assert new.import_batch == batch
    assert ObjectChange.objects.filter(import_batch=batch, action="create", object_id=str(new.pk)).exists()


def test_unchanged_and_duplicate_and_area_warning(zone_a, staff_a, parcels):
    g = square(121.40, 28.60, 100)  # 15 亩 against 15 registered
    big = square(121.41, 28.60, 300)  # 135 亩 against 40 registered
    geo_import.commit(geo_import.store(zone_a, staff_a, "a.geojson", fc([("A-001", g)])), staff_a, geo_import.Options())
    batch = geo_import.store(zone_a, staff_a, "b.geojson", fc([("A-001", g), ("A-002", big), ("A-002", big)]))
    result = geo_import.dry_run(batch, geo_import.Options())
    assert [r["action"] for r in result.rows] == [geo_import.UNCHANGED, geo_import.UPDATE, geo_import.INVALID]
    assert result.rows[2]["error"] == "第 3 个要素：地块编号 A-002 在文件中重复（第 2 个要素已有）"
    assert any("图形面积 135.00 亩与登记面积 40.00 亩相差超过 10%" in w for w in result.warnings)


def test_all_or_nothing_when_the_write_fails(zone_a, staff_a, parcels, monkeypatch):
    batch = geo_import.store(zone_a, staff_a, "x.geojson", fc([("A-001", square(121.40, 28.60, 100)),
                                                              ("A-NEW", square(121.41, 28.60, 100))]))
    before = ObjectChange.objects.count()

    def boom(changes):
        raise RuntimeError("disk full")

    monkeypatch.setattr(geo_import, "log_bulk", boom)
    with pytest.raises(RuntimeError):
        geo_import.commit(batch, staff_a, geo_import.Options(create_missing=True))
    assert Parcel.objects.get(pk=parcels["a1"].pk).geometry is None
    assert not Parcel.objects.filter(code="A-NEW").exists()
    assert ObjectChange.objects.count() == before
    assert ImportBatch.objects.get(pk=batch.pk).status != ImportBatch.Status.DONE


def test_csv_of_wkt(zone_a, staff_a, parcels):
    wkt = geo.to_wkt(square(121.40, 28.60, 100))
    data = f"地块编号,WKT\nA-001,\"{wkt}\"\nA-002,\"POLYGON((121 28, 121.001 28, 121 28))\"\n".encode()
    batch = geo_import.store(zone_a, staff_a, "wkt.csv", data)
    result = geo_import.dry_run(batch, geo_import.Options())
    assert result.counts == {geo_import.UPDATE: 1, geo_import.INVALID: 1}
    assert result.rows[1]["error"] == "第 3 行（A-002）：外环至少需要 4 个坐标（首尾相同），现有 3 个"
    geo_import.commit(batch, staff_a, geo_import.Options(valid_only=True))
    assert geo.area_m2(Parcel.objects.get(code="A-001").geometry) == pytest.approx(10000, rel=0.005)


@pytest.mark.parametrize("data, name, message", [
    (b"", "x.geojson", "文件是空的"),
    (b"{}", "x.shp", "类型不受支持"),
])
def test_refused_uploads(client_a, zone_a, parcels, data, name, message):
    r = upload(client_a, zone_a, data, name)
    assert r.status_code == 400 and message in r.content.decode()
    assert not ImportBatch.objects.exists()


def test_too_large_upload(client_a, zone_a, parcels, settings):
    settings.ZONEOPS_IMPORT_MAX_BYTES = 100
    r = upload(client_a, zone_a, b"{" + b" " * 200 + b"}")
    assert r.status_code == 400 and "文件太大" in r.content.decode()


@pytest.mark.parametrize("data, message", [
    (b"[" * 50000, "嵌套层数超过"),
    (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A-001"},'
     b'"geometry":{"type":"Polygon","coordinates":[[[' + b"1" * 400 + b',30]]]}}]}', "位数过多"),
    (b"\x00\x01\x02 not json", "GeoJSON 格式错误"),
    (b'{"type":"FeatureCollection","features":"all of them"}', "features 须为数组"),
])
def test_hostile_files_give_a_clear_error_and_change_nothing(client_a, zone_a, parcels, data, message):
    r = upload(client_a, zone_a, data)
    page = client_a.get(r["Location"])
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not Parcel.objects.filter(geometry__isnull=False).exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_wrong_types_in_features_are_per_feature_errors(zone_a, staff_a, parcels):
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "A-001"}, "geometry": {"type": "Polygon", "coordinates": "nope"}},
        {"type": "Feature", "properties": {"code": ["A-002"]}, "geometry": None},
        {"type": "Feature", "properties": "A-002", "geometry": {"type": "Polygon", "coordinates": [[["a", "b"]]]}},
    ]}).encode()
    result = geo_import.dry_run(geo_import.store(zone_a, staff_a, "x.json", data), geo_import.Options())
    assert [r["error"] for r in result.rows] == [
        "第 1 个要素（A-001）：缺少坐标（coordinates 为空）",
        "第 2 个要素：properties 中缺少地块编号（code / 地块编号）",
        "第 3 个要素：properties 中缺少地块编号（code / 地块编号）"]


def test_feature_limit_setting(zone_a, staff_a, parcels, settings):
    settings.ZONEOPS_BOUNDARY_MAX_FEATURES = 1
    batch = geo_import.store(zone_a, staff_a, "x.geojson", fc([("A-001", square(121.4, 28.6, 10)),
                                                              ("A-002", square(121.5, 28.6, 10))]))
    with pytest.raises(geo.GeoError, match="有 2 个要素，超过上限 1 个"):
        geo_import.dry_run(batch, geo_import.Options())


def test_other_zones_and_roles(client, zone_a, zone_b, parcels, staff_b):
    """Zone B's staff cannot pick zone A, cannot see or commit zone A's batch; a viewer cannot import."""
    staff_a = make_user("s_a", zone_a, Membership.Role.STAFF)
    batch = geo_import.store(zone_a, staff_a, "x.geojson", fc([("A-001", square(121.4, 28.6, 100))]))
    client.force_login(staff_b)
    r = upload(client, zone_a, fc([("A-001", square(121.4, 28.6, 100))]))
    assert r.status_code == 400 and "请选择您有写入权限的开发区" in r.content.decode()
    assert client.get(reverse("land:map_import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("land:map_import_commit", args=[batch.pk]), {"valid_only": "1"}).status_code == 404
    # zone B's own file naming zone A's code: unknown, zone A untouched
    r = upload(client, zone_b, fc([("A-001", square(121.4, 28.6, 100)), ("B-001", square(121.5, 28.6, 100))]))
    b_batch = ImportBatch.objects.filter(zone=zone_b).get()
    assert "本开发区没有编号为 A-001 的地块" in client.get(r["Location"]).content.decode()
    client.post(reverse("land:map_import_commit", args=[b_batch.pk]), {"valid_only": "1"})
    assert Parcel.objects.get(pk=parcels["a1"].pk).geometry is None
    assert Parcel.objects.get(pk=parcels["b1"].pk).geometry is not None
    with pytest.raises(geo_import.ImportRefused, match="没有向“甲开发区”导入地块边界的权限"):
        geo_import.store(zone_a, staff_b, "x.geojson", b"{}")
    viewer = make_user("v_a", zone_a, Membership.Role.VIEWER)
    client.force_login(viewer)
    assert client.get(reverse("land:map_import")).status_code == 404
    assert client.get(reverse("land:map_import_preview", args=[batch.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("land:map_import")).status_code == 302


def test_cli_dry_run_and_commit(zone_a, staff_a, parcels, tmp_path):
    path = tmp_path / "b.geojson"
    path.write_bytes(fc([("A-001", square(121.4, 28.6, 100)), ("A-404", square(121.5, 28.6, 100))]))
    out = io.StringIO()
    call_command("import_parcel_boundaries", str(path), zone=zone_a.code, stdout=out)
    text = out.getvalue()
    assert "更新边界 1" in text and "第 2 个要素：本开发区没有编号为 A-404 的地块" in text and "没有写入任何数据" in text
    assert Parcel.objects.get(code="A-001").geometry is None
    with pytest.raises(CommandError, match="有 1 个要素被拒绝"):
        call_command("import_parcel_boundaries", str(path), zone=zone_a.code, commit=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_parcel_boundaries", str(path), zone=zone_a.code, commit=True, create_missing=True,
                 user=staff_a.username, stdout=out)
    assert "更新 1 个地块边界，新建 1 个地块" in out.getvalue()
    assert Parcel.objects.get(zone=zone_a, code="A-404").geometry is not None
    assert ObjectChange.objects.filter(action="create", object_repr__contains="A-404", user_name=staff_a.username).exists()
    with pytest.raises(CommandError, match="没有代码为 nope 的开发区"):
        call_command("import_parcel_boundaries", str(path), zone="nope")
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_parcel_boundaries", str(tmp_path / "missing.geojson"), zone=zone_a.code)
