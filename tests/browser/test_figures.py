"""Zone figures in a real browser: the dashboard with its RAG table and 24-month chart, switching
the charted indicator, the monthly entry (live 同比, a bad number refused with nothing saved, then
saved); another zone's user gets a 404."""
import pytest

from zoneops.core.models import Membership
from zoneops.figures import demo, services
from zoneops.figures.models import IndicatorValue

from ..conftest import make_user
from ..registry import factories as reg
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_chart_and_monthly_entry(live_server, page, zone_a, zone_b):
    make_user("chen", zone_a, Membership.Role.STAFF, first_name="陈晓")
    make_user("other", zone_b, Membership.Role.STAFF)
    for i in range(6):
        reg.enterprise(zone_a, i, scale="above", is_high_tech=i % 2 == 0)
    year, month = services.default_period()
    demo.load_demo([zone_a], seed=3, last_year=year - 1)
    base = live_server.url
    period = f"{year}-{month:02d}"

    login(page, base, "chen", "pw-chen")
    page.goto(f"{base}/figures/?period={period}")
    page.wait_for_selector("#chart-series canvas")
    table = page.inner_text("#figures-table")
    assert "固定资产投资" in table and "规上企业数" in table and "系统计算" in table
    assert page.locator("#figures-table .badge").count() > 5  # RAG badges
    shot(page, "figures-dashboard")

    page.click("#figures-table a:has-text('税收收入')")
    page.wait_for_selector("#chart-series canvas")
    assert "税收收入" in page.inner_text(".card-header")

    page.goto(f"{base}/figures/entry/?period={period}")
    field = page.locator("input[name^='v_']").first
    base_text = field.get_attribute("data-base")
    field.fill(str(float(base_text) * 1.25) if base_text else "100")
    if base_text:
        assert page.locator("td.yoy").first.inner_text() == "+25.0%"
    page.locator("input[name^='v_']").nth(1).fill("十二万")
    before = IndicatorValue.objects.count()
    page.click("button:has-text('保存本月数据')")
    page.wait_for_selector(".invalid-feedback")
    assert "不是有效的数字" in page.inner_text(".invalid-feedback") and IndicatorValue.objects.count() == before
    shot(page, "figures-entry-error")
    page.locator("input[name^='v_']").nth(1).fill("120000")
    page.click("button:has-text('保存本月数据')")
    page.wait_for_selector(".alert-success, .alert:has-text('已保存')")
    shot(page, "figures-entry")

    page.goto(f"{base}/figures/values/?indicator={services.catalogue()[0].pk}&year={year}")
    assert "固定资产投资" in page.inner_text("table") and "陈晓" in page.inner_text("table")
    shot(page, "figures-values")
    page.goto(f"{base}/figures/targets/?year={year}")
    shot(page, "figures-targets")
    page.goto(f"{base}/figures/indicators/")
    assert "规上企业数" in page.inner_text("#indicator-table")
    shot(page, "figures-catalogue")

    page.context.clear_cookies()
    login(page, base, "other", "pw-other")
    r = page.goto(f"{base}/figures/?zone={zone_a.pk}&period={period}")
    assert r.status == 404 and "固定资产投资" not in page.content()
