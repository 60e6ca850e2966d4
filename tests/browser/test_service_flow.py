"""为企服务 in a real browser: a firm submits a problem in the portal, zone staff assign it, the
department answers from its inbox, the firm rates the answer; the figures page draws its charts."""
import datetime

import pytest

from zoneops.core.models import Membership
from zoneops.service import demo
from zoneops.service.models import Department, Problem, ProblemCategory

from ..conftest import make_user
from ..registry import factories
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_portal_to_department_to_rating(live_server, page, zone_a, zone_b):
    base = live_server.url
    firm = factories.enterprise(zone_a, 1, name="台州星火汽配有限公司")
    other = factories.enterprise(zone_a, 2, name="台州远山电子有限公司")
    staff = make_user("lina", zone_a, Membership.Role.STAFF, first_name="林娜")
    make_user("boss", zone_a, Membership.Role.ADMIN, first_name="周主任")
    firm.account_officer = staff
    firm.save()
    make_user("xinghuo", zone_a, Membership.Role.ENTERPRISE, enterprise=firm, first_name="陈晓燕")
    clerk = make_user("ziguiju", zone_a, Membership.Role.DEPARTMENT, first_name="张建国")
    dept = Department.objects.create(zone=zone_a, name="自然资源和规划局")
    dept.members.add(clerk)
    dept.heads.add(clerk)
    ProblemCategory.ensure_defaults([zone_a.pk])
    # Some history so that the inbox and figures have more than one row.
    records = list(demo.generate(40, 2, seed=7, today=datetime.date.today()))
    cats = dict(ProblemCategory.objects.filter(zone=zone_a).values_list("name", "pk"))
    depts = {n: dept.pk for n in demo.DEPARTMENTS}
    demo.write(zone_a, records, [(other.pk, staff.pk), (other.pk, staff.pk)], cats, depts, [staff.pk],
               seed=7, today=datetime.date.today())

    # 1. The firm reports a problem in the portal.
    login(page, base, "xinghuo", "pw-xinghuo")
    assert page.url.endswith("/portal/")
    page.fill("#portal-submit [name=title]", "新厂房屋顶漏水")
    page.select_option("#portal-submit [name=category]", label="基础设施")
    page.fill("#portal-submit [name=description]", "入驻后发现屋顶漏水、地面悬空，影响设备安装。")
    page.click("#portal-submit button")
    page.wait_for_selector("text=诉求已提交")
    assert "新厂房屋顶漏水" in page.inner_text("#portal-problems")
    assert "台州远山电子" not in page.content()
    shot(page, "service-portal")
    problem = Problem.objects.get(title="新厂房屋顶漏水")
    assert problem.state == "received" and problem.source == "self" and problem.enterprise == firm

    # 2. Zone staff assign it to the department.
    page.context.clear_cookies()
    login(page, base, "lina", "pw-lina")
    page.goto(f"{base}/service/problems/{problem.pk}/")
    page.select_option("#form-assign [name=department]", label="自然资源和规划局")
    page.select_option("#form-assign [name=handler]", index=1)
    page.click("#form-assign button")
    page.wait_for_selector("text=已办理：交办")
    problem.refresh_from_db()
    assert problem.state == "assigned" and problem.department == dept and problem.deadline

    # 3. The department answers from its inbox.
    page.context.clear_cookies()
    login(page, base, "ziguiju", "pw-ziguiju")
    assert page.url.endswith("/service/inbox/")
    assert "新厂房屋顶漏水" in page.inner_text("#inbox")
    shot(page, "service-inbox")
    page.click("#inbox >> text=新厂房屋顶漏水")
    page.fill("#form-answer textarea", "已安排施工单位完成屋顶防水和地面加固，经企业现场确认。")
    page.click("#form-answer button")
    page.wait_for_selector("text=已办理：反馈")
    shot(page, "service-problem")
    problem.refresh_from_db()
    assert problem.state == "answered" and problem.on_time

    # 4. The firm sees the answer and rates it.
    page.context.clear_cookies()
    login(page, base, "xinghuo", "pw-xinghuo")
    page.click("#portal-problems >> text=去评价")
    assert "施工单位" in page.content()
    page.check("#rate input[value=satisfied]")
    page.click("#rate button")
    page.wait_for_selector("text=已办理：评价")
    problem.refresh_from_db()
    assert problem.state == "closed" and problem.rating == "satisfied"
    assert [e.action for e in problem.events.order_by("id")] == ["receive", "assign", "answer", "close"]

    # 5. The figures page, with its charts drawn.
    page.context.clear_cookies()
    login(page, base, "lina", "pw-lina")
    page.goto(f"{base}/service/figures/")
    page.wait_for_selector("#chart-months canvas")
    assert "办结率" in page.inner_text("#service-stats")
    shot(page, "service-figures")
    page.goto(f"{base}/service/problems/{problem.pk}/")
    assert "办结" in page.inner_text("#timeline")
    shot(page, "service-problem-closed")
