"""The candidate list, the case page (parcels, milestones added in place, start / complete / stop),
the case list with its totals, and the figures page. Every query starts from `restrict()`;
another zone's case is a 404."""
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.core import export
from zoneops.core.features import for_model
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE, can, may_create
from zoneops.core.views import DetailSectionMixin, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from zoneops.registry.models import Parcel, ParcelStatus

from . import engine, services
from .forms import CompleteCaseForm, MilestoneForm, StopCaseForm
from .models import CandidateRule, CaseParcel, CaseStatus, Milestone, RedevelopmentCase

MAX_EXPORT_ROWS = 200_000
STATUS_NAMES = dict(ParcelStatus.choices)


# -- candidates -------------------------------------------------------------------------------------

class CandidateFilterForm(forms.Form):
    zone = forms.ModelChoiceField(label=gettext_lazy("开发区"), queryset=Zone.objects.none(), required=False,
                                  empty_label=gettext_lazy("全部"))
    year = forms.TypedChoiceField(label=gettext_lazy("评价年度"), required=False, coerce=int, empty_value=None)
    holder_class = forms.ChoiceField(label=gettext_lazy("等级"), required=False, choices=[
        ("", gettext_lazy("全部"))] + [(c, c) for c in "ABCD"])
    status = forms.ChoiceField(label=gettext_lazy("地块状态"), required=False)
    min_area = forms.FloatField(label=gettext_lazy("面积不少于（亩）"), required=False, min_value=0, max_value=1e9,
                                error_messages={"invalid": gettext_lazy("请输入数字。"),
                                                "min_value": gettext_lazy("不能为负数。"),
                                                "max_value": gettext_lazy("数字过大。")})
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False, choices=[
        ("-area", gettext_lazy("面积从大到小")), ("tax", gettext_lazy("亩均税收从低到高")),
        ("far", gettext_lazy("容积率从低到高")), ("code", gettext_lazy("地块编号"))])

    def __init__(self, *args, user=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.restrict(user)
        self.fields["year"].choices = [("", _("最新"))] + [(y, str(y)) for y in years]
        self.fields["status"].choices = [("", _("全部"))] + [
            (s, STATUS_NAMES.get(s, s)) for s in services.CANDIDATE_STATUSES if s in STATUS_NAMES]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(
                field.widget, forms.Select) else "form-control form-control-sm")

    def query(self):
        d = self.cleaned_data
        return services.CandidateQuery(zone_id=d["zone"].pk if d.get("zone") else None, year=d.get("year"),
                                       q=d.get("q") or "", holder_class=d.get("holder_class") or "",
                                       min_area=d.get("min_area"), status=d.get("status") or "",
                                       sort=d.get("sort") or "-area")


EXPORT_HEADERS = [gettext_lazy("序号"), gettext_lazy("开发区"), gettext_lazy("地块编号"), gettext_lazy("地块名称"),
                  gettext_lazy("面积（亩）"), gettext_lazy("地块状态"), gettext_lazy("使用企业"),
                  gettext_lazy("亩均评价等级"), gettext_lazy("评价年度"), gettext_lazy("亩均税收（万元/亩）"),
                  gettext_lazy("容积率"), gettext_lazy("闲置起始"), gettext_lazy("认定理由")]


def rule_text(rs):
    parts = []
    if rs.classes:
        parts.append(_("亩均评价等级为 %(c)s") % {"c": "、".join(rs.classes)})
    if rs.max_tax_per_mu is not None:
        parts.append(_("亩均税收低于 %(v)s 万元/亩") % {"v": f"{rs.max_tax_per_mu:g}"})
    if rs.max_far is not None:
        parts.append(_("容积率低于 %(v)s") % {"v": f"{rs.max_far:g}"})
    if rs.idle_before is not None:
        parts.append(_("%(d)s 以前起闲置") % {"d": rs.idle_before.isoformat()})
    joiner = _("且") if rs.combine == engine.ALL else _("或")
    extra = []
    if rs.min_area_mu is not None:
        extra.append(_("面积不少于 %(v)s 亩") % {"v": f"{rs.min_area_mu:g}"})
    if rs.include_marked:
        extra.append(_("已标记低效的地块始终列入"))
    return f" {joiner} ".join(parts) or _("（未设置条件）"), "；".join(extra)


def rule_summaries(user, zone_ids):
    """[{zone, rules: [(CandidateRule or None, text, extra)], can_admin}] for the rule box."""
    zones = list(Zone.objects.restrict(user).filter(pk__in=zone_ids).order_by("code")) if zone_ids else []
    by_zone = {}
    for r in CandidateRule.objects.restrict(user).filter(zone__in=zones).order_by("name", "id"):
        by_zone.setdefault(r.zone_id, []).append(r)
    out = []
    for z in zones:
        rules = by_zone.get(z.pk)
        if rules is None:
            shown = [(None, engine.DEFAULT_NAME, *rule_text(engine.DEFAULT_RULES))]
        else:
            shown = [(r, r.name, *rule_text(r.rules())) for r in rules if r.active]
        out.append({"zone": z, "rules": shown, "can_admin": can(user, z.pk, "admin")})
    return out


class CandidateListView(LoginRequiredMixin, View):
    template_name = "redevelop/candidates.html"

    def get(self, request):
        from zoneops.evaluation.models import Run

        user = request.user
        years = sorted(set(Run.objects.restrict(user).filter(status="done").values_list("year", flat=True)),
                       reverse=True)
        params = request.GET.copy()
        fmt = params.pop("export", [None])[0]
        params.pop("page", None)
        form = CandidateFilterForm(params, user=user, years=years)
        rows = services.candidates(user, form.query()) if form.is_valid() else []
        if fmt in ("xlsx", "csv"):
            return self.export(rows, fmt)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        zone_ids = {z.pk for z in form.fields["zone"].queryset}
        if form.is_valid() and form.cleaned_data.get("zone"):
            zone_ids = {form.cleaned_data["zone"].pk}
        return render(request, self.template_name, {
            "form": form, "page": page, "rows": page.object_list, "totals": services.candidate_totals(rows),
            "query": params.urlencode(), "multi_zone": len(form.fields["zone"].queryset) > 1,
            "can_open": may_create(user, RedevelopmentCase, CHANGE), "rules": rule_summaries(user, zone_ids),
            "case_add": reverse("redevelop:redevelopmentcase_add")})

    def export(self, rows, fmt):
        if len(rows) > MAX_EXPORT_ROWS:
            messages.error(self.request, _("导出行数超过 %(n)s 行，请先筛选。") % {"n": f"{MAX_EXPORT_ROWS:,}"})
            return redirect(self.request.path)
        out = [[i, r.zone_name, r.code, r.name, r.area_mu, r.status_label, r.holder_name,
                r.holder_class, r.eval_year, None if r.tax_per_mu is None else round(r.tax_per_mu, 2), r.far,
                r.idle_since, r.reasons_text] for i, r in enumerate(rows, start=1)]
        return export.response(fmt, [str(h) for h in EXPORT_HEADERS], out, _("低效用地候选地块"))


# -- the case list (with its totals) ----------------------------------------------------------------

class CaseListView(ObjectListView):
    template_name = "redevelop/case_list.html"

    def base_context(self, **extra):
        context = super().base_context(**extra)
        filterset = extra.get("filterset")
        if filterset is not None:
            qs = filterset.qs if not (filterset.is_bound and not filterset.is_valid()) else filterset.queryset.none()
            context["totals"] = services.figures(qs.order_by().select_related(None).prefetch_related(None))["all"]
        return context


# -- the case page ----------------------------------------------------------------------------------

def case_sections(request, case, milestone_form=None, complete_form=None, stop_form=None):
    user = request.user
    writable = can(user, case.zone_id, CHANGE)
    milestones = list(Milestone.objects.restrict(user).filter(case=case).order_by("planned_on", "id"))
    links = list(CaseParcel.objects.restrict(user).filter(case=case).select_related("parcel").order_by("id"))
    for link in links:
        link.status_label = STATUS_NAMES.get(link.parcel.status, link.parcel.status)
        link.before_label = STATUS_NAMES.get(link.status_before, link.status_before)
    open_ = case.is_open and writable
    return {"case": case, "milestones": milestones, "links": links, "can_write_case": writable,
            "milestone_form": milestone_form or (MilestoneForm(case=case) if writable else None),
            "complete_form": complete_form or (CompleteCaseForm(case=case, initial={
                "far_after": case.target_far, "freed_floor_m2": case.freed_floor_m2,
                "new_floor_m2": case.new_floor_m2}) if open_ else None),
            "stop_form": stop_form or (StopCaseForm() if open_ else None),
            "can_start": writable and case.status == CaseStatus.OPENED}


class CaseDetailView(ObjectDetailView):
    template_name = "redevelop/case_detail.html"

    def overview_context(self, obj, **forms_):
        return case_sections(self.request, obj, **forms_)


class CaseEditView(ObjectEditView):
    """Add (opens the case through services.open_case; ?parcels=<id>&parcels=<id> from the candidate
    list pre-fills it) and edit (description only)."""

    template_name = "redevelop/case_edit.html"

    def get(self, request, **kwargs):
        instance = self.get_instance()
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        initial = self.prefill(request) if instance.pk is None else {}
        form = self.feature.form(instance=instance, user=request.user, initial=initial)
        return render(request, self.template_name, self.base_context(form=form, object=instance))

    def prefill(self, request):
        ids = []
        for value in request.GET.getlist("parcels")[:500]:
            try:
                ids.append(int(value))
            except ValueError:
                continue
        parcels = list(Parcel.objects.restrict(request.user, CHANGE).filter(pk__in=ids).order_by("zone_id", "code"))
        if not parcels:
            return {}
        zone_id = parcels[0].zone_id
        parcels = [p for p in parcels if p.zone_id == zone_id]  # one case is in one zone
        first = parcels[0]
        name = (_("%(code)s 等 %(n)s 宗地块连片改造") % {"code": first.code, "n": len(parcels)} if len(parcels) > 1
                else _("%(name)s 低效用地改造") % {"name": first.name or first.code})
        return {"zone": zone_id, "parcel_codes": ", ".join(p.code for p in parcels), "name": name[:200]}

    def post(self, request, **kwargs):
        instance = self.get_instance()
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        form = self.feature.form(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = form.save()
            except (ValueError, ValidationError) as e:
                # A parcel taken by another case between the check and the save: nothing was written.
                form.add_error(None, str(e.messages[0] if hasattr(e, "messages") else e))
            else:
                messages.success(request, _("已保存：%(obj)s") % {"obj": obj})
                return redirect(obj.get_absolute_url())
        messages.error(request, _("保存失败，请按提示修改后重试。"))
        return render(request, self.template_name, self.base_context(form=form, object=instance), status=400)


class CaseDeleteView(ObjectDeleteView):
    """Deleting an open case (an entry made by mistake) puts its parcels back to 低效 first."""

    def post(self, request, **kwargs):
        obj = self.get_deletable()
        if obj is not None and obj.is_open:
            with transaction.atomic():
                services.release_parcels(obj, request.user, note=_("改造项目“%(case)s”已删除") % {"case": obj.name})
                return super().post(request, **kwargs)
        return super().post(request, **kwargs)


class CaseChildMixin(DetailSectionMixin):
    zone_model = RedevelopmentCase
    detail_view = CaseDetailView
    section_templates = {"milestones": "redevelop/_milestones.html"}

    def sections_context(self, case, **forms_):
        return case_sections(self.request, case, **forms_)


class CaseStartView(CaseChildMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.writable(pk)
        try:
            with transaction.atomic():
                services.start_case(case, request.user)
        except ValidationError as e:
            messages.error(request, e.messages[0])
        else:
            messages.success(request, _("项目已开始实施。"))
        return redirect(case.get_absolute_url())


class CaseCompleteView(CaseChildMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.writable(pk)
        form = CompleteCaseForm(request.POST, case=case)
        if not form.is_valid():
            return self.section(case, "actions", status=400, complete_form=form)
        try:
            with transaction.atomic():
                services.complete_case(case, request.user, **form.cleaned_data)
        except ValidationError as e:
            case.refresh_from_db()
            form.add_error(None, "；".join(e.messages))
            return self.section(case, "actions", status=400, complete_form=form)
        messages.success(request, _("改造项目已完成，地块状态已改为“改造完成”。"))
        return redirect(case.get_absolute_url())


class CaseStopView(CaseChildMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.writable(pk)
        form = StopCaseForm(request.POST)
        if not form.is_valid():
            return self.section(case, "actions", status=400, stop_form=form)
        try:
            with transaction.atomic():
                services.stop_case(case, request.user, reason=form.cleaned_data["stop_reason"])
        except ValidationError as e:
            case.refresh_from_db()
            form.add_error(None, "；".join(e.messages))
            return self.section(case, "actions", status=400, stop_form=form)
        messages.success(request, _("改造项目已终止，地块已退回“低效”状态。"))
        return redirect(case.get_absolute_url())


class MilestoneAddView(CaseChildMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        case = self.writable(pk)
        form = MilestoneForm(request.POST, case=case)
        if not form.is_valid():
            return self.section(case, "milestones", status=400, milestone_form=form)
        with transaction.atomic():
            form.save()
        if not request.htmx:
            messages.success(request, _("已添加节点。"))
        return self.section(case, "milestones")


class MilestoneDoneView(CaseChildMixin, View):
    """Tick a milestone done (today, unless it has an actual date) or open it again."""

    zone_model = Milestone
    http_method_names = ["post"]

    def post(self, request, pk):
        m = get_object_or_404(Milestone.objects.restrict(request.user, CHANGE).select_related("case"), pk=pk)
        with transaction.atomic():
            m.done = not m.done
            if m.done and not m.actual_on:
                from django.utils import timezone

                m.actual_on = timezone.localdate()
            m.save()
        return self.section(m.case, "milestones")


class MilestoneDeleteView(CaseChildMixin, View):
    zone_model = Milestone
    http_method_names = ["post"]

    def post(self, request, pk):
        m = get_object_or_404(Milestone.objects.restrict(request.user, CHANGE).select_related("case"), pk=pk)
        case = m.case
        with transaction.atomic():
            m.delete()
        return self.section(case, "milestones")


# -- figures ----------------------------------------------------------------------------------------

FIGURE_HEADERS = [gettext_lazy("分组"), gettext_lazy("项目数"), gettext_lazy("面积（亩）"),
                  gettext_lazy("改造前容积率"), gettext_lazy("改造后容积率"), gettext_lazy("改造前亩均税收（万元/亩）"),
                  gettext_lazy("改造后亩均税收（万元/亩）"), gettext_lazy("计划投资（万元）"),
                  gettext_lazy("腾退建筑面积（㎡）"), gettext_lazy("新增建筑面积（㎡）")]


def _r(v, n=2):
    return None if v is None else round(v, n)


def figure_row(label, t):
    return [str(label), t["cases"], _r(t["area_mu"]), _r(t["far_before"]), _r(t["far_after"]), _r(t["tax_before"]),
            _r(t["tax_after"]), _r(t["investment"]), _r(t["freed_m2"]), _r(t["new_m2"])]


def figure_tables(f):
    """[(key, title, rows)] shown on the page and exported."""
    return [
        ("status", _("按状态（全部项目）"), [figure_row(label, t) for label, t in f["by_status"]]
         + [figure_row(_("合计"), f["all"])]),
        ("year", _("已完成项目，按完成年度"), [figure_row(_("%(y)s 年") % {"y": y}, t) for y, t in f["by_year"]]
         + [figure_row(_("合计"), f["done"])]),
        ("approach", _("已完成项目，按改造方式"), [figure_row(label, t) for label, t in f["by_approach"]]),
        ("extent", _("已完成项目，按改造范围"), [figure_row(label, t) for label, t in f["by_extent"]]),
    ]


class FiguresView(LoginRequiredMixin, View):
    template_name = "redevelop/figures.html"

    def get(self, request):
        user = request.user
        zones = list(Zone.objects.restrict(user).order_by("code"))
        try:
            chosen = int(request.GET.get("zone", ""))
        except ValueError:
            chosen = None
        zone = next((z for z in zones if z.pk == chosen), None)
        cases = RedevelopmentCase.objects.restrict(user)
        if zone is not None:
            cases = cases.filter(zone=zone)
        f = services.figures(cases)
        tables = figure_tables(f)
        if request.GET.get("export") in ("xlsx", "csv"):
            rows = []
            for _key, title, trs in tables:
                rows += [[f"{title}：{r[0]}", *r[1:]] for r in trs]
            return export.response(request.GET["export"], [str(h) for h in FIGURE_HEADERS], rows, _("低效用地改造成效"))
        chart = {"years": [str(y) for y, _t in f["by_year"]],
                 "far_before": [_r(t["far_before"]) for _y, t in f["by_year"]],
                 "far_after": [_r(t["far_after"]) for _y, t in f["by_year"]],
                 "area": [_r(t["area_mu"]) for _y, t in f["by_year"]]}
        return render(request, self.template_name, {
            "zones": zones, "zone": zone, "f": f, "tables": tables, "headers": FIGURE_HEADERS,
            "chart_json": json.dumps(chart), "zone_param": zone.pk if zone else ""})
