from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.forms import ZoneScopedForm
from zoneops.core.models import Zone
from zoneops.registry.models import IndustryCode

from .models import Candidate, Chain, Segment


class PartnerZoneMixin:
    """The 双链长 partner zone is another zone on purpose: it is not checked against the record's
    zone, and only zones the user may see are offered (their names only are ever shown)."""

    def clean(self):
        partner = self.cleaned_data.pop("partner_zone", None)
        cleaned = super().clean()
        cleaned["partner_zone"] = partner
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        if partner is not None and zone is not None and partner.pk == zone.pk:
            self.add_error("partner_zone", _("合作开发区不能是本开发区。"))
        return cleaned


class ChainForm(PartnerZoneMixin, ZoneScopedForm):
    thresholds = forms.JSONField(label=_("强弱判定阈值"), required=False,
                                 help_text=_("JSON，如 {\"weak\": 30, \"strong\": 70, \"targets\": {\"firms\": 10}}；留空用默认值"),
                                 widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Chain
        fields = ["zone", "name", "status", "chief_name", "chief_title", "office_contact", "office_phone",
                  "partner_zone", "partner_chief", "description", "thresholds"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_zone"].queryset = Zone.objects.restrict(self.user)

    def clean_thresholds(self):
        value = self.cleaned_data.get("thresholds")
        return value if value not in (None, "") else {}


class SegmentForm(ZoneScopedForm):
    class Meta:
        model = Segment
        fields = ["zone", "chain", "parent", "stage", "name", "order", "codes", "keywords", "exclude_words",
                  "products", "note"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 2}), "exclude_words": forms.Textarea(attrs={"rows": 1}),
                   "products": forms.Textarea(attrs={"rows": 1}), "note": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        chain, parent = cleaned.get("chain"), cleaned.get("parent")
        if chain is not None and parent is not None and parent.chain_id != chain.pk:
            self.add_error("parent", _("上级环节须属于同一条产业链。"))
        return cleaned


class CandidateForm(ZoneScopedForm):
    industry = forms.ModelChoiceField(
        queryset=IndustryCode.objects.filter(level="class"), required=False, label=_("行业（小类）"),
        to_field_name="code", widget=forms.TextInput(attrs={"placeholder": _("4 位小类代码，如 3670")}),
        error_messages={"invalid_choice": _("没有这个国民经济行业小类代码（GB/T 4754-2017）。")})

    class Meta:
        model = Candidate
        fields = ["zone", "name", "province", "city", "industry", "products", "revenue", "is_listed", "status",
                  "notes"]
        widgets = {"products": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 2})}


class TreeUploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.yaml 或 .xlsx）"))
