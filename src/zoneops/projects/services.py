"""Project workflow with the database: stage moves, the plan marks, approvals checklists, problems
of a project (the service app's Problem through its subject seam), agendas and period figures."""
import datetime
import itertools
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from zoneops.core.changelog import log_action, snapshot
from zoneops.core.models import Zone

from . import engine
from .models import Approval, Meeting, MeetingItem, Project, ProjectType, StageEvent

MoveError = engine.MoveError


def user_name(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return user.get_full_name() or user.get_username()


def refresh_plan(project):
    """Recompute next_due/ahead from the dates (call after any change of dates or stage)."""
    project.next_due, project.ahead = engine.plan_marks(project.template, project.stage, project.planned(),
                                                        project.actual(), project.paused_from)


def ensure_approvals(project):
    """Create the checklist of the project's type (missing items only)."""
    have = set(project.approvals.values_list("name", flat=True))
    Approval.objects.bulk_create([
        Approval(zone_id=project.zone_id, project=project, name=name, order=i)
        for i, name in enumerate(project.project_type.approvals) if name not in have])


def move(project, target, user, *, dates=None, reason="", note="", today=None):
    """Move `project` to `target`, recording dates, a StageEvent and a named action in the change
    history. Raises MoveError (Chinese message) when a rule refuses it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("project_type").get(pk=project.pk)
        result = engine.check_move(project.template, project.stage, target, project.actual(), dates or {},
                                   reason=reason, today=today, paused_from=project.paused_from)
        before = snapshot(project)
        old = project.stage
        for stage, date in result.dates.items():
            setattr(project, f"{stage}_on", date)
        if target == engine.PAUSED:
            project.paused_from = old
        elif target == engine.TERMINATED:
            project.termination_reason = reason.strip()
        else:
            project.paused_from = ""
        project.stage = target
        project.save()  # (save keeps next_due/ahead) @track writes the field changes as an update …
        log_action(project, "stage_move", {"stage": old}, {  # … and the move itself as a named action
            "stage": target, "dates": {k: v.isoformat() for k, v in result.dates.items()},
            "reason": reason.strip() or None})
        StageEvent.objects.create(zone_id=project.zone_id, project=project, from_stage=old, to_stage=target,
                                  actual_on=result.dates.get(target), user=user if getattr(user, "is_authenticated", False) else None,
                                  user_name=user_name(user), note=(reason or note).strip()[:1000])
        del before
    return project


# -- problems (the service app's Problem, attached through subject_type/subject_id) ----------

def project_ct():
    return ContentType.objects.get_for_model(Project)


def problems_of(project_ids, user=None):
    from zoneops.service.models import Problem

    qs = Problem.objects.restrict(user) if user is not None else Problem.objects.all()
    return qs.filter(subject_type=project_ct(), subject_id__in=list(project_ids))


def raise_problem(project, user, *, title, description, department=None, deadline=None, category=None,
                  source="meeting"):
    """Register a problem of the project's investor through the service app's model and workflow
    (受理, then 交办 to a department with a deadline when given)."""
    from zoneops.service import services as service
    from zoneops.service.models import Problem, ProblemCategory

    if not project.investor_id:
        raise MoveError("投资方不在企业库中，不能登记企业诉求；请先把投资企业登记到企业库。")
    ProblemCategory.ensure_defaults([project.zone_id])
    category = category or ProblemCategory.objects.filter(zone_id=project.zone_id, name="其他").first() \
        or ProblemCategory.objects.filter(zone_id=project.zone_id).first()
    with transaction.atomic():
        problem = Problem.objects.create(
            zone_id=project.zone_id, enterprise_id=project.investor_id, subject_type=project_ct(),
            subject_id=project.pk, title=title[:120], description=description or title, source=source,
            category=category, officer=project.lead_officer)
        service.receive(problem, user)
        if department is not None:
            if deadline is not None and deadline < timezone.localdate():
                raise MoveError("办理期限不能早于今天。")
            service.assign(problem, user, version=problem.version, department=department, deadline=deadline)
    return problem


# -- agenda ---------------------------------------------------------------------------------

def agenda_window(meeting, today=None):
    """(today, start, end): stage moves in [start, end) count as 'since the last meeting'."""
    today = today or meeting.held_on
    prev = meeting.previous()
    since = prev.held_on if prev else today - datetime.timedelta(days=meeting.series.cadence_days)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(today, datetime.time())) + datetime.timedelta(days=1)
    return today, start, end


def agenda_flags(meeting, ref, today=None):
    """Three conditions on the project id field `ref` ("pk" of a project, "project_id" of an
    item): behind plan, an overdue problem, a stage move since the previous meeting of the
    series. Each is `ref IN (subquery)`, which the database evaluates once (a hashed subplan),
    not per row as a correlated EXISTS would be."""
    from zoneops.service import engine as service_engine
    from zoneops.service.models import Problem

    today, start, end = agenda_window(meeting, today)
    zone_id = meeting.zone_id
    behind = (Project.objects.filter(zone_id=zone_id, next_due__lt=today)
              .exclude(stage__in=[engine.TERMINATED, engine.PAUSED]).values("pk"))
    overdue = Problem.objects.filter(zone_id=zone_id, subject_type=project_ct(), subject_id__isnull=False,
                                     state__in=service_engine.WITH_DEPARTMENT, deadline__lt=today).values("subject_id")
    moved = (StageEvent.objects.filter(zone_id=zone_id, time__gte=start, time__lt=end).exclude(from_stage="")
             .values("project_id"))
    flags = [Q(**{f"{ref}__in": q}) for q in (behind, overdue, moved)]
    if ref == "pk":  # on the project itself 滞后 is a plain condition on the row
        flags[0] = Q(next_due__lt=today) & ~Q(stage__in=[engine.TERMINATED, engine.PAUSED])
    return tuple(flags)


def _agenda_columns(flags):
    """(qualifies, order, reasons) expressions over the three flags: whether the project goes on
    the agenda, the rank of its first reason (1 behind, 2 overdue, 3 moved; items sort by it,
    then by project) and its reasons in engine.agenda's order."""
    names = engine.REASON_BEHIND, engine.REASON_OVERDUE, engine.REASON_MOVED
    whens = []
    for on in itertools.product((True, False), repeat=3):
        if any(on):
            cond = Q()
            for flag, yes in zip(flags, on):
                cond &= flag if yes else ~flag
            whens.append(When(cond, then=Value([n for n, yes in zip(names, on) if yes], output_field=JSONField())))
    qualifies = flags[0] | flags[1] | flags[2]
    order = Case(When(flags[0], then=Value(1)), When(flags[1], then=Value(2)), default=Value(3),
                 output_field=IntegerField())
    return qualifies, order, Case(*whens, default=Value([], output_field=JSONField()), output_field=JSONField())


def agenda_ids(meeting, today=None):
    """[(project id, reasons)] the agenda selects, in agenda order (for tests and the CLI)."""
    flags = agenda_flags(meeting, "pk", today)
    as_bool = [ExpressionWrapper(f, output_field=BooleanField()) for f in flags]
    rows = (Project.objects.filter(zone_id=meeting.zone_id).filter(flags[0] | flags[1] | flags[2])
            .annotate(behind_=as_bool[0], overdue_=as_bool[1], moved_=as_bool[2])
            .values_list("pk", "behind_", "overdue_", "moved_"))
    return engine.agenda([r[0] for r in rows if r[1]], [r[0] for r in rows if r[2]], [r[0] for r in rows if r[3]])


def build_agenda(meeting, today=None):
    """(Re)build the agenda of `meeting` set-based, in a few statements whatever its size: projects
    behind plan, with an overdue problem, or moved since the previous meeting. Items already
    discussed (a decision, next steps or a problem recorded) stay; the others are refreshed:
    reasons and order updated where the project still qualifies, dropped where it does not,
    new projects inserted with one INSERT … SELECT. One history entry per build."""
    now = timezone.now()
    items = MeetingItem.objects.filter(meeting=meeting)
    with transaction.atomic():
        qualifies, order, reasons = _agenda_columns(agenda_flags(meeting, "project_id", today))
        discussed = ~Q(decision="") | ~Q(next_steps="") | ~Q(problem_ids=[])
        # undecided items that no longer qualify go (few; a plain delete keeps the change signals)
        gone = list(items.exclude(qualifies).exclude(discussed).values_list("pk", flat=True))
        if gone:
            MeetingItem.objects.filter(pk__in=gone).delete()
        # items of projects that still qualify: new reasons and order, one UPDATE
        items.filter(qualifies).update(order=order, reasons=reasons, updated=now)
        # new projects: one INSERT INTO meetingitem SELECT … FROM project WHERE it qualifies
        qualifies, order, reasons = _agenda_columns(agenda_flags(meeting, "pk", today))
        select = (Project.objects.filter(zone_id=meeting.zone_id).filter(qualifies)
                  .exclude(pk__in=items.values("project_id")).order_by()
                  .annotate(c_zone=F("zone_id"), c_created=Value(now, output_field=DateTimeField()),
                            c_updated=Value(now, output_field=DateTimeField()),
                            c_meeting=Value(meeting.pk, output_field=IntegerField()), c_project=F("pk"),
                            c_order=order, c_reasons=reasons, c_stage=F("stage"),
                            c_decision=Value(""), c_next=Value(""),
                            c_problems=Value([], output_field=JSONField()))
                  .values_list("c_zone", "c_created", "c_updated", "c_meeting", "c_project", "c_order",
                               "c_reasons", "c_stage", "c_decision", "c_next", "c_problems"))
        sql, params = select.query.sql_with_params()
        columns = ", ".join(connection.ops.quote_name(MeetingItem._meta.get_field(f).column) for f in (
            "zone", "created", "updated", "meeting", "project", "order", "reasons", "stage", "decision",
            "next_steps", "problem_ids"))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {connection.ops.quote_name(MeetingItem._meta.db_table)} "
                           f"({columns}) {sql}", params)
        # the build is one named action (a tracked save of agenda_built would add a second entry)
        Meeting.objects.filter(pk=meeting.pk).update(agenda_built=now, updated=now)
        meeting.agenda_built = now
        log_action(meeting, "agenda", None, {"projects": items.count()})
    return meeting


# -- figures --------------------------------------------------------------------------------

def _num(v):
    return float(v) if v is not None else 0.0


def _day_counts(qs, a, b, *group):
    """{(*group, days from a to b): n}, grouped in the database."""
    days = ExpressionWrapper(F(b) - F(a), output_field=DurationField())
    rows = qs.order_by().annotate(d=days).values(*group, "d").annotate(n=Count("pk")).values_list(*group, "d", "n")
    return {(*r[:-2], r[-2].days if r[-2] is not None else None): r[-1] for r in rows}


def period_figures(zone_ids, start, end, *, today=None):
    """The figures the zones report for [start, end] (both included), over `zone_ids`; every
    count, total and distribution is aggregated in the database."""
    today = today or timezone.localdate()
    base = Project.objects.filter(zone_id__in=zone_ids)
    in_period = Q(signed_on__gte=start, signed_on__lte=end)
    figures = base.aggregate(
        signed=Count("pk", filter=in_period),
        agreed_total=Sum("agreed_investment", filter=in_period),
        fixed_total=Sum("fixed_investment", filter=in_period),
        land_total=Sum("land_mu", filter=in_period),
        started_of_signed=Count("pk", filter=in_period & Q(started_on__lte=end)),
        **{f"band_{bound}": Count("pk", filter=in_period & Q(agreed_investment__gte=bound))
           for bound, _label in engine.BANDS},
        started=Count("pk", filter=Q(started_on__gte=start, started_on__lte=end)),
        entered=Count("pk", filter=Q(entered_on__gte=start, entered_on__lte=end)),
        producing=Count("pk", filter=Q(producing_on__gte=start, producing_on__lte=end)),
        full=Count("pk", filter=Q(full_on__gte=start, full_on__lte=end)),
        terminated=Count("pk", filter=Q(stage=engine.TERMINATED)),
        behind=Count("pk", filter=Q(next_due__lt=today) & ~Q(stage__in=[engine.TERMINATED, engine.PAUSED])),
        active=Count("pk", filter=~Q(stage__in=[engine.TERMINATED])),
    )
    bands = {label: figures.pop(f"band_{bound}") for bound, label in reversed(engine.BANDS)}
    for key in ("agreed_total", "fixed_total", "land_total"):
        figures[key] = _num(figures[key])
    durations = {}
    for key, a, b, label in (("signed_land", "signed_on", "land_on", "签约→供地"),
                             ("land_started", "land_on", "started_on", "供地→开工（拿地即开工）"),
                             ("started_producing", "started_on", "producing_on", "开工→投产")):
        counts = _day_counts(base.filter(**{f"{b}__gte": start, f"{b}__lte": end, f"{a}__isnull": False}), a, b)
        durations[key] = {"label": label, **engine.summary_counts({k[0]: n for k, n in counts.items()})}
    by_name = {}
    counts = _day_counts(Approval.objects.filter(zone_id__in=zone_ids, granted_on__gte=start, granted_on__lte=end,
                                                 applied_on__isnull=False), "applied_on", "granted_on", "name")
    for (name, days), n in counts.items():
        by_name.setdefault(name, {})[days] = n
    order = {n: i for i, n in enumerate(engine.DEFAULT_APPROVALS)}
    approvals = [{"name": name, **engine.summary_counts(by_name[name])}
                 for name in sorted(by_name, key=lambda n: (order.get(n, 99), n))]
    return {
        "start": start, "end": end,
        **figures,
        "bands": bands,
        "start_rate": engine.share(figures["started_of_signed"], figures["signed"]),
        "durations": durations,
        "approvals": approvals,
        "officers": officer_results(base, start, end, today),
    }


def officer_results(base, start, end, today):
    """Per lead officer: projects in hand, signed / started / producing in the period, 协议总投资
    signed, behind plan."""
    from django.contrib.auth import get_user_model

    rows = (base.values("lead_officer").annotate(
        total=Count("pk", filter=~Q(stage=engine.TERMINATED)),
        signed=Count("pk", filter=Q(signed_on__gte=start, signed_on__lte=end)),
        agreed=Sum("agreed_investment", filter=Q(signed_on__gte=start, signed_on__lte=end)),
        started=Count("pk", filter=Q(started_on__gte=start, started_on__lte=end)),
        producing=Count("pk", filter=Q(producing_on__gte=start, producing_on__lte=end)),
        behind=Count("pk", filter=Q(next_due__lt=today) & ~Q(stage__in=[engine.TERMINATED, engine.PAUSED])),
    ).order_by("-signed", "-total"))
    users = get_user_model().objects.in_bulk([r["lead_officer"] for r in rows if r["lead_officer"]])
    out = []
    for r in rows:
        u = users.get(r["lead_officer"])
        out.append({**r, "agreed": _num(r["agreed"]), "name": (u.get_full_name() or u.username) if u else "（未指定）"})
    return out


def board_columns(qs):
    """[(stage, label, count, agreed, fixed)] per stage for the board, one aggregate query."""
    sums = {r["stage"]: r for r in qs.order_by().values("stage").annotate(
        n=Count("pk"), agreed=Sum("agreed_investment"), fixed=Sum("fixed_investment"))}
    cols = []
    for stage in (*engine.PIPELINE, engine.PAUSED, engine.TERMINATED):
        r = sums.get(stage, {})
        cols.append({"stage": stage, "label": engine.LABELS[stage], "count": r.get("n", 0),
                     "agreed": r.get("agreed") or Decimal(0), "fixed": r.get("fixed") or Decimal(0)})
    return cols


def touch(zone_id):
    Zone.touch([zone_id])


__all__ = ["move", "build_agenda", "period_figures", "raise_problem", "problems_of",
           "ProjectType", "Meeting"]


def lead_from_candidate(candidate, user):
    """招商地图 → 转为招商项目: a 线索 for the candidate firm, on its best-matched chain segment."""
    ProjectType.ensure_defaults([candidate.zone_id])
    ptype = ProjectType.objects.filter(zone_id=candidate.zone_id).order_by("order", "id").first()
    match = candidate.matches.order_by("-confidence").select_related("segment").first() \
        if hasattr(candidate, "matches") else None
    existing = Project.objects.filter(zone_id=candidate.zone_id, investor_name=candidate.name,
                                      source="map").exclude(stage=engine.TERMINATED).first()
    if existing is not None:
        return existing
    project = Project(zone_id=candidate.zone_id, name=f"{candidate.name}投资项目", project_type=ptype,
                      investor_name=candidate.name, source="map", segment=match.segment if match else None,
                      chain_tag="fill" if match else "", lead_officer=user if getattr(user, "is_authenticated", False) else None,
                      lead_on=timezone.localdate(), notes=f"由招商地图目标企业转入（{candidate.province}{candidate.city}）")
    project.save()
    return project
