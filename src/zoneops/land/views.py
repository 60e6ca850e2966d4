"""Pages of the land lifecycle that are not CRUD: the parcel's 土地流转 tab and its actions
(transition, split, merge), the figures page, and the API endpoint for transitions."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from rest_framework import exceptions, status as http, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zoneops.core.changelog import change_context
from zoneops.core.export import attachment, xlsx_bytes
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE, can
from zoneops.registry.models import Enterprise, Parcel

from . import engine, figures as land_figures, services
from .forms import MergeForm, SplitForm, TransitionForm
from .models import Acquisition, ParcelEvent, Sale, SpaceLease

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _messages_of(error):
    return "；".join(str(m) for m in getattr(error, "messages", [str(error)]))


# -- the parcel tab ------------------------------------------------------------------------

def parcel_tab(request, parcel):
    """Context of the parcel page's 土地流转 tab (every query restricted or keyed by the parcel)."""
    from zoneops.projects.models import Project

    events = list(ParcelEvent.objects.filter(parcel_id=parcel.pk).select_related("user").order_by("-on", "-id")[:200])
    parents, children = services.lineage(parcel)
    writable = can(request.user, parcel.zone_id, CHANGE) and not children
    targets = [(s, engine.label(s)) for s in engine.allowed_targets(parcel.status)]
    projects = list(Project.objects.restrict(request.user).filter(zone_id=parcel.zone_id).only("pk", "name")
                    .order_by("-id")[:300]) if writable and engine.SUPPLIED in dict(targets) else []
    today = timezone.localdate()
    return {
        "events": events, "parents": parents, "children": children, "retired": bool(children),
        "acquisitions": list(Acquisition.objects.filter(parcel_id=parcel.pk).prefetch_related("progress")),
        "sales": list(Sale.objects.filter(parcel_id=parcel.pk).select_related("buyer")),
        "can_move": writable, "targets": targets,
        "transition_form": TransitionForm(targets=targets, projects=projects,
                                          initial={"on": today, "area_mu": parcel.area_mu}),
        "split_form": SplitForm(initial={"on": today}), "merge_form": MergeForm(initial={"on": today}),
        "status_label": engine.label(parcel.status),
    }


class ParcelActionView(LoginRequiredMixin, View):
    """POST only; a zone-B user gets 404 for a zone-A parcel (restrict before anything else)."""

    zone_model = Parcel
    http_method_names = ["post"]

    def parcel(self):
        return get_object_or_404(Parcel.objects.restrict(self.request.user, CHANGE), pk=self.kwargs["pk"])

    def back(self, parcel):
        return redirect(parcel.get_absolute_url() + "?tab=land")

    def post(self, request, pk):
        parcel = self.parcel()
        try:
            message = self.act(request, parcel)
        except ValidationError as e:
            messages.error(request, _messages_of(e))
        else:
            messages.success(request, message)
        return self.back(parcel)


class TransitionView(ParcelActionView):
    def act(self, request, parcel):
        # Any status and any project id pass the form: the service says what is wrong with them.
        form = TransitionForm(request.POST, targets=[(s, engine.label(s)) for s in engine.LABELS])
        raw = request.POST.get("project_id") or ""
        form.fields["project_id"].choices = [("", "—")] + ([(raw, raw)] if raw.isdigit() else [])
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()])
        d = form.cleaned_data
        details = {}
        if d["to_status"] == engine.SOLD:
            details["buyer_name"] = d["buyer_name"]
            details["price_wan"] = d["price_wan"]
            details["area_mu"] = d["area_mu"]
            if d["buyer"]:
                found = Enterprise.objects.restrict(request.user).filter(
                    zone_id=parcel.zone_id, uscc=d["buyer"].strip().upper()).values_list("pk", flat=True).first()
                if found is None:
                    raise ValidationError(_("本开发区企业库中没有统一社会信用代码为 %(c)s 的企业。") % {"c": d["buyer"][:30]})
                details["buyer_id"] = found
        elif d["to_status"] == engine.SUPPLIED:
            details["project_id"] = d["project_id"]
        elif d["to_status"] == engine.ACQUIRING:
            details["households_total"] = d["households_total"]
            details["firms_total"] = d["firms_total"]
        services.transition(parcel, d["to_status"], request.user, on=d["on"], note=d["note"], **details)
        return _("地块 %(p)s 已变为“%(s)s”。") % {"p": parcel.code, "s": engine.label(d["to_status"])}


class SplitView(ParcelActionView):
    def act(self, request, parcel):
        form = SplitForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()])
        children = services.split(parcel, form.cleaned_data["parts"], request.user, on=form.cleaned_data["on"],
                                  note=form.cleaned_data["note"])
        return _("地块 %(p)s 已分割为：%(c)s。") % {"p": parcel.code, "c": "、".join(c.code for c in children)}


class MergeView(ParcelActionView):
    def act(self, request, parcel):
        form = MergeForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()])
        d = form.cleaned_data
        others = list(Parcel.objects.restrict(request.user, CHANGE).filter(zone_id=parcel.zone_id, code__in=d["others"]))
        missing = sorted(set(d["others"]) - {p.code for p in others})
        if missing:
            raise ValidationError(_("本开发区没有编号为 %(c)s 的地块。") % {"c": "、".join(m[:64] for m in missing[:10])})
        child = services.merge([parcel, *others], request.user, code=d["code"], name=d["name"], on=d["on"],
                               note=d["note"])
        self.child = child
        return _("已合并为新地块 %(c)s。") % {"c": child.code}

    def back(self, parcel):
        child = getattr(self, "child", None)
        return redirect((child or parcel).get_absolute_url() + "?tab=land")


# -- figures -------------------------------------------------------------------------------

def zone_choice(request):
    """(zones the user may read, the zones picked by ?zone=, the single picked zone or None)."""
    zones = list(Zone.objects.restrict(request.user).order_by("code"))
    chosen = request.GET.get("zone", "")
    picked = [z for z in zones if str(z.pk) == chosen]
    return zones, picked or zones, picked[0] if picked else (zones[0] if len(zones) == 1 else None)


@login_required
def figures(request):
    zones, picked, zone = zone_choice(request)
    start, end, preset, error = land_figures.parse_period(request.GET)
    if error:
        messages.error(request, error)
    data = land_figures.period_figures([z.pk for z in picked], start, end)
    tables = land_figures.tables(data)
    if request.GET.get("export") == "xlsx":
        return attachment(HttpResponse(_xlsx(tables), content_type=XLSX),
                          f"土地流转统计-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    chart = {"stock": [[label, float(mu), n] for _s, label, n, mu in data["stock"]],
             "flow": [[row[0], row[2] or 0] for row in tables["flow"][2]]}
    r = data["relocation"]
    return render(request, "land/figures.html", {
        "zones": zones, "zone": zone, "start": start, "end": end, "preset": preset, "f": data, "tables": tables,
        "presets": [(k, _(v)) for k, v in engine.PRESETS], "zone_param": request.GET.get("zone", ""),
        "households_pct": land_figures._pct(r["households_signed"], r["households_total"]),
        "firms_pct": land_figures._pct(r["firms_signed"], r["firms_total"]),
        "chart_json": json.dumps(chart, ensure_ascii=False)})


def _xlsx(tables):
    """All figure tables on one sheet, one block after another."""
    rows = []
    for title, headers, body in tables.values():
        rows.append([title])
        rows.append(headers)
        rows.extend(body)
        rows.append([])
    return xlsx_bytes(["土地流转统计"], rows, sheet="土地流转统计")


# -- API: transitions ----------------------------------------------------------------------

class TransitionViewSet(viewsets.ViewSet):
    """POST /api/parcel-transitions/ {parcel, to_status, on, note, buyer_id, buyer_name, price_wan,
    area_mu, project_id, households_total, firms_total}: the parcel's new event (201), or 400 with
    the Chinese reason; a parcel of a zone the user cannot write is 404."""

    permission_classes = [IsAuthenticated]
    zone_model = Parcel

    def get_serializer(self, *args, **kwargs):
        from .api.serializers import TransitionSerializer

        return TransitionSerializer(*args, **kwargs)

    def list(self, request, *args, **kwargs):
        return Response({"detail": _("用 POST 提交地块状态变更；变更记录见 /api/parcel-events/。")})

    def create(self, request, *args, **kwargs):
        from .api.serializers import ParcelEventSerializer, TransitionSerializer

        s = TransitionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        parcel = Parcel.objects.restrict(request.user, CHANGE).filter(pk=d.pop("parcel")).first()
        if parcel is None:
            raise exceptions.NotFound(_("没有找到该地块，或您没有相应开发区的写入权限。"))
        to_status, on, note = d.pop("to_status"), d.pop("on"), d.pop("note", "")
        details = {k: v for k, v in d.items() if v not in (None, "")}
        try:
            with change_context(user=request.user, request_id=getattr(request._request, "id", None)):
                event = services.transition(parcel, to_status, request.user, on=on, note=note, **details)
        except ValidationError as e:
            return Response({"detail": _messages_of(e), "errors": list(e.messages)}, status=http.HTTP_400_BAD_REQUEST)
        return Response(ParcelEventSerializer(event, context={"request": request}).data, status=http.HTTP_201_CREATED)


# -- project tab: the space a project takes ------------------------------------------------

def project_space(request, project):
    leases = list(SpaceLease.objects.restrict(request.user).filter(project_id=project.pk).select_related("space")
                  .order_by("-start_on"))
    return {"leases": leases, "zero_land": bool(leases) and project.parcel_id is None,
            "can_edit": can(request.user, project.zone_id, CHANGE)}
