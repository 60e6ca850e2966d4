"""The parcel map (地块地图): the page, its GeoJSON data endpoint (shared with the API action
/api/parcels/geojson/) and the boundary import pages."""
import gzip
import hashlib
import json
from operator import itemgetter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoneops.core.models import ImportBatch, Zone
from zoneops.core.scoping import CHANGE, VIEW, zone_ids_for
from zoneops.registry.filtersets import ParcelFilterSet
from zoneops.registry.models import Parcel, ParcelStatus

from zoneops.core import geo, gzipped

from . import geo_import

COLOUR_MODES = {"status": gettext_lazy("按状态"), "class": gettext_lazy("按亩均等级"), "far": gettext_lazy("按容积率")}
# query parameters that are not filters
NON_FILTER_PARAMS = {"colour", "export", "format", "page", "per_page", "cols", "sort"}
CACHE_SECONDS = 24 * 3600
MAP_PREVIEW_ROWS = 200  # rows of the import preview table (the counts cover all)


class BadQuery(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def viewable_zones(user):
    return Zone.objects.restrict(user, VIEW).order_by("code")


def pick_zone(user, raw):
    """The zone the map shows: the `zone` parameter (a zone the user may view, else 404), or the
    user's first zone. None when the user has no zone."""
    zones = viewable_zones(user)
    if raw not in (None, ""):
        try:
            return zones.get(pk=int(raw))
        except (ValueError, TypeError, Zone.DoesNotExist):
            raise Http404(_("没有找到该开发区，或您没有查看它的权限。")) from None
    return zones.first()


def _latest_run(zone):
    """The zone's latest computed evaluation run (highest year, then newest), or None."""
    try:
        from zoneops.evaluation.models import Run, RunStatus
    except ImportError:  # the map does not need the evaluation app
        return None
    return Run.objects.filter(zone=zone, status=RunStatus.DONE).order_by("-year", "-id").only(
        "pk", "year", "updated", "class_counts").first()


def _holder_classes(run):
    from zoneops.evaluation.models import Result

    out = {}
    for ent, final, initial in Result.objects.filter(run=run).values_list("enterprise_id", "final_class", "class_code"):
        cls = final or initial
        if cls:
            out[ent] = cls
    return out


def _status_labels():
    # read live: L1's lifecycle adds statuses to registry.ParcelStatus
    return {value: str(label) for value, label in ParcelStatus.choices}


def payload(request, zone, params):
    """The FeatureCollection (bytes) of the zone's parcels with a geometry, filtered like the parcel
    list, coloured by `colour`; cached by the zone's data_version and the query."""
    colour = params.get("colour") or "status"
    if colour not in COLOUR_MODES:
        raise BadQuery(_("颜色方式 colour 须为 status、class 或 far。"))
    filters = {k: v for k, v in params.lists() if k not in NON_FILTER_PARAMS and k != "zone"}
    run = _latest_run(zone) if colour == "class" else None
    key_src = json.dumps([zone.pk, zone.data_version, colour, get_language(), sorted(filters.items()),
                          [run.pk, str(run.updated), run.class_counts] if run else None],
                         default=str, ensure_ascii=False)
    key = "landmap:" + hashlib.sha256(key_src.encode()).hexdigest()
    body = cache.get(key)
    if body is not None:
        return body
    # map_geometry is null for no boundary and for one that is not a clean polygon (left off)
    qs = Parcel.objects.restrict(request.user, VIEW).filter(zone=zone, map_geometry__isnull=False)
    data = params.copy()
    for k in NON_FILTER_PARAMS | {"zone"}:
        data.pop(k, None)
    filterset = ParcelFilterSet(data or None, queryset=qs, request=request)
    if filterset.is_bound and not filterset.is_valid():
        errors = "；".join(f"{filterset.form.fields[f].label if f in filterset.form.fields else f}：{' '.join(e)}"
                          for f, e in filterset.form.errors.items())
        raise BadQuery(_("筛选条件有误：%(errors)s") % {"errors": errors})
    # The geometry goes out as the text written with it (Parcel.map_geometry): decoding,
    # cleaning and re-encoding 20,000 polygons per request was most of the time (bench/landmap.py).
    rows = filterset.qs.order_by().values_list(
        "pk", "code", "name", Cast("area_mu", FloatField()), "status", "holder_id", "holder__name",
        Cast("floor_area_ratio", FloatField()), "map_geometry")
    classes = _holder_classes(run) if run else {}
    statuses = _status_labels()
    # the compiled query on a plain cursor: Django's per-row converters were a sixth of the time
    sql, sql_params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        fetched = cursor.fetchall()
    # in code order, sorted here: the database's sort of 20,000 wide rows spilled to disk
    fetched.sort(key=itemgetter(1, 0))
    # Each feature is written as text: every string through the C escaper, the geometry as
    # stored. Building dicts for one big json encode was a third of the time.
    esc = json.encoder.encode_basestring  # JSON string literal, non-ASCII kept (UTF-8 body)
    labels_json = {value: esc(label) for value, label in statuses.items()}
    features = []
    totals = {}  # legend key → [parcels, 亩]
    for pk, code, name, area, status, holder_id, holder, far, text in fetched:
        cls = classes.get(holder_id, "")
        if colour == "status":
            k = status
        elif colour == "class":
            k = cls or geo.NO_CLASS
        else:
            k = geo.far_band(far)
        total = totals.get(k)
        if total is None:
            total = totals[k] = [0, 0.0]
        total[0] += 1
        total[1] += area or 0.0
        features.append(
            f'{{"type":"Feature","id":{pk},"properties":{{"code":{esc(code)},"name":{esc(name)},'
            f'"area":{_number(area)},"status":{labels_json.get(status) or esc(status)},"holder":{esc(holder or "")},'
            f'"class":{esc(cls)},"far":{_number(far)},"key":{esc(k)}}},"geometry":{text}}}')
    if colour == "status":
        legend = geo.legend(totals, list(statuses), statuses, geo.STATUS_COLOURS)
    elif colour == "class":
        labels = {c: _("%(c)s 类") % {"c": c} for c in geo.CLASS_COLOURS}
        labels[geo.NO_CLASS] = _("未评价") if run else _("无评价结果")
        legend = geo.legend(totals, [*geo.CLASS_COLOURS, geo.NO_CLASS], labels, geo.CLASS_COLOURS)
    else:
        labels = {key: label for _u, key, label, _c in geo.FAR_BANDS}
        labels[geo.NO_FAR] = _("未填容积率")
        legend = geo.legend(totals, [key for _u, key, _l, _c in geo.FAR_BANDS] + [geo.NO_FAR], labels,
                            {key: c for _u, key, _l, c in geo.FAR_BANDS})
    head = {"type": "FeatureCollection", "zone": {"id": zone.pk, "name": zone.name}, "colour": colour,
            "run": {"id": run.pk, "year": run.year} if run else None, "count": len(features), "legend": legend}
    text = _ENCODER.encode(head)[:-1] + ',"features":[' + ",".join(features) + "]}"
    # Stored and sent gzipped (level 1): a quarter of the bytes to cache, read back and send.
    body = gzipped.compress(text.encode())
    cache.set(key, body, CACHE_SECONDS)
    return body


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _number(value):
    """A float (from the query's casts) or None as JSON."""
    return "null" if value is None else repr(value)


def geojson_response(request, params):
    """Shared by the page's endpoint and the API action: 404 for a zone the user may not view,
    400 (Chinese) for bad filters."""
    zone = pick_zone(request.user, params.get("zone"))
    if zone is None:
        return HttpResponse(json.dumps({"detail": _("您还没有任何开发区的权限。")}, ensure_ascii=False),
                            status=404, content_type="application/json")
    try:
        body = payload(request, zone, params)
    except BadQuery as e:
        return HttpResponse(json.dumps({"detail": e.message}, ensure_ascii=False), status=400,
                            content_type="application/json")
    zipped = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
    response = HttpResponse(body if zipped else gzip.decompress(body), content_type="application/geo+json; charset=utf-8")
    if zipped:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding, Cookie"
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_required
def map_data(request):
    return geojson_response(request, request.GET)


@login_required
def map_page(request):
    zone = pick_zone(request.user, request.GET.get("zone"))
    colour = request.GET.get("colour") or "status"
    if colour not in COLOUR_MODES:
        colour = "status"
    filterset = ParcelFilterSet(request.GET or None, queryset=Parcel.objects.none(), request=request)
    if "zone" in filterset.form.fields:
        del filterset.form.fields["zone"]  # the zone has its own picker: one zone per map
    query = request.GET.copy()
    if zone is not None:
        query["zone"] = str(zone.pk)
    query["colour"] = colour
    writable = zone_ids_for(request.user, CHANGE)
    return render(request, "land/map.html", {
        "zone": zone, "zones": list(viewable_zones(request.user)), "colour": colour, "colour_modes": COLOUR_MODES,
        "filterset": filterset, "data_url": reverse("land:map_data") + "?" + query.urlencode(),
        "parcel_url": reverse("registry:parcel_detail", args=[987654321]).replace("987654321", "{id}"),
        "list_url": reverse("registry:parcel_list") + "?" + request.GET.urlencode(),
        "can_import": zone is not None and (writable is None or zone.pk in writable),
        "js_text": {"加载失败": _("加载失败"), "亩": _("亩"), "地块": _("地块"),
                    "没有带边界的地块：请先导入地块边界，或放宽筛选条件。": _("没有带边界的地块：请先导入地块边界，或放宽筛选条件。"),
                    "滚轮缩放，拖动平移，点击地块查看详情": _("滚轮缩放，拖动平移，点击地块查看详情")},
    })


# -- boundary import -----------------------------------------------------------------------------

def writable_zones(user):
    return Zone.objects.restrict(user, CHANGE).order_by("code")


class ImportUploadView(LoginRequiredMixin, View):
    """上传地块边界: choose the zone (writable ones only), the file and the options."""

    def get(self, request):
        zones = list(writable_zones(request.user))
        if not zones:
            raise Http404(_("您没有可以导入地块边界的开发区。"))
        return render(request, "land/map_import.html", {"zones": zones, "options": geo_import.Options(),
                                                        "max_features": geo_import.max_features()})

    def post(self, request):
        zones = list(writable_zones(request.user))
        if not zones:
            raise Http404(_("您没有可以导入地块边界的开发区。"))
        options = geo_import.Options.from_data(request.POST)
        zone = next((z for z in zones if str(z.pk) == request.POST.get("zone", "")), None)
        if zone is None and len(zones) == 1 and not request.POST.get("zone"):
            zone = zones[0]
        error = None
        upload = request.FILES.get("file")
        if zone is None:
            error = _("请选择您有写入权限的开发区。")
        elif upload is None:
            error = _("请选择要上传的文件（GeoJSON 或含 WKT 列的 CSV）。")
        else:
            data = b""
            if upload.size <= settings.ZONEOPS_IMPORT_MAX_BYTES:
                data = upload.read()
            else:
                error = _("文件太大（%(mb).1f MB），请分批导入。") % {"mb": upload.size / 1048576}
            if error is None:
                try:
                    batch = geo_import.store(zone, request.user, upload.name, data)
                except geo_import.ImportRefused as e:
                    error = e.message
                else:
                    url = reverse("land:map_import_preview", args=[batch.pk])
                    return redirect(url + "?" + _urlencode(options.as_query()))
        return render(request, "land/map_import.html", {"zones": zones, "options": options, "error": error,
                                                        "selected_zone": zone,
                                                        "max_features": geo_import.max_features()}, status=400)


def _urlencode(d):
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in d.items() if v})


class ImportBatchMixin(LoginRequiredMixin):
    zone_model = ImportBatch  # tests/core/test_isolation.py: the id is an ImportBatch's

    def get_batch(self):
        return get_object_or_404(ImportBatch.objects.restrict(self.request.user, CHANGE).select_related("zone"),
                                 pk=self.kwargs["pk"], kind=geo_import.KIND)


class ImportPreviewView(ImportBatchMixin, View):
    """预览 (dry run): what the file would change, row by row; nothing is written."""

    def get(self, request, pk):
        batch = self.get_batch()
        options = geo_import.Options.from_data(request.GET)
        context = {"batch": batch, "options": options, "preview_rows": MAP_PREVIEW_ROWS}
        if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.CANCELLED):
            context["finished"] = True
            return render(request, "land/map_import_preview.html", context)
        try:
            result = geo_import.dry_run(batch, options)
        except geo.GeoError as e:
            context["file_error"] = e.message
            return render(request, "land/map_import_preview.html", context, status=400)
        context.update(_result_context(result))
        return render(request, "land/map_import_preview.html", context)


def _result_context(result):
    rows = result.rows
    problems = [r for r in rows if r["action"] in (geo_import.INVALID, geo_import.UNKNOWN)]
    changes = [r for r in rows if r["action"] in (geo_import.UPDATE, geo_import.CREATE)]
    return {"result": result, "counts": {label: result.counts.get(a, 0) for a, label in geo_import.ACTION_LABELS.items()},
            "problems": problems[:MAP_PREVIEW_ROWS], "changes": changes[:MAP_PREVIEW_ROWS],
            "warnings": result.warnings[:MAP_PREVIEW_ROWS], "labels": geo_import.ACTION_LABELS}


class ImportCommitView(ImportBatchMixin, View):
    """确认导入: everything accepted in one transaction, or nothing."""

    http_method_names = ["post"]

    def post(self, request, pk):
        batch = self.get_batch()
        options = geo_import.Options.from_data(request.POST)
        try:
            result = geo_import.commit(batch, request.user, options)
        except (geo_import.ImportRefused, geo.GeoError) as e:
            messages.error(request, e.message)
            return redirect(reverse("land:map_import_preview", args=[batch.pk]) + "?" + _urlencode(options.as_query()))
        # build the zone's map now: the user is sent to it, and it would be the first (cold) request
        payload(request, Zone.objects.get(pk=batch.zone_id), QueryDict(""))  # its new data version
        messages.success(request, _("已导入：更新 %(u)s 个地块边界，新建 %(c)s 个地块。") % {
            "u": result.counts.get(geo_import.UPDATE, 0), "c": result.counts.get(geo_import.CREATE, 0)})
        return redirect(reverse("land:map") + f"?zone={batch.zone_id}")
