"""Rankings in a real browser: the province map with the ranking beside it and a drill-down to a
zone's dashboard; the ranking table (末位 red, links only for the user's zone); the summary."""
import pytest

from zoneops.core.models import Membership, Zone
from zoneops.rankings import services, summary
from zoneops.rankings.models import AnnualSummary

from ..conftest import make_user
from ..rankings import factories as f
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONES = [("luqiao", "路桥经济开发区", "331004", 1.3), ("yongkang", "永康经济开发区", "330784", 1.0),
         ("jiangshan", "江山经济开发区", "330881", 0.8), ("huzhou", "长三角（湖州）产业合作区", "330521", 0.7),
         ("oujiangkou", "瓯江口产业集聚区", "330305", 0.5)]


@pytest.fixture
def demo():
    zones = []
    for code, name, region, size in ZONES:
        zone = Zone.objects.create(code=code, name=name, region_code=region)
        for year, growth in ((2023, 1.0), (2024, 1.0 + size / 4)):
            for month in (5, 6, 12):
                f.value(zone, "fixed_investment", year, month, round(385000 * size * growth * month / 12))
                f.value(zone, "tax_revenue", year, month, round(265000 * size * month / 12 * (growth if size < 1 else 1)))
        f.target(zone, "tax_revenue", 2024, round(265000 * size * 1.1))
        zones.append(zone)
    scheme = f.scheme(name="开发区高质量发展赛马", bottom_places=1, items=(
        ("经济规模", 40, [("fixed_investment", "value", "rank", "")]),
        ("综合效益", 30, [("tax_revenue", "progress", "target", "")]),
        ("增量增速", 30, [("fixed_investment", "yoy", "minmax", "")])))
    services.compute_with_previous(scheme, 2024, 6)
    return zones, scheme


def test_province_map_ranking_and_drill_down(live_server, page, demo):
    zones, scheme = demo
    make_user("prov", None, Membership.Role.PROVINCE)
    base = live_server.url
    login(page, base, "prov", "pw-prov")
    page.goto(f"{base}/rankings/province/?indicator=fixed_investment&period=2024-06&scheme={scheme.pk}")
    page.wait_for_selector("#province-map[data-ready='1']")
    page.wait_for_timeout(600)  # the map's first paint
    rows = page.locator("#province-ranking tbody tr")
    assert rows.count() == 5
    assert "路桥经济开发区" in page.inner_text("#province-ranking")
    assert page.locator("#province-map canvas").count() >= 1
    shot(page, "rankings-province")
    page.click("#province-ranking a:has-text('江山经济开发区')")
    page.wait_for_load_state()
    assert f"zone={zones[2].pk}" in page.url


def test_ranking_table_for_a_zone_user_and_the_summary(live_server, page, demo):
    zones, scheme = demo
    make_user("lq", zones[0], Membership.Role.STAFF)
    base = live_server.url
    login(page, base, "lq", "pw-lq")
    page.goto(f"{base}/rankings/{scheme.pk}/?period=2024-06")
    table = page.locator("#ranking")
    assert table.locator("tbody tr").count() == 5
    assert table.locator("tbody a").count() == 1 and "路桥" in table.locator("tbody a").inner_text()
    assert page.locator("tr.zo-bottom").count() == 1
    color = page.eval_on_selector("tr.zo-bottom td", "e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(253, 226, 225)"
    shot(page, "rankings-table")

    page.goto(f"{base}/rankings/summaries/?zone={zones[0].pk}&year=2024")
    page.click("button:has-text('生成年度总结')")
    page.wait_for_selector("#summary-form")
    assert "固定资产投资" in page.input_value("#id_headline")
    page.fill("#id_overview", "2024年，路桥经开区坚持项目为王。")
    page.click("#summary-form button:has-text('保存')")
    page.wait_for_selector("text=已保存")
    assert AnnualSummary.objects.get(zone=zones[0], year=2024).overview == "2024年，路桥经开区坚持项目为王。"
    shot(page, "rankings-summary")
    assert AnnualSummary.objects.get(zone=zones[0], year=2024).edited
    # 重新生成 asks before overwriting (the server also refuses without confirm=1: test_views)
    assert "覆盖" in page.get_attribute(f"form[action$='/regenerate/']", "onsubmit")
    with page.expect_download() as info:
        page.click("text=导出 Word")
    assert info.value.path().read_bytes()[:2] == b"PK"
