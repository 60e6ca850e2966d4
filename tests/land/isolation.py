"""Zone A's land records for tests/core/test_isolation.py (every land model, one each at least)."""
import datetime

from zoneops.core import geo
from zoneops.land import services
from zoneops.registry.models import Parcel
from zoneops.land.models import Acquisition, AcquisitionProgress, Space, SpaceLease

from . import factories

D = datetime.date


def zone_a_records(data, zone_b):
    zone, author, ent = data["zone"], data["author"], data["enterprise"]
    p = factories.parcel(zone, "甲区机密地块-L1", area="40", status="planned")
    services.transition(p, "acquiring", author, on=D(2024, 1, 2), households_total=5, firms_total=1,
                        note="甲区机密征收")
    acq = Acquisition.objects.get(parcel=p)
    AcquisitionProgress.objects.create(zone=zone, acquisition=acq, on=D(2024, 1, 9), households_signed=5,
                                       firms_signed=1, note="甲区机密进度")
    factories.walk(p, author, [("acquired", {}), ("ready", {}), ("listed", {}),
                               ("sold", {"buyer_id": ent.pk, "price_wan": "1200", "area_mu": "40"})],
                   start=D(2024, 2, 1))
    services.split(p, [{"code": "甲区机密子地块-1", "area_mu": "25"}, {"code": "甲区机密子地块-2", "area_mu": "15"}],
                   author, on=D(2024, 3, 1))
    space = Space.objects.create(zone=zone, name="甲区机密标准厂房", total_m2=8000, operator="甲区机密运营公司")
    project = data.get("project")
    SpaceLease.objects.create(zone=zone, space=space, enterprise=ent, project=project, area_m2=1000,
                              start_on=D(2024, 1, 1), note="甲区机密租用")
    # zone B has land too, so its pages are not empty
    pb = factories.parcel(zone_b, "B-LAND-1", area="10", status="ready")
    services.transition(pb, "listed", None, on=D(2024, 1, 1))
    Space.objects.create(zone=zone_b, name="乙区标准厂房", total_m2=3000)
    data["land_parcel"] = p
    # boundaries, so that the map and its GeoJSON endpoints have zone-A features to leak
    shape = geo.synthetic_polygon(121.37, 28.56, 12.5, seed=1)
    Parcel.objects.set_geometries([(data["parcel"].pk, shape), (p.pk, shape)])
