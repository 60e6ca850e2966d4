"""招商项目 in a real browser: drag a project on the board to the next stage (the dialog asks for
the actual date), see it on the project's timeline; the figures page draws its charts."""
import datetime

import pytest

from zoneops.core.models import Membership
from zoneops.projects import demo
from zoneops.projects.models import Project, StageEvent

from ..conftest import make_user
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_move_and_timeline(live_server, page, zone_a):
    base = live_server.url
    make_user("zhaoshang", zone_a, Membership.Role.STAFF, first_name="王明明")
    demo.load_demo([zone_a], seed=3, last_year=datetime.date.today().year - 1)
    project = Project.objects.filter(zone=zone_a, stage="signed", project_type__name="产业").order_by("pk").first()
    assert project is not None

    login(page, base, "zhaoshang", "pw-zhaoshang")
    page.goto(f"{base}/projects/board/?q={project.name}")
    card = page.locator(f".zo-card[data-id='{project.pk}']")
    card.wait_for()
    shot(page, "projects-board")
    card.drag_to(page.locator(".zo-col[data-stage='land']"))
    page.locator("#move-dialog[open]").wait_for()
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    page.fill("#id_date_land", today)
    shot(page, "projects-move-dialog")
    page.click("#move-submit")
    page.wait_for_load_state("networkidle")
    shot(page, "projects-after-move")
    project.refresh_from_db()
    assert project.stage == "land" and project.land_on.isoformat() == today
    assert StageEvent.objects.filter(project=project, to_stage="land", user__username="zhaoshang").exists()

    page.goto(f"{base}/projects/projects/{project.pk}/?tab=timeline")
    timeline = page.locator("#project-timeline").inner_text()
    assert "供地" in timeline and "签约" in timeline
    assert "王明明" in page.locator("#stage-events").inner_text()
    shot(page, "projects-project")

    page.goto(f"{base}/projects/figures/?from={datetime.date.today().year - 1}-01-01&to={today}")
    page.wait_for_function("document.querySelector('#chart-bands canvas') !== null")
    assert int(page.locator("#project-stats .zo-stat").first.inner_text()) > 0
    shot(page, "projects-figures")
