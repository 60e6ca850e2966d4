"""Parcel geometry, pure Python (no Django, no shapely): GeoJSON validation, area in 亩, centroid,
bbox, a small WKT reader, Douglas–Peucker simplification, readers of boundary files and synthetic
parcel shapes for the demo and the benchmarks.

Every error is a `GeoError` whose message is Chinese and says where (`第 12 个要素：外环未闭合`).
Coordinates are WGS84 / CGCS2000 longitude, latitude in degrees (the two differ by centimetres).
"""
import csv
import io
import json
import math
import random
import re

MU_M2 = 2000 / 3  # 1 亩 = 666.67 m²
EARTH_RADIUS = 6371008.8  # mean radius (m): the spherical area formula below uses it
M_PER_DEG = EARTH_RADIUS * math.pi / 180
# Rough bounds of Zhejiang: a parcel outside gets a warning (a swapped lon/lat, a wrong CRS), not an error.
ZHEJIANG_BBOX = (118.0, 27.0, 123.3, 31.5)
MAX_POINTS = 5000  # positions per feature
MAX_FEATURES = 50000
MAX_JSON_DEPTH = 12  # a FeatureCollection needs 7 (collection, features, feature, geometry, polygon, ring, position)
NUMBER_LIMIT = 1e7  # any coordinate beyond this is not a degree (or a projected metre value of China)


class GeoError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _at(where, message):
    return GeoError(f"{where}：{message}" if where else message)


# -- validation --------------------------------------------------------------------------------

def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_ring(ring, where, label, max_points):
    if not isinstance(ring, (list, tuple)) or (ring and not isinstance(ring[0], (list, tuple))):
        raise _at(where, f"{label}须为坐标数组（[[经度, 纬度], …]）")
    if len(ring) < 4:
        raise _at(where, f"{label}至少需要 4 个坐标（首尾相同），现有 {len(ring)} 个")
    if len(ring) > max_points:
        raise _at(where, f"{label}有 {len(ring)} 个坐标，超过上限 {max_points} 个")
    out = []
    for i, pos in enumerate(ring, 1):
        if not isinstance(pos, (list, tuple)) or len(pos) < 2 or len(pos) > 3:
            raise _at(where, f"{label}第 {i} 个坐标须为 [经度, 纬度]")
        lon, lat = pos[0], pos[1]
        if not (_is_number(lon) and _is_number(lat)) or (len(pos) == 3 and not _is_number(pos[2])):
            raise _at(where, f"{label}第 {i} 个坐标须为数字")
        lon, lat = float(lon), float(lat)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise _at(where, f"{label}第 {i} 个坐标不是有限数")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _at(where, f"{label}第 {i} 个坐标 ({pos[0]}, {pos[1]}) 超出经纬度范围"
                             f"（经度 -180～180，纬度 -90～90；是否为投影坐标或经纬度颠倒？）")
        out.append([lon, lat])
    if out[0] != out[-1]:
        raise _at(where, f"{label}未闭合（首尾坐标须相同）")
    if len({(p[0], p[1]) for p in out}) < 3:
        raise _at(where, f"{label}面积为零（不同的坐标少于 3 个）")
    if _self_intersects(out):
        raise _at(where, f"{label}自相交（边界线交叉）")
    if abs(_ring_area_m2(out)) < 1e-6:
        raise _at(where, f"{label}面积为零（各点共线）")
    return out


def _segments_cross(a, b, c, d):
    """Whether the closed segments ab and cd intersect (touching counts)."""
    def orient(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return 0 if abs(v) < 1e-18 else (1 if v > 0 else -1)

    def on(p, q, r):
        return min(p[0], r[0]) <= q[0] <= max(p[0], r[0]) and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if o1 != o2 and o3 != o4:
        return True
    return ((o1 == 0 and on(a, c, b)) or (o2 == 0 and on(a, d, b)) or (o3 == 0 and on(c, a, d))
            or (o4 == 0 and on(c, b, d)))


SELF_INTERSECTION_MAX = 400  # the O(n²) check runs on rings up to this many positions (parcels have ~5–50)


def _self_intersects(ring):
    n = len(ring) - 1
    if n > SELF_INTERSECTION_MAX:
        return False
    segs = [(ring[i], ring[i + 1]) for i in range(n)]
    # bounding boxes first: most pairs are far apart
    boxes = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])) for a, b in segs]
    for i in range(n):
        bi = boxes[i]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # neighbours through the closing point
            bj = boxes[j]
            if bj[0] > bi[1] or bj[1] < bi[0] or bj[2] > bi[3] or bj[3] < bi[2]:
                continue
            if _segments_cross(segs[i][0], segs[i][1], segs[j][0], segs[j][1]):
                return True
    return False


def validate(geometry, where="", max_points=MAX_POINTS):
    """A clean copy of a GeoJSON Polygon / MultiPolygon (floats, 2-D), and a list of warnings.

    Raises GeoError naming `where` for anything a map or an area could not use."""
    if not isinstance(geometry, dict):
        raise _at(where, "几何须为 GeoJSON 对象（含 type 与 coordinates）")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        shown = kind if isinstance(kind, str) else type(kind).__name__
        raise _at(where, f"几何类型须为 Polygon 或 MultiPolygon，现为 {str(shown)[:40]}")
    if not isinstance(coords, (list, tuple)) or not coords:
        raise _at(where, "缺少坐标（coordinates 为空）")
    polygons = [coords] if kind == "Polygon" else coords
    total = 0
    clean = []
    for k, poly in enumerate(polygons, 1):
        prefix = f"第 {k} 个多边形的" if kind == "MultiPolygon" else ""
        if not isinstance(poly, (list, tuple)) or not poly:
            raise _at(where, f"{prefix}坐标须为环的数组")
        rings = []
        for r, ring in enumerate(poly):
            label = prefix + ("外环" if r == 0 else f"第 {r} 个内环")
            if isinstance(ring, (list, tuple)):
                total += len(ring)
            if total > max_points:
                raise _at(where, f"坐标超过 {max_points} 个（上限），请先简化边界")
            rings.append(_check_ring(ring, where, label, max_points))
        clean.append(rings)
    warnings = []
    lo_lon, lo_lat, hi_lon, hi_lat = bbox({"type": "MultiPolygon", "coordinates": clean})
    z = ZHEJIANG_BBOX
    if hi_lon < z[0] or lo_lon > z[2] or hi_lat < z[1] or lo_lat > z[3]:
        warnings.append(_at(where, f"边界位于浙江省范围之外（经度 {lo_lon:.4f}，纬度 {lo_lat:.4f}），"
                                   "请核对坐标系与经纬度顺序").message)
    if area_m2({"type": "MultiPolygon", "coordinates": clean}) <= 0:
        raise _at(where, "面积为零（内环不小于外环）")
    out = {"type": kind, "coordinates": clean[0] if kind == "Polygon" else clean}
    return out, warnings


# -- measures ----------------------------------------------------------------------------------

def _ring_area_m2(ring):
    """Signed spherical area (m², positive counter-clockwise) of a closed ring (Chamberlain &
    Duquette, 'Some algorithms for polygons on a sphere', JPL 2007)."""
    total = 0.0
    n = len(ring)
    if n < 4:
        return 0.0
    rad = math.pi / 180
    for i in range(n - 1):
        lon1, lat1 = ring[i][0], ring[i][1]
        lon2, lat2 = ring[i + 1][0], ring[i + 1][1]
        total += (lon2 - lon1) * rad * (2 + math.sin(lat1 * rad) + math.sin(lat2 * rad))
    return total * EARTH_RADIUS * EARTH_RADIUS / 2


def _polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def area_m2(geometry):
    total = 0.0
    for poly in _polygons(geometry):
        outer = abs(_ring_area_m2(poly[0]))
        total += outer - sum(abs(_ring_area_m2(h)) for h in poly[1:])
    return total


def area_mu(geometry):
    return area_m2(geometry) / MU_M2


def bbox(geometry):
    """(min lon, min lat, max lon, max lat)."""
    xs, ys = [], []
    for poly in _polygons(geometry):
        for p in poly[0]:
            xs.append(p[0])
            ys.append(p[1])
    return min(xs), min(ys), max(xs), max(ys)


def centroid(geometry):
    """Area-weighted centroid (lon, lat) of the outer rings minus holes, on a local plane."""
    b = bbox(geometry)
    lat0 = math.radians((b[1] + b[3]) / 2)
    k = math.cos(lat0)
    # relative to a corner of the bbox: cross products of 120° values lose the digits that matter
    ox, oy = b[0], b[1]
    sx = sy = sa = 0.0
    for poly in _polygons(geometry):
        for r, ring in enumerate(poly):
            a = cx = cy = 0.0
            for i in range(len(ring) - 1):
                x1, y1 = (ring[i][0] - ox) * k, ring[i][1] - oy
                x2, y2 = (ring[i + 1][0] - ox) * k, ring[i + 1][1] - oy
                cross = x1 * y2 - x2 * y1
                a += cross
                cx += (x1 + x2) * cross
                cy += (y1 + y2) * cross
            sign = 1 if r == 0 else -1
            if a == 0:
                continue
            # the ring's centroid times its (absolute) area, holes subtracted
            w = sign * abs(a / 2)
            sx += cx / (3 * a) * w
            sy += cy / (3 * a) * w
            sa += w
    if sa == 0:
        return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return ox + sx / sa / k, oy + sy / sa


def rounded(geometry, digits=6):
    """The geometry with coordinates rounded (6 decimals ≈ 0.1 m); rings that collapse keep their
    original points."""
    def ring_r(ring):
        out = []
        for p in ring:
            q = [round(p[0], digits), round(p[1], digits)]
            if not out or out[-1] != q:
                out.append(q)
        if len(out) < 4 or out[0] != out[-1]:
            return [[round(p[0], digits), round(p[1], digits)] for p in ring]
        return out

    polys = [[ring_r(r) for r in poly] for poly in _polygons(geometry)]
    return {"type": geometry["type"], "coordinates": polys[0] if geometry["type"] == "Polygon" else polys}


# -- the map's text ----------------------------------------------------------------------------

_COORDS = r"\[[\[\]0-9eE.,+\- ]*\]"
_TYPE = r'"type"\s*:\s*"(Polygon|MultiPolygon)"'
# a Polygon / MultiPolygon object with nothing but numbers in its coordinates, either key order
_GEOMETRY_TEXT = re.compile(r'\{\s*(?:' + _TYPE + r'\s*,\s*"coordinates"\s*:\s*(' + _COORDS + r')|"coordinates"\s*:\s*('
                            + _COORDS + r')\s*,\s*' + _TYPE + r')\s*\}')
_LONG_DECIMALS = re.compile(r"(?<=\.\d{6})\d+")  # digits after the 6th decimal (≤ 0.11 m)
_NESTING = {"Polygon": "[[[", "MultiPolygon": "[[[["}


def map_text(geometry):
    """The geometry (a GeoJSON dict, or its JSON text) as the map sends it: compact JSON, numbers
    cut to 6 decimals. None when it is not a Polygon / MultiPolygon of numbers: nothing else may
    reach the browser's map, whatever was written to the database."""
    if geometry is None:
        return None
    text = geometry if isinstance(geometry, str) else json.dumps(geometry, separators=(",", ":"))
    m = _GEOMETRY_TEXT.fullmatch(text.strip())
    if m is None:
        return None
    kind = m.group(1) or m.group(4)
    coords = _LONG_DECIMALS.sub("", (m.group(2) or m.group(3)).replace(" ", ""))
    if not coords.startswith(_NESTING[kind]) or coords.startswith(_NESTING[kind] + "["):
        return None
    return f'{{"type":"{kind}","coordinates":{coords}}}'


# -- simplification ----------------------------------------------------------------------------

def _dp(points, tol2):
    """Douglas–Peucker on an open polyline (list of [x, y]); tol2 = tolerance squared."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        (x1, y1), (x2, y2) = points[i][:2], points[j][:2]
        dx, dy = x2 - x1, y2 - y1
        den = dx * dx + dy * dy
        best, at = -1.0, None
        for k in range(i + 1, j):
            px, py = points[k][0] - x1, points[k][1] - y1
            if den == 0:
                d2 = px * px + py * py
            else:
                t = max(0.0, min(1.0, (px * dx + py * dy) / den))
                ex, ey = px - t * dx, py - t * dy
                d2 = ex * ex + ey * ey
            if d2 > best:
                best, at = d2, k
        if at is not None and best > tol2:
            keep[at] = True
            stack.append((i, at))
            stack.append((at, j))
    return [p for p, k in zip(points, keep) if k]


def simplify(geometry, tolerance):
    """Douglas–Peucker per ring (tolerance in degrees); a ring that would fall under 4 positions is
    kept as it was, so the result is still a valid polygon."""
    def ring_s(ring):
        if len(ring) <= 5:
            return ring
        # split at the point farthest from the first so the closed ring has two anchors
        far = max(range(len(ring)), key=lambda k: (ring[k][0] - ring[0][0]) ** 2 + (ring[k][1] - ring[0][1]) ** 2)
        out = _dp(ring[:far + 1], tolerance ** 2)[:-1] + _dp(ring[far:], tolerance ** 2)
        return out if len(out) >= 4 else ring

    polys = [[ring_s(r) for r in poly] for poly in _polygons(geometry)]
    return {"type": geometry["type"], "coordinates": polys[0] if geometry["type"] == "Polygon" else polys}


# -- WKT ---------------------------------------------------------------------------------------

def _wkt_tokens(text):
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "(),;=":
            yield c
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "(),;=":
                j += 1
            yield text[i:j]
            i = j


def parse_wkt(text, where="WKT"):
    """POLYGON / MULTIPOLYGON WKT (optionally `SRID=4326;` EWKT, a Z dimension) → GeoJSON geometry
    (not yet validated: pass it to validate())."""
    if not isinstance(text, str) or not text.strip():
        raise _at(where, "为空")
    if len(text) > 2_000_000:
        raise _at(where, "内容过长")
    tokens = list(_wkt_tokens(text.strip()))
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take(expected=None):
        nonlocal pos
        tok = peek()
        if tok is None:
            raise _at(where, "意外结束（括号未配对？）")
        if expected is not None and tok != expected:
            raise _at(where, f"在“{tok[:20]}”处应为“{expected}”")
        pos += 1
        return tok

    if peek() and peek().upper() == "SRID":
        take()
        take("=")
        srid = take()
        if srid not in ("4326", "4490"):
            raise _at(where, f"坐标系 SRID={srid[:10]} 不受支持，须为经纬度（4326 或 4490）")
        take(";")
    head = (take() or "").upper()
    if head not in ("POLYGON", "MULTIPOLYGON"):
        raise _at(where, f"类型须为 POLYGON 或 MULTIPOLYGON，现为 {head[:20]}")
    if peek() and peek().upper() in ("Z", "M", "ZM"):
        take()
    if peek() and peek().upper() == "EMPTY":
        raise _at(where, "为空几何（EMPTY）")

    def number(tok):
        try:
            v = float(tok)
        except ValueError:
            raise _at(where, f"坐标须为数字，“{tok[:20]}”不是数字") from None
        if not math.isfinite(v):
            raise _at(where, f"坐标“{tok[:20]}”不是有限数")
        return v

    def position():
        vals = []
        while peek() not in (",", ")", None):
            vals.append(number(take()))
        if len(vals) not in (2, 3, 4):
            raise _at(where, f"每个坐标须有经度和纬度两个数，第 {len(ring_acc) + 1} 个坐标有 {len(vals)} 个")
        return vals[:2]

    ring_acc = []

    def ring():
        ring_acc.clear()
        take("(")
        ring_acc.append(position())
        while peek() == ",":
            take()
            ring_acc.append(position())
        take(")")
        return list(ring_acc)

    def polygon():
        take("(")
        rings = [ring()]
        while peek() == ",":
            take()
            rings.append(ring())
        take(")")
        return rings

    if head == "POLYGON":
        out = {"type": "Polygon", "coordinates": polygon()}
    else:
        take("(")
        polys = [polygon()]
        while peek() == ",":
            take()
            polys.append(polygon())
        take(")")
        out = {"type": "MultiPolygon", "coordinates": polys}
    if peek() is not None:
        raise _at(where, f"结尾有多余内容“{peek()[:20]}”")
    return out


def to_wkt(geometry):
    def ring_t(ring):
        return "(" + ", ".join(f"{p[0]:.7f} {p[1]:.7f}" for p in ring) + ")"

    def poly_t(poly):
        return "(" + ", ".join(ring_t(r) for r in poly) + ")"

    if geometry["type"] == "Polygon":
        return "POLYGON " + poly_t(geometry["coordinates"])
    return "MULTIPOLYGON (" + ", ".join(poly_t(p) for p in geometry["coordinates"]) + ")"


# -- boundary files ----------------------------------------------------------------------------

DEFAULT_CODE_KEYS = ("code", "地块编号")


def _depth_ok(text, limit):
    """Whether the JSON text nests brackets at most `limit` deep (strings skipped); runs before
    json.loads so that a hostile file cannot exhaust the recursion stack."""
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    depth = 0
    for m in re.finditer(r"[\[\]{}]", stripped):
        if m.group() in "[{":
            depth += 1
            if depth > limit:
                return False
        else:
            depth -= 1
    return True


def _decode(data, what):
    if isinstance(data, str):
        return data
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise GeoError(f"{what}的编码无法识别（请保存为 UTF-8）")


def _big_int(s):
    if len(s) > 30:
        raise GeoError(f"文件中有位数过多的数字（{s[:20]}…）")
    return int(s)


def _no_constant(name):
    raise GeoError(f"文件中有非法数值 {name}（坐标须为有限数）")


def read_geojson(data, code_keys=DEFAULT_CODE_KEYS, max_features=MAX_FEATURES, max_points=MAX_POINTS):
    """Rows of a GeoJSON FeatureCollection (or a single Feature): one dict per feature with
    `index` (1-based), `where`, `code`, and `geometry` + `warnings` or `error`.

    Raises GeoError for a file that cannot be read at all."""
    text = _decode(data, "GeoJSON 文件")
    if not _depth_ok(text, MAX_JSON_DEPTH):
        raise GeoError(f"GeoJSON 嵌套层数超过 {MAX_JSON_DEPTH} 层，不是地块边界文件")
    try:
        doc = json.loads(text, parse_int=_big_int, parse_constant=_no_constant)
    except GeoError:
        raise
    except (ValueError, RecursionError) as e:
        line = getattr(e, "lineno", None)
        raise GeoError(f"GeoJSON 格式错误{f'（第 {line} 行第 {e.colno} 列）' if line else ''}：不是有效的 JSON") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise GeoError("GeoJSON 的 features 须为数组")
    else:
        raise GeoError("GeoJSON 须为 FeatureCollection（要素集合），每个要素的 properties 中写地块编号")
    crs = doc.get("crs") if isinstance(doc, dict) else None
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", "") if isinstance(crs.get("properties"), dict) else "")
        if name and not any(k in name.upper() for k in ("4326", "4490", "CRS84")):
            raise GeoError(f"GeoJSON 的坐标系“{name[:60]}”不受支持，须为经纬度（EPSG:4326 / 4490）")
    if not features:
        raise GeoError("GeoJSON 中没有要素")
    if len(features) > max_features:
        raise GeoError(f"GeoJSON 有 {len(features)} 个要素，超过上限 {max_features} 个，请分批导入")
    keys = [k for k in code_keys if k]
    rows = []
    for i, feat in enumerate(features, 1):
        where = f"第 {i} 个要素"
        row = {"index": i, "where": where, "code": "", "geometry": None, "warnings": [], "error": ""}
        rows.append(row)
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            row["error"] = f"{where}：不是 GeoJSON 要素（type 须为 Feature）"
            continue
        props = feat.get("properties")
        props = props if isinstance(props, dict) else {}
        code = next((props[k] for k in keys if props.get(k) not in (None, "")), None)
        if isinstance(code, (int, float)) and not isinstance(code, bool):
            code = str(code)
        if not isinstance(code, str) or not code.strip():
            row["error"] = f"{where}：properties 中缺少地块编号（{' / '.join(keys)}）"
            continue
        row["code"] = code.strip()[:64]
        try:
            row["geometry"], row["warnings"] = validate(feat.get("geometry"), f"{where}（{row['code']}）", max_points)
        except GeoError as e:
            row["error"] = e.message
    return rows


CSV_CODE_HEADERS = ("地块编号", "code", "编号")
CSV_WKT_HEADERS = ("wkt", "边界", "geometry", "几何")


def read_wkt_csv(data, max_features=MAX_FEATURES, max_points=MAX_POINTS):
    """Rows of a CSV with columns 地块编号, WKT (row numbers as a spreadsheet shows them)."""
    text = _decode(data, "CSV 文件")
    csv.field_size_limit(4_000_000)
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise GeoError(f"CSV 格式错误：{e}") from None
    if not records:
        raise GeoError("CSV 文件为空")
    header = [h.strip().lstrip("\ufeff") for h in records[0]]
    lower = [h.lower() for h in header]
    code_col = next((lower.index(h.lower()) for h in CSV_CODE_HEADERS if h.lower() in lower), None)
    wkt_col = next((lower.index(h.lower()) for h in CSV_WKT_HEADERS if h.lower() in lower), None)
    if code_col is None or wkt_col is None:
        raise GeoError("CSV 第 1 行须有列“地块编号”和“WKT”")
    body = [r for r in records[1:] if any(c.strip() for c in r)]
    if not body:
        raise GeoError("CSV 中没有数据行")
    if len(body) > max_features:
        raise GeoError(f"CSV 有 {len(body)} 行，超过上限 {max_features} 行，请分批导入")
    rows = []
    for n, rec in enumerate(records[1:], 2):
        if not any(c.strip() for c in rec):
            continue
        where = f"第 {n} 行"
        row = {"index": n, "where": where, "code": "", "geometry": None, "warnings": [], "error": ""}
        rows.append(row)
        code = rec[code_col].strip() if code_col < len(rec) else ""
        wkt = rec[wkt_col] if wkt_col < len(rec) else ""
        if not code:
            row["error"] = f"{where}：地块编号为空"
            continue
        row["code"] = code[:64]
        try:
            geom = parse_wkt(wkt, f"{where} WKT")
            row["geometry"], row["warnings"] = validate(geom, f"{where}（{row['code']}）", max_points)
        except GeoError as e:
            row["error"] = e.message
    return rows


# -- synthetic shapes (demo, benchmarks) -------------------------------------------------------

def _to_lonlat(points_m, lon0, lat0):
    k = M_PER_DEG * math.cos(math.radians(lat0))
    ring = [[round(lon0 + x / k, 7), round(lat0 + y / M_PER_DEG, 7)] for x, y in points_m]
    ring.append(ring[0])
    return ring


def _scale_to_area(points_m, area_target_m2):
    a = 0.0
    n = len(points_m)
    for i in range(n):
        x1, y1 = points_m[i]
        x2, y2 = points_m[(i + 1) % n]
        a += x1 * y2 - x2 * y1
    a = abs(a) / 2
    cx = sum(p[0] for p in points_m) / n
    cy = sum(p[1] for p in points_m) / n
    f = math.sqrt(area_target_m2 / a) if a > 0 else 1.0
    return [((x - cx) * f, (y - cy) * f) for x, y in points_m]


def synthetic_polygon(center_lon, center_lat, area_mu, seed, vertices=None):
    """A plausible irregular parcel (convex, 4–5 vertices unless `vertices` says otherwise) of
    `area_mu` 亩 around the point, as a GeoJSON Polygon; the same seed gives the same shape."""
    rng = random.Random(seed)
    n = vertices or rng.choice((4, 4, 5))
    aspect = rng.uniform(0.6, 1.6)
    turn = rng.uniform(-0.3, 0.3)
    # points on an ellipse at jittered angles: convex, so never self-intersecting
    base = sorted(rng.uniform(-0.35, 0.35) * 2 * math.pi / n + 2 * math.pi * i / n for i in range(n))
    pts = []
    for t in base:
        x, y = aspect * math.cos(t + math.pi / n), math.sin(t + math.pi / n) / aspect
        pts.append((x * math.cos(turn) - y * math.sin(turn), x * math.sin(turn) + y * math.cos(turn)))
    pts = _scale_to_area(pts, area_mu * MU_M2)
    return {"type": "Polygon", "coordinates": [_to_lonlat(pts, center_lon, center_lat)]}


def demo_layout(parcels, origin_lon, origin_lat, seed, street_m=30.0, gap_m=12.0, row_m=None):
    """Lay out [(code, area_mu)] on a street grid east and north of the origin: rows of plots
    along roads (`street_m` wide), `gap_m` between neighbours, a new row after about `row_m`
    metres (default: about square overall, at least 900 m). Returns {code: GeoJSON Polygon} whose
    areas equal the given 亩 (±0.1 %).

    Used by land/demo.py (L1) and land/demo_map.py; plots are quadrilaterals or pentagons with
    slightly skewed sides, like surveyed industrial parcels."""
    rng = random.Random(seed)
    parcels = list(parcels)
    if row_m is None:
        total = sum(float(a) for _c, a in parcels) * MU_M2
        row_m = max(900.0, math.sqrt(total * 1.6))
    out = {}
    x = y = 0.0
    row_depth = 0.0
    for code, area in parcels:
        area_m2 = float(area) * MU_M2
        depth = math.sqrt(area_m2 / rng.uniform(0.7, 1.5))
        width = area_m2 / depth
        if x > 0 and x + width > row_m:
            x = 0.0
            y += row_depth + street_m
            row_depth = 0.0
        # a skewed quadrilateral (or pentagon with a cut corner) inside its cell
        j = 0.06
        pts = [(x + rng.uniform(0, j) * width, y + rng.uniform(0, j) * depth),
               (x + width * (1 - rng.uniform(0, j)), y + rng.uniform(0, j) * depth),
               (x + width * (1 - rng.uniform(0, j)), y + depth * (1 - rng.uniform(0, j))),
               (x + rng.uniform(0, j) * width, y + depth * (1 - rng.uniform(0, j)))]
        if rng.random() < 0.35:  # cut the north-west corner: a pentagon
            c = rng.uniform(0.15, 0.3)
            pts = pts[:3] + [(x + width * c, y + depth * (1 - j / 2)), (x + j / 2 * width, y + depth * (1 - c))]
        cx, cy = x + width / 2, y + depth / 2
        scaled = _scale_to_area(pts, area_m2)
        k = M_PER_DEG * math.cos(math.radians(origin_lat))
        lon0, lat0 = origin_lon + cx / k, origin_lat + cy / M_PER_DEG
        out[code] = {"type": "Polygon", "coordinates": [_to_lonlat(scaled, lon0, lat0)]}
        x += width + gap_m
        row_depth = max(row_depth, depth)
    return out


# -- map colours (pure: the map view and its tests use them) -------------------------------------

FALLBACK_COLOUR = "#9e9e9e"
STATUS_COLOURS = {
    "planned": "#cfd8dc", "reserved": "#b0bec5", "acquiring": "#ffe082", "acquired": "#ffca28",
    "ready": "#aed581", "listed": "#4fc3f7", "sold": "#1e88e5", "supplied": "#3949ab",
    "building": "#ab47bc", "producing": "#43a047", "inefficient": "#e53935",
    "redeveloping": "#fb8c00", "redeveloped": "#00897b",
}
CLASS_COLOURS = {"A": "#2e7d32", "B": "#9ccc65", "C": "#fdd835", "D": "#e53935", "E": "#6d4c41"}
NO_CLASS = "none"
# Floor area ratio bands (upper bound exclusive): 1.2 is the usual floor for new industrial land in
# Zhejiang; under 0.8 is typical of the low-efficiency plots the redevelopment cases start from.
FAR_BANDS = [(0.8, "lt08", "< 0.8", "#d73027"), (1.2, "08_12", "0.8 – 1.2", "#fc8d59"),
             (1.5, "12_15", "1.2 – 1.5", "#fee08b"), (2.0, "15_20", "1.5 – 2.0", "#d9ef8b"),
             (3.0, "20_30", "2.0 – 3.0", "#91cf60"), (None, "ge30", "≥ 3.0", "#1a9850")]
NO_FAR = "none"


def far_band(far):
    """The band key of a floor area ratio (None → NO_FAR)."""
    if far is None:
        return NO_FAR
    far = float(far)
    for upper, key, _label, _colour in FAR_BANDS:
        if upper is None or far < upper:
            return key
    return FAR_BANDS[-1][1]


def legend(totals, keys_in_order, labels, colours, fallback=FALLBACK_COLOUR):
    """{key: (parcels, 亩)} → legend rows {key, label, colour, count, mu} in `keys_in_order` (keys
    not listed come after, in first-seen order), only keys that occur."""
    order = [k for k in keys_in_order if k in totals] + [k for k in totals if k not in keys_in_order]
    return [{"key": k, "label": labels.get(k, k), "colour": colours.get(k, fallback), "count": totals[k][0],
             "mu": round(float(totals[k][1]), 2)} for k in order]
