"""The differentiated-policy table and the enterprise page's tab."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.improvement.models import PolicyItem

from ..core.viewtests import parse_table
from ..registry import factories
from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(zone_a, zone_b):
    rows = [("A", "电价", "不加价", 1), ("B", "电价", "不加价", 1), ("C", "电价", "0.05 元/千瓦时", 1),
            ("D", "电价", "0.1 元/千瓦时", 1), ("D", "用地保障", "不予新增", 2), ("B", "信贷支持", "正常支持", 3)]
    for cls, item, value, order in rows:
        PolicyItem.objects.create(zone=zone_a, class_code=cls, item=item, value=value, order=order)
    PolicyItem.objects.create(zone=zone_b, class_code="D", item="乙区电价", value="乙区机密 0.3")


def tab(client, ent):
    r = client.get(ent.get_absolute_url(), {"tab": "improvement"})
    assert r.status_code == 200
    return r.content.decode(), r


def test_tab_shows_the_policies_of_the_current_class(client_a, zone_a, policies):
    ent = factories.enterprise(zone_a, 1)
    old = helpers.run(zone_a, 2023)
    helpers.result(old, ent, cls="B")
    run = helpers.run(zone_a, 2024)
    helpers.result(run, ent, cls="D", total=22.5)
    html, r = tab(client_a, ent)
    assert r.context["policy_class"] == "D"
    assert "0.1 元/千瓦时" in html and "不予新增" in html
    assert "0.05 元/千瓦时" not in html and "正常支持" not in html and "乙区机密" not in html
    assert "2024 年度评价" in html and "22.50" in html


def test_exempt_firm_gets_the_exemption_class(client_a, zone_a, policies):
    ent = factories.enterprise(zone_a, 1)
    helpers.result(helpers.run(zone_a, 2024), ent, cls="", exempt=True, total=None,
                   exemption_reason="新建项目投产未满一年")
    html, r = tab(client_a, ent)
    assert r.context["policy_class"] == "B"       # the 黄岩 ruleset's exemption class
    assert "免评" in html and "新建项目投产未满一年" in html and "按 B 类享受政策" in html
    assert "正常支持" in html and "0.1 元/千瓦时" not in html


def test_no_result_no_policies(client_a, zone_a, policies):
    ent = factories.enterprise(zone_a, 1)
    html, r = tab(client_a, ent)
    assert "尚无评价结果" in html and "不加价" not in html


def test_excluded_firm_has_no_class(client_a, zone_a, policies):
    ent = factories.enterprise(zone_a, 1)
    helpers.result(helpers.run(zone_a, 2024), ent, cls="", included=False, total=None,
                   exclusion_reason="用地面积不足 3 亩")
    html, r = tab(client_a, ent)
    assert r.context["policy_class"] == "" and "未定等级" in html and "不加价" not in html


def test_tab_lists_plans_and_offers_one(client_a, zone_a, staff_a):
    ent = factories.enterprise(zone_a, 1)
    helpers.plan(ent, owner=staff_a, title="老方案")
    html, _ = tab(client_a, ent)
    assert "老方案" in html and f"/improvement/plans/add/?enterprise={ent.pk}" in html


def test_tab_queries_do_not_grow(client_a, zone_a, staff_a, policies, django_assert_max_num_queries):
    ent = factories.enterprise(zone_a, 1)
    helpers.result(helpers.run(zone_a, 2024), ent, cls="D")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            tab(client_a, ent)
        return len(ctx)

    helpers.plan(ent, owner=staff_a)
    few = count()
    for i in range(10):
        helpers.plan(ent, owner=staff_a)
        PolicyItem.objects.create(zone=zone_a, class_code="D", item=f"项目{i}", value="x")
    with django_assert_max_num_queries(14):
        assert count() == few


def test_matrix_page(client_a, policies):
    r = client_a.get("/improvement/policy-table/")
    assert r.status_code == 200
    headers, rows = parse_table(r.content.decode())
    assert headers == ["政策项目", "A 类", "B 类", "C 类", "D 类"]
    assert rows[0] == ["电价", "不加价", "不加价", "0.05 元/千瓦时", "0.1 元/千瓦时"]
    assert rows[1] == ["用地保障", "—", "—", "—", "不予新增"]
    assert "乙区机密" not in r.content.decode()
    assert "新增政策项目" not in r.content.decode()    # staff read; only admins enter values


def test_matrix_page_other_zone(client_b, zone_a, policies):
    html = client_b.get("/improvement/policy-table/", {"zone": zone_a.pk}).content.decode()
    assert "乙区电价" in html and "0.05 元/千瓦时" not in html


def test_matrix_page_admin_and_empty(client, admin_a, zone_a):
    client.force_login(admin_a)
    html = client.get("/improvement/policy-table/").content.decode()
    assert "尚未录入差别化政策" in html and "新增政策项目" in html


def test_only_admins_write_policies(client_a, zone_a):
    r = client_a.post("/improvement/policies/add/", {"zone": zone_a.pk, "class_code": "D", "item": "水价",
                                                     "value": "1"})
    assert r.status_code == 403 and not PolicyItem.objects.exists()
