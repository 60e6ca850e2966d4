"""Demo polygons (land/demo_map.py): every parcel without a boundary gets one of its area, near the
zone's county; parcels that have one keep it; other zones are left alone."""
import io

import pytest

from zoneops.core import geo
from zoneops.core.models import Zone
from zoneops.land import demo_map
from zoneops.registry.models import Parcel

from ..registry import factories

pytestmark = pytest.mark.django_db


def test_load_demo_map(zone_a, zone_b):
    for i, area in enumerate(["5", "12.5", "40", "88.8", "200"]):
        factories.parcel(zone_a, f"A-{i}", area=area)
    kept = geo.synthetic_polygon(121.0, 28.0, 3, seed=1)
    factories.parcel(zone_a, "A-KEEP", area="3", geometry=kept)
    factories.parcel(zone_b, "B-0", area="10")
    version = Zone.objects.get(pk=zone_a.pk).data_version
    out = io.StringIO()
    assert demo_map.load_demo_map([zone_a], seed=3, stdout=out) == 5
    assert "地块边界：5 个" in out.getvalue()
    lon0, lat0 = demo_map.origin_of(zone_a.region_code)  # 331004 路桥
    assert (lon0, lat0) == demo_map.REGION_ORIGINS["331004"]
    for p in Parcel.objects.filter(zone=zone_a).exclude(code="A-KEEP"):
        g, warnings = geo.validate(p.geometry, p.code)
        assert warnings == []
        assert geo.area_mu(g) == pytest.approx(float(p.area_mu), rel=0.005)
        lon, lat = geo.centroid(g)
        assert abs(lon - lon0) < 0.05 and abs(lat - lat0) < 0.05
    assert Parcel.objects.get(code="A-KEEP").geometry == kept
    assert Parcel.objects.get(code="B-0").geometry is None
    assert Zone.objects.get(pk=zone_a.pk).data_version > version
    assert demo_map.load_demo_map([zone_a], seed=3) == 0  # nothing left to draw


def test_origins_of_generic_zones_are_in_zhejiang_and_stable():
    for code in ("330102", "330212", "331121", "330902", "999999", ""):
        lon, lat = demo_map.origin_of(code)
        z = geo.ZHEJIANG_BBOX
        assert z[0] <= lon <= z[2] and z[1] <= lat <= z[3]
        assert demo_map.origin_of(code) == (lon, lat)
