"""Zone A's 为企服务 records for tests/core/test_isolation.py (the zone_a_data fixture)."""
import datetime

from zoneops.core.changelog import log_action
from zoneops.service.models import (DeadlineRule, Department, Escalation, Notification, Problem, ProblemAttachment,
                                    ProblemCategory, ProblemEvent, Visit)


def zone_a_records(data, zone_b):
    zone, ent, author = data["zone"], data["enterprise"], data["author"]
    ProblemCategory.ensure_defaults([zone.pk, zone_b.pk])
    cat = ProblemCategory.objects.get(zone=zone, name="用地")
    dept = Department.objects.create(zone=zone, name="甲区机密部门")
    dept.members.add(author)
    DeadlineRule.objects.create(zone=zone, category=cat, priority="urgent", working_days=3)
    visit = Visit.objects.create(zone=zone, enterprise=ent, people_met="甲区机密接待人", notes="甲区机密走访")
    problem = Problem.objects.create(
        zone=zone, enterprise=ent, title="甲区机密诉求", description="甲区机密内容", category=cat, visit=visit,
        department=dept, state="assigned", deadline=datetime.date(2024, 10, 8), escalation_level=2,
        remind_on=datetime.date(2024, 9, 29), red_on=datetime.date(2024, 10, 11))
    log_action(problem, "交办", None, {"state": "assigned"})
    ProblemEvent.objects.create(problem=problem, action="assign", state="assigned", note="甲区机密交办")
    Escalation.objects.create(problem=problem, level=2, deadline=problem.deadline,
                              created=datetime.datetime(2024, 10, 8, 6, tzinfo=datetime.timezone.utc))
    ProblemAttachment.objects.create(zone=zone, problem=problem, file="service/none/secret.txt",
                                     name="甲区机密附件.txt", size=3)
    Notification.objects.create(user=author, text="甲区机密通知", link=problem.get_absolute_url())
    # Zone B's own, so that its pages are not empty.
    ent_b = Problem.objects.none().model.enterprise.field.related_model.objects.filter(zone=zone_b).first()
    cat_b = ProblemCategory.objects.get(zone=zone_b, name="用工")
    Problem.objects.create(zone=zone_b, enterprise=ent_b, title="乙区诉求", description="乙区", category=cat_b)
    Department.objects.create(zone=zone_b, name="乙区经信局")
    data.update({"problem": problem, "visit": visit, "department": dept})
