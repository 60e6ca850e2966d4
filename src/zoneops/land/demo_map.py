"""Demo parcel polygons: `load_demo_map(zones, seed, stdout)` gives every parcel of the demo zones
that has no boundary yet a plausible polygon of its registered area, laid out on a street grid
near the zone's county (called by land/demo.py's load_demo)."""
import random
import time

from django.db import transaction

from zoneops.core.models import Zone
from zoneops.registry.models import Parcel

from zoneops.core import geo

# Rough location of the demo zones' industrial areas (lon, lat) by county code.
REGION_ORIGINS = {
    "331004": (121.37, 28.56),  # 路桥区（路桥经济开发区）
    "330784": (120.06, 28.88),  # 永康市
    "330881": (118.60, 28.72),  # 江山市
    "330522": (119.78, 30.99),  # 长兴县（长三角湖州产业合作区）
    "330305": (120.86, 27.98),  # 洞头区 / 灵昆（瓯江口产业集聚区）
}
# City centres by the first four digits of the county code, for the generic demo zones.
CITY_ORIGINS = {
    "3301": (120.16, 30.27), "3302": (121.55, 29.87), "3303": (120.70, 28.00), "3304": (120.75, 30.75),
    "3305": (120.09, 30.89), "3306": (120.58, 30.00), "3307": (119.65, 29.08), "3308": (118.87, 28.94),
    "3309": (122.20, 30.00), "3310": (121.42, 28.66), "3311": (119.92, 28.45),
}
DEFAULT_ORIGIN = (120.15, 29.5)


def origin_of(region_code):
    code = (region_code or "").strip()
    if code in REGION_ORIGINS:
        return REGION_ORIGINS[code]
    lon, lat = CITY_ORIGINS.get(code[:4], DEFAULT_ORIGIN)
    # counties of one city apart from each other, the same place on every run
    rng = random.Random(f"origin/{code}")
    return lon + rng.uniform(-0.25, 0.25), lat + rng.uniform(-0.2, 0.2)


def load_demo_map(zones, seed=0, stdout=None):
    started = time.monotonic()
    total = 0
    for zone in zones:
        rows = list(Parcel.objects.filter(zone=zone, geometry__isnull=True).order_by("code")
                    .values_list("pk", "code", "area_mu"))
        if not rows:
            continue
        lon, lat = origin_of(zone.region_code)
        shapes = geo.demo_layout([(code, area) for _pk, code, area in rows], lon, lat, seed=f"{seed}/{zone.code}")
        with transaction.atomic():
            write_geometries([(pk, shapes[code]) for pk, code, _a in rows])
        total += len(rows)
    Zone.touch([z.pk for z in zones])
    if stdout is not None:
        stdout.write(f"地块边界：{total} 个（{time.monotonic() - started:.1f} 秒）\n")
    return total


def write_geometries(pairs):
    """[(parcel pk, geometry)] in few statements (no change log: demo data)."""
    Parcel.objects.set_geometries(pairs)
