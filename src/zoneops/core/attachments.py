"""Uploaded files (problem attachments, objection evidence, checklist evidence): one rule for
what may be uploaded and one way to hand a stored file back.

Files are served only through views that first find their record with `restrict()`; they are
always sent as downloads with nosniff, so an uploaded page or script never runs in the browser.
"""
import mimetypes
import os

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ALLOWED_EXTENSIONS = (".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".txt",
                      ".jpg", ".jpeg", ".png", ".gif", ".zip")


def max_bytes():
    return int(getattr(settings, "ZONEOPS_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


def clean_attachment(f):
    """The upload `f` if its type and size are acceptable, else a ValidationError in Chinese."""
    if not f:
        return f
    name = os.path.basename(f.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise forms.ValidationError(gettext("文件“%(name)s”的类型不允许，请上传 %(types)s 文件。") % {
            "name": name[:80], "types": "、".join(e.lstrip(".") for e in ALLOWED_EXTENSIONS)})
    if f.size > max_bytes():
        raise forms.ValidationError(gettext("文件“%(name)s”超过 %(mb)s MB。") % {
            "name": name[:80], "mb": max_bytes() // (1024 * 1024)})
    if f.size == 0:
        raise forms.ValidationError(gettext("文件“%(name)s”是空文件。") % {"name": name[:80]})
    return f


class AttachmentField(forms.FileField):
    """A FileField that applies clean_attachment."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("PDF、OFD、Office/WPS、图片、文本或 ZIP，单个文件不超过 %(mb)s MB")
                          % {"mb": max_bytes() // (1024 * 1024)})
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        return clean_attachment(super().clean(data, initial))


def attachment_response(fieldfile, filename=None):
    """A download of the stored file; 404 when there is none or it is gone from storage."""
    if not fieldfile:
        raise Http404(gettext("没有附件。"))
    filename = filename or os.path.basename(fieldfile.name)
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("附件文件已不存在。")) from None
    ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=ctype, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
