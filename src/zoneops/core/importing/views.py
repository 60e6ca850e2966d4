"""Import pages: choose a kind, upload, preview (dry run), commit, error report, templates.

Every batch is looked up through `ImportBatch.objects.restrict(user, action)`: a user of another
zone gets 404; reading a batch needs "view", committing or cancelling needs "change".
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from zoneops.core.export import attachment
from zoneops.core.features import REGISTRY
from zoneops.core.models import ImportBatch, Zone
from zoneops.core.scoping import CHANGE, VIEW, can

from . import service
from .importer import all_kinds, importer_class

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def forbidden(request):
    return render(request, "core/forbidden.html", {
        "message": _("您没有在该开发区导入数据的权限（只读角色只能查看）。如需导入，请联系开发区管理员。"),
        "back_url": reverse("imports:start"), "back_label": _("返回导入数据")}, status=403)


def _kind_or_404(kind):
    cls = importer_class(kind)
    if cls is None:
        raise Http404(_("没有这种导入类型。"))
    return cls


def _list_url(kind):
    for feature in REGISTRY.values():
        if feature.import_kind == kind:
            return feature.url("list")
    return None


def kind_label(kind):
    cls = importer_class(kind)
    return cls.title if cls is not None else kind


@login_required
def start(request):
    """Choose what to import (and download its template); the latest batches below."""
    writable = Zone.objects.restrict(request.user, CHANGE)
    kinds = []
    for cls in all_kinds():
        spec = cls(zone=None).spec
        kinds.append({
            "kind": cls.kind, "title": cls.title, "label": cls.label,
            "required": [c.label for c in spec.columns if c.needed],
            "optional": [c.label for c in spec.columns if not c.needed and c.parser is not None],
        })
    batches = list(ImportBatch.objects.restrict(request.user).select_related("zone", "user").order_by("-created")[:15])
    for b in batches:
        b.kind_label = kind_label(b.kind)
    return render(request, "imports/start.html", {"kinds": kinds, "can_import": writable.exists(),
                                                  "batches": batches})


class UploadForm(forms.Form):
    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), label=gettext_lazy("导入到开发区"),
                                  empty_label=None)
    file = forms.FileField(label=gettext_lazy("文件"),
                           help_text=gettext_lazy("Excel（.xlsx/.xls）或 CSV（UTF-8 或 GBK 编码）"))
    valid_only = forms.BooleanField(required=False, label=gettext_lazy("仅导入有效行"),
                                    help_text=gettext_lazy("有被拒绝的行时，仍导入其余的有效行（默认：有错误就整体不导入）"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        zones = Zone.objects.restrict(user, CHANGE).order_by("code")
        self.fields["zone"].queryset = zones
        chosen = kwargs.get("initial", {}).get("zone")
        if chosen is None and zones[:2].count() == 1:
            self.fields["zone"].initial = zones.first()
        self.fields["zone"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx,.xls,.xlsm,.csv,.txt"})
        self.fields["valid_only"].widget.attrs["class"] = "form-check-input"

    def clean_file(self):
        from django.conf import settings

        f = self.cleaned_data["file"]
        limit = settings.ZONEOPS_IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(_("文件太大（%(size).1f MB），上限为 %(limit).0f MB，请拆分后分批导入。")
                                        % {"size": f.size / 1048576, "limit": limit / 1048576})
        if f.size == 0:
            raise forms.ValidationError(_("文件是空的，没有任何内容。"))
        return f


class UploadView(LoginRequiredMixin, View):
    template_name = "imports/upload.html"

    def dispatch(self, request, *args, **kwargs):
        self.importer = _kind_or_404(kwargs["kind"])
        return super().dispatch(request, *args, **kwargs)

    def context(self, form):
        spec = self.importer(zone=None).spec
        return {"form": form, "kind": self.importer.kind, "title": self.importer.title,
                "columns": spec.columns, "list_url": _list_url(self.importer.kind)}

    def forbidden(self):
        return forbidden(self.request)

    def get(self, request, kind):
        if not Zone.objects.restrict(request.user, CHANGE).exists():
            return self.forbidden()
        initial = {}
        zone_id = request.session.get("zone_id")
        if zone_id and can(request.user, zone_id, CHANGE):
            initial["zone"] = zone_id
        return render(request, self.template_name, self.context(UploadForm(user=request.user, initial=initial)))

    def post(self, request, kind):
        if not Zone.objects.restrict(request.user, CHANGE).exists():
            return self.forbidden()
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        upload = form.cleaned_data["file"]
        try:
            batch = service.create_batch(form.cleaned_data["zone"], kind, upload.name, upload.read(), request.user,
                                         valid_only=form.cleaned_data["valid_only"])
        except service.ImportRefused as e:
            form.add_error("file", str(e))
            return render(request, self.template_name, self.context(form), status=400)
        background = service.start_validation(batch)
        if background:
            messages.info(request, _("文件较大，已交给后台处理。您可以离开本页，稍后在“导入批次”中回来查看。"))
        return redirect("imports:batch", pk=batch.pk)


class BatchView(LoginRequiredMixin, View):
    """The batch page: progress while running, then the preview (dry run) or the result."""

    feature = None  # set when used as the ImportBatch feature's detail view
    template_name = "imports/batch.html"

    def get(self, request, pk, **kwargs):
        batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW).select_related("zone", "user"),
                                  pk=pk)
        return render(request, self.template_name, batch_context(request, batch))


def batch_context(request, batch):
    can_write = can(request.user, batch.zone_id, CHANGE)
    S = ImportBatch.Status
    rejected = service.rejected_preview(batch) if batch.rejected_count and batch.status in (
        S.VALIDATED, S.DONE) else []
    actionable = batch.created_count + batch.updated_count
    return {
        "batch": batch, "kind_label": kind_label(batch.kind), "can_write": can_write,
        "rejected": rejected, "rejected_cut": len(rejected) >= service.PREVIEW_ERRORS,
        "list_url": _list_url(batch.kind),
        "can_commit": can_write and batch.status == S.VALIDATED and actionable > 0 and not batch.rejected_count,
        "can_commit_valid": can_write and batch.status == S.VALIDATED and actionable > 0 and batch.rejected_count > 0,
        "can_cancel": can_write and batch.status in (S.PENDING, S.VALIDATED, S.FAILED),
        "background": service.runs_in_background(batch),
    }


@login_required
def progress(request, pk):
    """The progress bar (htmx polls it); tells the page to reload once the work is finished."""
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW), pk=pk)
    response = render(request, "imports/_progress.html", {"batch": batch,
                                                         "background": service.runs_in_background(batch)})
    if not batch.is_running:
        response["HX-Refresh"] = "true"
    return response


def _writable_batch(request, pk):
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW).select_related("zone", "user"),
                              pk=pk)
    if not can(request.user, batch.zone_id, CHANGE):
        return batch, forbidden(request)
    return batch, None


@require_POST
@login_required
def commit(request, pk):
    batch, denied = _writable_batch(request, pk)
    if denied:
        return denied
    valid_only = True if request.POST.get("valid_only") == "1" else None
    try:
        background = service.start_commit(batch, valid_only=valid_only)
    except service.ImportRefused as e:
        messages.error(request, str(e))
        return redirect("imports:batch", pk=batch.pk)
    if background:
        messages.info(request, _("正在后台写入，完成后本页会自动刷新。"))
    # When done, the batch page itself shows the result (batch.message).
    return redirect("imports:batch", pk=batch.pk)


@require_POST
@login_required
def cancel(request, pk):
    batch, denied = _writable_batch(request, pk)
    if denied:
        return denied
    try:
        service.cancel_batch(batch)
        messages.info(request, _("已取消该批次，未导入任何数据。"))
    except service.ImportRefused as e:
        messages.error(request, str(e))
    return redirect("imports:batch", pk=batch.pk)


@login_required
def report(request, pk):
    """The rejected rows as .xlsx: original columns + 错误原因, bad cells in red."""
    batch = get_object_or_404(ImportBatch.objects.restrict(request.user, VIEW), pk=pk)
    if not batch.rejected_count:
        raise Http404(_("这个批次没有被拒绝的行。"))
    response = HttpResponse(service.error_report(batch), content_type=XLSX)
    stem = batch.file_name.rsplit(".", 1)[0] or "import"
    return attachment(response, f"{stem}-错误报告-批次{batch.pk}.xlsx")


@login_required
def template(request, kind):
    cls = _kind_or_404(kind)
    response = HttpResponse(service.template_xlsx(kind), content_type=XLSX)
    return attachment(response, f"{cls.title}导入模板.xlsx")


def batch_url(batch):
    return reverse("imports:batch", args=[batch.pk])
