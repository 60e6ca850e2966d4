"""The pages that are not plain CRUD: adding a report (paste or upload, then extraction), the
review of the extracted figures, and the comparison of a metric across peers."""
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core.scoping import CHANGE, VIEW, can
from zoneops.core.views import ObjectDetailView, ObjectEditView

from . import services
from .engine import KIND_LABELS
from .models import Kind, PeerFigure, PeerReport

MAX_REVIEW_ROWS = 2000  # a page with more rows than this is cut; the rest stay pending


class PeerReportEditView(ObjectEditView):
    """新建 / 编辑 a peer report; a new text is extracted at once and the review page opens."""

    template_name = "peers/report_edit.html"

    def post(self, request, **kwargs):
        instance = self.get_instance()
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        old_text = instance.text if instance.pk else None
        form = self.feature.form(request.POST, request.FILES, instance=instance, user=request.user)
        if form.is_valid():
            with transaction.atomic():
                obj = form.save(commit=False)
                if not obj.pk:
                    obj.created_by = request.user
                obj.save()
                if obj.text != old_text:
                    services.run_extraction(obj)
            if obj.text != old_text:
                messages.success(request, _("已提取 %(n)s 个数字，请逐条核对。") % {"n": obj.candidate_count})
                return redirect("peers:review", pk=obj.pk)
            messages.success(request, _("已保存：%(obj)s") % {"obj": obj})
            return redirect(obj.get_absolute_url())
        messages.error(request, _("保存失败，请按提示修改后重试。"))
        return render(request, self.template_name, self.base_context(form=form, object=instance), status=400)


class PeerReportDetailView(ObjectDetailView):
    template_name = "peers/report_detail.html"


def highlight(c, text):
    """The figure's sentence with the figure marked (offsets are into the report's original text)."""
    s, e, a, b = c.get("sentence_start"), c.get("sentence_end"), c.get("start"), c.get("end")
    if text and None not in (s, e, a, b) and 0 <= s <= a <= b <= e <= len(text):
        s, e = max(s, a - 150), min(e, b + 150)  # a sentence without punctuation can be very long
        return mark_safe(f"{escape(text[s:a].lstrip())}<mark>{escape(text[a:b])}</mark>{escape(text[b:e].rstrip())}")
    return c.get("sentence", "")


def _num(x):
    """38.5 → '38.5', 90.0 → '90' (no exponent, no trailing zeros)."""
    text = f"{x:.6f}" if isinstance(x, float) else str(x)
    return text.rstrip("0").rstrip(".") if "." in text else text


class ReviewView(LoginRequiredMixin, View):
    """核对: every extracted figure with its sentence; accept / correct / drop per row, or 全部接受."""

    zone_model = PeerReport
    model = PeerReport
    template_name = "peers/review.html"

    def get_report(self, action=VIEW):
        return get_object_or_404(PeerReport.objects.restrict(self.request.user, action).select_related("zone"),
                                 pk=self.kwargs["pk"])

    def context(self, report, errors=(), posted=None):
        from zoneops.figures.models import Indicator

        rows = []
        accepted = {f.candidate_index: f for f in PeerFigure.objects.filter(report=report)
                    .exclude(candidate_index=None)}
        for c in (report.candidates or [])[:MAX_REVIEW_ROWS]:
            p = (posted or {}).get(c["index"], {})
            rows.append({**c, **p, "marked": highlight(c, report.text), "value_text": p.get("value", _num(c["value"])),
                         "norm_text": _num(c["norm_value"]),
                         "figure": accepted.get(c["index"]), "kind_label": KIND_LABELS.get(c["kind"], c["kind"])})
        return {"report": report, "rows": rows, "kinds": Kind.choices, "errors": errors,
                "cut": report.candidate_count > MAX_REVIEW_ROWS, "max_rows": MAX_REVIEW_ROWS,
                "indicators": list(Indicator.objects.order_by("sort_order", "code").only("id", "name", "unit")),
                "can_change": can(self.request.user, report.zone_id, CHANGE)}

    def get(self, request, pk):
        report = self.get_report()
        return render(request, self.template_name, self.context(report))

    def post(self, request, pk):
        report = self.get_report()
        if not can(request.user, report.zone_id, CHANGE):
            return render(request, "core/forbidden.html", {
                "message": _("您只能查看本开发区的同行报告，不能核对。"), "back_url": report.get_absolute_url(),
                "back_label": _("返回同行报告")}, status=403)
        from zoneops.figures.models import Indicator

        indicators = {i.pk: i for i in Indicator.objects.all()}
        if request.POST.get("accept_all"):
            rows = [{"index": c["index"], "action": "accept", "metric": c["metric"] or _("（未命名）"),
                     "value": c["value"], "unit": c["unit"], "period": c["period"], "kind": c["kind"]}
                    for c in report.candidates or [] if c.get("status") == "pending"]
        else:
            rows = []
            for c in (report.candidates or [])[:MAX_REVIEW_ROWS]:
                i = c["index"]
                action = request.POST.get(f"action-{i}")
                if action is None:
                    continue
                rows.append({"index": i, "action": action, "metric": request.POST.get(f"metric-{i}", ""),
                             "value": request.POST.get(f"value-{i}", ""), "unit": request.POST.get(f"unit-{i}", ""),
                             "period": request.POST.get(f"period-{i}", ""), "kind": request.POST.get(f"kind-{i}", ""),
                             "indicator": request.POST.get(f"indicator-{i}") or None})
        try:
            accepted, dropped = services.review(report, rows, request.user, indicators)
        except ValidationError as e:
            posted = {r["index"]: {k: r[k] for k in ("metric", "value", "unit", "period", "kind", "action")}
                      for r in rows if isinstance(r.get("index"), int)}
            messages.error(request, _("没有保存任何结果，请按提示修改后重试。"))
            return render(request, self.template_name, self.context(report, e.messages, posted), status=400)
        messages.success(request, _("已接受 %(a)s 条、舍弃 %(d)s 条。") % {"a": accepted, "d": dropped})
        return redirect("peers:review", pk=report.pk)


@login_required
def compare(request):
    """同行对比: the peers' accepted figures for a metric beside the zone's own figure (figures app)."""
    figures = PeerFigure.objects.restrict(request.user, VIEW)
    metrics = list(figures.values("metric").annotate(n=Count("id")).order_by("-n", "metric")[:200])
    metric = (request.GET.get("metric") or "").strip()[:100]
    if not metric and metrics:
        metric = metrics[0]["metric"]
    rows = list(figures.filter(metric__icontains=metric).select_related("report", "indicator", "zone")
                .order_by("kind", "-period", "peer_name")[:500]) if metric else []
    by_kind = defaultdict(list)
    for f in rows:
        by_kind[f.kind].append(f)
    groups = []
    for kind, items in by_kind.items():
        top = max((abs(float(f.norm_value or 0)) for f in items), default=0) or 1
        for f in items:
            f.bar = round(abs(float(f.norm_value or 0)) / top * 100, 1)
        groups.append({"kind": kind, "label": KIND_LABELS.get(kind, kind), "items": items})
    own = _own_values(request.user, {f.indicator_id for f in rows if f.indicator_id})
    return render(request, "peers/compare.html", {"metric": metric, "metrics": metrics, "groups": groups,
                                                  "own": own, "kind_labels": KIND_LABELS})


def _own_values(user, indicator_ids):
    """The user's zones' latest values of the linked indicators (F1's IndicatorValue)."""
    if not indicator_ids:
        return []
    from zoneops.figures.models import IndicatorValue

    values = (IndicatorValue.objects.restrict(user, VIEW).filter(indicator_id__in=indicator_ids)
              .select_related("indicator", "zone").order_by("zone__code", "indicator_id", "-year", "-month"))
    latest, seen = [], set()
    for v in values[:2000]:
        key = (v.zone_id, v.indicator_id)
        if key not in seen:
            seen.add(key)
            latest.append(v)
    return latest
