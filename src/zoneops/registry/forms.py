from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zoneops.core.forms import ZoneScopedForm
from zoneops.core.models import Membership

from .codes import clean_uscc
from .models import Enterprise, EnterpriseYear, IndustryCode, Parcel


class EnterpriseRefField(forms.CharField):
    """An enterprise entered by its USCC (a select of a million firms is no use)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("填写企业的统一社会信用代码"))
        super().__init__(max_length=30, **kwargs)


class EnterpriseRefMixin:
    """Resolves `enterprise_ref_fields` (USCC text) to enterprises of the form's zone."""

    enterprise_ref_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.enterprise_ref_fields:
            current = getattr(self.instance, name, None)
            if current is not None and not self.is_bound:
                self.initial[name] = current.uscc

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        for name in self.enterprise_ref_fields:
            raw = cleaned.get(name)
            if not raw:
                cleaned[name] = None
                continue
            try:
                code = clean_uscc(raw)
            except ValueError as e:
                self.add_error(name, str(e))
                continue
            found = Enterprise.objects.restrict(self.user).filter(zone=zone, uscc=code).first() if zone else None
            if found is None:
                self.add_error(name, _("本开发区没有统一社会信用代码为 %(code)s 的企业。") % {"code": code})
            else:
                cleaned[name] = found
        return cleaned


def _zone_users(user):
    from zoneops.core.scoping import zone_ids_for

    ids = zone_ids_for(user)
    users = get_user_model().objects.filter(is_active=True)
    if ids is not None:
        users = users.filter(memberships__zone_id__in=ids, memberships__role__in=[
            Membership.Role.ADMIN, Membership.Role.STAFF]).distinct()
    return users.order_by("username")


class EnterpriseForm(ZoneScopedForm):
    industry = forms.ModelChoiceField(
        queryset=IndustryCode.objects.filter(level="class"), required=False, label=_("行业（小类）"),
        to_field_name="code", widget=forms.TextInput(attrs={"placeholder": _("4 位小类代码，如 3670")}),
        error_messages={"invalid_choice": _("没有这个国民经济行业小类代码（GB/T 4754-2017）。")})

    class Meta:
        model = Enterprise
        fields = ["zone", "uscc", "name", "former_names", "industry", "scale", "is_high_tech", "is_listed",
                  "has_rd_center", "is_specialized", "status", "address", "business_scope", "established",
                  "account_officer", "pools"]
        widgets = {"established": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "business_scope": forms.Textarea(attrs={"rows": 3}),
                   "pools": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_officer"].queryset = _zone_users(self.user)
        self.fields["pools"].widget.attrs["class"] = ""

    def clean_uscc(self):
        try:
            return clean_uscc(self.cleaned_data["uscc"])
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("企业名称不能为空。"))
        return name

    def clean(self):
        cleaned = super().clean()
        officer, zone = cleaned.get("account_officer"), cleaned.get("zone")
        if officer is not None and zone is not None and not officer.is_superuser and not Membership.objects.filter(
                user=officer, zone=zone).exists():
            self.add_error("account_officer", _("服务专员必须是本开发区的工作人员。"))
        return cleaned


class ParcelForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("holder",)
    holder = EnterpriseRefField(required=False, label=_("使用企业（统一社会信用代码）"))

    class Meta:
        model = Parcel
        fields = ["zone", "code", "name", "area_mu", "land_use", "holder", "tenure", "floor_area_ratio", "status",
                  "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A parcel is registered in the status it has; after that its status moves only through
            # the land lifecycle (土地流转 tab, land.services.transition), which checks and records it.
            del self.fields["status"]


class EnterpriseYearForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("enterprise",)
    enterprise = EnterpriseRefField(label=_("企业（统一社会信用代码）"))

    class Meta:
        model = EnterpriseYear
        fields = ["zone", "enterprise", "year", "revenue", "tax", "value_added", "energy_tce", "emissions_t",
                  "employees", "rd_expense", "power_mwh", "land_mu", "land_note", "source"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("land_mu") is not None and not cleaned.get("land_note"):
            self.add_error("land_note", _("人工认定用地面积时请写明依据。"))
        return cleaned
