"""Pages that are not CRUD: the zone dashboard (指标看板), the monthly entry (月度填报), the
recompute button, and the catalogue (指标目录: everyone reads, superusers edit)."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core import export
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE, can, is_portal_user

from . import engine, services
from .forms import IndicatorForm
from .models import Indicator


def _period(request):
    """(year, month, error) from ?period=YYYY-MM; the last complete month by default."""
    raw = request.GET.get("period") or request.POST.get("period") or ""
    if raw:
        try:
            return (*engine.parse_period(raw), None)
        except ValueError as e:
            return (*services.default_period(), str(e))
    return (*services.default_period(), None)


def _zone(request, action="view"):
    """(zones the user may see, the chosen zone or None). Province users and superusers choose."""
    zones = list(Zone.objects.restrict(request.user, action).order_by("code"))
    chosen = (request.GET.get("zone") or request.POST.get("zone") or "").strip()
    picked = next((z for z in zones if str(z.pk) == chosen or z.code == chosen), None)
    if picked is None and chosen:
        raise Http404(_("没有找到该开发区，或您没有查看权限。"))
    return zones, picked or (zones[0] if zones else None)


def _no_zone(request):
    return render(request, "core/no_zone.html", status=403)


@login_required
def dashboard(request):
    if is_portal_user(request.user):
        return _no_zone(request)
    zones, zone = _zone(request)
    if zone is None:
        return _no_zone(request)
    year, month, error = _period(request)
    if error:
        messages.error(request, error)
    rows = services.zone_rows(zone, year, month)
    if request.GET.get("export") in ("xlsx", "csv"):
        headers = [_("指标"), _("单位"), _("期间"), _("数值"), _("上年同期"), _("同比"), _("当月"), _("当月同比"), _("年度目标"),
                   _("完成进度%"), _("时间进度%"), _("状态"), _("来源"), _("填报人")]
        status_names = {"green": _("正常"), "amber": _("预警"), "red": _("滞后")}
        data = [[r["name"], r["unit"], f"{r['year']}-{r['month']:02d}", r["value"], r["base"], r["yoy"], r["month_value"],
                 r["month_yoy"], r["target"], r["progress"], r["elapsed"], status_names.get(r["status"], ""),
                 r["source_label"], r["entered_by"]] for r in rows]
        return export.response(request.GET["export"], headers, data, f"{zone.name}-指标-{year}-{month:02d}")
    codes = [r["code"] for r in rows]
    chosen = request.GET.get("indicator") or "fixed_investment"
    if chosen not in codes and codes:
        chosen = codes[0]
    indicator = Indicator.objects.filter(code=chosen).first()
    chart = services.series(zone.pk, indicator, year, month) if indicator else None
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("green", "amber", "red")}
    return render(request, "figures/dashboard.html", {
        "zones": zones, "zone": zone, "year": year, "month": month, "period": f"{year}-{month:02d}", "rows": rows,
        "indicator": indicator, "chart_json": json.dumps({"chart": chart, "name": indicator.name if indicator else "",
                                                          "unit": indicator.unit if indicator else ""},
                                                         ensure_ascii=False),
        "counts": counts, "can_write": can(request.user, zone.pk, CHANGE),
        "elapsed": engine.elapsed(month, engine.CUMULATIVE)})


@login_required
def recompute(request):
    """POST: recompute the derived indicators of a zone for the period's year."""
    if request.method != "POST":
        return redirect("figures:dashboard")
    zones, zone = _zone(request, CHANGE)
    if zone is None:
        raise Http404(_("没有找到该开发区，或您没有写入权限。"))
    year, month, error = _period(request)
    if error:
        messages.error(request, error)
    else:
        stats = services.compute_derived(zone, year)
        messages.success(request, _("已重新计算 %(year)s 年系统计算指标：新增 %(c)s 条，更新 %(u)s 条，未变化 %(n)s 条，"
                                    "保留手工填报 %(k)s 条。") % {
            "year": year, "c": stats["created"], "u": stats["updated"], "n": stats["unchanged"], "k": stats["kept"]})
    return redirect(reverse("figures:dashboard") + "?" + urlencode({"zone": zone.pk, "period": f"{year}-{month:02d}"}))


class EntryView(LoginRequiredMixin, View):
    """月度填报: every reported monthly indicator of a zone and month, last year's value and 同比
    beside the input; saved in one transaction, or nothing when a number is wrong."""

    template_name = "figures/entry.html"

    def context(self, zone, zones, year, month, posted=None, errors=None):
        rows = services.entry_rows(zone, year, month)
        for r in rows:
            key = str(r["indicator"].pk)
            r["input"] = posted.get(f"v_{key}", "") if posted is not None else (
                "" if r["value"] is None else format(r["value"].normalize(), "f"))
            r["error"] = (errors or {}).get(r["indicator"].pk)
        return {"zone": zone, "zones": zones, "year": year, "month": month, "period": f"{year}-{month:02d}",
                "rows": rows, "errors": errors}

    def get(self, request):
        zones, zone = _zone(request, CHANGE)
        if zone is None:
            return _no_zone(request)
        year, month, error = _period(request)
        if error:
            messages.error(request, error)
        return render(request, self.template_name, self.context(zone, zones, year, month))

    def post(self, request):
        zones, zone = _zone(request, CHANGE)
        if zone is None:
            raise Http404(_("没有找到该开发区，或您没有写入权限。"))
        year, month, error = _period(request)
        if error:
            messages.error(request, error)
            return render(request, self.template_name, self.context(zone, zones, year, month, request.POST), status=400)
        raw = {}
        for key, value in request.POST.items():
            if key.startswith("v_") and key[2:].isdigit():
                raw[int(key[2:])] = value
        try:
            created, updated = services.save_month(zone, year, month, raw, request.user)
        except services.EntryError as e:
            messages.error(request, _("保存失败，没有保存任何数值：%(e)s") % {"e": e})
            return render(request, self.template_name,
                          self.context(zone, zones, year, month, request.POST, e.errors), status=400)
        messages.success(request, _("已保存 %(zone)s %(period)s：新增 %(c)s 项，修改 %(u)s 项。") % {
            "zone": zone.name, "period": f"{year}-{month:02d}", "c": created, "u": updated})
        return redirect(reverse("figures:entry") + "?" + urlencode({"zone": zone.pk, "period": f"{year}-{month:02d}"}))


# -- the catalogue ------------------------------------------------------------------------------

@login_required
def indicator_list(request):
    if is_portal_user(request.user):
        return _no_zone(request)
    return render(request, "figures/indicator_list.html", {
        "indicators": services.catalogue(), "can_edit": request.user.is_superuser})


class IndicatorEditView(LoginRequiredMixin, View):
    """Add or edit an indicator of the catalogue: superusers only (a global list every zone shares)."""

    model = Indicator  # tests/core/test_isolation.py: the id is an Indicator's (global)
    template_name = "figures/indicator_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_superuser:
            return render(request, "core/forbidden.html", {
                "message": _("只有系统管理员可以修改指标目录。"), "back_url": reverse("figures:indicator_list"),
                "back_label": _("返回指标目录")}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def instance(self):
        return get_object_or_404(Indicator, pk=self.kwargs["pk"]) if "pk" in self.kwargs else Indicator()

    def get(self, request, **kwargs):
        obj = self.instance()
        return render(request, self.template_name, {"form": IndicatorForm(instance=obj), "object": obj})

    def post(self, request, **kwargs):
        obj = self.instance()
        form = IndicatorForm(request.POST, instance=obj)
        if not form.is_valid():
            messages.error(request, _("保存失败，请按提示修改后重试。"))
            return render(request, self.template_name, {"form": form, "object": obj}, status=400)
        form.save()
        services.touch_all_zones()  # every zone's dashboard shows the catalogue
        messages.success(request, _("已保存指标：%(obj)s") % {"obj": form.instance})
        return redirect("figures:indicator_list")
