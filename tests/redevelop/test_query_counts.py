"""The candidate list, the case list (with its totals), the case page and the figures page run a
number of queries that does not grow with the number of parcels, cases or milestones."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..improvement import helpers
from . import factories as f

pytestmark = pytest.mark.django_db


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {})
    assert r.status_code == 200
    return len(ctx)


def fill(zone, run, start, n, staff):
    for i in range(start, start + n):
        ent = f.firm(zone, 100 + i, cls="D", run=run, tax=10 + i)
        f.parcel(zone, f"Q-{i:03}", holder=ent, far=0.5)
        q = f.parcel(zone, f"QC-{i:03}", holder=ent, far=0.5)
        case = f.case(zone, [q], staff, name=f"改造{i}")
        f.milestone(case)


@pytest.mark.parametrize("url", ["redevelop:candidates", "redevelop:redevelopmentcase_list", "redevelop:figures",
                                 "redevelop:candidaterule_list"])
def test_pages_do_not_grow(client_a, zone_a, staff_a, url):
    run = helpers.run(zone_a, 2024, state="final")
    f.rule(zone_a, name="甲", classes="D")
    fill(zone_a, run, 0, 2, staff_a)
    few = queries(client_a, reverse(url))
    fill(zone_a, run, 2, 12, staff_a)
    many = queries(client_a, reverse(url))
    assert many == few, (url, few, many)


def test_case_page_does_not_grow(client_a, zone_a, staff_a):
    parcels = [f.parcel(zone_a, f"C-{i}", far=0.6) for i in range(2)]
    case = f.case(zone_a, parcels[:1], staff_a)
    few = queries(client_a, case.get_absolute_url())
    more = [f.parcel(zone_a, f"D-{i}", far=0.6) for i in range(8)]
    big = f.case(zone_a, more, staff_a)
    for i in range(8):
        f.milestone(big, title=f"节点{i}")
    assert queries(client_a, big.get_absolute_url()) == few
