"""一企一策 in a real browser: the 低效用地 candidate list, a plan pre-filled from a candidate,
a measure and a progress note added in place (htmx), and the firm's policy tab."""
import pytest

from zoneops.core.models import Membership
from zoneops.improvement.models import ImprovementPlan, PolicyItem

from ..conftest import make_user
from ..improvement import helpers
from ..registry import factories
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_candidate_to_plan_with_measure_and_note(live_server, page, zone_a, zone_b):
    make_user("lina", zone_a, Membership.Role.STAFF, last_name="李", first_name="娜")
    run = helpers.run(zone_a, 2024, state="final")
    for i, (name, cls, total, area) in enumerate([
            ("台州市路桥区宏达五金有限公司", "D", 28.4, "36"), ("台州市路桥区明辉塑料制品有限公司", "D", 33.1, "12.5"),
            ("台州市路桥区精工机械有限公司", "C", 48.0, "20"), ("台州市路桥区新锐电子有限公司", "B", 81.0, "15")]):
        ent = factories.enterprise(zone_a, i, name=name)
        factories.parcel(zone_a, f"LQ-{i}", holder=ent, area=area)
        factories.figures(ent, 2024, tax=float(area) * 6)
        helpers.result(run, ent, cls=cls, total=total, land=float(area),
                       explanation={"next_class": "C", "need_tax_per_mu": 11.8} if cls == "D" else {})
    for cls, value in (("C", "0.05"), ("D", "0.10")):
        PolicyItem.objects.create(zone=zone_a, class_code=cls, item="电价加价（元/千瓦时）", value=value)
    PolicyItem.objects.create(zone=zone_a, class_code="D", item="用地保障", value="不予新增")
    base = live_server.url

    login(page, base, "lina", "pw-lina")
    page.click("aside >> text=低效用地候选")
    page.wait_for_selector("#candidate-table")
    assert page.inner_text("#candidate-totals").replace(" ", "").startswith("候选企业2家")
    rows = page.locator("#candidate-table tbody tr")
    assert rows.count() == 2 and "宏达五金" in rows.nth(0).inner_text()
    shot(page, "improvement-candidates")

    rows.nth(0).locator("a.make-plan").click()
    page.wait_for_selector("#prefill-hint")
    assert page.input_value("#id_enterprise") == factories.VALID_USCC[0]
    assert page.input_value("#id_target_class") == "C"
    assert "D 类" in page.input_value("#id_situation")
    shot(page, "improvement-plan-prefilled")
    page.click("form button[type=submit]")
    page.wait_for_selector("#measure-form")
    plan = ImprovementPlan.objects.get()
    assert plan.eval_class == "D" and plan.owner.username == "lina"

    page.select_option("#measure-form select[name=category]", "revitalize")
    page.fill("#measure-form textarea[name=content]", "收回闲置土地 10 亩，纳入低效用地再开发")
    page.fill("#measure-form input[name=department]", "自然资源和规划分局")
    page.click("#measure-form button[type=submit]")
    page.wait_for_selector("#measure-table >> text=收回闲置土地 10 亩")
    page.fill("#note-form textarea[name=text]", "已约谈企业负责人，企业同意年内腾退。")
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("#note-list >> text=已约谈企业负责人")
    assert plan.measures.get().category == "revitalize" and plan.notes.get().author.username == "lina"
    # An empty measure is refused in place, in Chinese, and nothing is saved.
    page.click("#measure-form button[type=submit]")
    page.wait_for_selector("#measure-form .text-danger")
    assert plan.measures.count() == 1
    shot(page, "improvement-plan-page")

    page.goto(f"{base}{plan.enterprise.get_absolute_url()}?tab=improvement")
    assert "0.10" in page.inner_text("#firm-policies") and "不予新增" in page.inner_text("#firm-policies")
    shot(page, "improvement-enterprise-tab")

    page.goto(f"{base}/improvement/candidates/")
    assert "查看方案" in page.locator("#candidate-table tbody tr").nth(0).inner_text()

    make_user("other", zone_b, Membership.Role.STAFF)
    page.context.clear_cookies()
    login(page, base, "other", "pw-other")
    assert page.goto(f"{base}{plan.get_absolute_url()}").status == 404
    page.goto(f"{base}/improvement/candidates/")
    assert "宏达五金" not in page.content()
