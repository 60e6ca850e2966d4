"""Pages run a bounded number of queries: the count does not grow with the number of rows."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.core.features import REGISTRY
from zoneops.core.views_home import HOME_CARDS
from zoneops.core.models import Membership
from zoneops.registry.models import CultivationPool

from ..conftest import make_user
from ..registry import factories

pytestmark = pytest.mark.django_db

# Upper bounds, a little above today's counts (enterprise list 13: session, user, memberships,
# the zone / 门类 / 大类 / 培育库 filter choices, count, page, the pools prefetch …).
MAX_LIST = 14
MAX_DETAIL = 9
# the registry's figures, plus at most one query per home card of the other apps
MAX_HOME = 15 + len(HOME_CARDS)


def fill(zone, start, n):
    """n enterprises with everything a row can show: industry, officer, pools, parcels, figures."""
    pools = list(CultivationPool.objects.all()[:2])
    officer = make_user(f"officer{start}", zone, Membership.Role.STAFF)
    for i in range(start, start + n):
        ent = factories.enterprise(zone, 100 + i, industry_id="3670", account_officer=officer, scale="above",
                                   is_high_tech=i % 2 == 0)
        ent.pools.set(pools)
        factories.parcel(zone, f"P-{i}", holder=ent, area="10")
        for year in (2022, 2023):
            factories.figures(ent, year, revenue=Decimal(1000 + i))


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {})
    assert r.status_code == 200
    return len(ctx)


def test_enterprise_list_with_every_column(client_a, zone_a, django_assert_max_num_queries):
    columns = ",".join(name for name, _ in REGISTRY["registry.enterprise"].table.available_columns())
    params = {"cols": columns, "per_page": 50}
    fill(zone_a, 0, 5)
    few = queries(client_a, "/registry/enterprises/", params)
    fill(zone_a, 5, 45)
    r = client_a.get("/registry/enterprises/", params)
    assert r.content.decode().count("<tr") == 51  # header + 50 rows, pools and officers shown
    many = queries(client_a, "/registry/enterprises/", params)
    assert many == few, f"the enterprise list ran {few} queries for 5 rows but {many} for 50"
    with django_assert_max_num_queries(MAX_LIST):
        client_a.get("/registry/enterprises/", {**params, "scale": "above", "sort": "-industry"})


@pytest.mark.parametrize("url", ["/registry/parcels/", "/registry/figures/", "/core/changes/"])
def test_other_lists(client_a, zone_a, url, django_assert_max_num_queries):
    fill(zone_a, 0, 3)
    few = queries(client_a, url, {"per_page": 50})
    fill(zone_a, 3, 30)
    with django_assert_max_num_queries(MAX_LIST):
        many = queries(client_a, url, {"per_page": 50})
    assert many == few, (few, many)


@pytest.mark.parametrize("tab", ["overview", "land", "figures", "history"])
def test_enterprise_detail_tabs(client_a, zone_a, tab, django_assert_max_num_queries):
    fill(zone_a, 0, 1)
    ent = zone_a.enterprise_set.get()
    few = queries(client_a, ent.get_absolute_url(), {"tab": tab})
    for i in range(12):  # more parcels, years and history for the same firm
        factories.parcel(zone_a, f"X-{i}", holder=ent, area="3")
        factories.figures(ent, 2000 + i)
        ent.address = f"地址 {i}"
        ent.save()
    with django_assert_max_num_queries(MAX_DETAIL):
        many = queries(client_a, ent.get_absolute_url(), {"tab": tab})
    assert many == few, f"tab {tab}: {few} queries before, {many} after adding rows"


def test_zone_home(client_a, zone_a, django_assert_max_num_queries):
    fill(zone_a, 0, 3)
    few = queries(client_a, f"/zones/{zone_a.pk}/home/")
    fill(zone_a, 3, 30)
    from django.core.cache import cache

    cache.clear()  # the figures are cached per zone version; count the uncached page
    with django_assert_max_num_queries(MAX_HOME):
        many = queries(client_a, f"/zones/{zone_a.pk}/home/")
    assert many == few, (few, many)
