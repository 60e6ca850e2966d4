"""The evaluation in a real browser: staff create a run, open the run page (charts), adjust a firm's
class with a reason, publish; the firm's user sees its own result in the portal; screenshots."""
import datetime

import pytest

from zoneops.core.models import Membership
from zoneops.evaluation.models import Result, Run

from ..conftest import make_user
from ..evaluation import support
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_adjust_publish_and_portal(live_server, page, zone_a):
    make_user("lina", zone_a, Membership.Role.STAFF)
    firms = support.population(zone_a, 14, year=2023)
    support.population(zone_a, 6, scale="below", year=2023, start=40)
    for i, f in enumerate(firms):  # last year's figures (reversed order) so the Sankey has data
        support.add_year(f, 2022, tax=str(600 - 35 * i))
    support.make_run(zone_a, year=2022)
    base = live_server.url

    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base, "lina", "pw-lina")
    page.goto(f"{base}/evaluation/runs/")
    page.click("#new-run")
    page.fill("#id_year", "2023")
    page.select_option("#id_ruleset", label="黄岩区 2022 年度工业企业亩均效益综合评价（huangyan_2022）")
    page.click("#run-form button[type=submit]")
    page.wait_for_selector("#class-counts")
    run = Run.objects.get(year=2023)
    assert "初评" in page.inner_text("#run-state")
    page.wait_for_timeout(800)  # the charts animate
    assert not errors, errors
    assert page.locator("#chart-hist canvas").count() == 1 and page.locator("#chart-sankey canvas").count() == 1
    shot(page, "evaluation-run")

    page.click("#ranking-link")
    page.wait_for_selector("#ranking")
    shot(page, "evaluation-ranking")
    worst = Result.objects.select_related("enterprise").get(run=run, group="above", rank=14)
    page.click(f"text={worst.enterprise.name}")
    page.wait_for_selector("#adjust-form")
    page.select_option("#adjust-form select", "C")
    page.click("#adjust-form button[type=submit]")
    page.wait_for_load_state()
    worst.refresh_from_db()
    assert worst.final_class == "D"  # no reason, no change (the browser or the server refuses)
    page.fill("#adjust-form textarea", "技改项目已投产，经管委会研究上调一档")
    page.select_option("#adjust-form select", "C")
    page.click("#adjust-form button[type=submit]")
    page.wait_for_selector("text=已调档")
    worst.refresh_from_db()
    assert worst.final_class == "C"

    page.goto(f"{base}{worst.enterprise.get_absolute_url()}?tab=evaluation")
    page.wait_for_selector("#eval-radar canvas")
    assert "亩均税收需达到" in page.inner_text("#what-if")
    shot(page, "evaluation-enterprise-tab")

    page.goto(f"{base}{run.get_absolute_url()}")
    today = datetime.date.today()
    page.fill("#id_publish_from", today.isoformat())
    page.fill("#id_publish_to", (today + datetime.timedelta(days=6)).isoformat())
    page.click("#publish")
    page.wait_for_selector("#finalize")
    assert "公示" in page.inner_text("#run-state")
    shot(page, "evaluation-run-published")

    user = make_user("firm")
    Membership.objects.create(user=user, zone=zone_a, role=Membership.Role.ENTERPRISE, enterprise=worst.enterprise)
    page.context.clear_cookies()
    login(page, base, "firm", "pw-firm")
    page.goto(f"{base}/portal/")
    assert page.inner_text(".portal-class").strip() == "C"
    other = Result.objects.select_related("enterprise").get(run=run, group="above", rank=1)
    assert other.enterprise.name not in page.content()
    shot(page, "evaluation-portal")
