"""The chain page's 链上企业 tab: tree order, paging without sorting the whole chain, filters, and a
query count that does not grow with the firms on a page."""
import random

import pytest

from zoneops.chains import services
from zoneops.chains.models import ChainMapping, Segment

from ..registry import factories as reg
from . import factories
from .test_overview import DEEP_TREE


@pytest.fixture
def listed(zone_a):
    rng = random.Random(7)
    chain = factories.chain(zone_a, tree=DEEP_TREE)
    segs = list(Segment.objects.filter(chain=chain))
    big = factories.segment(chain, "刹车片")
    for i in range(130):
        ent = reg.enterprise(zone_a, i, name=f"甲区{'精密' if i % 3 else '科技'}企业{i}有限公司")
        seg = big if i < 60 else rng.choice(segs)  # one large segment, the rest spread (some empty)
        factories.mapping(ent, seg, source=rng.choice(["auto", "auto", "confirmed", "rejected"]),
                          confidence=rng.choice([0.5, 0.6, 0.75, 0.9]))  # ties: ordered by id
    return chain


def expected(chain, **filters):
    segs = services._tree_order(list(Segment.objects.filter(chain=chain)))
    rank = {s.pk: i for i, s in enumerate(segs)}
    rows = ChainMapping.objects.filter(chain=chain, **filters)
    return [m.pk for m in sorted(rows, key=lambda m: (rank[m.segment_id], -m.confidence, m.pk))]


@pytest.mark.parametrize("small", [0, 5, 200])
def test_every_slice_is_the_tree_ordered_list(listed, small, monkeypatch):
    monkeypatch.setattr(services.TreeOrderedMappings, "SMALL", small)
    segs = services._tree_order(list(Segment.objects.filter(chain=listed)))
    want = expected(listed)
    rows = services.TreeOrderedMappings(ChainMapping.objects.filter(chain=listed), segs)
    assert rows.count() == len(rows) == len(want) == 130
    for size in (7, 50):
        got = []
        for start in range(0, len(want), size):
            page = rows[start:start + size]
            assert all(m.segment.pk == m.segment_id for m in page)
            got += [m.pk for m in page]
        assert got == want, size
    assert [m.pk for m in rows[123:400]] == want[123:]


def test_firms_tab_pages_filters_and_query_count(client, staff_a, listed, django_assert_max_num_queries):
    client.force_login(staff_a)
    url = listed.get_absolute_url()
    want = expected(listed)
    seen = []
    for page in (1, 2, 3):
        with django_assert_max_num_queries(16):  # session, user, chain, memberships, count, rows, 链主 …
            r = client.get(url, {"tab": "firms", "page": page})
        html = r.content.decode()
        assert "共 130 条" in html
        seen += [pk for pk in want if f'id="mapping-{pk}"' in html]
    assert seen == want  # every mapping once, on three pages
    html = client.get(url, {"tab": "firms", "source": "confirmed"}).content.decode()
    assert f"共 {len(expected(listed, source='confirmed'))} 条" in html
    # A word matches a firm's name or a segment's name.
    html = client.get(url, {"tab": "firms", "q": "科技"}).content.decode()
    n = ChainMapping.objects.filter(chain=listed, enterprise__name__contains="科技").count()
    assert f"共 {n} 条" in html and "甲区科技企业0有限公司" in html and "甲区精密企业1有限公司" not in html
    html = client.get(url, {"tab": "firms", "q": "车灯"}).content.decode()
    assert f"共 {ChainMapping.objects.filter(chain=listed, segment__name='车灯').count()} 条" in html


def test_firm_list_query_count_does_not_depend_on_the_page(client, staff_a, listed):
    client.force_login(staff_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for page in (1, 3):
        with CaptureQueriesContext(connection) as ctx:
            client.get(listed.get_absolute_url(), {"tab": "firms", "page": page})
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert not any("registry_enterprise" in q["sql"] and "WHERE" in q["sql"] and '"id" =' in q["sql"]
                   for q in ctx.captured_queries)  # no per-row firm lookups
