"""Land records for tests: parcels walked through the pipeline with the real service."""
import datetime
from decimal import Decimal

from zoneops.land import services
from zoneops.land.models import Acquisition, AcquisitionProgress, Space, SpaceLease
from zoneops.registry.models import Parcel

D = datetime.date


def parcel(zone, code="L-001", area="20", status="planned", **kw):
    return Parcel.objects.create(zone=zone, code=code, area_mu=Decimal(area), status=status, **kw)


def walk(parcel, user, steps, start=D(2024, 1, 1)):
    """Move `parcel` through `steps` [(status, details)] one day apart from `start`."""
    event = None
    for i, (status, details) in enumerate(steps):
        event = services.transition(parcel, status, user, on=start + datetime.timedelta(days=i), **details)
        parcel.refresh_from_db()
    return event


SALE = {"buyer_name": "台州某机电有限公司", "price_wan": "600", "area_mu": "20"}


def to_ready(parcel, user, start=D(2024, 1, 1)):
    return walk(parcel, user, [("acquired", {}), ("ready", {})], start)


def acquisition(zone, parcel=None, households=10, firms=2, started=D(2024, 1, 1), **kw):
    kw.setdefault("name", f"{zone.name}征收项目")
    return Acquisition.objects.create(zone=zone, parcel=parcel, area_mu=Decimal("50"), started_on=started,
                                      households_total=households, firms_total=firms, **kw)


def progress(acq, on, households, firms):
    return AcquisitionProgress.objects.create(zone=acq.zone, acquisition=acq, on=on, households_signed=households,
                                              firms_signed=firms)


def space(zone, name=None, total="5000", **kw):
    return Space.objects.create(zone=zone, name=name or f"{zone.name}标准厂房一期", total_m2=Decimal(total), **kw)


def lease(space, area, start=D(2024, 1, 1), end=None, **kw):
    if "project" not in kw and "enterprise" not in kw:
        from tests.registry import factories as rf
        from zoneops.registry.models import Enterprise

        kw["enterprise"] = Enterprise.objects.filter(zone=space.zone, name="租用企业").first() or \
            rf.enterprise(space.zone, 3, name="租用企业")
    return SpaceLease.objects.create(zone=space.zone, space=space, area_m2=Decimal(area), start_on=start,
                                     end_on=end, **kw)
