"""Workflow pages: the problem page and its actions, the department inbox, my firms, visits,
figures, notifications, attachments and the portal's problem section."""
import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core import export
from zoneops.core.attachments import attachment_response
from zoneops.core.changelog import log_action
from zoneops.core.models import Membership, Zone
from zoneops.core.scoping import ADMIN, CHANGE, can, portal_enterprise_ids, zone_ids_for
from zoneops.core.views import (
    ObjectDetailView,
    ObjectEditView,
    object_history,
    overview_fields,
    with_labelled_fields,
)
from zoneops.registry.models import Enterprise

from . import engine, figures, forms, services, workdays
from .models import (
    Department,
    Notification,
    Problem,
    ProblemAttachment,
    State,
    Visit,
    department_ids,
)


def store_attachment(problem, f, user):
    att = ProblemAttachment(problem=problem, zone_id=problem.zone_id, name=f.name[:200], size=f.size,
                            uploaded_by=user if user.is_authenticated else None)
    att.file.save(f.name, f, save=False)
    att.save()
    return att


# --------------------------------------------------------------------------------------------
# The problem page

MOVE_FORMS = {"assign": forms.AssignForm, "request_extension": forms.ExtensionForm, "rate": forms.RateForm}


def timeline(problem, public_only=False):
    events = list(problem.events.all())
    if public_only:
        events = [e for e in events if e.public]
    items = [{"time": e.time, "label": e.label, "who": e.user_name, "note": e.note, "state": e.get_state_display(),
              "kind": "event"} for e in events]
    if not public_only:
        for esc in problem.escalations.all():
            items.append({"time": esc.created, "label": esc.get_level_display(), "who": _("系统"),
                          "note": _("期限 %(date)s") % {"date": esc.deadline.isoformat()},
                          "state": "", "kind": f"level-{esc.level}"})
    return sorted(items, key=lambda i: i["time"])


def deadline_note(problem):
    if problem.deadline is None:
        return ""
    if not workdays.span_is_known(problem.assigned_on or problem.deadline, problem.deadline):
        return workdays.FALLBACK_NOTE
    return ""


class ProblemDetailView(ObjectDetailView):
    """The problem page: overview with the timeline and the workflow buttons, and the change
    history; an enterprise user gets the firm's view (answer, public timeline, rating)."""

    template_name = "service/problem_detail.html"
    zone_model = Problem

    def get(self, request, **kwargs):
        problem = self.get_object()
        if problem.enterprise_id in portal_enterprise_ids(request.user) and not can(request.user, problem.zone_id):
            return render(request, "service/portal_problem.html", {
                "problem": problem, "events": timeline(problem, public_only=True),
                "attachments": problem.attachments.all(), "rate_form": forms.RateForm(),
                "can_rate": problem.state == engine.ANSWERED})
        tabs = [("overview", _("概况")), ("history", _("变更记录"))]
        active = request.GET.get("tab", "overview")
        if active not in dict(tabs):
            active = "overview"
        context = self.base_context(object=problem, tabs=tabs, active_tab=active,
                                    can_edit=can(request.user, problem.zone_id, CHANGE),
                                    can_delete=self.can_delete(problem))
        if active == "overview":
            context["fields"] = overview_fields(problem, self.feature.detail_fields)
        else:
            context["changes"] = with_labelled_fields(object_history(problem)[:200])
            context["tab_template"] = "core/history_tab.html"
        roles = services.roles_of(request.user, problem)
        moves = engine.allowed_moves(problem.state, roles, extension_pending=problem.extension_pending)
        context.update({
            "problem": problem, "roles": roles, "moves": moves, "events": timeline(problem),
            "attachments": problem.attachments.all(), "deadline_note": deadline_note(problem),
            "assign_form": forms.AssignForm(problem=problem, initial={
                "deadline": services.deadline_for(problem)}) if "assign" in moves else None,
            "extension_form": forms.ExtensionForm() if "request_extension" in moves else None,
            "rate_form": forms.RateForm() if "rate" in moves else None,
            "attach_form": forms.AttachmentForm() if roles else None,
            "can_registry": can(request.user, problem.zone_id),
        })
        return render(request, self.template_name, context)


class ProblemEditView(ObjectEditView):
    """Add and edit with attachments, the pre-filled form of a visit (?visit=<id>), and the
    version check under a row lock (two editors: the second gets a message, nothing changes)."""

    template_name = "service/problem_edit.html"
    zone_model = Problem

    def get(self, request, **kwargs):
        instance = self.get_instance()
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        initial = {}
        visit_id = request.GET.get("visit")
        if not instance.pk and visit_id and visit_id.isdigit():
            visit = Visit.objects.restrict(request.user, CHANGE).select_related("enterprise").filter(
                pk=visit_id).first()
            if visit is not None:
                initial = {"zone": visit.zone_id, "enterprise": visit.enterprise.uscc, "source": "visit",
                           "visit": visit.pk, "received_on": visit.date, "description": visit.notes,
                           "officer": visit.officers.first().pk if visit.officers.exists() else None,
                           "title": _("走访反映：%(firm)s") % {"firm": visit.enterprise.name}}
        form = self.feature.form(instance=instance, user=request.user, initial=initial)
        return render(request, self.template_name, self.base_context(form=form, object=instance))

    def post(self, request, **kwargs):
        if "pk" not in self.kwargs:
            return self._save(request, self.get_instance())
        with transaction.atomic():
            instance = get_object_or_404(self.feature.base_queryset(request.user, CHANGE).select_for_update(of=("self",)),
                                         pk=self.kwargs["pk"])
            return self._save(request, instance)

    def _save(self, request, instance):
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        form = self.feature.form(request.POST, request.FILES, instance=instance, user=request.user)
        if form.is_valid():
            with transaction.atomic():
                obj = form.save()
            messages.success(request, _("已保存：%(obj)s") % {"obj": obj})
            return redirect(obj.get_absolute_url())
        messages.error(request, _("保存失败，请按提示修改后重试。"))
        return render(request, self.template_name, self.base_context(form=form, object=instance), status=400)


class ProblemActionView(LoginRequiredMixin, View):
    """POST one workflow action (交办, 签收, 退回, 延期, 反馈, 评价, 办结, 重开) on a problem."""

    zone_model = Problem
    move = None
    http_method_names = ["post"]

    def post(self, request, pk):
        problem = get_object_or_404(Problem.objects.restrict(request.user).select_related(
            "zone", "enterprise", "department", "category"), pk=pk)
        version = request.POST.get("version", "")
        if not version.isdigit():
            messages.error(request, _("缺少版本号，请刷新页面后再办理。"))
            return redirect(problem.get_absolute_url())
        try:
            self.act(request, problem, int(version))
        except services.ActionError as e:
            messages.error(request, str(e))
            return redirect(self.back(request, problem))
        messages.success(request, _("已办理：%(action)s") % {"action": engine.MOVES[self.move].label})
        return redirect(self.back(request, problem))

    def back(self, request, problem):
        nxt = request.POST.get("next", "")
        return nxt if nxt.startswith("/") and not nxt.startswith("//") else problem.get_absolute_url()

    def form(self, cls, request, problem=None):
        form = cls(request.POST, problem=problem) if problem is not None else cls(request.POST)
        if not form.is_valid():
            raise services.ActionError("；".join(f"{form.fields[f].label if f in form.fields else ''}：{e[0]}"
                                                for f, e in form.errors.items()))
        return form.cleaned_data

    def act(self, request, problem, version):
        u, note = request.user, request.POST.get("note", "").strip()[:1000]
        m = self.move
        if m == "assign":
            d = self.form(forms.AssignForm, request, problem)
            services.assign(problem, u, version=version, department=d["department"], handler=d["handler"],
                            deadline=d["deadline"], note=d["note"])
        elif m == "accept":
            services.accept(problem, u, version=version, note=note)
        elif m == "return":
            services.give_back(problem, u, version=version, reason=request.POST.get("reason", ""))
        elif m == "request_extension":
            d = self.form(forms.ExtensionForm, request)
            services.request_extension(problem, u, version=version, new_date=d["new_date"], reason=d["reason"])
        elif m == "decide_extension":
            services.decide_extension(problem, u, version=version, approve=request.POST.get("approve") == "1",
                                      note=note)
        elif m == "answer":
            services.answer(problem, u, version=version, text=request.POST.get("answer", ""))
        elif m == "rate":
            d = self.form(forms.RateForm, request)
            services.rate(problem, u, version=version, rating=d["rating"], note=d["note"])
        elif m == "close":
            services.close(problem, u, version=version, note=note)
        elif m == "reopen":
            services.reopen(problem, u, version=version, note=note)
        else:  # pragma: no cover
            raise Http404


class AttachView(LoginRequiredMixin, View):
    """Upload a file to a problem (anyone acting on it: staff, its department, its firm)."""

    zone_model = Problem
    http_method_names = ["post"]

    def post(self, request, pk):
        problem = get_object_or_404(Problem.objects.restrict(request.user), pk=pk)
        if not services.roles_of(request.user, problem):
            raise Http404
        form = forms.AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            att = store_attachment(problem, form.cleaned_data["file"], request.user)
            log_action(problem, _("上传附件"), None, {"attachment": att.name})
            messages.success(request, _("已上传附件：%(name)s") % {"name": att.name})
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(problem.get_absolute_url())


class AttachmentView(LoginRequiredMixin, View):
    """Download an attachment: only for those who may see its problem (404 otherwise)."""

    zone_model = ProblemAttachment

    def get(self, request, pk):
        att = get_object_or_404(ProblemAttachment.objects.restrict(request.user), pk=pk)
        return attachment_response(att.file, att.name)


# --------------------------------------------------------------------------------------------
# Inbox, my firms, not visited

INBOX_TABS = [
    ("todo", _("待签收"), Q(state=State.ASSIGNED)),
    ("doing", _("处置中"), Q(state=State.IN_PROGRESS)),
    ("overdue", _("超期"), None),
    ("answered", _("已反馈"), Q(state=State.ANSWERED)),
    ("closed", _("已办结"), Q(state=State.CLOSED)),
]


def _page(request, qs, per_page=30):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


@login_required
def inbox(request):
    """A department's problems: everything assigned to the departments the user belongs to."""
    from .tasks import ensure_scheduled

    ensure_scheduled()
    depts = department_ids(request.user)
    zones = zone_ids_for(request.user)
    # Zone staff who are members or heads of a department see its inbox too.
    staff_depts = Department.objects.filter(Q(members=request.user) | Q(heads=request.user))
    if zones is not None:
        staff_depts = staff_depts.filter(zone_id__in=zones)
    depts = set(depts) | set(staff_depts.values_list("pk", flat=True))
    departments = list(Department.objects.filter(pk__in=depts).order_by("name"))
    chosen = request.GET.get("department")
    if chosen and chosen.isdigit() and int(chosen) in depts:
        depts = {int(chosen)}
    today = timezone.localdate()
    base = Problem.objects.filter(department_id__in=depts)
    overdue = Q(state__in=engine.WITH_DEPARTMENT, deadline__lt=today)
    # Open problems are few: count them together; the many closed ones from the index alone.
    counts = base.filter(state__in=engine.OPEN_STATES).aggregate(**{
        slug: Count("id", filter=cond if cond is not None else overdue) for slug, _l, cond in INBOX_TABS
        if slug != "closed"})
    counts["closed"] = base.filter(state=State.CLOSED).count()
    tab = request.GET.get("tab", "todo")
    conds = {slug: cond for slug, _l, cond in INBOX_TABS}
    if tab not in conds:
        tab = "todo"
    cond = conds[tab] if conds[tab] is not None else overdue
    order = ["-deadline", "-id"] if tab in ("closed",) else ["deadline", "id"]
    # Page the ids first (an index-only scan of (department, state, deadline, id), sorted or
    # offset without reading a row), then fetch the page's 30 problems.
    page = _page(request, base.filter(cond).order_by(*order).values_list("id", flat=True))
    rows = Problem.objects.select_related("enterprise", "category", "department", "handler").in_bulk(
        list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return render(request, "service/inbox.html", {
        "departments": departments, "chosen": chosen, "tabs": [(s, l, counts[s]) for s, l, _c in INBOX_TABS],
        "tab": tab, "page": page, "today": today})


@login_required
def my_firms(request):
    """The firms the user looks after as account officer (店小二), with their problems and last visit."""
    firms = Enterprise.objects.restrict(request.user).filter(account_officer=request.user)
    last_visit = Visit.objects.filter(enterprise=OuterRef("pk")).order_by("-date").values("date")[:1]
    firms = firms.annotate(
        last_visit=Subquery(last_visit),
        open_problems=Subquery(Problem.objects.filter(enterprise=OuterRef("pk"), state__in=engine.OPEN_STATES)
                               .order_by().values("enterprise").annotate(n=Count("id")).values("n")[:1]),
    ).select_related("zone").order_by("name")
    page = _page(request, firms, 50)
    problems = Problem.objects.restrict(request.user).filter(officer=request.user, state__in=engine.OPEN_STATES) \
        .select_related("enterprise", "department", "category").order_by("deadline", "id")[:50]
    return render(request, "service/my_firms.html", {"page": page, "problems": problems,
                                                     "today": timezone.localdate()})


@login_required
def not_visited(request):
    """Firms not visited in the last N months (default 6)."""
    try:
        months = max(1, min(60, int(request.GET.get("months", 6))))
    except ValueError:
        months = 6
    today = timezone.localdate()
    cutoff = today - datetime.timedelta(days=round(months * 30.44))
    firms = Enterprise.objects.restrict(request.user).filter(status="operating")
    zone = request.GET.get("zone")
    if zone and zone.isdigit():
        firms = firms.filter(zone_id=int(zone))
    if request.GET.get("mine"):
        firms = firms.filter(account_officer=request.user)
    last_visit = Visit.objects.filter(enterprise=OuterRef("pk")).order_by("-date").values("date")[:1]
    recent = Visit.objects.filter(enterprise=OuterRef("pk"), date__gte=cutoff)
    firms = firms.annotate(last_visit=Subquery(last_visit)).exclude(
        pk__in=Subquery(Visit.objects.filter(date__gte=cutoff).values("enterprise_id"))) \
        .select_related("zone", "account_officer").order_by("last_visit", "name")
    del recent
    if request.GET.get("export") == "xlsx":
        rows = ([f.name, f.uscc, f.zone.name, str(f.account_officer or ""), f.last_visit] for f in firms[:200_000])
        return export.response("xlsx", [_("企业名称"), _("统一社会信用代码"), _("开发区"), _("服务专员"),
                                        _("最近走访")], rows, _("未走访企业"))
    page = _page(request, firms, 50)
    return render(request, "service/not_visited.html", {
        "page": page, "months": months, "cutoff": cutoff, "zones": Zone.objects.restrict(request.user),
        "zone": zone, "mine": bool(request.GET.get("mine"))})


class EnterpriseAccountView(LoginRequiredMixin, View):
    """创建企业账号: a zone admin creates the login of one firm (role 企业用户, bound to its USCC)."""

    zone_model = Enterprise

    def firm(self, request, pk):
        return get_object_or_404(Enterprise.objects.restrict(request.user, ADMIN), pk=pk)

    def get(self, request, pk):
        firm = self.firm(request, pk)
        accounts = Membership.objects.filter(enterprise=firm).select_related("user")
        return render(request, "service/enterprise_account.html", {"firm": firm, "form": forms.EnterpriseAccountForm(),
                                                                   "accounts": accounts})

    def post(self, request, pk):
        from django.contrib.auth import get_user_model

        firm = self.firm(request, pk)
        form = forms.EnterpriseAccountForm(request.POST)
        if not form.is_valid():
            accounts = Membership.objects.filter(enterprise=firm).select_related("user")
            return render(request, "service/enterprise_account.html",
                          {"firm": firm, "form": form, "accounts": accounts}, status=400)
        d = form.cleaned_data
        with transaction.atomic():
            user = get_user_model().objects.create_user(d["username"], password=d["password"],
                                                        first_name=d.get("full_name", ""), email=d.get("email", ""))
            Membership.objects.create(user=user, zone=firm.zone, role=Membership.Role.ENTERPRISE, enterprise=firm)
        messages.success(request, _("已为%(firm)s创建企业账号 %(user)s。") % {"firm": firm.name, "user": user.username})
        return redirect(reverse("registry:enterprise_detail", args=[firm.pk]) + "?tab=service")


# --------------------------------------------------------------------------------------------
# Portal (enterprise users)

def portal_section(request, enterprise):
    problems = list(Problem.objects.filter(enterprise=enterprise).select_related("category", "department")
                    .order_by("-received_on", "-id")[:50])
    return {"problems": problems, "form": forms.PortalProblemForm(enterprise=enterprise),
            "rate_form": forms.RateForm()}


@login_required
def portal_submit(request):
    """A firm submits a problem from the portal; it lands in 受理 for the zone to assign."""
    if request.method != "POST":
        return redirect("portal")
    firm_ids = portal_enterprise_ids(request.user)
    firm = Enterprise.objects.filter(pk__in=firm_ids).first() if firm_ids else None
    if len(firm_ids) > 1:
        wanted = request.POST.get("enterprise", "")
        firm = Enterprise.objects.filter(pk__in=firm_ids, pk=int(wanted) if wanted.isdigit() else 0).first()
    if firm is None:
        raise Http404
    form = forms.PortalProblemForm(request.POST, request.FILES, enterprise=firm)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e[0]}"
                                         for f, e in form.errors.items()))
        return redirect("portal")
    with transaction.atomic():
        problem = form.save(commit=False)
        problem.zone_id, problem.enterprise, problem.source = firm.zone_id, firm, "self"
        problem.officer_id = firm.account_officer_id
        problem.save()
        services.receive(problem, request.user)
        if form.cleaned_data.get("attachment"):
            store_attachment(problem, form.cleaned_data["attachment"], request.user)
    from . import notify

    people = [problem.officer] if problem.officer_id else list(services.leadership(problem.zone_id))
    notify.send(people, _("企业新报诉求：%(title)s（%(firm)s）") % {"title": problem.title, "firm": firm.name},
                problem.get_absolute_url())
    messages.success(request, _("诉求已提交，开发区将尽快交办处理。"))
    return redirect("portal")


# --------------------------------------------------------------------------------------------
# Figures

@login_required
def figures_page(request):
    zones = Zone.objects.restrict(request.user).order_by("code")
    zone = None
    zid = request.GET.get("zone") or request.session.get("zone_id")
    if zid and str(zid).isdigit():
        zone = zones.filter(pk=int(zid)).first()
    zone = zone or zones.first()
    if zone is None:
        return render(request, "core/no_zone.html")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    data = figures.cached(zone, year, today)
    if request.GET.get("export") == "xlsx":
        return figures.xlsx_response(zone, year, data)
    years = list(range(today.year, today.year - 6, -1))
    return render(request, "service/figures.html", {
        "zone": zone, "zones": zones, "year": year, "years": years, "data": data,
        "chart_json": json.dumps(data["chart"], ensure_ascii=False)})


# --------------------------------------------------------------------------------------------
# Notifications

@login_required
def notifications(request):
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
        (mine.filter(pk__in=ids) if ids else mine).filter(read=False).update(read=True)
        return redirect("service:notifications")
    open_id = request.GET.get("open", "")
    if open_id.isdigit():
        n = mine.filter(pk=int(open_id)).first()
        if n is not None:
            if not n.read:
                mine.filter(pk=n.pk).update(read=True)
            if n.link.startswith("/") and not n.link.startswith("//"):
                return redirect(n.link)
    page = _page(request, mine, 50)
    return render(request, "service/notifications.html", {"page": page, "unread": mine.filter(read=False).count()})


@login_required
def notification_badge(request):
    n = Notification.objects.filter(user=request.user, read=False).count()
    return render(request, "service/_bell.html", {"unread": n})


# --------------------------------------------------------------------------------------------
# Enterprise tab 走访与诉求

def enterprise_tab(request, enterprise):
    visits = list(Visit.objects.restrict(request.user).filter(enterprise=enterprise)
                  .prefetch_related("officers").order_by("-date", "-id")[:20])
    problems = list(Problem.objects.restrict(request.user).filter(enterprise=enterprise)
                    .select_related("category", "department").order_by("-received_on", "-id")[:50])
    accounts = list(Membership.objects.filter(enterprise=enterprise, role=Membership.Role.ENTERPRISE)
                    .select_related("user"))
    return {"visits": visits, "problems": problems, "last_visit": visits[0] if visits else None,
            "firm_accounts": accounts, "can_admin": can(request.user, enterprise.zone_id, ADMIN),
            "can_write": can(request.user, enterprise.zone_id, CHANGE), "today": timezone.localdate()}


def home_cards(zone, user):
    today = timezone.localdate()
    c = Problem.objects.filter(zone=zone).aggregate(
        open=Count("id", filter=Q(state__in=engine.OPEN_STATES)),
        overdue=Count("id", filter=Q(state__in=engine.WITH_DEPARTMENT, deadline__lt=today)))
    url = reverse("service:problem_list")
    return [
        {"label": _("未办结诉求（项）"), "value": c["open"], "url": f"{url}?zone={zone.pk}&open=1", "tone": ""},
        {"label": _("超期诉求（项）"), "value": c["overdue"], "url": f"{url}?zone={zone.pk}&overdue=1",
         "tone": "danger" if c["overdue"] else ""},
    ]




def visit_tab(request, visit):
    problems = Problem.objects.restrict(request.user).filter(visit=visit).select_related("category", "department")
    return {"problems": list(problems), "can_write": can(request.user, visit.zone_id, CHANGE)}
