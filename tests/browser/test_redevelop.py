"""低效用地 in a real browser: the candidate list, two parcels ticked and opened as one 连片改造
case (pre-filled form), a milestone added in place (htmx), completion with the after FAR, the
case list totals and the figures page; another zone gets 404."""
import datetime
from decimal import Decimal

import pytest

from zoneops.core.models import Membership
from zoneops.redevelop.models import CaseStatus, RedevelopmentCase
from zoneops.registry.models import Parcel

from ..conftest import make_user
from ..improvement import helpers
from ..registry import factories
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_candidates_to_contiguous_case_to_figures(live_server, page, zone_a, zone_b):
    make_user("wangfang", zone_a, Membership.Role.STAFF, last_name="王", first_name="芳")
    run = helpers.run(zone_a, 2024, state="final")
    for i, (name, cls, area, far, tax) in enumerate([
            ("永康市金诚五金制品有限公司", "D", "18.6", "0.62", 55), ("永康市恒通电器配件有限公司", "D", "26.4", "0.81", 120),
            ("永康市华锐门业有限公司", "C", "12.0", "0.95", 150), ("永康市众泰工贸有限公司", "A", "40.0", "1.80", 2400)]):
        ent = factories.enterprise(zone_a, i, name=name)
        Parcel.objects.create(zone=zone_a, code=f"YK-2019-0{i + 1}", name=f"{name[3:7]}地块", holder=ent,
                              area_mu=Decimal(area), floor_area_ratio=Decimal(far), status="producing")
        factories.figures(ent, 2024, tax=Decimal(tax))
        helpers.result(run, ent, cls=cls, total=30.0 + 15 * i, land=float(area))
    base = live_server.url

    login(page, base, "wangfang", "pw-wangfang")
    page.click('aside >> text="低效用地"')
    page.wait_for_selector("#candidate-table")
    assert page.inner_text("#candidate-totals").replace(" ", "").startswith("候选地块2宗")
    rows = page.locator("#candidate-table tbody tr")
    assert rows.count() == 2 and "恒通电器" in rows.nth(0).inner_text()  # largest first
    assert "使用企业亩均评价 D 类" in rows.nth(0).inner_text()
    shot(page, "redevelop-candidates")

    page.locator("#candidate-table input.pick").nth(0).check()
    page.locator("#candidate-table input.pick").nth(1).check()
    page.click("#open-multi")
    page.wait_for_selector("#open-hint")
    assert page.input_value("#id_parcel_codes") == "YK-2019-01, YK-2019-02"
    page.select_option("#id_approach", "soe")
    page.fill("#id_target_far", "2.95")
    page.fill("#id_planned_investment", "12000")
    page.click("form button[type=submit]")
    page.wait_for_selector("#milestone-form")
    case = RedevelopmentCase.objects.get()
    assert case.extent == "contiguous" and case.area_mu == Decimal("45")
    assert set(Parcel.objects.filter(zone=zone_a, code__in=["YK-2019-01", "YK-2019-02"])
               .values_list("status", flat=True)) == {"redeveloping"}

    page.fill("#milestone-form input[name=title]", "完成企业腾退协议签订")
    page.fill("#milestone-form input[name=planned_on]", datetime.date.today().isoformat())
    page.click("#milestone-form button[type=submit]")
    page.wait_for_selector("#milestone-table >> text=完成企业腾退协议签订")
    page.click("#milestone-form button[type=submit]")  # empty: refused in place, in Chinese
    page.wait_for_selector("#milestone-form .text-danger")
    assert case.milestones.count() == 1
    page.click(".milestone-toggle")
    page.wait_for_selector("#milestone-table >> text=已完成")
    shot(page, "redevelop-case")

    page.fill("#complete-form input[name=far_after]", "")
    page.click("#complete-form button[type=submit]")
    page.wait_for_selector("#complete-form >> text=完成改造须填写改造后容积率")
    page.fill("#complete-form input[name=far_after]", "2.95")
    page.fill("#complete-form input[name=tax_per_mu_after]", "32.5")
    page.click("#complete-form button[type=submit]")
    page.wait_for_selector("#case-status >> text=已完成")
    case.refresh_from_db()
    assert case.status == CaseStatus.DONE

    page.click('aside >> text="改造项目"')
    page.wait_for_selector("#case-totals")
    assert "→ 2.95" in page.inner_text("#case-totals")
    shot(page, "redevelop-case-list")
    page.click('aside >> text="改造成效"')
    page.wait_for_selector("#figure-year")
    assert "→ 2.95" in page.inner_text("#done-stats")
    page.wait_for_timeout(500)  # the chart draws
    shot(page, "redevelop-figures")

    make_user("other", zone_b, Membership.Role.STAFF)
    page.context.clear_cookies()
    login(page, base, "other", "pw-other")
    assert page.goto(f"{base}{case.get_absolute_url()}").status == 404
    page.goto(f"{base}/redevelop/candidates/")
    assert "恒通电器" not in page.content()
