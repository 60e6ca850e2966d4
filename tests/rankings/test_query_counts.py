"""The ranking page, the province page and its data endpoint run a fixed number of queries,
whatever the number of zones."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoneops.core.models import Membership, Zone
from zoneops.rankings import services

from ..conftest import make_user
from . import factories as f

pytestmark = pytest.mark.django_db


def add_zones(start, n):
    for i in range(start, start + n):
        z = Zone.objects.create(code=f"q{i}", name=f"计数开发区{i}", region_code="331004")
        for year in (2023, 2024):
            f.value(z, "fixed_investment", year, 6, 100 + i * year % 7)


def counts(client, scheme):
    services.compute_with_previous(scheme, 2024, 6)
    out = []
    for url, params in ((reverse("rankings:scheme", args=[scheme.pk]), {"period": "2024-06"}),
                        (reverse("rankings:province"), {"period": "2024-06"}),
                        (reverse("rankings:province_data"), {"period": "2024-06", "scheme": scheme.pk})):
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        out.append(len(ctx))
    return out


def test_query_counts_do_not_grow_with_zones(client):
    client.force_login(make_user("prov", None, Membership.Role.PROVINCE))
    add_zones(0, 3)
    scheme = f.scheme()
    few = counts(client, scheme)
    add_zones(3, 30)
    assert counts(client, scheme) == few
    assert few[0] <= 12 and few[2] <= 14
