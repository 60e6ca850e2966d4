"""The closed loop through the service layer: each action writes the state, the named history
entry (who, when), the timeline, notifications; a stale version changes nothing."""
import datetime

import pytest
from django.core import mail

from zoneops.core.changelog import change_context
from zoneops.core.models import ObjectChange
from zoneops.service import engine, services
from zoneops.service.models import Notification, Problem, ProblemEvent

from .conftest import assigned, problem

pytestmark = pytest.mark.django_db


def history(p):
    return list(ObjectChange.objects.filter(object_id=str(p.pk), content_type__model="problem")
                .order_by("id").values_list("action", "user_name"))


def test_full_loop(staff_a, dept, dept_user, firm_x, firm_user, zone_a, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dept_user.email = "dept@example.com"
    dept_user.save()
    p = problem(zone_a, enterprise=firm_x, officer=staff_a)
    with change_context(user=staff_a):
        services.receive(p, staff_a)
    deadline = datetime.date.today() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        p = assigned(p, staff_a, dept, handler=dept_user, deadline=deadline)
    assert (p.state, p.department, p.handler, p.deadline, p.version) == ("assigned", dept, dept_user, deadline, 2)
    assert p.remind_on < p.deadline < p.red_on
    assert Notification.objects.filter(user=dept_user, text__contains="新交办").exists()
    assert any("新交办" in m.subject for m in mail.outbox) and mail.outbox[0].to == ["dept@example.com"]
    with change_context(user=dept_user):
        p = services.accept(p, dept_user, version=p.version)
        p = services.answer(p, dept_user, version=p.version, text="已协调施工单位完成屋顶改造。")
    assert p.state == "answered" and p.on_time is True and p.answered_on == datetime.date.today()
    assert Notification.objects.filter(user=firm_user, text__contains="已反馈").exists()
    with change_context(user=firm_user):
        p = services.rate(p, firm_user, version=p.version, rating="satisfied", note="响应很快")
    assert p.state == "closed" and p.rating == "satisfied" and p.closed_on == datetime.date.today()
    assert p.days_to_close == (p.closed_on - p.received_on).days
    assert history(p) == [("create", "system"), ("受理", "staff_a"), ("交办", "staff_a"), ("签收", "dept_a"),
                          ("反馈", "dept_a"), ("办结", "firm_x")]
    events = list(ProblemEvent.objects.filter(problem=p).values_list("action", "user_name"))
    assert [a for a, _u in events] == ["receive", "assign", "accept", "answer", "close"]
    assert events[2][1] == "李经办"


def test_unsatisfied_reopens_to_in_progress(staff_a, dept, dept_user, firm_x, firm_user, zone_a):
    p = assigned(problem(zone_a, enterprise=firm_x), staff_a, dept)
    p = services.answer(p, dept_user, version=p.version, text="已答复")
    p = services.rate(p, firm_user, version=p.version, rating="unsatisfied", note="没解决")
    assert p.state == "in_progress" and p.rating == "unsatisfied" and p.answered_on is None
    assert p.department == dept and p.deadline is not None and p.escalation_level == 0
    assert history(p)[-1][0] == "重开"


def test_return_goes_back_to_received_for_reassignment(staff_a, dept, dept_user, other_dept, zone_a):
    p = assigned(problem(zone_a, officer=staff_a), staff_a, dept, handler=dept_user)
    with pytest.raises(services.ActionError, match="退回须写明理由"):
        services.give_back(p, dept_user, version=p.version, reason="  ")
    p = services.give_back(p, dept_user, version=p.version, reason="属于人社局职责")
    assert (p.state, p.department, p.handler, p.deadline) == ("received", None, None, None)
    assert Notification.objects.filter(user=staff_a, text__contains="属于人社局职责").exists()
    assert ProblemEvent.objects.filter(problem=p, action="return", note__contains="属于人社局职责").exists()
    p = assigned(p, staff_a, other_dept)
    assert p.department == other_dept
    assert [a for a, _u in history(p)][-2:] == ["退回", "交办"]


def test_extension_approved_and_refused(staff_a, dept, dept_user, zone_a):
    deadline = datetime.date(2030, 3, 1)
    p = assigned(problem(zone_a), staff_a, dept, deadline=deadline)
    with pytest.raises(services.ActionError, match="须晚于当前期限"):
        services.request_extension(p, dept_user, version=p.version, new_date=deadline, reason="等待审批")
    p = services.request_extension(p, dept_user, version=p.version, new_date=datetime.date(2030, 4, 1),
                                   reason="需省厅审批")
    assert p.extension_pending and p.deadline == deadline
    with pytest.raises(services.ActionError, match="只能由开发区工作人员办理"):
        services.decide_extension(p, dept_user, version=p.version, approve=True)
    with pytest.raises(services.ActionError, match="待审批"):
        services.request_extension(p, dept_user, version=p.version, new_date=datetime.date(2030, 5, 1), reason="再延")
    p = services.decide_extension(p, staff_a, version=p.version, approve=True)
    assert not p.extension_pending and p.deadline == datetime.date(2030, 4, 1) and p.escalation_level == 0
    p = services.request_extension(p, dept_user, version=p.version, new_date=datetime.date(2030, 6, 1), reason="再延")
    p = services.decide_extension(p, staff_a, version=p.version, approve=False)
    assert not p.extension_pending and p.deadline == datetime.date(2030, 4, 1)
    assert [a for a, _u in history(p)].count("延期") == 4


def test_department_cannot_act_on_another_departments_problem(staff_a, dept, other_dept, zone_a):
    p = assigned(problem(zone_a), staff_a, other_dept)
    from django.contrib.auth import get_user_model

    dept_user = get_user_model().objects.get(username="dept_a")
    with pytest.raises(services.ActionError, match="只能由"):
        services.answer(p, dept_user, version=p.version, text="越权")
    assert Problem.objects.get(pk=p.pk).state == "assigned"


def test_stale_version_changes_nothing(staff_a, dept, dept_user, zone_a):
    p = assigned(problem(zone_a), staff_a, dept)
    seen = p.version
    first = Problem.objects.get(pk=p.pk)
    second = Problem.objects.get(pk=p.pk)
    services.answer(first, dept_user, version=seen, text="第一个人的答复")
    n = ObjectChange.objects.count()
    with pytest.raises(services.StaleVersion, match="已被他人修改"):
        services.give_back(second, dept_user, version=seen, reason="第二个人想退回")
    fresh = Problem.objects.get(pk=p.pk)
    assert fresh.state == "answered" and fresh.answer == "第一个人的答复" and ObjectChange.objects.count() == n


def test_the_conditional_update_catches_a_race(staff_a, dept, dept_user, zone_a):
    """Both loaded version 2; the first writes; the second passes the Python check (its object says
    2) but its UPDATE … WHERE version = 2 finds nothing."""
    p = assigned(problem(zone_a), staff_a, dept)
    a, b = Problem.objects.get(pk=p.pk), Problem.objects.get(pk=p.pk)
    services.accept(a, dept_user, version=a.version)
    with pytest.raises(services.StaleVersion):
        services.accept(b, dept_user, version=b.version)
    assert Problem.objects.get(pk=p.pk).version == 3


def test_staff_close_and_reopen(staff_a, dept, dept_user, zone_a):
    p = assigned(problem(zone_a), staff_a, dept)
    p = services.answer(p, dept_user, version=p.version, text="已办")
    p = services.close(p, staff_a, version=p.version)
    assert p.state == "closed" and p.rating == ""
    with pytest.raises(services.ActionError, match="重开须写明理由"):
        services.reopen(p, staff_a, version=p.version)
    p = services.reopen(p, staff_a, version=p.version, note="企业再次反映")
    assert p.state == "in_progress" and p.closed_on is None


def test_deadline_from_rules_in_working_days(staff_a, dept, zone_a):
    from zoneops.service.models import DeadlineRule
    from zoneops.service import workdays

    p = problem(zone_a, priority="urgent")
    assert services.deadline_for(p, datetime.date(2024, 9, 27)) == workdays.add_working_days(
        datetime.date(2024, 9, 27), 5)
    DeadlineRule.objects.create(zone=zone_a, priority="urgent", working_days=2)
    assert services.deadline_for(p, datetime.date(2024, 9, 27)) == datetime.date(2024, 9, 30)
    DeadlineRule.objects.create(zone=zone_a, category=p.category, priority="urgent", working_days=3)
    # The more specific rule wins: three working days from Friday 09-27 across National Day.
    assert services.deadline_for(p, datetime.date(2024, 9, 27)) == datetime.date(2024, 10, 8)
    assert engine.ACTION_LABELS["assign"] == "交办"
