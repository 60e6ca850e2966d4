"""Pages of the per-mu evaluation: runs (list, new, page, ranking, export, compare, workflow moves),
rulesets (list, editor, copy, import/export), results (调档, 异议) and the portal's objection.

Every object is fetched through `restrict(user, action)` (404 for another zone's record); rulesets
through `visible_to` / `writable_by` (presets: everyone reads, superusers edit)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, F, FloatField, Q
from django.db.models.functions import Cast, Floor
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core import export
from zoneops.core.attachments import attachment_response
from zoneops.core.features import for_model
from zoneops.core.models import ObjectChange
from zoneops.core.scoping import CHANGE, can, portal_enterprise_ids, zone_ids_for
from zoneops.core.views import FeatureView, ObjectListView, with_labelled_fields

from . import services
from .forms import (
    AdjustClassForm,
    DecideForm,
    ObjectionForm,
    PublishForm,
    RulesetCreateForm,
    RulesetEditForm,
    RunCreateForm,
    YamlUploadForm,
)
from .models import (
    Objection,
    ObjectionStatus,
    Result,
    Ruleset,
    Run,
    RunState,
    RunStatus,
)
from .tabs import item_rows


def history_of(obj, limit=100):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(obj.__class__)
    return with_labelled_fields(ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk))
                                .select_related("content_type")[:limit])


def _zone_writable(user, obj):
    return can(user, obj.zone_id, CHANGE)


# -- runs -----------------------------------------------------------------------------------------

class RunListView(ObjectListView):
    template_name = "evaluation/run_list.html"

    def get(self, request, **kwargs):
        services.ensure_presets()
        return super().get(request, **kwargs)

    def base_context(self, **extra):
        return super().base_context(can_create=bool(zone_ids_for(self.request.user, CHANGE) is None
                                                    or zone_ids_for(self.request.user, CHANGE)), **extra)


class RunCreateView(LoginRequiredMixin, View):
    zone_model = Run

    def get(self, request):
        services.ensure_presets()
        form = RunCreateForm(user=request.user, initial={"year": request.GET.get("year")})
        return render(request, "evaluation/run_new.html", {"form": form})

    def post(self, request):
        form = RunCreateForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                run = services.create_run(d["zone"], d["year"], d["version"], user=request.user, title=d["title"])
            except services.WorkflowError as e:
                form.add_error(None, str(e))
            else:
                if run.status == RunStatus.FAILED:
                    messages.error(request, _("评价计算失败：%(m)s") % {"m": run.message})
                elif run.status == RunStatus.DONE:
                    messages.success(request, _("已完成初评：%(n)s 家企业。") % {"n": run.input_rows})
                else:
                    messages.info(request, _("已提交后台计算，完成后本页自动刷新。"))
                return redirect(run.get_absolute_url())
        return render(request, "evaluation/run_new.html", {"form": form}, status=400)


class RunDetailView(FeatureView):
    template_name = "evaluation/run_detail.html"

    def get(self, request, pk):
        run = self.get_object()
        ctx = {"run": run, "object": run, "can_change": _zone_writable(request.user, run) and not run.is_final,
               "history": history_of(run, 50), "steps": RunState.choices}
        if run.is_done:
            ctx.update(run_figures(run))
            ctx["publish_form"] = PublishForm()
            ctx["objections"] = list(run.objections.select_related("result__enterprise").order_by("-created")[:50])
            ctx["pending"] = sum(1 for o in ctx["objections"] if o.status == ObjectionStatus.PENDING)
            ctx["others"] = list(Run.objects.restrict(request.user).filter(zone_id=run.zone_id, status=RunStatus.DONE)
                                 .exclude(pk=run.pk).order_by("-year", "-id")[:20])
        return render(request, self.template_name, self.base_context(**ctx))


def run_figures(run):
    """Class counts per group, the score histogram and the Sankey against last year's run."""
    rules = services.parse_ruleset(run.ruleset_version.yaml)
    group_names = {g.code: g.name for g in rules.groups}
    counts = run.class_counts or {}
    classes = []
    for g in rules.groups:
        for c in g.classification.classes:
            if c not in classes:
                classes.append(c)
    table = []
    for group, per in sorted(counts.items(), key=lambda kv: list(group_names).index(kv[0])
                             if kv[0] in group_names else 99):
        table.append({"group": group, "name": group_names.get(group, group or _("未分组")),
                      "counts": [per.get(c, 0) for c in classes], "none": per.get("", 0),
                      "total": sum(per.values())})
    width = 5.0
    bins = (Result.objects.filter(run=run, included=True, total__isnull=False)
            .annotate(b=Floor(Cast(F("total"), FloatField()) / width)).values("group", "b")
            .annotate(n=Count("id")).order_by("group", "b"))
    hist = {}
    for row in bins:
        hist.setdefault(row["group"], {})[int(row["b"])] = row["n"]
    lo = min((min(h) for h in hist.values()), default=0)
    hi = max((max(h) for h in hist.values()), default=0)
    hi = min(hi, lo + 80)  # very high outliers share the last bin
    labels = [f"{b * width:.0f}" for b in range(lo, hi + 1)]
    series = []
    for group, h in hist.items():
        data = [h.get(b, 0) for b in range(lo, hi + 1)]
        data[-1] += sum(n for b, n in h.items() if b > hi)
        series.append({"name": group_names.get(group, group), "data": data})
    chart = {"hist": {"labels": labels, "series": series}, "class_names": rules.class_names}
    prev = services.previous_run(run)
    if prev is not None:
        matrix, _moved = services.compare(prev, run)
        links = []
        left = sorted(matrix)
        right = sorted({t for row in matrix.values() for t in row})
        nodes = [{"name": f"{prev.year} {c}"} for c in left] + [{"name": f"{run.year} {c}"} for c in right]
        for a, row in matrix.items():
            for b, n in row.items():
                links.append({"source": f"{prev.year} {a}", "target": f"{run.year} {b}", "value": n})
        chart["sankey"] = {"nodes": nodes, "links": links}
        chart_prev = prev
    else:
        chart_prev = None
    return {"class_table": table, "classes": classes,
            "class_heads": [(c, rules.class_name(c)) for c in classes], "chart_json": chart,
            "previous": chart_prev, "group_names": group_names, "rules": rules}


class RunStatusView(FeatureView):
    """The computation state (polled by htmx while the run is queued or running)."""

    def get(self, request, pk):
        run = self.get_object()
        return render(request, "evaluation/run_status.html", {"run": run})


class RunActionView(FeatureView):
    """POST-only workflow moves on a run: publish, finalize, verify, delete."""

    action = None

    def get(self, request, pk):
        self.get_object()
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        run = self.get_object(CHANGE)
        try:
            if self.action == "publish":
                form = PublishForm(request.POST)
                if not form.is_valid():
                    for errors in form.errors.values():
                        for e in errors:
                            messages.error(request, e)
                    return redirect(run.get_absolute_url())
                services.publish(run, form.cleaned_data["publish_from"], form.cleaned_data["publish_to"],
                                 request.user)
                messages.success(request, _("已进入公示。"))
            elif self.action == "finalize":
                services.finalize(run, request.user)
                messages.success(request, _("已终评，结果已冻结。"))
            elif self.action == "verify":
                diffs = services.recompute(run)
                ok = services.verify_snapshot(run)
                if not diffs and ok:
                    messages.success(request, _("复核通过：按快照重新计算，结果与保存的完全一致。"))
                else:
                    messages.error(request, _("复核发现 %(n)s 处不一致。") % {"n": len(diffs) + (0 if ok else 1)})
            elif self.action == "delete":
                services.delete_run(run, request.user)
                messages.success(request, _("已删除评价批次。"))
                return redirect("evaluation:run_list")
        except services.WorkflowError as e:
            messages.error(request, str(e))
        return redirect(run.get_absolute_url())


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class RankingView(FeatureView):
    """The ranking in the county layout: 序号, 企业名称, 统一社会信用代码, 用地面积, each indicator,
    得分, 等级 — filtered by group, class and search; ?export=xlsx writes one sheet per group."""

    template_name = "evaluation/ranking.html"

    def get(self, request, pk):
        run = self.get_object()
        if not run.is_done:
            raise Http404
        rules = services.parse_ruleset(run.ruleset_version.yaml)
        groups = [(g.code, g.name) for g in rules.groups]
        present = set((run.class_counts or {}).keys())
        groups += [(g, {"lessee": _("租赁企业")}.get(g, g)) for g in sorted(present) if g and g not in dict(groups)]
        group = request.GET.get("group") or ""
        if group not in dict(groups):
            group = ""
        cls = (request.GET.get("class") or "")[:8]
        q = (request.GET.get("q") or "").strip()[:100]
        qs = Result.objects.restrict(request.user).filter(run=run).select_related("enterprise")
        if group:
            qs = qs.filter(group=group)
        if cls:
            qs = qs.filter(final_class=cls)
        if q:
            qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__contains=q.upper()))
        if request.GET.get("include") != "all":
            qs = qs.filter(included=True)
        qs = qs.order_by("group", F("rank").asc(nulls_last=True), "enterprise_id")
        if request.GET.get("export") == "xlsx":
            return ranking_export(run, rules, groups, qs, group)
        codes = indicator_codes(rules, group)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        offset = (page.number - 1) * 50
        names = dict(groups)
        rows = [{"n": offset + i + 1, "r": r, "values": indicator_values(r, codes),
                 "group": names.get(r.group, r.group or "—")} for i, r in enumerate(page)]
        from .ruleset import INDICATORS

        return render(request, self.template_name, self.base_context(
            run=run, object=run, page=page, rows=rows, groups=groups, group=group, cls=cls, q=q,
            indicators=[INDICATORS[c] for c in codes], classes=sorted({c for g in rules.groups
                                                                      for c in g.classification.classes})))


def indicator_codes(rules, group=""):
    seen = []
    for g in rules.groups:
        if group and g.code != group:
            continue
        for item in g.items:
            if item.indicator not in seen:
                seen.append(item.indicator)
    return seen


def indicator_values(result, codes):
    from .ruleset import INDICATORS

    out = []
    for c in codes:
        v = ((result.items or {}).get(c) or {}).get("v")
        if v is not None and INDICATORS[c].percent:
            v = v * 100
        out.append(v)
    return out


def ranking_export(run, rules, groups, qs, only_group):
    import io

    import xlsxwriter

    from .ruleset import INDICATORS

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    num = book.add_format({"num_format": "0.00"})
    chosen = [(c, n) for c, n in groups if not only_group or c == only_group]
    rows_by_group = {}
    for r in qs.iterator(chunk_size=5000):
        rows_by_group.setdefault(r.group, []).append(r)
    for code, name in chosen:
        codes = indicator_codes(rules, code) or indicator_codes(rules)
        ws = book.add_worksheet(str(name)[:31])
        headers = [_("序号"), _("企业名称"), _("统一社会信用代码"), _("用地面积（亩）")]
        headers += [f"{INDICATORS[c].name}（{INDICATORS[c].unit}）" for c in codes]
        headers += [_("得分"), _("等级")]
        for i, h in enumerate(headers):
            ws.write_string(0, i, h, head)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 2, 22)
        ws.set_column(3, len(headers), 14)
        ws.freeze_panes(1, 2)
        for n, r in enumerate(rows_by_group.get(code, ()), 1):
            values = [n, r.enterprise.name, r.enterprise.uscc, r.land_mu, *indicator_values(r, codes), r.total,
                      r.final_class or (_("免评") if r.exempt else "")]
            for i, v in enumerate(values):
                v = export.cell(v)
                if isinstance(v, (int, float)):
                    ws.write_number(n, i, v, num if i >= 3 else None)
                else:
                    ws.write_string(n, i, v)
    if not chosen:
        book.add_worksheet("—")
    book.close()
    resp = HttpResponse(buf.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return export.attachment(resp, f"{run.zone.name}{run.year}年度亩均效益评价结果.xlsx")


class CompareView(FeatureView):
    template_name = "evaluation/compare.html"

    def get(self, request, pk):
        run = self.get_object()
        other_id = _int(request.GET.get("other"))
        other = (Run.objects.restrict(request.user).filter(pk=other_id, status=RunStatus.DONE).first()
                 if other_id else services.previous_run(run))
        if other is not None and not can(request.user, other.zone_id):
            other = None
        ctx = {"run": run, "object": run, "other": other,
               "choices": Run.objects.restrict(request.user).filter(status=RunStatus.DONE).exclude(pk=run.pk)
               .select_related("zone").order_by("-year", "-id")[:50]}
        if other is not None:
            first, second = (other, run) if (other.year, other.pk) < (run.year, run.pk) else (run, other)
            matrix, moved = services.compare(first, second)
            rows = sorted(matrix)
            cols = sorted({c for row in matrix.values() for c in row})
            from zoneops.registry.models import Enterprise

            names = dict(Enterprise.objects.filter(pk__in=[m[0] for m in moved[:500]]).values_list("pk", "name"))
            ctx.update(first=first, second=second, matrix=[(a, [matrix[a].get(b, 0) for b in cols]) for a in rows],
                       cols=cols, moved=[(k, names.get(k, k), a, b) for k, a, b in moved[:500]],
                       moved_count=len(moved))
        return render(request, self.template_name, self.base_context(**ctx))


# -- results: 调档 and 异议 by staff ----------------------------------------------------------------

class ResultActionView(FeatureView):
    action = None

    def get(self, request, pk):
        self.get_object()
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        result = self.get_object(CHANGE)
        url = result.get_absolute_url() + "?tab=items"
        try:
            if self.action == "adjust":
                form = AdjustClassForm(request.POST, classes=services.classes_of(result.run, result.group))
                if not form.is_valid():
                    for errors in form.errors.values():
                        for e in errors:
                            messages.error(request, e)
                    return redirect(url)
                services.adjust_class(result, form.cleaned_data["new_class"], form.cleaned_data["reason"],
                                      request.user)
                messages.success(request, _("已调档。"))
            elif self.action == "object":
                form = ObjectionForm(request.POST, request.FILES)
                if not form.is_valid():
                    for errors in form.errors.values():
                        for e in errors:
                            messages.error(request, e)
                    return redirect(url)
                services.file_objection(result, form.cleaned_data["text"], form.cleaned_data["evidence"],
                                        request.user, by_enterprise=False)
                messages.success(request, _("已登记异议。"))
        except services.WorkflowError as e:
            messages.error(request, str(e))
        return redirect(url)


class ObjectionDetailView(FeatureView):
    template_name = "evaluation/objection_detail.html"

    def get(self, request, pk, form=None):
        objection = self.get_object()
        result = objection.result
        classes = services.classes_of(objection.run, result.group)
        can_decide = (_zone_writable(request.user, objection) and objection.status == ObjectionStatus.PENDING
                      and not objection.run.is_final)
        return render(request, self.template_name, self.base_context(
            object=objection, objection=objection, result=result, rows=item_rows(result), can_decide=can_decide,
            form=form or DecideForm(classes=classes), history=history_of(result, 30)),
            status=400 if form is not None else 200)

    def post(self, request, pk):
        objection = self.get_object(CHANGE)
        form = DecideForm(request.POST, classes=services.classes_of(objection.run, objection.result.group))
        if not form.is_valid():
            return self.get(request, pk, form=form)
        d = form.cleaned_data
        try:
            services.decide_objection(objection, d["decision"] == "accept", d["reason"], request.user,
                                      corrections=form.corrections(), new_class=d["new_class"])
        except services.WorkflowError as e:
            form.add_error(None, str(e))
            return self.get(request, pk, form=form)
        messages.success(request, _("异议已处理。"))
        return redirect(objection.get_absolute_url())


class EvidenceView(LoginRequiredMixin, View):
    """The objection's evidence file: staff of its zone, or the objecting firm's own users."""

    zone_model = Objection

    def get(self, request, pk):
        objection = Objection.objects.restrict(request.user).filter(pk=pk).first()
        if objection is None:
            objection = Objection.objects.filter(
                pk=pk, result__enterprise_id__in=portal_enterprise_ids(request.user)).first()
        if objection is None:
            raise Http404
        return attachment_response(objection.evidence, objection.evidence_name or None)


@login_required
def portal_objection(request):
    """An enterprise user's objection to its own published result (only during the window)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    own = portal_enterprise_ids(request.user)
    result = Result.objects.filter(pk=_int(request.POST.get("result"), 0), enterprise_id__in=own,
                                   run__state__in=(RunState.PUBLISHED, RunState.OBJECTION)).first()
    if result is None:
        raise Http404
    form = ObjectionForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("portal")
    try:
        services.file_objection(result, form.cleaned_data["text"], form.cleaned_data["evidence"], request.user,
                                by_enterprise=True)
        messages.success(request, _("异议已提交，开发区将在公示期结束后答复。"))
    except services.WorkflowError as e:
        messages.error(request, str(e))
    return redirect("portal")


# -- rulesets -----------------------------------------------------------------------------------

def _ruleset(request, pk, write=False):
    qs = Ruleset.objects.writable_by(request.user) if write else Ruleset.objects.visible_to(request.user)
    return get_object_or_404(qs.select_related("zone"), pk=pk)


@login_required
def ruleset_list(request):
    services.ensure_presets()
    rulesets = list(Ruleset.objects.visible_to(request.user).select_related("zone").order_by("zone_id", "name"))
    latest = {}
    from .models import RulesetVersion

    for v in RulesetVersion.objects.filter(ruleset__in=rulesets).order_by("number"):
        latest[v.ruleset_id] = v
    rows = [{"ruleset": r, "version": latest.get(r.pk)} for r in rulesets]
    return render(request, "evaluation/ruleset_list.html", {
        "rows": rows, "can_create": bool(zone_ids_for(request.user, CHANGE) is None
                                         or zone_ids_for(request.user, CHANGE))})


ruleset_list.zone_model = Ruleset


class RulesetView(LoginRequiredMixin, View):
    """The ruleset page: the version's readable table beside the YAML editor; a save is a new version."""

    zone_model = Ruleset

    def context(self, request, ruleset, form=None, upload=None):
        versions = list(ruleset.versions.select_related("created_by").order_by("-number"))
        number = _int(request.GET.get("version"))
        version = next((v for v in versions if v.number == number), versions[0] if versions else None)
        writable = Ruleset.objects.writable_by(request.user).filter(pk=ruleset.pk).exists()
        rules, error = None, None
        if version is not None:
            try:
                rules = services.parse_ruleset(version.yaml)
            except Exception as e:  # noqa: BLE001 - an old version may not parse any more
                error = str(e)
        if form is None:
            form = RulesetEditForm(initial={"yaml": version.yaml if version else ""})
        elif hasattr(form, "parsed"):  # what the user typed, rendered, when it parses
            rules = form.parsed
        return {"ruleset": ruleset, "versions": versions, "version": version, "rules": rules, "error": error,
                "form": form, "upload": upload or YamlUploadForm(), "writable": writable,
                "table": rules_table(rules) if rules else None, "history": history_of(ruleset, 30)}

    def get(self, request, pk):
        ruleset = _ruleset(request, pk)
        return render(request, "evaluation/ruleset_detail.html", self.context(request, ruleset))

    def post(self, request, pk):
        ruleset = _ruleset(request, pk, write=True)
        if "file" in request.FILES:
            upload = YamlUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                text, note = upload.yaml_text, upload.cleaned_data.get("note") or _("上传 YAML")
            else:
                messages.error(request, _("上传的规则有误，请按提示修改。"))
                return render(request, "evaluation/ruleset_detail.html",
                              self.context(request, ruleset, upload=upload), status=400)
        else:
            form = RulesetEditForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("规则有误，请按提示修改（未保存）。"))
                return render(request, "evaluation/ruleset_detail.html", self.context(request, ruleset, form=form),
                              status=400)
            text, note = form.cleaned_data["yaml"], form.cleaned_data.get("note") or ""
        from .ruleset import RulesetError

        try:
            version, created = services.save_version(ruleset, text, request.user, note)
        except RulesetError as e:
            messages.error(request, "；".join(e.messages))
            return redirect(ruleset.get_absolute_url())
        if created:
            messages.success(request, _("已保存为第 %(n)s 版。") % {"n": version.number})
        else:
            messages.info(request, _("规则没有变化，未生成新版本。"))
        return redirect(ruleset.get_absolute_url())


def rules_table(rules):
    """The ruleset as readable rows: groups, items, weights, benchmarks, classes."""
    from .ruleset import INDICATORS

    kinds = {"fixed": _("固定值"), "mean": _("组内平均"), "median": _("组内中位数")}
    missing = {"group_average": _("按组平均得分"), "zero": _("记 0 分"), "exclude": _("不参评")}
    groups = []
    for g in rules.groups:
        items = []
        for i in g.items:
            ind = INDICATORS.get(i.indicator)
            bench = kinds.get(i.benchmark.kind, i.benchmark.kind)
            if i.benchmark.kind == "fixed":
                bench = f"{i.benchmark.value:g}"
            items.append({"name": ind.name if ind else i.indicator, "unit": ind.unit if ind else "",
                          "weight": f"{i.weight:g}", "benchmark": bench,
                          "cap": f"{i.cap:g}×" if i.cap else "—", "missing": missing.get(i.missing, i.missing)})
        c = g.classification
        if c.method == "percentile":
            bounds, prev = [], 0
            for cls, cut in zip(c.classes, [*c.cuts, 100]):
                bounds.append(f"{cls}（{rules.class_name(cls)}）：{prev:g}%–{cut:g}%")
                prev = cut
            method = _("按排名百分位")
        else:
            bounds = [f"{cls}（{rules.class_name(cls)}）：≥ {cut:g}" for cls, cut in zip(c.classes, c.cuts)]
            if len(c.classes) > len(c.cuts):
                bounds.append(f"{c.classes[-1]}（{rules.class_name(c.classes[-1])}）：{_('其余')}")
            method = _("按得分")
        groups.append({"code": g.code, "name": g.name, "min_land": g.min_land_mu, "items": items,
                       "method": method, "bounds": bounds,
                       "weight_sum": f"{sum(i.weight for i in g.items):g}"})
    scope = rules.scope
    return {"groups": groups, "adjustments": rules.adjustments, "exemption_class": rules.exemption_class,
            "scope": [(_("不参评未投产企业"), scope.exclude_not_producing), (_("同一地块企业合并评价"), scope.merge_shared),
                      (_("租赁企业单独排名"), scope.lessees_separate)]}


class RulesetDownloadView(LoginRequiredMixin, View):
    zone_model = Ruleset

    def get(self, request, pk):
        ruleset = _ruleset(request, pk)
        number = _int(request.GET.get("version"))
        versions = ruleset.versions.order_by("-number")
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None:
            raise Http404
        resp = HttpResponse(version.yaml.encode("utf-8"), content_type="application/x-yaml; charset=utf-8")
        return export.attachment(resp, f"{ruleset.name}-v{version.number}.yaml")


class RulesetCreateView(LoginRequiredMixin, View):
    zone_model = Ruleset

    def get(self, request):
        services.ensure_presets()
        initial = {}
        source = Ruleset.objects.visible_to(request.user).filter(pk=_int(request.GET.get("source"), 0)).first()
        if source is not None:
            initial = {"source": source, "name": f"{source.name}_copy", "title": f"{source.title}（本区）"}
        return render(request, "evaluation/ruleset_new.html",
                      {"form": RulesetCreateForm(user=request.user, initial=initial)})

    def post(self, request):
        form = RulesetCreateForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return render(request, "evaluation/ruleset_new.html", {"form": form}, status=400)
        d = form.cleaned_data
        if d.get("file") is not None:
            ruleset = Ruleset.objects.create(zone=d["zone"], name=d["name"], title=d["title"])
            services.save_version(ruleset, form.yaml_text, request.user, _("上传 YAML"))
        else:
            ruleset = services.copy_ruleset(d["source"], d["zone"], d["name"], d["title"], request.user)
        messages.success(request, _("已新建评价规则：%(r)s") % {"r": ruleset})
        return redirect(ruleset.get_absolute_url())


def feature_view(view_class, model, **kwargs):
    return view_class.as_view(feature=for_model(model), **kwargs)
