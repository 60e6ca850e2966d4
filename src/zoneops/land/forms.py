from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.forms import ZoneScopedForm
from zoneops.registry.forms import EnterpriseRefField, EnterpriseRefMixin
from zoneops.registry.models import Parcel

from .models import Acquisition, AcquisitionProgress, Sale, Space, SpaceLease

DATE = {"type": "date"}


def date_input():
    return forms.DateInput(DATE, format="%Y-%m-%d")


class ParcelRefMixin:
    """The parcel entered by its code in the form's zone (a select of 20,000 parcels is no use)."""

    parcel_required = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcel_code"] = forms.CharField(
            label=_("地块编号"), required=self.parcel_required, max_length=64,
            help_text=_("本开发区地块库中的地块编号"), widget=forms.TextInput(attrs={"class": "form-control"}))
        if self.instance.parcel_id and not self.is_bound:
            self.initial["parcel_code"] = self.instance.parcel.code

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        code = (cleaned.get("parcel_code") or "").strip()
        self.instance.parcel = None
        if code and zone is not None:
            parcel = Parcel.objects.restrict(self.user).filter(zone=zone, code=code).first()
            if parcel is None:
                self.add_error("parcel_code", _("本开发区没有编号为 %(code)s 的地块。") % {"code": code[:64]})
            else:
                self.instance.parcel = parcel
        return cleaned


class AcquisitionForm(ParcelRefMixin, ZoneScopedForm):
    class Meta:
        model = Acquisition
        fields = ["zone", "name", "area_mu", "started_on", "households_total", "firms_total", "note"]
        widgets = {"started_on": date_input()}


class AcquisitionProgressForm(ZoneScopedForm):
    class Meta:
        model = AcquisitionProgress
        fields = ["zone", "acquisition", "on", "households_signed", "firms_signed", "note"]
        widgets = {"on": date_input()}


class SaleForm(EnterpriseRefMixin, ParcelRefMixin, ZoneScopedForm):
    parcel_required = True
    enterprise_ref_fields = ("buyer",)
    buyer = EnterpriseRefField(label=_("受让企业（统一社会信用代码）"), required=False,
                               help_text=_("受让企业已在企业库时填写其统一社会信用代码；否则填写下方的受让人"))

    class Meta:
        model = Sale
        fields = ["zone", "listed_on", "sold_on", "buyer", "buyer_name", "price_wan", "area_mu"]
        widgets = {"listed_on": date_input(), "sold_on": date_input()}


class SpaceForm(ParcelRefMixin, ZoneScopedForm):
    class Meta:
        model = Space
        fields = ["zone", "name", "kind", "address", "floors", "total_m2", "rent", "operator"]


class SpaceLeaseForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("enterprise",)
    enterprise = EnterpriseRefField(label=_("企业（统一社会信用代码）"), required=False,
                                    help_text=_("没有招商项目时填写租用企业的统一社会信用代码"))

    class Meta:
        model = SpaceLease
        fields = ["zone", "space", "project", "enterprise", "area_m2", "start_on", "end_on", "note"]
        widgets = {"start_on": date_input(), "end_on": date_input()}


# -- the parcel page's actions (validated by services, which raise the Chinese errors) --------

class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("变为"), choices=())
    on = forms.DateField(label=_("日期"), widget=date_input())
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    buyer = forms.CharField(label=_("受让企业（统一社会信用代码）"), required=False, max_length=30)
    buyer_name = forms.CharField(label=_("受让人名称"), required=False, max_length=200)
    price_wan = forms.CharField(label=_("成交价（万元）"), required=False, max_length=40)
    area_mu = forms.CharField(label=_("出让面积（亩）"), required=False, max_length=40)
    project_id = forms.TypedChoiceField(label=_("供地项目"), required=False, choices=(), coerce=int, empty_value=None)
    households_total = forms.CharField(label=_("需搬迁户数"), required=False, max_length=12)
    firms_total = forms.CharField(label=_("需搬迁企业数"), required=False, max_length=12)

    def __init__(self, *args, targets=(), projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = list(targets)
        self.fields["project_id"].choices = [("", "—")] + [(p.pk, p.name) for p in projects]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css + " form-control-sm" if css == "form-control" else css)


class _Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class SplitForm(_Styled, forms.Form):
    on = forms.DateField(label=_("分割日期"), widget=date_input())
    parts = forms.CharField(label=_("新地块"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("每行一块：编号,面积（亩）,名称（可省略）"))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def clean_parts(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["parts"].splitlines(), 1):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.replace("，", ",").split(",")]
            if len(cells) < 2:
                raise forms.ValidationError(_("第 %(n)s 行应为“编号,面积（亩）,名称”，收到“%(line)s”。")
                                            % {"n": n, "line": line[:60]})
            rows.append({"code": cells[0], "area_mu": cells[1], "name": ",".join(cells[2:])})
            if len(rows) > 200:
                raise forms.ValidationError(_("一次最多分割为 200 块。"))
        return rows


class MergeForm(_Styled, forms.Form):
    others = forms.CharField(label=_("与之合并的地块编号"), max_length=2000,
                             help_text=_("多个编号用逗号或顿号分隔"))
    code = forms.CharField(label=_("新地块编号"), max_length=64)
    name = forms.CharField(label=_("新地块名称"), required=False, max_length=200)
    on = forms.DateField(label=_("合并日期"), widget=date_input())
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def clean_others(self):
        raw = self.cleaned_data["others"]
        for sep in "，、;； ":
            raw = raw.replace(sep, ",")
        codes = [c.strip() for c in raw.split(",") if c.strip()]
        if not codes:
            raise forms.ValidationError(_("请填写要合并的地块编号。"))
        if len(codes) > 100:
            raise forms.ValidationError(_("一次最多合并 100 块地块。"))
        return codes
