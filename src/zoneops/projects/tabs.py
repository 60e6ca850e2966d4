"""Tab contexts (project page, enterprise page) and the zone home cards."""
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from zoneops.core.scoping import CHANGE, can

from . import engine
from .models import Project


def project_timeline(request, project):
    """Stages, approvals, problems and moves of one project in date order."""
    items = []
    for row in project.stage_rows():
        if row["actual"]:
            items.append((row["actual"], "stage", f"{row['label']}", row))
    for a in project.approvals.all():
        if a.applied_on:
            items.append((a.applied_on, "approval", f"{a.name} 申请", a))
        if a.granted_on:
            items.append((a.granted_on, "approval", f"{a.name} 办结（{a.lead_days} 天）", a))
    for p in _problems(request, project):
        items.append((p.received_on, "problem", p.title, p))
    events = list(project.events.order_by("time", "id")[:200])
    items.sort(key=lambda x: (x[0], x[1]))
    return {"timeline": items, "events": events}


def _problems(request, project):
    from .services import problems_of

    return list(problems_of([project.pk], request.user).select_related("department").order_by("-received_on"))


def project_approvals(request, project):
    return {"approvals": list(project.approvals.all()), "can_edit": can(request.user, project.zone_id, CHANGE)}


def project_problems(request, project):
    from zoneops.service.models import Department

    problems = _problems(request, project)
    today = timezone.localdate()
    return {"problems": problems, "today": today,
            "can_raise": can(request.user, project.zone_id, CHANGE) and project.investor_id is not None,
            "departments": Department.objects.filter(zone_id=project.zone_id).order_by("name")}


def enterprise_projects(request, enterprise):
    projects = list(Project.objects.restrict(request.user).filter(investor=enterprise)
                    .select_related("project_type").order_by("-id"))
    return {"projects": projects}


def home_cards(zone, user):
    qs = Project.objects.filter(zone=zone)
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    c = qs.aggregate(
        signed=Count("pk", filter=Q(signed_on__gte=year_start)),
        big=Count("pk", filter=Q(signed_on__gte=year_start, agreed_investment__gte=100_000)),
        behind=Count("pk", filter=Q(next_due__lt=today) & ~Q(stage__in=[engine.TERMINATED, engine.PAUSED])),
        agreed=Sum("agreed_investment", filter=Q(signed_on__gte=year_start)))
    url = reverse("projects:project_list")
    return [
        {"label": "本年签约项目", "value": c["signed"], "url": f"{url}?zone={zone.pk}", "tone": ""},
        {"label": "本年签约协议总投资（亿元）", "value": round(float(c["agreed"] or 0) / 10000, 1),
         "url": reverse("projects:figures") + f"?zone={zone.pk}", "tone": ""},
        {"label": "本年签约10亿以上项目", "value": c["big"], "url": f"{url}?zone={zone.pk}&size=10", "tone": ""},
        {"label": "滞后项目", "value": c["behind"], "url": f"{url}?zone={zone.pk}&plan=behind",
         "tone": "warning" if c["behind"] else ""},
    ]


def series_meetings(request, series):
    meetings = list(series.meetings.annotate(n=Count("items")).order_by("-held_on"))
    return {"meetings": meetings, "next_date": series.next_date(),
            "can_edit": can(request.user, series.zone_id, CHANGE)}
