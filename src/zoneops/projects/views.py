"""Workflow pages of the project pipeline: board (drag to move), move dialog, project page,
figures, officers, dispatch meetings (agenda, record, report)."""
import datetime
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core.export import attachment
from zoneops.core.features import for_model
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE, can, may_create
from zoneops.core.views import ObjectDetailView

from . import engine, reports, services
from .filtersets import ProjectFilterSet
from .forms import MoveForm, RecordForm
from .models import Meeting, MeetingItem, MeetingSeries, Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BOARD_CARDS = 20  # cards shown per column (更多 → the list); the column's count and totals cover all


class ProjectDetailView(ObjectDetailView):
    template_name = "projects/project_detail.html"

    def base_context(self, **extra):
        context = super().base_context(**extra)
        if "object" in extra:
            context.update(project_header(self.request, extra["object"]))
        return context


def project_header(request, project):
    """Context the project page shows above its tabs (stage stepper, moves)."""
    return {"stage_rows": project.stage_rows(), "can_move": can(request.user, project.zone_id, CHANGE),
            "stages": [(s, engine.LABELS[s]) for s in (*project.template, engine.PAUSED, engine.TERMINATED)]}


# -- board ----------------------------------------------------------------------------------

def _url_pattern(name):
    """reverse() once with a placeholder pk: the board fills in hundreds of card URLs, and a
    reverse() per card was a third of the page's time."""
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def board_cards(projects, stages, limit, today):
    """The `limit` most recently changed cards of each stage in `stages`, as plain dicts (name,
    investor, amount, officer, status, URLs) so the template does no model lookups; one query per
    column, only the columns the card shows."""
    detail, move = _url_pattern("projects:project_detail"), _url_pattern("projects:project_move")
    rows = projects.select_related(None).order_by().values_list(
        "pk", "name", "stage", "agreed_investment", "next_due", "ahead", "investor_name", "investor__name",
        "lead_officer__username", "lead_officer__first_name", "lead_officer__last_name")
    out = {}
    for stage in stages:
        cards = []
        for pk, name, st, agreed, due, ahead, outside, investor, login, first, last in \
                rows.filter(stage=stage).order_by("-updated", "-pk")[:limit]:
            officer = f"{first} {last}".strip() or login or ""
            firm = investor or outside or ""
            cards.append({"pk": pk, "name": name, "url": detail.format(pk), "move": move.format(pk),
                          "investor": firm if len(firm) <= 18 else firm[:17] + "…",
                          "agreed": f"{agreed:,.0f}" if agreed is not None else "—", "officer": officer,
                          "status": engine.plan_status(due, ahead, today, st) or ""})
        out[stage] = cards
    return out


@login_required
def board(request):
    feature = for_model(Project)
    qs = feature.base_queryset(request.user)
    filterset = ProjectFilterSet(request.GET or None, queryset=qs, request=request)
    projects = filterset.qs if not filterset.is_bound or filterset.is_valid() else qs.none()
    columns = services.board_columns(projects)
    cards = board_cards(projects, [c["stage"] for c in columns if c["count"]], BOARD_CARDS,
                        timezone.localdate())
    query = request.GET.copy()
    query.pop("stage", None)
    for col in columns:
        col["cards"] = cards.get(col["stage"], [])
        col["more"] = col["count"] - len(col["cards"])
    return render(request, "projects/board.html", {
        "columns": columns, "filterset": filterset, "limit": BOARD_CARDS,
        "can_move": may_create(request.user, Project),
        "query": request.GET.urlencode(), "more_query": query.urlencode()})


class ProjectMoveView(LoginRequiredMixin, View):
    """GET: the move dialog (htmx partial) for ?to=<stage>; POST: move."""

    zone_model = Project

    def get_project(self):
        return get_object_or_404(Project.objects.restrict(self.request.user, CHANGE).select_related("project_type"),
                                 pk=self.kwargs["pk"])

    def get(self, request, pk):
        project = self.get_project()
        target = request.GET.get("to") or ""
        form = MoveForm(project=project, target=target if target in engine.LABELS else None,
                        initial={"to": target, **{f"date_{s}": timezone.localdate() for s in [target]}})
        return render(request, "projects/move_form.html", {"project": project, "form": form, "target": target,
                                                            "target_label": engine.LABELS.get(target, "")})

    def post(self, request, pk):
        project = self.get_project()
        target = request.POST.get("to", "")
        form = MoveForm(request.POST, project=project, target=target if target in engine.LABELS else None)
        error = None
        if form.is_valid():
            try:
                services.move(project, form.cleaned_data["to"], request.user, dates=form.dates(),
                              reason=form.cleaned_data["reason"])
            except services.MoveError as e:
                error = str(e)
        else:
            error = _("请检查填写的内容。")
        if error is None:
            messages.success(request, _("已移至“%(s)s”：%(p)s") % {"s": engine.LABELS[target], "p": project})
            if request.headers.get("HX-Request"):
                resp = HttpResponse(status=204)
                resp["HX-Refresh"] = "true"
                return resp
            return redirect(request.POST.get("next") or project.get_absolute_url())
        if request.headers.get("HX-Request"):
            return render(request, "projects/move_form.html", {
                "project": project, "form": form, "target": target, "error": error,
                "target_label": engine.LABELS.get(target, "")})  # 200: htmx swaps it into the dialog
        messages.error(request, error)
        return redirect(project.get_absolute_url())


class ProjectProblemView(LoginRequiredMixin, View):
    """POST: register a problem of the project's investor (service app's Problem, subject = project)."""

    zone_model = Project

    def post(self, request, pk):
        project = get_object_or_404(Project.objects.restrict(request.user, CHANGE), pk=pk)
        form = RecordForm(request.POST, zone_id=project.zone_id)
        if form.is_valid() and form.cleaned_data["problem_title"]:
            try:
                services.raise_problem(project, request.user, title=form.cleaned_data["problem_title"],
                                       description=request.POST.get("description", ""), source="other",
                                       department=form.cleaned_data["department"],
                                       deadline=form.cleaned_data["deadline"])
                messages.success(request, _("已登记问题并交办。"))
            except services.MoveError as e:
                messages.error(request, str(e))
        else:
            messages.error(request, _("请填写问题和责任部门。"))
        return redirect(project.get_absolute_url() + "?tab=problems")


# -- figures --------------------------------------------------------------------------------

def _period(request):
    today = timezone.localdate()
    try:
        start = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = datetime.date(today.year, 1, 1)
    try:
        end = datetime.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    return start, end


def _zone_choice(request):
    zones = list(Zone.objects.restrict(request.user).order_by("code"))
    chosen = request.GET.get("zone", "")
    picked = [z for z in zones if str(z.pk) == chosen]
    return zones, picked or zones


@login_required
def figures(request):
    zones, picked = _zone_choice(request)
    start, end = _period(request)
    data = services.period_figures([z.pk for z in picked], start, end)
    tables = reports.figure_tables(data)
    which = request.GET.get("figure")
    if request.GET.get("export") == "xlsx":
        chosen = [tables[which]] if which in tables else list(tables.values())
        name = f"招商项目统计-{start:%Y%m%d}-{end:%Y%m%d}" + (f"-{tables[which][0]}" if which in tables else "")
        return attachment(HttpResponse(reports.xlsx_tables(chosen), content_type=XLSX), name + ".xlsx")
    chart = {
        "bands": [[k, v] for k, v in data["bands"].items()],
        "durations": {k: {"label": d["label"], "hist": d["histogram"]} for k, d in data["durations"].items()},
        "approvals": [[a["name"], a["median"]] for a in data["approvals"]],
        "officers": [[o["name"], o["signed"], o["started"]] for o in data["officers"][:15]],
    }
    return render(request, "projects/figures.html", {
        "zones": zones, "zone": picked[0] if len(picked) == 1 else None, "start": start, "end": end, "f": data,
        "tables": tables, "chart_json": json.dumps(chart, ensure_ascii=False),
        "zone_param": request.GET.get("zone", "")})


@login_required
def officers(request):
    zones, picked = _zone_choice(request)
    start, end = _period(request)
    base = Project.objects.restrict(request.user).filter(zone__in=picked)
    rows = services.officer_results(base, start, end, timezone.localdate())
    officer = None
    projects = []
    chosen = request.GET.get("officer", "")
    if chosen.isdigit():
        projects = list(base.filter(lead_officer_id=int(chosen)).select_related("project_type", "investor")
                        .order_by("stage", "-agreed_investment")[:300])
        if projects:
            officer = get_user_model().objects.filter(pk=int(chosen)).first()
    return render(request, "projects/officers.html", {
        "zones": zones, "zone_param": request.GET.get("zone", ""), "start": start, "end": end, "rows": rows,
        "officer": officer, "projects": projects})


# -- dispatch meetings ----------------------------------------------------------------------

def meeting_items(meeting):
    return list(meeting.items.select_related("project", "project__investor", "project__project_type")
                .order_by("order", "project_id", "id"))


def item_problems(items):
    from zoneops.service.models import Problem

    ids = [pid for i in items for pid in i.problem_ids]
    found = Problem.objects.filter(pk__in=ids).select_related("department").in_bulk() if ids else {}
    return {i.pk: [found[p] for p in i.problem_ids if p in found] for i in items}


class MeetingDetailView(ObjectDetailView):
    template_name = "projects/meeting_detail.html"

    def get(self, request, **kwargs):
        if request.GET.get("tab", "overview") != "overview":
            return super().get(request, **kwargs)  # the history tab, as every record has it
        meeting = self.get_object()
        items = meeting_items(meeting)
        problems = item_problems(items)
        for item in items:
            item.new_problems = problems.get(item.pk, [])
            item.form = RecordForm(initial={"decision": item.decision, "next_steps": item.next_steps},
                                   zone_id=meeting.zone_id, prefix=f"i{item.pk}")
        return render(request, self.template_name, self.base_context(
            object=meeting, items=items, previous=meeting.previous(),
            can_edit=can(request.user, meeting.zone_id, CHANGE), can_delete=self.can_delete(meeting),
            tabs=[("overview", _("议程与记录")), ("history", _("变更记录"))], active_tab="overview"))


class MeetingAgendaView(LoginRequiredMixin, View):
    zone_model = Meeting

    def post(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.restrict(request.user, CHANGE).select_related("series"), pk=pk)
        services.build_agenda(meeting)
        messages.success(request, _("已生成议程：%(n)s 个项目。") % {"n": meeting.items.count()})
        return redirect(meeting.get_absolute_url())


class MeetingItemRecordView(LoginRequiredMixin, View):
    zone_model = MeetingItem

    def post(self, request, pk):
        item = get_object_or_404(MeetingItem.objects.restrict(request.user, CHANGE).select_related(
            "meeting", "project", "project__project_type"), pk=pk)
        form = RecordForm(request.POST, zone_id=item.zone_id, prefix=f"i{item.pk}")
        if not form.is_valid():
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
            return redirect(item.get_absolute_url())
        item.decision = form.cleaned_data["decision"]
        item.next_steps = form.cleaned_data["next_steps"]
        if form.cleaned_data["problem_title"]:
            try:
                problem = services.raise_problem(
                    item.project, request.user, title=form.cleaned_data["problem_title"],
                    description=_("%(m)s 提出：%(t)s") % {"m": item.meeting, "t": form.cleaned_data["problem_title"]},
                    department=form.cleaned_data["department"], deadline=form.cleaned_data["deadline"])
                item.problem_ids = [*item.problem_ids, problem.pk]
            except services.MoveError as e:
                messages.error(request, str(e))
        item.save()
        from zoneops.core.changelog import log_action

        log_action(item.meeting, "record", None, {"project": item.project.name, "decision": item.decision,
                                                  "next_steps": item.next_steps})
        messages.success(request, _("已记录：%(p)s") % {"p": item.project})
        return redirect(item.get_absolute_url())


class MeetingReportView(LoginRequiredMixin, View):
    zone_model = Meeting
    fmt = "docx"

    def get(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.restrict(request.user).select_related("series", "zone"), pk=pk)
        items = meeting_items(meeting)
        problems = item_problems(items)
        name = f"{meeting.series.name}会议纪要-{meeting.held_on:%Y%m%d}"
        if self.fmt == "docx":
            return attachment(HttpResponse(reports.meeting_docx(meeting, items, problems), content_type=DOCX),
                              name + ".docx")
        return attachment(HttpResponse(reports.meeting_xlsx(meeting, items, problems), content_type=XLSX),
                          name + ".xlsx")


class SeriesNextMeetingView(LoginRequiredMixin, View):
    """Schedule the series' next meeting (last meeting + cadence) with its agenda."""

    zone_model = MeetingSeries

    def post(self, request, pk):
        series = get_object_or_404(MeetingSeries.objects.restrict(request.user, CHANGE), pk=pk)
        day = series.next_date()
        meeting, created = Meeting.objects.get_or_create(
            series=series, held_on=day, defaults={"zone_id": series.zone_id, "location": series.location,
                                                  "chair": series.chair, "attendees": series.attendees})
        services.build_agenda(meeting)
        return redirect(meeting.get_absolute_url())

