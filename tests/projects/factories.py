import datetime
from decimal import Decimal

from zoneops.projects.models import Meeting, MeetingSeries, Project, ProjectType


def ptype(zone, name="产业"):
    ProjectType.ensure_defaults([zone.pk])
    from zoneops.projects.models import DEFAULT_TYPES

    stages, approvals = DEFAULT_TYPES[name]
    return ProjectType.objects.get_or_create(zone=zone, name=name, defaults={"stages": stages,
                                                                            "approvals": approvals})[0]


def project(zone, i=0, **kw):
    kw.setdefault("name", f"{zone.name}项目{i:03}")
    kw.setdefault("investor_name", f"{zone.name}投资方{i}")
    if "project_type" not in kw:
        kw["project_type"] = ptype(zone)
    kw.setdefault("agreed_investment", Decimal(30000 + i))
    return Project.objects.create(zone=zone, **kw)


def series(zone, **kw):
    kw.setdefault("name", f"{zone.name}重点项目两周一调度")
    return MeetingSeries.objects.create(zone=zone, **kw)


def meeting(zone, day=None, s=None, **kw):
    s = s or MeetingSeries.objects.filter(zone=zone).first() or series(zone)
    return Meeting.objects.create(zone=zone, series=s, held_on=day or datetime.date(2024, 6, 1), **kw)


def bare_type(zone):
    """A type without approvals, so that creating its projects creates no Approval rows."""
    return ProjectType.objects.get_or_create(zone=zone, name="无审批", defaults={"stages": ["lead", "signed"],
                                                                              "approvals": []})[0]
