from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AnnualSummary


class SummaryForm(forms.ModelForm):
    class Meta:
        model = AnnualSummary
        fields = ["title", "overview", "headline", "highlights", "next_targets"]
        widgets = {f: forms.Textarea(attrs={"rows": 6, "class": "form-control"})
                   for f in ("overview", "headline", "highlights", "next_targets")}


class GenerateForm(forms.Form):
    zone = forms.IntegerField(label=_("开发区"))
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100,
                              error_messages={"min_value": _("年度应在 1990–2100 之间。"),
                                              "max_value": _("年度应在 1990–2100 之间。"),
                                              "invalid": _("年度应为四位数字，如 2024。")})
