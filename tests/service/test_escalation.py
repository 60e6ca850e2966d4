"""督办: the sweep's schedule on the working-day calendar, with the date passed in (no clock)."""
import datetime

import pytest
from django.core.management import call_command

from zoneops.core.models import ObjectChange
from zoneops.service import escalation, services, tasks
from zoneops.service.models import Escalation, Notification, Problem

from .conftest import assigned, problem

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat


@pytest.fixture
def leader(zone_a):
    from tests.conftest import make_user
    from zoneops.core.models import Membership

    return make_user("leader_a", zone_a, Membership.Role.ADMIN)


@pytest.fixture
def overdue_case(staff_a, dept, dept_user, zone_a, leader):
    # Deadline Tuesday 2024-10-08, right after National Day: reminder two working days before
    # (09-29, the make-up Sunday), yellow on 10-08, red three working days after (10-11).
    p = problem(zone_a, 1)
    p = assigned(p, staff_a, dept, handler=dept_user, deadline=D("2024-10-08"))
    return p


def test_dates_follow_the_calendar(overdue_case):
    assert (overdue_case.remind_on, overdue_case.deadline, overdue_case.red_on) == (
        D("2024-09-29"), D("2024-10-08"), D("2024-10-11"))


@pytest.mark.parametrize("today, level", [
    ("2024-09-27", 0), ("2024-09-29", 1), ("2024-10-07", 1), ("2024-10-08", 2), ("2024-10-10", 2),
    ("2024-10-11", 3), ("2024-12-01", 3)])
def test_level_on_each_day(overdue_case, today, level):
    escalation.sweep(D(today))
    assert Problem.objects.get(pk=overdue_case.pk).escalation_level == level


def test_escalates_step_by_step_and_tells_the_right_people(overdue_case, dept_user, head_user, leader):
    assert escalation.sweep(D("2024-09-29"))["reminder"] == 1
    assert Notification.objects.filter(user=dept_user, text__startswith="到期提醒").count() == 1
    assert escalation.sweep(D("2024-10-08"))["yellow"] == 1
    assert Notification.objects.filter(user=head_user, text__startswith="黄牌督办").count() == 1
    assert escalation.sweep(D("2024-10-11"))["red"] == 1
    assert Notification.objects.filter(user=leader, text__startswith="红牌督办").count() == 1
    steps = list(Escalation.objects.filter(problem=overdue_case).values_list("level", "deadline"))
    assert steps == [(1, D("2024-10-08")), (2, D("2024-10-08")), (3, D("2024-10-08"))]
    changes = ObjectChange.objects.filter(action="督办", object_id=str(overdue_case.pk)).order_by("id")
    assert [(c.before, c.after, c.user_name, c.zone_id) for c in changes] == [
        ({"escalation_level": 0}, {"escalation_level": 1}, "system", overdue_case.zone_id),
        ({"escalation_level": 1}, {"escalation_level": 2}, "system", overdue_case.zone_id),
        ({"escalation_level": 2}, {"escalation_level": 3}, "system", overdue_case.zone_id)]


def test_idempotent(overdue_case):
    first = escalation.sweep(D("2024-10-11"))
    assert first["red"] == 1
    n = (Escalation.objects.count(), ObjectChange.objects.count(), Notification.objects.count())
    again = escalation.sweep(D("2024-10-11"))
    assert again == {"reminder": 0, "yellow": 0, "red": 0, "notifications": 0}
    assert (Escalation.objects.count(), ObjectChange.objects.count(), Notification.objects.count()) == n


def test_skipped_days_give_the_highest_level_only(overdue_case):
    escalation.sweep(D("2024-10-20"))
    assert list(Escalation.objects.values_list("level", flat=True)) == [3]


def test_new_deadline_starts_over(overdue_case, staff_a, dept_user):
    escalation.sweep(D("2024-10-08"))
    p = services.request_extension(Problem.objects.get(pk=overdue_case.pk), dept_user, version=2,
                                   new_date=D("2024-11-15"), reason="需市里协调")
    p = services.decide_extension(p, staff_a, version=p.version, approve=True)
    assert p.escalation_level == 0
    escalation.sweep(D("2024-10-09"))
    assert Problem.objects.get(pk=p.pk).escalation_level == 0
    escalation.sweep(D("2024-11-15"))
    assert Problem.objects.get(pk=p.pk).escalation_level == 2
    assert Escalation.objects.filter(problem=p, deadline=D("2024-11-15"), level=2).exists()


def test_answered_and_unassigned_problems_do_not_escalate(overdue_case, dept_user, zone_a):
    services.answer(Problem.objects.get(pk=overdue_case.pk), dept_user, version=2, text="已办")
    problem(zone_a, 2)  # received, no department yet
    assert escalation.sweep(D("2024-12-01")) == {"reminder": 0, "yellow": 0, "red": 0, "notifications": 0}


def test_digest_notifications(staff_a, dept, dept_user, zone_a, leader):
    for i in range(3):
        assigned(problem(zone_a, 10 + i), staff_a, dept, handler=dept_user, deadline=D("2024-10-08"))
    escalation.sweep(D("2024-10-11"))
    notes = list(Notification.objects.filter(user=leader).values_list("text", flat=True))
    assert notes == ["红牌督办：有 3 项诉求超期未办结，请督促。"]


def test_zones_apart(overdue_case, zone_b, staff_b):
    from zoneops.service.models import Department

    d = Department.objects.create(zone=zone_b, name="乙区经信局")
    pb = assigned(problem(zone_b, 3), staff_b, d, deadline=D("2024-10-08"))
    escalation.sweep(D("2024-10-11"), zone_ids=[zone_b.pk])
    assert Problem.objects.get(pk=pb.pk).escalation_level == 3
    assert Problem.objects.get(pk=overdue_case.pk).escalation_level == 0


def test_command_and_task(overdue_case, capsys):
    call_command("escalate_problems", "--date", "2024-10-08", "--dry-run")
    assert "黄牌 1 项" in capsys.readouterr().out
    assert Problem.objects.get(pk=overdue_case.pk).escalation_level == 0
    call_command("escalate_problems", "--date", "2024-10-08")
    assert "黄牌督办 1 项" in capsys.readouterr().out
    assert Problem.objects.get(pk=overdue_case.pk).escalation_level == 2


def test_next_run_is_tomorrow_morning():
    from django.utils import timezone

    now = timezone.make_aware(datetime.datetime(2024, 10, 8, 9, 30))
    assert timezone.localtime(tasks.next_run(now)).replace(tzinfo=None) == datetime.datetime(2024, 10, 9, 6, 0)
    early = timezone.make_aware(datetime.datetime(2024, 10, 8, 5, 0))
    assert timezone.localtime(tasks.next_run(early)).replace(tzinfo=None) == datetime.datetime(2024, 10, 8, 6, 0)


def test_schedule_queues_once():
    from django_tasks_db.models import DBTaskResult

    assert tasks.schedule_next() is True
    assert tasks.schedule_next() is False
    queued = DBTaskResult.objects.get(task_path=tasks.escalate_problems.module_path)
    assert queued.run_after > queued.enqueued_at
