"""The land pages run a bounded number of queries: the count does not grow with the rows."""
import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.projects import factories as pf
from tests.registry import factories as rf
from zoneops.land import services

from . import factories as f

D = datetime.date
pytestmark = pytest.mark.django_db
MAX_LIST = 14


def queries(client, url, params=None):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {})
    assert r.status_code == 200, url
    return len(ctx)


def fill(zone, user, start, n):
    space = f.space(zone, name=f"厂房{start}", total="1000000")
    for i in range(start, start + n):
        p = f.parcel(zone, code=f"Q-{i}", status="planned")
        services.transition(p, "acquiring", user, on=D(2024, 1, 1), households_total=3, firms_total=1)
        f.progress(p.acquisitions.get(), D(2024, 1, 2), 3, 1)
        f.walk(p, user, [("acquired", {}), ("ready", {}), ("listed", {}),
                         ("sold", {"buyer_id": rf.enterprise(zone, 200 + i).pk, "price_wan": "100", "area_mu": "5"})],
               start=D(2024, 2, 1))
        f.lease(space, "10", project=pf.project(zone, 300 + i))


URLS = ["/land/parcel-events/", "/land/acquisitions/", "/land/acquisition-progress/", "/land/sales/", "/land/spaces/",
        "/land/space-leases/", "/land/figures/"]


@pytest.mark.parametrize("url", URLS)
def test_lists_and_figures(client_a, zone_a, staff_a, url, django_assert_max_num_queries):
    fill(zone_a, staff_a, 0, 2)
    params = {"per_page": 50, "from": "2024-01-01", "to": "2024-12-31"}
    few = queries(client_a, url, params)
    fill(zone_a, staff_a, 2, 10)
    with django_assert_max_num_queries(MAX_LIST if url != "/land/figures/" else 16):
        many = queries(client_a, url, params)
    assert many == few, (url, few, many)


def test_parcel_tab(client_a, zone_a, staff_a):
    p = f.parcel(zone_a, code="T-1", status="planned")
    url = f"/registry/parcels/{p.pk}/"
    few = queries(client_a, url, {"tab": "land"})
    services.transition(p, "acquiring", staff_a, on=D(2024, 1, 1), households_total=3, firms_total=1)
    f.progress(p.acquisitions.get(), D(2024, 1, 2), 3, 1)
    f.walk(p, staff_a, [("acquired", {}), ("ready", {}), ("listed", {}), ("sold", f.SALE)], start=D(2024, 2, 1))
    services.split(p, [{"code": f"T-1-{i}", "area_mu": "2"} for i in range(10)], staff_a, on=D(2024, 3, 1))
    many = queries(client_a, url, {"tab": "land"})
    assert many <= few + 4, (few, many)  # lineage, acquisitions (+ progress), sales appear: not per row
    kid = services.lineage(p)[1][0].child
    assert queries(client_a, kid.get_absolute_url(), {"tab": "land"}) <= few + 4
