from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.attachments import clean_attachment
from zoneops.core.forms import ZoneScopedForm

from . import services
from .models import PeerFigure, PeerReport, validate_report_text


class PeerReportForm(ZoneScopedForm):
    upload = forms.FileField(label=_("或上传文件"), required=False,
                             help_text=_("报告的 .txt（UTF-8 或 GBK 编码）或 .docx 文件；上传后以文件内容为准"))

    class Meta:
        model = PeerReport
        fields = ["zone", "peer_name", "title", "report_date", "source_url", "text", "upload"]
        widgets = {"report_date": forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
                   "text": forms.Textarea(attrs={"rows": 14, "placeholder": _("在此粘贴报告全文")})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False
        self.fields["text"].validators = []
        if not self.instance.pk and self.fields["zone"].initial is not None and not self.initial.get("zone"):
            self.initial["zone"] = self.fields["zone"].initial  # the instance's empty zone would hide it

    def clean_upload(self):
        f = self.cleaned_data.get("upload")
        if not f:
            return f
        clean_attachment(f)  # the shared size and type rules for every upload
        self.upload_text = services.text_from_upload(f)
        return f

    def clean(self):
        data = super().clean()
        if getattr(self, "upload_text", None) is not None:
            data["text"] = self.upload_text
            self.instance.text = self.upload_text
        text = data.get("text") or ""
        if "text" not in self.errors and "upload" not in self.errors:
            try:
                validate_report_text(text)
            except forms.ValidationError as e:
                self.add_error("text", e)
        return data


class PeerFigureForm(ZoneScopedForm):
    class Meta:
        model = PeerFigure
        fields = ["zone", "report", "peer_name", "metric", "value", "unit", "period", "kind", "indicator", "sentence"]
        widgets = {"sentence": forms.Textarea(attrs={"rows": 3})}

    def save(self, commit=True):
        from .engine import normalise

        obj = super().save(commit=False)
        nv, nu = normalise(obj.value, obj.unit, obj.kind)
        from decimal import Decimal

        obj.norm_value, obj.norm_unit = Decimal(str(round(nv, 6))), nu
        if commit:
            obj.save()
        return obj
