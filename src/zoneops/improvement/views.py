"""Plan page (measures and progress notes added in place), the 低效用地 candidate list and the
differentiated-policy table. Every query starts from `restrict()`; another zone's plan is a 404."""
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.core import export
from zoneops.core.features import for_model
from zoneops.core.models import Zone
from zoneops.core.scoping import ADMIN, CHANGE, can, may_create
from zoneops.core.views import DetailSectionMixin, ObjectDetailView, ObjectEditView

from . import services
from .forms import MeasureForm, ProgressNoteForm
from .models import ImprovementPlan, Measure, MeasureState, PolicyItem, ProgressNote

CLASS_CHOICES = [(c, c) for c in "ABCD"]
MAX_EXPORT_ROWS = 200_000


# -- the plan page ---------------------------------------------------------------------------------

def plan_sections(request, plan, measure_form=None, note_form=None):
    """Context of the plan's measures and notes (with empty or bound add forms)."""
    user = request.user
    writable = can(user, plan.zone_id, CHANGE)
    measures = list(Measure.objects.restrict(user).filter(plan=plan).order_by("id"))
    notes = list(ProgressNote.objects.restrict(user).filter(plan=plan).select_related("author")
                 .order_by("-date", "-id"))
    today = timezone.localdate()
    for m in measures:
        m.overdue = m.deadline is not None and m.deadline < today and m.state in (
            MeasureState.PENDING, MeasureState.DOING)
    return {"plan": plan, "measures": measures, "notes": notes, "can_write_plan": writable,
            "measure_states": MeasureState.choices,
            "measure_form": measure_form or (MeasureForm(plan=plan) if writable else None),
            "note_form": note_form or (ProgressNoteForm(plan=plan, initial={"date": today}) if writable else None)}


class PlanDetailView(ObjectDetailView):
    """The generic detail page; its overview also lists the measures and progress notes."""

    template_name = "improvement/plan_detail.html"

    def overview_context(self, obj, **forms_):
        return plan_sections(self.request, obj, **forms_)


class PlanEditView(ObjectEditView):
    """The generic add/edit page; 制定一企一策 from the candidate list pre-fills it (?enterprise=…)."""

    template_name = "improvement/plan_edit.html"

    def get(self, request, **kwargs):
        instance = self.get_instance()
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        initial = self.prefill(request) if instance.pk is None else {}
        hint = initial.pop("_hint", None)
        form = self.feature.form(instance=instance, user=request.user, initial=initial)
        return render(request, self.template_name, self.base_context(form=form, object=instance, prefill=hint))

    def prefill(self, request):
        """Initial values from the firm's evaluation result: only of a firm the user may write to."""
        from zoneops.registry.models import Enterprise

        try:
            ent_id = int(request.GET.get("enterprise", ""))
        except ValueError:
            return {}
        ent = Enterprise.objects.restrict(request.user, CHANGE).filter(pk=ent_id).first()
        if ent is None:
            return {}
        info = services.class_of(ent)
        today = timezone.localdate()
        initial = {"zone": ent.zone_id, "enterprise": ent.uscc, "owner": request.user.pk,
                   "title": _("%(name)s 一企一策") % {"name": ent.name},
                   "deadline": datetime.date(today.year + 1, 12, 31)}
        if info is not None:
            cls = info.class_code or info.policy_class
            lines = [_("%(year)s 年度亩均评价：%(cls)s 类，得分 %(total)s。") % {
                "year": info.year, "cls": cls or "—", "total": _fmt(info.total)}]
            if info.land_mu:
                lines.append(_("评价用地 %(land)s 亩。") % {"land": _fmt(info.land_mu)})
            initial["situation"] = "".join(lines)
            if info.next_class:
                initial["target_class"] = info.next_class
            if info.need_tax_per_mu is not None:
                initial["target_tax_per_mu"] = round(info.need_tax_per_mu, 2)
        initial["_hint"] = {"enterprise": ent, "info": info}
        return initial


def _fmt(value):
    return "—" if value is None else f"{value:,.2f}"


class PlanChildMixin(DetailSectionMixin):
    """Views that change a plan's measures or notes: the plan must be writable by the user."""

    zone_model = ImprovementPlan
    detail_view = PlanDetailView
    related = ("enterprise", "zone")
    section_templates = {"measures": "improvement/_measures.html", "notes": "improvement/_notes.html"}

    def sections_context(self, plan, **forms_):
        return plan_sections(self.request, plan, **forms_)


class MeasureAddView(PlanChildMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        plan = self.writable(pk)
        form = MeasureForm(request.POST, plan=plan)
        if not form.is_valid():
            return self.section(plan, "measures", status=400, measure_form=form)
        with transaction.atomic():
            form.save()
        if not request.htmx:
            messages.success(request, _("已添加措施。"))
        return self.section(plan, "measures")


class MeasureStateView(PlanChildMixin, View):
    """Quick progress change from the plan page (a select in the measure's row)."""

    zone_model = Measure
    http_method_names = ["post"]

    def post(self, request, pk):
        measure = get_object_or_404(Measure.objects.restrict(request.user, CHANGE).select_related("plan"), pk=pk)
        state = request.POST.get("state")
        if state in MeasureState.values and state != measure.state:
            with transaction.atomic():
                measure.state = state
                measure.save()
        return self.section(measure.plan, "measures")


class MeasureEditView(PlanChildMixin, View):
    zone_model = Measure
    template_name = "improvement/measure_edit.html"

    def get_measure(self, pk):
        return get_object_or_404(Measure.objects.restrict(self.request.user, CHANGE)
                                 .select_related("plan__enterprise"), pk=pk)

    def get(self, request, pk):
        measure = self.get_measure(pk)
        return render(request, self.template_name, {"form": MeasureForm(instance=measure), "measure": measure})

    def post(self, request, pk):
        measure = self.get_measure(pk)
        form = MeasureForm(request.POST, instance=measure)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "measure": measure}, status=400)
        with transaction.atomic():
            form.save()
        messages.success(request, _("已保存措施。"))
        return redirect(measure.plan.get_absolute_url() + "#measures")


class MeasureDeleteView(PlanChildMixin, View):
    zone_model = Measure
    http_method_names = ["post"]

    def post(self, request, pk):
        measure = get_object_or_404(Measure.objects.restrict(request.user, CHANGE).select_related("plan"), pk=pk)
        plan = measure.plan
        with transaction.atomic():
            measure.delete()
        if not request.htmx:
            messages.success(request, _("已删除措施。"))
        return self.section(plan, "measures")


class NoteAddView(PlanChildMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        plan = self.writable(pk)
        form = ProgressNoteForm(request.POST, plan=plan, author=request.user)
        if not form.is_valid():
            return self.section(plan, "notes", status=400, note_form=form)
        with transaction.atomic():
            form.save()
        if not request.htmx:
            messages.success(request, _("已记录进展。"))
        return self.section(plan, "notes")


class NoteDeleteView(PlanChildMixin, View):
    zone_model = ProgressNote
    http_method_names = ["post"]

    def post(self, request, pk):
        note = get_object_or_404(ProgressNote.objects.restrict(request.user, CHANGE).select_related("plan"), pk=pk)
        plan = note.plan
        with transaction.atomic():
            note.delete()
        return self.section(plan, "notes")


# -- 低效用地 candidates ---------------------------------------------------------------------------

class CandidateFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("评价年度"), required=False, coerce=int, empty_value=None)
    classes = forms.MultipleChoiceField(label=gettext_lazy("等级"), required=False, choices=CLASS_CHOICES,
                                        widget=forms.CheckboxSelectMultiple)
    below = forms.FloatField(label=gettext_lazy("或得分低于"), required=False, min_value=0,
                             error_messages={"invalid": gettext_lazy("请输入数字。"),
                                             "min_value": gettext_lazy("不能为负数。")})
    min_land = forms.FloatField(label=gettext_lazy("用地不少于（亩）"), required=False, min_value=0,
                                error_messages={"invalid": gettext_lazy("请输入数字。"),
                                                "min_value": gettext_lazy("不能为负数。")})
    zone = forms.ModelChoiceField(label=gettext_lazy("开发区"), queryset=Zone.objects.none(), required=False,
                                  empty_label=gettext_lazy("全部"))
    has_plan = forms.ChoiceField(label=gettext_lazy("一企一策"), required=False, choices=[
        ("", gettext_lazy("全部")), ("1", gettext_lazy("已制定")), ("0", gettext_lazy("未制定"))])
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False, choices=[
        ("total", gettext_lazy("得分从低到高")), ("-land", gettext_lazy("用地从大到小")),
        ("tax_per_mu", gettext_lazy("亩均税收从低到高")), ("name", gettext_lazy("企业名称"))])

    def __init__(self, *args, user=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.restrict(user)
        self.fields["year"].choices = [("", _("最新"))] + [(y, str(y)) for y in years]
        for name, field in self.fields.items():
            if name != "classes":
                field.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(
                    field.widget, forms.Select) else "form-control form-control-sm")

    def query(self):
        data = self.cleaned_data
        classes = tuple(data.get("classes") or ())
        below = data.get("below")
        if not classes and below is None:
            classes = services.DEFAULT_CLASSES
        zone = data.get("zone")
        has_plan = {"1": True, "0": False}.get(data.get("has_plan") or "")
        return services.CandidateQuery(year=data.get("year"), classes=classes, below=below,
                                       min_land=data.get("min_land") or 0.0, zone_id=zone.pk if zone else None,
                                       q=data.get("q") or "", has_plan=has_plan, sort=data.get("sort") or "total")


EXPORT_HEADERS = [gettext_lazy("序号"), gettext_lazy("企业名称"), gettext_lazy("统一社会信用代码"),
                  gettext_lazy("开发区"), gettext_lazy("评价年度"), gettext_lazy("等级"), gettext_lazy("得分"),
                  gettext_lazy("用地面积（亩）"), gettext_lazy("评价税收（万元）"), gettext_lazy("亩均税收（万元/亩）"),
                  gettext_lazy("一企一策")]


class CandidateListView(LoginRequiredMixin, View):
    template_name = "improvement/candidates.html"

    def get(self, request):
        from zoneops.evaluation.models import Run

        user = request.user
        years = sorted(set(services.finished_runs(Run.objects.restrict(user)).values_list("year", flat=True)),
                       reverse=True)
        params = request.GET.copy()
        fmt = params.pop("export", [None])[0]
        params.pop("page", None)
        form = CandidateFilterForm(params or {"classes": list(services.DEFAULT_CLASSES)}, user=user, years=years)
        if form.is_valid():
            qs = services.candidates(user, form.query())
        else:
            from zoneops.evaluation.models import Result

            qs = Result.objects.none()
        if fmt in ("xlsx", "csv"):
            return self.export(qs, fmt)
        totals = services.candidate_totals(qs) if form.is_valid() else {"firms": 0, "land": 0.0}
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        for r in rows:
            r.shown_tax_per_mu = services.evaluated_tax_per_mu(r)
        query = params.urlencode()
        return render(request, self.template_name, {
            "form": form, "page": page, "rows": rows, "totals": totals, "query": query,
            "multi_zone": form.fields["zone"].queryset.count() > 1,
            "can_plan": may_create(user, ImprovementPlan, CHANGE), "has_runs": bool(years),
            "plan_add": reverse("improvement:improvementplan_add")})

    def export(self, qs, fmt):
        if qs.count() > MAX_EXPORT_ROWS:
            messages.error(self.request, _("导出行数超过 %(n)s 行，请先筛选。") % {"n": f"{MAX_EXPORT_ROWS:,}"})
            return redirect(self.request.path)
        rows = []
        for i, r in enumerate(qs.iterator(chunk_size=2000), start=1):
            rows.append([i, r.enterprise.name, r.enterprise.uscc, r.zone.name, r.run.year, r.counting or "",
                         r.total, r.land, r.tax, services.evaluated_tax_per_mu(r), _("已制定") if r.plan_id else ""])
        return export.response(fmt, [str(h) for h in EXPORT_HEADERS], rows, _("低效用地候选企业"))


# -- the differentiated-policy table ---------------------------------------------------------------

class PolicyTableView(LoginRequiredMixin, View):
    """Per zone: one column per class, one row per policy item (as counties publish it)."""

    template_name = "improvement/policy_table.html"

    def get(self, request):
        user = request.user
        zones = list(Zone.objects.restrict(user).order_by("code"))
        try:
            chosen = int(request.GET.get("zone", ""))
        except ValueError:
            chosen = None
        zone = next((z for z in zones if z.pk == chosen), None) or (zones[0] if zones else None)
        items = list(PolicyItem.objects.restrict(user).filter(zone=zone).order_by("order", "id")) if zone else []
        return render(request, self.template_name, {
            "zones": zones, "zone": zone, **policy_matrix(items),
            "can_admin": zone is not None and can(user, zone.pk, ADMIN)})


def policy_matrix(items):
    """{"classes": [...], "matrix": [(item name, [cell or None per class])]} from PolicyItems."""
    classes = sorted({i.class_code for i in items})
    rows = {}
    for i in items:
        rows.setdefault(i.item, {})[i.class_code] = i
    return {"classes": classes, "matrix": [(name, [cells.get(c) for c in classes]) for name, cells in rows.items()],
            "item_count": len(items)}
