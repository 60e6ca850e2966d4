"""Chain pages: the chain page (panorama, gaps, firms, targets, checklist, tree editor), the
segment page, templates, YAML/xlsx import and export, staff decisions on mappings, 链主, the
九个一 checklist, candidates' status and the project-pipeline seam.

Every object comes from `Model.objects.restrict(user, action)`: another zone's id is a 404.
"""
import json
import os

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from zoneops.core import export
from zoneops.core.attachments import attachment_response, clean_attachment
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE, VIEW, can
from zoneops.core.views import FeatureView, object_history, with_labelled_fields
from zoneops.registry.codes import clean_uscc
from zoneops.registry.models import Enterprise

from . import engine, services, treeio
from .models import (
    Candidate,
    CandidateStatus,
    Chain,
    ChainLeader,
    ChainMapping,
    ChecklistItem,
    MappingSource,
    Segment,
)

CLASS_COLORS = {engine.CLASS_MISSING: "#c9ced6", engine.CLASS_WEAK: "#f4a259", engine.CLASS_FAIR: "#7fb3e0",
                engine.CLASS_STRONG: "#2e9e5b"}
CHAIN_TABS = (("panorama", "全景图"), ("gaps", "环节强弱"), ("firms", "链上企业"), ("targets", "招商地图"),
              ("checklist", "九个一"), ("tree", "环节编辑"), ("history", "变更记录"))


def forbidden(request, message, back_url, status=403):
    return render(request, "core/forbidden.html", {"message": message, "back_url": back_url,
                                                   "back_label": _("返回")}, status=status)


class ZoneObjectView(LoginRequiredMixin, View):
    """A custom view on one object of `zone_model`, fetched through the user's zones."""

    zone_model = None
    write = False  # POST needs the change role in the object's zone

    def get_object(self, action=VIEW):
        return get_object_or_404(self.zone_model.objects.restrict(self.request.user, action), pk=self.kwargs["pk"])

    def writable(self, obj):
        return can(self.request.user, obj.zone_id, CHANGE)

    def refuse(self, obj):
        return forbidden(self.request, _("您没有修改该开发区数据的权限。"), obj.get_absolute_url()
                         if hasattr(obj, "get_absolute_url") else "/")


# -- chain page --------------------------------------------------------------------------------

class ChainPageView(FeatureView):
    """The chain's detail page (replaces the generic one)."""

    def get(self, request, **kwargs):
        chain = self.get_object()
        tab = request.GET.get("tab", "panorama")
        if tab not in dict(CHAIN_TABS):
            tab = "panorama"
        writable = can(request.user, chain.zone_id, CHANGE)
        ctx = self.base_context(object=chain, chain=chain, tabs=CHAIN_TABS, active_tab=tab, can_edit=writable,
                                can_delete=writable, partner=chain.partner_zone.name if chain.partner_zone_id else "")
        if tab in ("panorama", "gaps", "targets") or request.GET.get("export") == "xlsx":
            ov = services.chain_overview(chain)
            if request.GET.get("export") == "xlsx":
                return panorama_xlsx(chain, ov)
            ctx.update(overview=ov, health=ov["health"])
            if tab == "panorama":
                ctx["graph"] = panorama_graph(chain, ov)
            if tab == "targets":
                ctx["gaps"] = services.rank_targets(chain, ov)
        elif tab == "firms":
            ctx.update(firms_context(request, chain))
        elif tab == "checklist":
            items, pct = services.checklist(chain)
            ctx.update(items=items, percent=pct)
        elif tab == "tree":
            ctx.update(tree_context(chain))
        elif tab == "history":
            ctx["changes"] = with_labelled_fields(object_history(chain)[:200])
        return render(request, "chains/chain_page.html", ctx)


def panorama_graph(chain, ov):
    """ECharts tree data: chain → stages → segments → sub-segments; 链主 firms as gold leaves."""
    leaders = {}
    for seg_id, name in (ChainMapping.objects.filter(chain=chain, source__in=services.ACTIVE_SOURCES,
                                                     enterprise__chain_leaderships__chain=chain)
                         .values_list("segment_id", "enterprise__name").distinct()):
        leaders.setdefault(seg_id, []).append(name)
    nodes = {}
    stages = {k: {"name": str(v), "children": [], "itemStyle": {"color": "#6c757d"}, "kind": "stage"}
              for k, v in treeio.STAGES.items()}
    for r in ov["rows"]:
        s, st = r["segment"], r["stats"]
        node = {"name": s.name, "id": s.pk, "kind": "segment", "klass": r["class"], "score": r["score"],
                "firms": st.firms, "above": st.above, "revenue": round(st.revenue / 10_000, 2), "rec": r["recommendation"],
                "url": reverse("chains:segment_firms", args=[s.pk]),
                "itemStyle": {"color": CLASS_COLORS[r["class"]], "borderColor": "#333"},
                "label": {"formatter": f"{s.name}（{st.firms}）"}, "children": []}
        for name in leaders.get(s.pk, [])[:5]:
            node["children"].append({"name": name, "kind": "leader", "symbol": "diamond", "symbolSize": 12,
                                     "itemStyle": {"color": "#d4a017"}, "label": {"color": "#8a6d00", "fontWeight": "bold"}})
        nodes[s.pk] = node
        parent = nodes.get(s.parent_id)
        (parent["children"] if parent else stages[s.stage]["children"]).append(node)
    return {"name": chain.name, "itemStyle": {"color": "#0d6efd"}, "kind": "chain",
            "children": [stages[k] for k in ("up", "mid", "down")]}


def panorama_xlsx(chain, ov):
    headers = ["链位", "环节", "上级环节", "企业数", "规上企业数", "链主数", "营业收入（万元）", "上年营业收入（万元）",
               "营收增长", "评价税收（万元）", "强弱得分", "强弱", "建议"]
    names = {r["segment"].pk: r["segment"].name for r in ov["rows"]}
    rows = []
    for r in ov["rows"]:
        s, st = r["segment"], r["stats"]
        rows.append([treeio.STAGES[s.stage], "　" * r["depth"] + s.name, names.get(s.parent_id, ""), st.firms,
                     st.above, st.leaders, round(st.revenue, 2), round(st.revenue_prev, 2),
                     round(st.growth, 4) if st.growth is not None else None, round(st.tax, 2), r["score"], r["class"],
                     r["recommendation"]])
    data = export.xlsx_bytes(headers, [[export.cell(v) for v in row] for row in rows], sheet="全景图")
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return export.attachment(resp, f"{chain.name}-全景图.xlsx")


def firms_context(request, chain):
    """链上企业: every mapping of the chain in tree order (services.TreeOrderedMappings: no sort or
    join over the whole chain), filtered by source and by a word in the firm's or segment's name."""
    segments = services._tree_order(list(Segment.objects.filter(chain=chain)))
    qs = ChainMapping.objects.restrict(request.user).filter(chain=chain)
    source = request.GET.get("source", "")
    if source in MappingSource.values:
        qs = qs.filter(source=source)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        # Segment names are matched here (30 of them), so the database only searches firm names.
        # Firms: a semi-join on the zone's firms (no join per mapping row), and a plain LIKE when the
        # word has no letter case (Chinese): UPPER() over every name costs more than the search.
        named = [s.pk for s in segments if q.casefold() in s.name.casefold()]
        lookup = "name__contains" if q.upper() == q.lower() else "name__icontains"
        firms = Enterprise.objects.filter(zone_id=chain.zone_id, **{lookup: q}).values("id")
        qs = qs.filter(Q(enterprise_id__in=firms) | Q(segment_id__in=named))
    page = Paginator(services.TreeOrderedMappings(qs, segments), 50).get_page(request.GET.get("page"))
    leaders = set(ChainLeader.objects.filter(chain=chain).values_list("enterprise_id", flat=True))
    return {"page": page, "source": source, "q": q, "leaders": leaders, "sources": MappingSource.choices}


def tree_context(chain):
    segs = services._tree_order(list(Segment.objects.filter(chain=chain)))
    # Each row's 移到 menu lists every other segment: built here (n² options), not in the template.
    options = [(s.pk, format_html('<option value="{}">{}</option>', s.pk, s.name)) for s in segs]
    for s in segs:
        s.move_options = mark_safe("".join(html for pk, html in options if pk != s.pk))
    return {"segments": segs, "stages": treeio.STAGES}


# -- segment page and panel --------------------------------------------------------------------

class SegmentPageView(FeatureView):
    def get(self, request, **kwargs):
        seg = self.get_object()
        chain = seg.chain
        ov = services.chain_overview(chain)
        row = next(r for r in ov["rows"] if r["segment"].pk == seg.pk)
        mappings = (ChainMapping.objects.filter(segment=seg).select_related("enterprise")
                    .order_by("source", "-confidence", "pk"))
        page = Paginator(mappings, 50).get_page(request.GET.get("page"))
        leaders = set(ChainLeader.objects.filter(chain=chain).values_list("enterprise_id", flat=True))
        matches = (seg.candidate_matches.select_related("candidate").order_by("-confidence")[:20])
        return render(request, "chains/segment_page.html", self.base_context(
            object=seg, seg=seg, chain=chain, row=row, page=page, leaders=leaders, matches=matches,
            can_edit=can(request.user, seg.zone_id, CHANGE), can_delete=can(request.user, seg.zone_id, CHANGE),
            children=[r for r in ov["rows"] if r["segment"].parent_id == seg.pk]))


class SegmentFirmsView(ZoneObjectView):
    """The panorama's side panel: a segment's firms (htmx)."""

    zone_model = Segment

    def get(self, request, pk):
        seg = self.get_object()
        mappings = (ChainMapping.objects.filter(segment=seg, source__in=services.ACTIVE_SOURCES)
                    .select_related("enterprise").order_by("-source", "-confidence")[:30])
        leaders = set(ChainLeader.objects.filter(chain_id=seg.chain_id).values_list("enterprise_id", flat=True))
        return render(request, "chains/segment_panel.html", {
            "seg": seg, "mappings": mappings, "leaders": leaders, "can_write": self.writable(seg),
            "total": ChainMapping.objects.filter(segment=seg, source__in=services.ACTIVE_SOURCES).count()})


# -- decisions ---------------------------------------------------------------------------------

class MappingDecideView(ZoneObjectView):
    zone_model = ChainMapping

    def post(self, request, pk):
        mapping = self.get_object()
        if not self.writable(mapping):
            return self.refuse(mapping.segment)
        source = request.POST.get("source")
        if source not in MappingSource.values:
            return HttpResponse(_("无效的操作。"), status=400)
        mapping = services.decide(mapping.enterprise, mapping.segment, source, request.user)
        if request.headers.get("HX-Request"):
            return render(request, "chains/mapping_row.html", {"m": mapping, "can_write": True,
                                                               "compact": request.POST.get("compact") == "1"})
        messages.success(request, _("已更新：%(m)s（%(s)s）") % {"m": mapping, "s": mapping.get_source_display()})
        return redirect(request.POST.get("next") or mapping.segment.get_absolute_url())


class SegmentAddFirmView(ZoneObjectView):
    """Staff put a firm into a segment by credit code (a confirmed mapping)."""

    zone_model = Segment

    def post(self, request, pk):
        seg = self.get_object()
        if not self.writable(seg):
            return self.refuse(seg)
        try:
            uscc = clean_uscc(request.POST.get("uscc", ""))
        except ValueError as e:
            messages.error(request, str(e))
            return redirect(seg.get_absolute_url())
        ent = Enterprise.objects.filter(zone_id=seg.zone_id, uscc=uscc).first()
        if ent is None:
            messages.error(request, _("本开发区没有统一社会信用代码为 %(c)s 的企业。") % {"c": uscc})
            return redirect(seg.get_absolute_url())
        services.decide(ent, seg, MappingSource.CONFIRMED, request.user)
        messages.success(request, _("已将 %(e)s 确认到环节“%(s)s”。") % {"e": ent.name, "s": seg.name})
        return redirect(seg.get_absolute_url())


class LeaderToggleView(ZoneObjectView):
    zone_model = Chain

    def post(self, request, pk):
        chain = self.get_object()
        if not self.writable(chain):
            return self.refuse(chain)
        ent = Enterprise.objects.filter(zone_id=chain.zone_id, pk=request.POST.get("enterprise") or 0).first()
        if ent is None:
            raise Http404
        existing = ChainLeader.objects.filter(chain=chain, enterprise=ent).first()
        if existing:
            existing.delete()
            messages.success(request, _("已取消链主：%(e)s") % {"e": ent.name})
        else:
            ChainLeader.objects.create(zone_id=chain.zone_id, chain=chain, enterprise=ent)
            messages.success(request, _("已设为链主：%(e)s") % {"e": ent.name})
        Zone.touch([chain.zone_id])
        return redirect(request.POST.get("next") or f"{chain.get_absolute_url()}?tab=firms")


class RemapView(ZoneObjectView):
    """Re-run the mapping of one chain: in the request for small zones, else on the worker."""

    zone_model = Chain
    INLINE_LIMIT = 20_000

    def post(self, request, pk):
        chain = self.get_object()
        if not self.writable(chain):
            return self.refuse(chain)
        n = Enterprise.objects.filter(zone_id=chain.zone_id).count()
        if n <= self.INLINE_LIMIT:
            result = services.run_mapping(chain.zone, [chain])
            services.map_candidates(chain.zone)
            messages.success(request, _("匹配完成：%(f)s 家企业，新增 %(c)s、更新 %(u)s、移除 %(d)s 条自动匹配"
                                        "（人工确认和否决保持不变）。") % {
                "f": result["firms"], "c": result["created"], "u": result["updated"], "d": result["deleted"]})
        else:
            from .tasks import map_chain_task

            map_chain_task.enqueue(chain.pk)
            messages.info(request, _("已提交后台重新匹配（%(n)s 家企业），完成后刷新本页即可看到结果。") % {"n": n})
        return redirect(f"{chain.get_absolute_url()}?tab=firms")


# -- templates, import, export -----------------------------------------------------------------

class TemplatesView(LoginRequiredMixin, View):
    """Create a chain from a shipped template."""

    zone_model = Chain

    def get(self, request):
        zones = Zone.objects.restrict(request.user, CHANGE)
        return render(request, "chains/templates.html", {"templates": treeio.templates(), "zones": zones})

    def post(self, request):
        zones = Zone.objects.restrict(request.user, CHANGE)
        zone = zones.filter(pk=request.POST.get("zone") or 0).first()
        slug = request.POST.get("template", "")
        if zone is None:
            messages.error(request, _("请选择您有写入权限的开发区。"))
            return redirect("chains:templates")
        try:
            tree = treeio.load_template(slug)
            chain = services.create_chain(zone, tree, name=request.POST.get("name") or None, template=tree["name"],
                                          chief_name=request.POST.get("chief_name", "")[:40],
                                          chief_title=request.POST.get("chief_title", "")[:80])
        except (treeio.TreeError, services.ChainError) as e:
            messages.error(request, str(e))
            return redirect("chains:templates")
        services.run_mapping(zone, [chain]) if Enterprise.objects.filter(zone=zone).count() <= RemapView.INLINE_LIMIT \
            else None
        messages.success(request, _("已从模板创建产业链“%(n)s”（%(s)s 个环节）。") % {
            "n": chain.name, "s": len(tree["segments"])})
        return redirect(chain.get_absolute_url())


class ChainImportView(LoginRequiredMixin, View):
    """Upload a YAML or .xlsx tree: a new chain, or (with `chain`) the new tree of an existing one."""

    zone_model = Chain

    def post(self, request):
        upload = request.FILES.get("file")
        chain = None
        if request.POST.get("chain"):
            chain = get_object_or_404(Chain.objects.restrict(request.user, CHANGE), pk=request.POST["chain"])
        zone = chain.zone if chain else Zone.objects.restrict(request.user, CHANGE).filter(
            pk=request.POST.get("zone") or 0).first()
        back = f"{chain.get_absolute_url()}?tab=tree" if chain else reverse("chains:templates")
        if zone is None:
            messages.error(request, _("请选择您有写入权限的开发区。"))
            return redirect(back)
        if upload is None:
            messages.error(request, _("请选择要上传的文件。"))
            return redirect(back)
        if upload.size > 5 * treeio.MAX_BYTES:
            messages.error(request, _("文件超过 5 MB。"))
            return redirect(back)
        data = upload.read()
        try:
            tree = treeio.load_xlsx(data) if data[:2] == b"PK" else treeio.load_yaml(data)
            if chain is None:
                chain = services.create_chain(zone, tree)
                messages.success(request, _("已导入产业链“%(n)s”。") % {"n": chain.name})
            else:
                c, u, d = services.apply_tree(chain, tree)
                messages.success(request, _("环节已更新：新增 %(c)s、修改 %(u)s、删除 %(d)s。") % {"c": c, "u": u, "d": d})
        except (treeio.TreeError, services.ChainError) as e:
            messages.error(request, _("导入失败：%(e)s") % {"e": e})
            return redirect(back)
        return redirect(f"{chain.get_absolute_url()}?tab=tree")


class ChainExportView(ZoneObjectView):
    zone_model = Chain

    def get(self, request, pk, fmt):
        chain = self.get_object()
        tree = services.chain_tree(chain)
        if fmt == "yaml":
            resp = HttpResponse(treeio.dump_yaml(tree), content_type="application/x-yaml; charset=utf-8")
            return export.attachment(resp, f"{chain.name}.yaml")
        resp = HttpResponse(treeio.dump_xlsx(tree),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return export.attachment(resp, f"{chain.name}-环节.xlsx")


class TemplateDownloadView(LoginRequiredMixin, View):
    def get(self, request):
        slug = request.GET.get("t", "")
        if slug not in treeio.template_slugs():
            raise Http404
        data = (treeio.TEMPLATES_DIR / f"{slug}.yaml").read_bytes()
        return export.attachment(HttpResponse(data, content_type="application/x-yaml; charset=utf-8"), f"{slug}.yaml")


# -- the tree editor (htmx) --------------------------------------------------------------------

class TreeEditView(ZoneObjectView):
    """add / rename / move (up, down, to another parent) / delete / update a segment; answers the
    editor fragment."""

    zone_model = Chain

    def post(self, request, pk):
        chain = self.get_object()
        if not self.writable(chain):
            return self.refuse(chain)
        op = request.POST.get("op", "")
        error = None
        try:
            with transaction.atomic():
                error = self.apply(chain, op, request.POST)
        except Exception as e:  # ValidationError from full_clean, bad ids
            from django.core.exceptions import ValidationError

            if not isinstance(e, (ValidationError, ValueError, Segment.DoesNotExist)):
                raise
            error = "；".join(getattr(e, "messages", [str(e)]))
        ctx = {**tree_context(chain), "chain": chain, "error": error, "can_edit": True}
        if request.headers.get("HX-Request"):
            # 200 even with an error: htmx swaps only successful answers, and the message is in the fragment.
            return render(request, "chains/tree_editor.html", ctx)
        if error:
            messages.error(request, error)
        return redirect(f"{chain.get_absolute_url()}?tab=tree")

    def segment(self, chain, data, key="segment"):
        return Segment.objects.get(chain=chain, pk=int(data.get(key) or 0))

    def apply(self, chain, op, data):
        if op == "add":
            parent = self.segment(chain, data, "parent") if data.get("parent") else None
            stage = parent.stage if parent else data.get("stage", "mid")
            if stage not in treeio.STAGES:
                return _("链位应为 上游、中游 或 下游。")
            siblings = Segment.objects.filter(chain=chain, parent=parent, stage=stage).count()
            seg = Segment(zone_id=chain.zone_id, chain=chain, parent=parent, stage=stage,
                          name=(data.get("name") or "").strip(), order=siblings)
            seg.full_clean()
            seg.save()
        elif op in ("rename", "update"):
            seg = self.segment(chain, data)
            if op == "rename":
                seg.name = (data.get("name") or "").strip()
            else:
                for f in ("codes", "keywords", "exclude_words", "products", "note"):
                    if f in data:
                        setattr(seg, f, data.get(f, "").strip())
            seg.full_clean()
            seg.save()
        elif op in ("up", "down"):
            seg = self.segment(chain, data)
            sibs = list(Segment.objects.filter(chain=chain, parent_id=seg.parent_id, stage=seg.stage)
                        .order_by("order", "id"))
            i = sibs.index(seg)
            j = i - 1 if op == "up" else i + 1
            if 0 <= j < len(sibs):
                sibs[i], sibs[j] = sibs[j], sibs[i]
            for n, s in enumerate(sibs):
                if s.order != n:
                    s.order = n
                    s.save(update_fields=["order", "updated"])
        elif op == "move":
            seg = self.segment(chain, data)
            target = data.get("parent", "")
            if target in treeio.STAGES:
                seg.parent, seg.stage = None, target
            else:
                seg.parent = self.segment(chain, data, "parent")
            seg.order = Segment.objects.filter(chain=chain, parent=seg.parent).count()
            seg.full_clean()
            seg.save()
            _restage(seg)
        elif op == "delete":
            seg = self.segment(chain, data)
            for child in Segment.objects.filter(parent=seg):
                _delete_subtree(child)
            seg.delete()
        else:
            return _("未知的操作。")
        return None


def _restage(seg):
    for child in Segment.objects.filter(parent=seg):
        if child.stage != seg.stage:
            child.stage = seg.stage
            child.save()
        _restage(child)


def _delete_subtree(seg):
    for child in Segment.objects.filter(parent=seg):
        _delete_subtree(child)
    seg.delete()


# -- checklist ---------------------------------------------------------------------------------

class ChecklistItemView(ZoneObjectView):
    zone_model = ChecklistItem

    def post(self, request, pk):
        item = self.get_object()
        if not self.writable(item):
            return self.refuse(item.chain)
        item.done = request.POST.get("done") == "1"
        item.note = request.POST.get("note", "")[:300]
        upload = request.FILES.get("evidence")
        if upload is not None:
            try:
                clean_attachment(upload)
            except forms.ValidationError as e:
                messages.error(request, " ".join(e.messages))
                return redirect(f"{item.chain.get_absolute_url()}?tab=checklist")
            if item.evidence:
                item.evidence.delete(save=False)
            item.evidence_name = os.path.basename(upload.name)[:200]
            item.evidence.save(upload.name, upload, save=False)
        item.save()
        messages.success(request, _("已保存：%(i)s") % {"i": item.get_kind_display()})
        return redirect(f"{item.chain.get_absolute_url()}?tab=checklist")


class EvidenceDownloadView(ZoneObjectView):
    zone_model = ChecklistItem

    def get(self, request, pk):
        item = self.get_object()
        return attachment_response(item.evidence, item.evidence_name or None)


# -- candidates --------------------------------------------------------------------------------

class CandidateStatusView(ZoneObjectView):
    zone_model = Candidate

    def post(self, request, pk):
        cand = self.get_object()
        if not self.writable(cand):
            return self.refuse(cand)
        status = request.POST.get("status")
        if status not in CandidateStatus.values:
            return HttpResponse(_("无效的状态。"), status=400)
        cand.status = status
        cand.save()
        messages.success(request, _("%(c)s：%(s)s") % {"c": cand.name, "s": cand.get_status_display()})
        return redirect(request.POST.get("next") or cand.get_absolute_url())


class CandidateToLeadView(ZoneObjectView):
    """转为招商项目: the seam for the project pipeline (services.CANDIDATE_TO_LEAD)."""

    zone_model = Candidate

    def post(self, request, pk):
        cand = self.get_object()
        if not self.writable(cand):
            return self.refuse(cand)
        lead = services.candidate_to_lead(cand, request.user)
        if lead is None:
            messages.warning(request, _("项目库尚未启用：招商项目模块上线后，这里会一键生成招商线索。"))
            return redirect(request.POST.get("next") or cand.get_absolute_url())
        messages.success(request, _("已转为招商项目：%(l)s") % {"l": lead})
        return redirect(lead.get_absolute_url())


class CandidateRemapView(LoginRequiredMixin, View):
    zone_model = Candidate

    def post(self, request):
        zones = Zone.objects.restrict(request.user, CHANGE)
        n = 0
        for zone in zones.filter(pk__in=Candidate.objects.restrict(request.user, CHANGE).values("zone_id")):
            n += services.map_candidates(zone)
        messages.success(request, _("已重新匹配招商目标企业：%(n)s 条环节匹配。") % {"n": n})
        return redirect("chains:candidate_list")


# -- enterprise tab ----------------------------------------------------------------------------

def enterprise_chains_tab(request, enterprise):
    mappings = list(ChainMapping.objects.restrict(request.user).filter(enterprise=enterprise)
                    .select_related("chain", "segment").order_by("chain__name", "-confidence"))
    leaders = set(ChainLeader.objects.restrict(request.user).filter(enterprise=enterprise)
                  .values_list("chain_id", flat=True))
    return {"chain_mappings": mappings, "leader_chains": leaders,
            "can_write_chains": can(request.user, enterprise.zone_id, CHANGE)}


def candidate_matches_tab(request, candidate):
    return {"matches": list(candidate.matches.select_related("chain", "segment").order_by("-confidence")),
            "status_choices": CandidateStatus.choices}


def home_card(zone, user):
    """One query: the zone's chains and the automatic mappings waiting for a decision."""
    from django.db.models import Count

    agg = Chain.objects.filter(zone=zone).aggregate(
        n=Count("id", distinct=True), pending=Count("mappings", filter=Q(mappings__source=MappingSource.AUTO)))
    if not agg["n"]:
        return []
    return [{"label": _("产业链"), "value": agg["n"], "url": reverse("chains:chain_list") + f"?zone={zone.pk}",
             "tone": ""},
            {"label": _("待确认的链上企业"), "value": agg["pending"],
             "url": reverse("chains:chainmapping_list") + f"?zone={zone.pk}&source=auto", "tone": ""}]


def graph_json(graph):
    return json.dumps(graph, ensure_ascii=False)
