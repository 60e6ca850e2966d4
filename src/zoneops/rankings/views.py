"""Ranking pages (the table, recompute, export), the province view and its data endpoint, and the
annual summary (generate, edit, regenerate, .docx). Scheme configuration is in the Django admin
(superusers), like the other province-wide catalogues."""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core import export
from zoneops.core.changelog import log_action
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE, VIEW, can, zone_ids_for
from zoneops.figures.models import Indicator

from . import engine, services, summary
from .forms import GenerateForm, SummaryForm
from .models import AnnualSummary, RankingScheme

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dashboard_url(zone_id):
    """A zone's figures dashboard (figures app), else the zone's home page."""
    for name in ("figures:dashboard", "figures:index"):
        try:
            return reverse(name) + f"?zone={zone_id}"
        except NoReverseMatch:
            continue
    return reverse("zone_home", args=[zone_id])


def is_province(user):
    """Province users and superusers: read every zone."""
    return user.is_authenticated and zone_ids_for(user) is None


def _default_period(scheme):
    latest = services.latest_period(scheme)
    if latest:
        return latest
    today = timezone.localdate()
    y, m = engine.previous_period(today.year, today.month, engine.MONTH)
    if scheme.year:
        y, m = scheme.year, 12
    return engine.snap(y, m, scheme.granularity)


@login_required
def index(request):
    schemes = RankingScheme.objects.filter(active=True).order_by("name")
    return render(request, "rankings/index.html", {
        "schemes": schemes, "province": is_province(request.user),
        "summaries": AnnualSummary.objects.restrict(request.user).select_related("zone").order_by("-year",
                                                                                                   "zone__code")[:50],
        "zones": Zone.objects.restrict(request.user, CHANGE).order_by("code"),
        "last_year": timezone.localdate().year - 1})


class SchemeView(LoginRequiredMixin, View):
    """GET: the ranking table of ?period= (default: the latest computed); ?export=xlsx.
    POST (superusers): 重新计算 the period."""

    model = RankingScheme

    def scheme(self):
        return get_object_or_404(RankingScheme, pk=self.kwargs["pk"])

    def period(self, scheme, text):
        if not text:
            y, m = _default_period(scheme)
            return y, m, engine.period_key(y, m, scheme.granularity), None
        try:
            return (*services.resolve_period(scheme, text), None)
        except engine.PeriodError as e:
            return None, None, None, str(e)

    def get(self, request, pk):
        scheme = self.scheme()
        if not scheme.active and not request.user.is_superuser:
            raise Http404
        year, month, key, error = self.period(scheme, request.GET.get("period", ""))
        if error:
            return render(request, "rankings/scheme.html", {"scheme": scheme, "error": error,
                                                            "periods": services.periods_of(scheme)}, status=400)
        data = services.ranking_table(scheme, year, month, request.user)
        if request.GET.get("export") == "xlsx":
            return self.export(scheme, data)
        pattern = dashboard_url(987654321).replace("987654321", "{}")  # one reverse() for the whole table
        for row in data["rows"]:
            row["url"] = pattern.format(row["zone_id"]) if row["can_view"] else None
            row["shown"] = [("—" if v is None else f"{v:.2f}") for v in row["dimensions"]]
            row["total_shown"] = f"{row['total']:.2f}"
        return render(request, "rankings/scheme.html", {
            "scheme": scheme, "data": data, "period": key, "periods": services.periods_of(scheme),
            "example": engine.EXAMPLE[scheme.granularity], "can_compute": request.user.is_superuser,
            "dimensions": data["dimensions"], "design": services.scheme_design(scheme)})

    def export(self, scheme, data):
        headers = [_("名次"), _("变动"), _("开发区"), *[d.name for d in data["dimensions"]], _("总分"), _("末位")]
        rows, red = [], set()
        for i, r in enumerate(data["rows"]):
            rows.append([r["rank"], r["movement_label"], r["zone"], *[v if v is not None else "" for v in r["dimensions"]],
                         r["total"], _("末位") if r["bottom"] else ""])
            if r["bottom"]:
                red.update((i, c) for c in range(len(headers)))
        resp = HttpResponse(export.xlsx_bytes(headers, rows, sheet=data["key"], highlight=red), content_type=XLSX)
        return export.attachment(resp, f"{scheme.name}-{data['key']}.xlsx")

    def post(self, request, pk):
        scheme = self.scheme()
        if not request.user.is_superuser:
            return render(request, "core/forbidden.html", {"message": _("只有超级管理员可以重新计算排名。"),
                                                           "back_url": scheme.get_absolute_url(),
                                                           "back_label": _("返回排名")}, status=403)
        year, month, key, error = self.period(scheme, request.POST.get("period", ""))
        if error:
            messages.error(request, error)
            return redirect(scheme.get_absolute_url())
        try:
            n = services.compute_with_previous(scheme, year, month, request.user)
        except services.RankingError as e:
            messages.error(request, str(e))
        else:
            log_action(scheme, "recomputed", None, {"期次": key, "开发区数": n})
            messages.success(request, _("已重新计算 %(p)s 的排名（%(n)s 个开发区）。") % {"p": key, "n": n})
        return redirect(f"{scheme.get_absolute_url()}?period={key}")


def _indicator_choice(request):
    indicators = list(Indicator.objects.order_by("sort_order", "code"))
    code = request.GET.get("indicator", "")
    chosen = next((i for i in indicators if i.code == code), None)
    if chosen is None and code:
        return indicators, None, _("没有代码为“%(c)s”的指标。") % {"c": code[:40]}
    return indicators, chosen or next((i for i in indicators if i.code == "fixed_investment"),
                                      indicators[0] if indicators else None), None


def _month_period(request):
    text = request.GET.get("period", "")
    if not text:
        today = timezone.localdate()
        y, m = engine.previous_period(today.year, today.month)
        return y, m, None
    try:
        y, m = engine.parse_period(text, engine.MONTH)
    except engine.PeriodError as e:
        return None, None, str(e)
    return y, m, None


def _province_scheme(request):
    pk = request.GET.get("scheme", "")
    qs = RankingScheme.objects.filter(active=True).order_by("name")
    if pk.isascii() and pk.isdigit() and len(pk) <= 12:
        return qs.filter(pk=int(pk)).first()
    return qs.first()


@login_required
def province(request):
    if not is_province(request.user):
        return render(request, "core/forbidden.html", {"message": _("省级视图仅供省/市用户和超级管理员使用。"),
                                                       "back_url": reverse("rankings:index"),
                                                       "back_label": _("返回赛马比拼")}, status=403)
    indicators, indicator, error = _indicator_choice(request)
    year, month, period_error = _month_period(request)
    scheme = _province_scheme(request)
    return render(request, "rankings/province.html", {
        "indicators": indicators, "indicator": indicator, "error": error or period_error,
        "period": engine.period_key(year, month) if year else request.GET.get("period", "")[:20],
        "schemes": RankingScheme.objects.filter(active=True).order_by("name"), "scheme": scheme,
        "data_url": reverse("rankings:province_data"), "map_url": "rankings/zhejiang.geo.json",
        "labels": {"high": _("高"), "low": _("低"), "mean": _("平均"), "sum": _("合计"), "none": _("无数据"),
                   "yoy": _("同比"), "rank": _("排名：第 %(n)s 名"), "empty": _("没有开发区数据。"),
                   "unplaced": _("未定位（缺少或非浙江行政区划代码）：")}})


@login_required
def province_data(request):
    if not is_province(request.user):
        return JsonResponse({"error": _("省级视图仅供省/市用户和超级管理员使用。")}, status=403)
    _indicators, indicator, error = _indicator_choice(request)
    year, month, period_error = _month_period(request)
    if error or period_error or indicator is None:
        return JsonResponse({"error": error or period_error or _("指标目录为空。")}, status=400)
    scheme = _province_scheme(request)
    data = services.cached_province_data(request.user, indicator, year, month, scheme)
    zones = [{**z, "url": dashboard_url(z["id"]) if z["drill"] else None} for z in data["zones"]]
    ranking = []
    if scheme is not None:
        ranking = sorted((z for z in zones if z["rank"] is not None), key=lambda z: (z["rank"], z["code"]))
    return JsonResponse({**data, "zones": zones, "ranking": ranking,
                         "scheme": {"id": scheme.pk, "name": scheme.name} if scheme else None})


# -- annual summary ----------------------------------------------------------------------------

@login_required
def summary_start(request):
    """GET ?zone=&year=: the zone's summary of that year, or the generate button; POST: generate."""
    data = request.POST if request.method == "POST" else request.GET
    form = GenerateForm(data or None)
    if not form.is_bound:
        return redirect("rankings:index")
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label}：{' '.join(e)}" for f, e in form.errors.items())
        return render(request, "rankings/summary_start.html", {"error": errors}, status=400)
    zone = Zone.objects.restrict(request.user, VIEW).filter(pk=form.cleaned_data["zone"]).first()
    if zone is None:
        raise Http404
    year = form.cleaned_data["year"]
    existing = AnnualSummary.objects.filter(zone=zone, year=year).first()
    if existing:
        return redirect(existing)
    may_write = can(request.user, zone.pk, CHANGE)
    if request.method != "POST":
        return render(request, "rankings/summary_start.html", {"zone": zone, "year": year, "can_write": may_write})
    if not may_write:
        return render(request, "core/forbidden.html", {"message": _("只有本开发区的工作人员可以生成年度总结。"),
                                                       "back_url": reverse("rankings:index"),
                                                       "back_label": _("返回")}, status=403)
    obj = AnnualSummary(zone=zone, year=year)
    summary.apply(obj, summary.generate(zone, year))
    with transaction.atomic():
        obj.save()
    messages.success(request, _("已生成 %(y)s 年度总结，请核对修改后导出。") % {"y": year})
    return redirect(obj)


class SummaryView(LoginRequiredMixin, View):
    """GET: the summary with its edit form; POST: save the edits."""

    zone_model = AnnualSummary

    def get_object(self, action=VIEW):
        return get_object_or_404(AnnualSummary.objects.restrict(self.request.user, action).select_related("zone"),
                                 pk=self.kwargs["pk"])

    def render_page(self, obj, form, status=200):
        return render(self.request, "rankings/summary.html", {
            "object": obj, "form": form, "can_write": can(self.request.user, obj.zone_id, CHANGE)}, status=status)

    def get(self, request, pk):
        obj = self.get_object()
        return self.render_page(obj, SummaryForm(instance=obj))

    def post(self, request, pk):
        obj = self.get_object(CHANGE)
        form = SummaryForm(request.POST, instance=obj)
        if not form.is_valid():
            return self.render_page(obj, form, status=400)
        obj = form.save(commit=False)
        obj.edited = True
        obj.save()
        messages.success(request, _("已保存。"))
        return redirect(obj)


class SummaryRegenerateView(LoginRequiredMixin, View):
    """POST with confirm=1: overwrite the text with a freshly generated one (the page asks first)."""

    zone_model = AnnualSummary

    def post(self, request, pk):
        obj = get_object_or_404(AnnualSummary.objects.restrict(request.user, CHANGE).select_related("zone"), pk=pk)
        if request.POST.get("confirm") != "1":
            messages.error(request, _("重新生成会覆盖已修改的内容，请确认后再操作。"))
            return redirect(obj)
        summary.apply(obj, summary.generate(obj.zone, obj.year))
        obj.save()
        messages.success(request, _("已重新生成。"))
        return redirect(obj)


class SummaryDocxView(LoginRequiredMixin, View):
    zone_model = AnnualSummary

    def get(self, request, pk):
        obj = get_object_or_404(AnnualSummary.objects.restrict(request.user).select_related("zone"), pk=pk)
        resp = HttpResponse(summary.docx(obj), content_type=DOCX)
        return export.attachment(resp, f"{obj.title}.docx")
