"""The figures pages run a fixed number of queries whatever the number of values and indicators
filled (the dashboard uncached: the cache is cleared before counting)."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.core.features import REGISTRY
from zoneops.figures.models import Indicator

from . import factories as f


def count(client, url, params):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params)
    assert r.status_code == 200
    return len(ctx)


def fill(zone, codes, years, user=None):
    for code in codes:
        for year in years:
            for m in range(1, 13):
                f.value(zone, code, year, m, 100 * m, entered_by=user)
            f.target(zone, code, year, 2000)


@pytest.mark.parametrize("url,params", [
    ("/figures/", {"period": "2024-07", "indicator": "tax_revenue"}),
    ("/figures/entry/", {"period": "2024-07"}),
    ("/figures/values/", {"cols": ",".join(n for n, _ in REGISTRY["figures.indicatorvalue"].table.available_columns()),
                          "per_page": 100}),
    ("/figures/targets/", {}),
    ("/figures/indicators/", {}),
    ("/api/zone-figures/", {"period": "2024-07"}),
])
def test_pages_do_not_grow_with_data(client_a, staff_a, zone_a, url, params):
    if url.startswith("/api/"):
        params = {**params, "zone": zone_a.code}
    fill(zone_a, ["fixed_investment"], [2024], staff_a)
    few = count(client_a, url, params)
    codes = list(Indicator.objects.exclude(code="fixed_investment").values_list("code", flat=True)[:8])
    fill(zone_a, codes, [2023, 2024], staff_a)
    many = count(client_a, url, params)
    assert many == few, f"{url}: {few} queries with few values, {many} with many"
    assert many <= 16, many
