"""core/geo.py, pure: areas of known squares, centroid, bbox, validation messages, the WKT reader
(broken input included), simplification, boundary-file readers and synthetic shapes."""
import json
import math

import pytest

from zoneops.core import geo


def square(lon0, lat0, side_m, close=True):
    dlat = side_m / geo.M_PER_DEG
    dlon = side_m / (geo.M_PER_DEG * math.cos(math.radians(lat0 + dlat / 2)))
    ring = [[lon0, lat0], [lon0 + dlon, lat0], [lon0 + dlon, lat0 + dlat], [lon0, lat0 + dlat]]
    return {"type": "Polygon", "coordinates": [ring + ([ring[0]] if close else [])]}


@pytest.mark.parametrize("lat, side", [(28.6, 100), (30.2, 258.2), (29.0, 25.82), (27.5, 1000)])
def test_area_of_known_squares_within_half_a_percent(lat, side):
    g, warnings = geo.validate(square(120.5, lat, side))
    assert warnings == []
    assert geo.area_m2(g) == pytest.approx(side * side, rel=0.005)
    assert geo.area_mu(g) == pytest.approx(side * side / 666.67, rel=0.005)


def test_one_mu_and_orientation_and_holes():
    side = math.sqrt(geo.MU_M2 * 100)  # 100 亩
    sq = square(121.0, 28.5, side)
    cw = {"type": "Polygon", "coordinates": [list(reversed(sq["coordinates"][0]))]}
    assert geo.area_mu(sq) == pytest.approx(100, rel=0.005)
    assert geo.area_mu(cw) == pytest.approx(100, rel=0.005)  # orientation does not matter
    hole = square(121.0005, 28.5005, side / 4)["coordinates"][0]
    with_hole = {"type": "Polygon", "coordinates": [sq["coordinates"][0], hole]}
    g, _ = geo.validate(with_hole)
    assert geo.area_mu(g) == pytest.approx(100 - 100 / 16, rel=0.005)
    multi = {"type": "MultiPolygon", "coordinates": [sq["coordinates"], square(121.1, 28.5, side)["coordinates"]]}
    assert geo.area_mu(geo.validate(multi)[0]) == pytest.approx(200, rel=0.005)


def test_centroid_and_bbox():
    sq = square(120.0, 30.0, 200)
    lon, lat = geo.centroid(sq)
    lo_lon, lo_lat, hi_lon, hi_lat = geo.bbox(sq)
    assert lo_lon == 120.0 and lo_lat == 30.0
    assert lon == pytest.approx((lo_lon + hi_lon) / 2, abs=1e-9)
    assert lat == pytest.approx((lo_lat + hi_lat) / 2, abs=1e-9)
    # an L shape: the centroid moves towards the bigger arm
    ell = {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]}
    cx, cy = geo.centroid(ell)
    assert cx < 1.5 and cy < 1.5


@pytest.mark.parametrize("geometry, message", [
    (square(120, 30, 100, close=False), "第 12 个要素：外环未闭合（首尾坐标须相同）"),
    ({"type": "Polygon", "coordinates": [[[120, 30], [120.001, 30], [120.002, 30], [120, 30]]]}, "第 12 个要素：外环面积为零"),
    ({"type": "Polygon", "coordinates": [[[120, 30], [120.001, 30], [120, 30]]]}, "外环至少需要 4 个坐标"),
    ({"type": "Polygon", "coordinates": [[[120, 30], [120.001, 30.001], [120.001, 30], [120, 30.001], [120, 30]]]},
     "外环自相交"),
    ({"type": "Point", "coordinates": [120, 30]}, "几何类型须为 Polygon 或 MultiPolygon，现为 Point"),
    ({"type": "LineString", "coordinates": [[120, 30], [121, 30]]}, "现为 LineString"),
    ({"type": "Polygon", "coordinates": []}, "缺少坐标"),
    ({"type": "Polygon"}, "缺少坐标"),
    ({"type": "Polygon", "coordinates": [[["120", 30], [121, 30], [121, 31], ["120", 30]]]}, "外环第 1 个坐标须为数字"),
    ({"type": "Polygon", "coordinates": [[[True, 30], [121, 30], [121, 31], [True, 30]]]}, "须为数字"),
    ({"type": "Polygon", "coordinates": [[[120, 30], [float("nan"), 30], [121, 31], [120, 30]]]}, "不是有限数"),
    ({"type": "Polygon", "coordinates": [[[1e300, 30], [121, 30], [121, 31], [1e300, 30]]]}, "超出经纬度范围"),
    ({"type": "Polygon", "coordinates": [[[30, 120], [30, 121], [31, 121], [30, 120]]]}, "超出经纬度范围"),
    ({"type": "Polygon", "coordinates": [[[120, 30], [121], [121, 31], [120, 30]]]}, "第 2 个坐标须为 [经度, 纬度]"),
    ({"type": "Polygon", "coordinates": "abc"}, "缺少坐标"),
    ({"type": "Polygon", "coordinates": [[120, 30]]}, "外环须为坐标数组"),
    ({"type": "MultiPolygon", "coordinates": [[]]}, "第 1 个多边形的坐标须为环的数组"),
    ("POLYGON((0 0))", "几何须为 GeoJSON 对象"),
    (None, "几何须为 GeoJSON 对象"),
])
def test_validation_messages_say_what_and_where(geometry, message):
    with pytest.raises(geo.GeoError) as e:
        geo.validate(geometry, "第 12 个要素")
    assert message in e.value.message
    assert e.value.message.startswith("第 12 个要素：")


def test_hole_larger_than_outer_and_too_many_points():
    outer = square(120.5, 30, 10)["coordinates"][0]
    big = square(120.4, 29.9, 10000)["coordinates"][0]
    with pytest.raises(geo.GeoError, match="面积为零"):
        geo.validate({"type": "Polygon", "coordinates": [outer, big]}, "x")
    n = 60
    ring = [[120 + 0.001 * math.cos(2 * math.pi * i / n), 30 + 0.001 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    ring.append(ring[0])
    with pytest.raises(geo.GeoError, match="坐标超过 50 个（上限）"):
        geo.validate({"type": "Polygon", "coordinates": [ring]}, "x", max_points=50)
    assert geo.validate({"type": "Polygon", "coordinates": [ring]}, "x")[0]["type"] == "Polygon"


def test_outside_zhejiang_is_a_warning_not_an_error():
    g, warnings = geo.validate(square(116.4, 39.9, 100), "第 2 个要素（P-1）")
    assert g["type"] == "Polygon"
    assert warnings and warnings[0].startswith("第 2 个要素（P-1）：边界位于浙江省范围之外")


def test_validate_returns_clean_floats_and_drops_z():
    g, _ = geo.validate({"type": "Polygon", "coordinates": [[[120, 30, 5], [120.001, 30, 5], [120.001, 30.001, 5],
                                                             [120, 30, 5]]]})
    assert g["coordinates"][0][0] == [120.0, 30.0]
    assert all(isinstance(v, float) for p in g["coordinates"][0] for v in p)


# -- WKT ----------------------------------------------------------------------------------------

def test_wkt_polygon_multipolygon_ewkt_and_z():
    g = geo.parse_wkt("POLYGON ((120 30, 120.001 30, 120.001 30.001, 120 30.001, 120 30))")
    assert g == {"type": "Polygon", "coordinates": [[[120, 30], [120.001, 30], [120.001, 30.001], [120, 30.001], [120, 30]]]}
    m = geo.parse_wkt("SRID=4490;multipolygon z (((120 30 1,120.001 30 1,120.001 30.001 1,120 30 1)),"
                      "((121 30 0,121.001 30 0,121.001 30.001 0,121 30 0),(121.0002 30.0001 0,121.0005 30.0001 0,"
                      "121.0005 30.0002 0,121.0002 30.0001 0)))")
    assert m["type"] == "MultiPolygon" and len(m["coordinates"]) == 2 and len(m["coordinates"][1]) == 2
    assert geo.validate(m)[0]["coordinates"][1][1][0] == [121.0002, 30.0001]
    sq = square(120.3, 28.7, 150)
    assert geo.area_m2(geo.parse_wkt(geo.to_wkt(sq))) == pytest.approx(150 * 150, rel=0.001)


@pytest.mark.parametrize("text, message", [
    ("POLYGON((120 30, 120.001 abc, 120.001 30.001, 120 30))", "第 3 行 WKT：坐标须为数字，“abc”不是数字"),
    ("POLYGON((120 30, 120.001 30", "第 3 行 WKT：意外结束（括号未配对？）"),
    ("POLYGON 120 30, 120.001 30))", "第 3 行 WKT：在“120”处应为“(”"),
    ("LINESTRING(120 30, 121 30)", "第 3 行 WKT：类型须为 POLYGON 或 MULTIPOLYGON，现为 LINESTRING"),
    ("", "第 3 行 WKT：为空"),
    ("POLYGON EMPTY", "第 3 行 WKT：为空几何（EMPTY）"),
    ("POLYGON((120 30 1 2 3, 121 30))", "第 3 行 WKT：每个坐标须有经度和纬度两个数"),
    ("POLYGON((120 30, 121 30, 121 31, 120 30)) junk", "第 3 行 WKT：结尾有多余内容“junk”"),
    ("SRID=3857;POLYGON((0 0, 1 0, 1 1, 0 0))", "第 3 行 WKT：坐标系 SRID=3857 不受支持"),
    ("POLYGON((120 30, inf 30, 121 31, 120 30))", "不是有限数"),
    ("POLYGON((120 30, 1e999 30, 121 31, 120 30))", "不是有限数"),
])
def test_wkt_errors(text, message):
    with pytest.raises(geo.GeoError) as e:
        geo.parse_wkt(text, "第 3 行 WKT")
    assert message in e.value.message


def test_wkt_rejects_non_text():
    with pytest.raises(geo.GeoError, match="为空"):
        geo.parse_wkt(None)


# -- simplify, round -----------------------------------------------------------------------------

def test_simplify_drops_near_collinear_points_and_keeps_a_valid_ring():
    g = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0.00001], [3, 0], [3, 3], [1.5, 3.00001], [0, 3], [0, 0]]]}
    s = geo.simplify(g, 0.001)
    assert s["coordinates"][0] == [[0, 0], [3, 0], [3, 3], [0, 3], [0, 0]]
    tiny = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    assert geo.simplify(tiny, 10) == tiny  # never below 4 positions


def test_rounded_to_six_decimals():
    g = geo.rounded({"type": "Polygon", "coordinates": [[[120.12345678, 30.98765432], [120.2, 30.9], [120.2, 31.0],
                                                        [120.12345678, 30.98765432]]]})
    assert g["coordinates"][0][0] == [120.123457, 30.987654]


# -- boundary files ---------------------------------------------------------------------------

def fc(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def feature(code, geometry, key="code"):
    return {"type": "Feature", "properties": {key: code}, "geometry": geometry}


def test_read_geojson_rows_and_reasons():
    rows = geo.read_geojson(fc(feature("P-1", square(120.5, 28.6, 100)), feature("P-2", square(120.5, 28.6, 100, False)),
                               feature("", square(120.5, 28.6, 100)), {"type": "Nope"},
                               feature(42, square(120.5, 28.6, 100), key="地块编号")))
    assert [r["code"] for r in rows] == ["P-1", "P-2", "", "", "42"]
    assert rows[0]["error"] == "" and rows[0]["geometry"]["type"] == "Polygon"
    assert rows[1]["error"] == "第 2 个要素（P-2）：外环未闭合（首尾坐标须相同）"
    assert rows[2]["error"] == "第 3 个要素：properties 中缺少地块编号（code / 地块编号）"
    assert rows[3]["error"] == "第 4 个要素：不是 GeoJSON 要素（type 须为 Feature）"
    assert rows[4]["error"] == ""
    custom = geo.read_geojson(fc(feature("X-9", square(120.5, 28.6, 50), key="DKBH")), code_keys=("DKBH",))
    assert custom[0]["code"] == "X-9"


@pytest.mark.parametrize("data, message", [
    (b"", "不是有效的 JSON"),
    (b"{not json", "GeoJSON 格式错误"),
    (b"[" * 100000 + b"]" * 100000, "嵌套层数超过"),
    (b'{"type": "FeatureCollection", "features": [{"a": ' + b"[" * 50 + b"]" * 50 + b"}]}", "嵌套层数超过"),
    (b'{"type": "FeatureCollection", "features": [' + b"9" * 5000 + b"]}", "位数过多的数字"),
    (b'{"type": "FeatureCollection", "features": [NaN]}', "非法数值 NaN"),
    (b'{"type": "FeatureCollection", "features": {}}', "features 须为数组"),
    (b'{"type": "FeatureCollection", "features": []}', "没有要素"),
    (b'{"type": "Topology"}', "须为 FeatureCollection"),
    (b'[1, 2, 3]', "须为 FeatureCollection"),
    (b'"just a string"', "须为 FeatureCollection"),
    (b'\xff\xfe\x00garbage\x81', "编码无法识别"),
    (b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}, "features": [1]}',
     "坐标系“EPSG:3857”不受支持"),
])
def test_hostile_geojson_files(data, message):
    with pytest.raises(geo.GeoError) as e:
        geo.read_geojson(data)
    assert message in e.value.message


def test_feature_count_limit():
    many = fc(*[feature(f"P-{i}", square(120.5, 28.6, 10)) for i in range(11)])
    with pytest.raises(geo.GeoError, match="有 11 个要素，超过上限 10 个"):
        geo.read_geojson(many, max_features=10)


def test_huge_float_coordinates_are_rejected_per_feature():
    data = b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"P"},"geometry":' \
           b'{"type":"Polygon","coordinates":[[[1e400,30],[121,30],[121,31],[1e400,30]]]}}]}'
    with pytest.raises(geo.GeoError, match="非法数值|有限数"):
        rows = geo.read_geojson(data)
        raise geo.GeoError(rows[0]["error"])


def test_read_wkt_csv():
    wkt = geo.to_wkt(square(120.5, 28.6, 100))
    data = ("地块编号,WKT\n"
            f"P-1,\"{wkt}\"\n"
            ",\"POLYGON((120 30, 121 30, 121 31, 120 30))\"\n"
            "\n"
            "P-3,\"POLYGON((120 30, 120.001 x, 120 30))\"\n").encode("utf-8-sig")
    rows = geo.read_wkt_csv(data)
    assert [r["where"] for r in rows] == ["第 2 行", "第 3 行", "第 5 行"]
    assert rows[0]["error"] == "" and geo.area_m2(rows[0]["geometry"]) == pytest.approx(10000, rel=0.005)
    assert rows[1]["error"] == "第 3 行：地块编号为空"
    assert rows[2]["error"] == "第 5 行 WKT：坐标须为数字，“x”不是数字"
    gbk = "地块编号,wkt\nP-1,\"POLYGON((120 30, 120.001 30, 120.001 30.001, 120 30))\"\n".encode("gb18030")
    assert geo.read_wkt_csv(gbk)[0]["code"] == "P-1"


@pytest.mark.parametrize("data, message", [
    (b"", "CSV 文件为空"),
    ("名称,面积\nA,1\n".encode(), "须有列“地块编号”和“WKT”"),
    ("地块编号,WKT\n".encode(), "没有数据行"),
])
def test_broken_csv(data, message):
    with pytest.raises(geo.GeoError, match=message):
        geo.read_wkt_csv(data)


# -- synthetic shapes --------------------------------------------------------------------------

@pytest.mark.parametrize("area, vertices", [(5, None), (37.5, None), (200, 12), (80, 7)])
def test_synthetic_polygon_is_valid_and_has_the_area(area, vertices):
    g = geo.synthetic_polygon(121.42, 28.65, area, seed=7, vertices=vertices)
    clean, warnings = geo.validate(g, "synthetic")
    assert warnings == []
    assert geo.area_mu(clean) == pytest.approx(area, rel=0.005)
    if vertices:
        assert len(g["coordinates"][0]) == vertices + 1
    assert geo.synthetic_polygon(121.42, 28.65, area, seed=7, vertices=vertices) == g  # deterministic
    lon, lat = geo.centroid(clean)
    assert lon == pytest.approx(121.42, abs=0.01) and lat == pytest.approx(28.65, abs=0.01)


def test_demo_layout_areas_and_no_overlap():
    parcels = [(f"D-{i}", a) for i, a in enumerate([12, 50, 8, 200, 33, 77, 5, 140, 60, 90, 15, 25])]
    shapes = geo.demo_layout(parcels, 121.40, 28.60, seed=3)
    assert set(shapes) == {c for c, _ in parcels}
    boxes = []
    for code, area in parcels:
        g, warnings = geo.validate(shapes[code], code)
        assert warnings == []
        assert geo.area_mu(g) == pytest.approx(area, rel=0.005)
        boxes.append(geo.bbox(g))
    for i, a in enumerate(boxes):  # bounding boxes of neighbours do not overlap (streets between)
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_colour_helpers():
    assert [geo.far_band(v) for v in (None, 0.5, 0.8, 1.19, 1.2, 2.95, 3, 9)] == \
        ["none", "lt08", "08_12", "08_12", "12_15", "20_30", "ge30", "ge30"]
    rows = geo.legend({"sold": (2, 12.5), "producing": (1, 5), "weird": (1, 1)}, ["producing", "sold"],
                      {"sold": "已出让", "producing": "投产"}, geo.STATUS_COLOURS)
    assert [(r["key"], r["count"], r["mu"]) for r in rows] == [("producing", 1, 5.0), ("sold", 2, 12.5), ("weird", 1, 1.0)]
    assert rows[2]["colour"] == geo.FALLBACK_COLOUR and rows[2]["label"] == "weird"


@pytest.mark.parametrize("text, expected", [
    ('{"type": "Polygon", "coordinates": [[[121.123456789, 28.1], [121.2, 28.2], [121.3, 28.1], [121.123456789, 28.1]]]}',
     '{"type":"Polygon","coordinates":[[[121.123456,28.1],[121.2,28.2],[121.3,28.1],[121.123456,28.1]]]}'),
    ('{"coordinates": [[[[1, 2], [3, 4], [5, 6], [1, 2]]]], "type": "MultiPolygon"}',
     '{"type":"MultiPolygon","coordinates":[[[[1,2],[3,4],[5,6],[1,2]]]]}'),
    ('{"type": "Polygon", "coordinates": [[1, 2], [3, 4]]}', None),  # too shallow
    ('{"type": "Polygon", "coordinates": [[[[1, 2]]]]}', None),  # too deep
    ('{"type": "Point", "coordinates": [1, 2]}', None),
    ('{"type": "Polygon", "coordinates": [[["<script>", 2]]]}', None),
    ('{"type": "Polygon", "coordinates": [[[1, 2]]], "extra": "</script>"}', None),
    ('"just text"', None), ("null", None), ("", None), (None, None),
])
def test_map_text_passes_only_polygons_of_numbers(text, expected):
    assert geo.map_text(text) == expected
    if text and expected:
        assert geo.map_text(json.loads(text)) == expected  # from the decoded geometry alike
