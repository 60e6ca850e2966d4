from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.forms import ZoneScopedForm

from .models import Indicator, IndicatorValue, Target, ValueSource
from .services import check_value


class IndicatorValueForm(ZoneScopedForm):
    class Meta:
        model = IndicatorValue
        fields = ["zone", "indicator", "year", "month", "value", "note"]

    def clean(self):
        cleaned = super().clean()
        ind, month, value = cleaned.get("indicator"), cleaned.get("month"), cleaned.get("value")
        if ind is not None and month is not None:
            problem = check_value(ind, cleaned.get("year"), month, value)
            if problem:
                self.add_error("month" if "月份" in problem else "value", problem)
        return cleaned

    def save(self, commit=True):
        # Who typed it and how: every value shows its source (a form is 手工填报).
        self.instance.source = ValueSource.ENTERED
        if self.user is not None and self.user.is_authenticated:
            self.instance.entered_by = self.user
        return super().save(commit)


class TargetForm(ZoneScopedForm):
    class Meta:
        model = Target
        fields = ["zone", "indicator", "year", "value", "note"]

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("目标值必须大于 0。"))
        return value


class IndicatorForm(forms.ModelForm):
    """The catalogue (superusers only)."""

    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "frequency", "accumulation", "direction", "source_department", "formula",
                  "description", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .derived import FORMULAS

        self.fields["formula"].help_text = _("留空为填报指标；系统计算指标填写计算口径：%(keys)s") % {
            "keys": "、".join(FORMULAS)}
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_formula(self):
        from .derived import FORMULAS

        formula = (self.cleaned_data.get("formula") or "").strip()
        if formula and formula not in FORMULAS:
            raise forms.ValidationError(_("没有名为“%(f)s”的计算口径，可选：%(keys)s") % {
                "f": formula[:40], "keys": "、".join(FORMULAS)})
        return formula
