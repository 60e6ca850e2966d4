import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.forms import ZoneScopedForm
from zoneops.registry.models import Parcel

from . import services
from .models import FAR, NON_NEGATIVE, CandidateRule, Milestone, RedevelopmentCase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CODES_SPLIT = re.compile(r"[\s,，;；、]+")
MAX_CODES = 500


class CandidateRuleForm(ZoneScopedForm):
    class Meta:
        model = CandidateRule
        fields = ["zone", "name", "active", "classes", "max_tax_per_mu", "max_far", "idle_months", "min_area_mu", "combine",
                  "include_marked", "note"]


def split_codes(text):
    return [c for c in dict.fromkeys(CODES_SPLIT.split((text or "").strip())) if c]


class RedevelopmentCaseForm(ZoneScopedForm):
    """Opening a case (its parcels are given by code, looked up in the case's zone) and editing its
    description. Status, before/after figures and dates of completion change through the case page's
    actions (services.open_case / complete_case / stop_case), never here."""

    parcel_codes = forms.CharField(
        label=_("地块编号"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("一宗或多宗（连片改造），以逗号、空格或换行分隔；立项后不能更改"))

    class Meta:
        model = RedevelopmentCase
        fields = ["zone", "name", "approach", "parcel_codes", "opened_on", "target_far", "planned_investment",
                  "freed_floor_m2", "new_floor_m2", "notes"]
        widgets = {"opened_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parcel_codes"].disabled = True
            self.fields["parcel_codes"].required = False
            self.initial["parcel_codes"] = ", ".join(p.code for p in self.instance.parcels.order_by("code"))
            self.fields["opened_on"].disabled = True

    def clean_opened_on(self):
        day = self.cleaned_data.get("opened_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("立项日期不能晚于今天。"))
        return day

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        zone = cleaned.get("zone")
        codes = split_codes(cleaned.get("parcel_codes"))
        if zone is None or "parcel_codes" in self.errors:
            return cleaned
        if not codes:
            self.add_error("parcel_codes", _("请至少填写一宗地块的编号。"))
            return cleaned
        if len(codes) > MAX_CODES:
            self.add_error("parcel_codes", _("一个改造项目最多包含 %(n)s 宗地块。") % {"n": MAX_CODES})
            return cleaned
        if any(len(c) > 64 for c in codes):
            self.add_error("parcel_codes", _("地块编号最长 64 个字符。"))
            return cleaned
        found = {p.code: p for p in Parcel.objects.restrict(self.user).filter(zone=zone, code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
            self.add_error("parcel_codes", _("本开发区没有编号为 %(codes)s 的地块。") % {"codes": shown})
            return cleaned
        self.parcels = [found[c] for c in codes]
        try:
            services._check_parcels(zone, self.parcels, cleaned.get("opened_on") or timezone.localdate())
        except ValidationError as e:
            for message in e.message_dict.get("parcels", e.messages):
                self.add_error("parcel_codes", message)
        return cleaned

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        data = self.cleaned_data
        try:
            case = services.open_case(
                data["zone"], self.parcels, self.user, name=data["name"], approach=data["approach"],
                opened_on=data.get("opened_on"), target_far=data.get("target_far"),
                planned_investment=data.get("planned_investment"), freed_floor_m2=data.get("freed_floor_m2"),
                new_floor_m2=data.get("new_floor_m2"), notes=data.get("notes") or "")
        except ValidationError as e:
            # Raised inside the view's atomic block: the whole request is rolled back.
            raise ValueError("; ".join(e.messages)) from e
        self.instance = case
        return case


class CompleteCaseForm(forms.Form):
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE, initial=timezone.localdate)
    far_after = forms.DecimalField(label=_("改造后容积率"), max_digits=6, decimal_places=2, required=False,
                                   validators=FAR)
    tax_per_mu_after = forms.DecimalField(label=_("改造后亩均税收（万元/亩）"), max_digits=12, decimal_places=2,
                                          required=False, validators=NON_NEGATIVE)
    freed_floor_m2 = forms.DecimalField(label=_("腾退建筑面积（㎡）"), max_digits=14, decimal_places=2, required=False,
                                        validators=NON_NEGATIVE)
    new_floor_m2 = forms.DecimalField(label=_("新增建筑面积（㎡）"), max_digits=14, decimal_places=2, required=False,
                                      validators=NON_NEGATIVE)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.case is None:
            return cleaned
        try:
            services.check_completion(self.case, **{k: cleaned.get(k) for k in self.fields})
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for field, msgs in e.message_dict.items():
                    for m in msgs:
                        self.add_error(field if field in self.fields else None, m)
            else:
                for m in e.messages:
                    self.add_error(None, m)
        return cleaned


class StopCaseForm(forms.Form):
    stop_reason = forms.CharField(label=_("终止原因"), max_length=500,
                                  error_messages={"required": _("终止项目须填写终止原因。")},
                                  widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def clean_stop_reason(self):
        value = (self.cleaned_data.get("stop_reason") or "").strip()
        if not value:
            raise ValidationError(_("终止项目须填写终止原因。"))
        return value


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "planned_on", "actual_on", "done"]
        widgets = {"planned_on": DATE, "actual_on": DATE}
        error_messages = {"title": {"required": _("节点名称不能为空。")}}

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.instance.case, self.instance.zone_id = case, case.zone_id
        for name, field in self.fields.items():
            css = "form-check-input" if name == "done" else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
