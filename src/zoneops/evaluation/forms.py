from django import forms
from django.utils.translation import gettext_lazy as _

from zoneops.core.attachments import AttachmentField
from zoneops.core.forms import ZoneScopedForm
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE
from zoneops.registry.codes import clean_uscc
from zoneops.registry.forms import EnterpriseRefField, EnterpriseRefMixin
from zoneops.registry.models import MIN_YEAR, Enterprise, max_year

from .models import Adjustment, Exemption, MergeGroup, Ruleset

MAX_YAML_UPLOAD = 200 * 1024


class ExemptionForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("enterprise",)
    enterprise = EnterpriseRefField(label=_("企业（统一社会信用代码）"))

    class Meta:
        model = Exemption
        fields = ["zone", "enterprise", "year", "reason"]


class AdjustmentForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("enterprise",)
    enterprise = EnterpriseRefField(label=_("企业（统一社会信用代码）"))

    class Meta:
        model = Adjustment
        fields = ["zone", "enterprise", "year", "code", "reason"]

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        known = known_adjustment_codes(self.user)
        if known and code not in known:
            raise forms.ValidationError(_("没有这个加减分项代码；可用代码：%(codes)s") % {"codes": "、".join(sorted(known))})
        if not known:
            raise forms.ValidationError(_("可用的评价规则中还没有加减分项，请先在评价规则中添加。"))
        return code


def known_adjustment_codes(user):
    """Adjustment codes of the latest versions of the rulesets the user can read."""
    from .services import parse_ruleset

    codes = set()
    for ruleset in Ruleset.objects.visible_to(user):
        version = ruleset.latest_version()
        if version is None:
            continue
        try:
            codes |= {a.code for a in parse_ruleset(version.yaml).adjustments}
        except Exception:  # noqa: BLE001 - an unparsable old version offers no codes
            continue
    return codes


class MergeGroupForm(ZoneScopedForm):
    members = forms.CharField(label=_("合并企业（统一社会信用代码，每行一个）"), widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=4000)

    class Meta:
        model = MergeGroup
        fields = ["zone", "name", "year", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].widget.attrs["class"] = "form-control"
        if self.instance.pk and not self.is_bound:
            self.initial["members"] = "\n".join(self.instance.enterprises.values_list("uscc", flat=True))

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        raw = [line.strip() for line in (cleaned.get("members") or "").replace("，", "\n").replace(",", "\n")
               .splitlines() if line.strip()]
        firms, errors = [], []
        for i, text in enumerate(raw, 1):
            try:
                code = clean_uscc(text)
            except ValueError as e:
                errors.append(_("第 %(i)s 行：%(e)s") % {"i": i, "e": e})
                continue
            found = (Enterprise.objects.restrict(self.user).filter(zone=zone, uscc=code).first()
                     if zone is not None else None)
            if found is None:
                errors.append(_("第 %(i)s 行：本开发区没有统一社会信用代码为 %(code)s 的企业。") % {"i": i, "code": code})
            elif found not in firms:
                firms.append(found)
        if errors:
            self.add_error("members", errors)
        elif len(firms) < 2:
            self.add_error("members", _("合并评价至少需要两家企业。"))
        self.member_firms = firms
        return cleaned

    def save(self, commit=True):
        obj = super().save(commit=commit)
        if commit:
            obj.enterprises.set(self.member_firms)
        return obj


class RulesetEditForm(forms.Form):
    yaml = forms.CharField(label=_("规则（YAML）"), max_length=MAX_YAML_UPLOAD,
                           widget=forms.Textarea(attrs={"rows": 30, "class": "form-control font-monospace small",
                                                        "spellcheck": "false"}))
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean_yaml(self):
        from .ruleset import RulesetError
        from .services import parse_ruleset

        text = self.cleaned_data["yaml"]
        try:
            self.parsed = parse_ruleset(text)
        except RulesetError as e:
            raise forms.ValidationError(list(e.messages)) from None
        return text


def writable_zones(user):
    return Zone.objects.restrict(user, CHANGE).order_by("code")


class RulesetCreateForm(forms.Form):
    """A zone's new ruleset: a copy of an existing one, or an uploaded YAML file."""

    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), label=_("开发区"))
    name = forms.SlugField(label=_("代码"), max_length=64, help_text=_("英文字母、数字、下划线或连字符"))
    title = forms.CharField(label=_("名称"), max_length=200)
    source = forms.ModelChoiceField(queryset=Ruleset.objects.none(), label=_("复制自"), required=False)
    file = forms.FileField(label=_("或上传 YAML 文件"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        zones = writable_zones(user)
        self.fields["zone"].queryset = zones
        if zones.count() == 1:
            self.fields["zone"].initial = zones.first()
        self.fields["source"].queryset = Ruleset.objects.visible_to(user).order_by("zone_id", "name")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if f is None:
            return None
        self.yaml_text = read_yaml_upload(f)
        return f

    def clean(self):
        cleaned = super().clean()
        zone, name = cleaned.get("zone"), cleaned.get("name")
        if zone and name and Ruleset.objects.filter(zone=zone, name=name).exists():
            self.add_error("name", _("本开发区已有同代码的评价规则。"))
        if not cleaned.get("source") and not cleaned.get("file") and "file" not in self.errors:
            self.add_error("source", _("请选择要复制的规则，或上传 YAML 文件。"))
        if cleaned.get("file") is not None:
            from .ruleset import RulesetError
            from .services import parse_ruleset

            try:
                parse_ruleset(self.yaml_text)
            except RulesetError as e:
                self.add_error("file", list(e.messages))
        return cleaned


def read_yaml_upload(f):
    if f.size > MAX_YAML_UPLOAD:
        raise forms.ValidationError(_("YAML 文件不能超过 200 KB。"))
    if f.size == 0:
        raise forms.ValidationError(_("上传的文件是空的。"))
    data = f.read(MAX_YAML_UPLOAD + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(_("YAML 文件须为 UTF-8 编码的文本。")) from None
    if "\x00" in text:
        raise forms.ValidationError(_("YAML 文件须为文本文件。"))
    return text


class YamlUploadForm(forms.Form):
    file = forms.FileField(label=_("YAML 文件"))
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)

    def clean_file(self):
        from .ruleset import RulesetError
        from .services import parse_ruleset

        f = self.cleaned_data["file"]
        self.yaml_text = read_yaml_upload(f)
        try:
            parse_ruleset(self.yaml_text)
        except RulesetError as e:
            raise forms.ValidationError(list(e.messages)) from None
        return f


class RunCreateForm(forms.Form):
    zone = forms.ModelChoiceField(queryset=Zone.objects.none(), label=_("开发区"))
    year = forms.IntegerField(label=_("评价年度"), min_value=MIN_YEAR)
    ruleset = forms.ModelChoiceField(queryset=Ruleset.objects.none(), label=_("评价规则"))
    title = forms.CharField(label=_("名称"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        zones = writable_zones(user)
        self.fields["zone"].queryset = zones
        if zones.count() == 1:
            self.fields["zone"].initial = zones.first()
        self.fields["ruleset"].queryset = Ruleset.objects.visible_to(user).order_by("zone_id", "name")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > max_year():
            raise forms.ValidationError(_("年度应在 %(a)s–%(b)s 之间。") % {"a": MIN_YEAR, "b": max_year()})
        return year

    def clean(self):
        cleaned = super().clean()
        zone, ruleset = cleaned.get("zone"), cleaned.get("ruleset")
        if zone and ruleset and ruleset.zone_id not in (None, zone.pk):
            self.add_error("ruleset", _("所选规则不属于该开发区。"))
        if ruleset is not None:
            version = ruleset.latest_version()
            if version is None:
                self.add_error("ruleset", _("该规则还没有任何版本。"))
            cleaned["version"] = version
        return cleaned


class AdjustClassForm(forms.Form):
    new_class = forms.ChoiceField(label=_("调整为"), choices=())
    reason = forms.CharField(label=_("调档理由"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                             error_messages={"required": _("调档须填写理由。")})

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_class"].choices = [(c, c) for c in classes]
        self.fields["new_class"].widget.attrs["class"] = "form-select"


class PublishForm(forms.Form):
    publish_from = forms.DateField(label=_("公示开始"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                                   error_messages={"invalid": _("请填写有效日期，如 2025-03-01。")})
    publish_to = forms.DateField(label=_("公示结束"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                                 error_messages={"invalid": _("请填写有效日期，如 2025-03-07。")})

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("publish_from"), cleaned.get("publish_to")
        if a and b and b < a:
            self.add_error("publish_to", _("公示结束日期不能早于开始日期。"))
        return cleaned


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("异议内容"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    evidence = AttachmentField(label=_("佐证材料"), widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理结果"), choices=[("accept", _("采纳")), ("reject", _("不予采纳"))],
                                 widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label=_("理由"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    new_class = forms.ChoiceField(label=_("改定等级"), required=False, choices=())
    tax = forms.DecimalField(label=_("更正评价税收（万元）"), required=False, min_value=0, max_digits=18, decimal_places=4)
    value_added = forms.DecimalField(label=_("更正工业增加值（万元）"), required=False, min_value=0, max_digits=18,
                                     decimal_places=4)
    land_mu = forms.DecimalField(label=_("更正用地面积（亩）"), required=False, min_value=0, max_digits=14,
                                 decimal_places=4)
    energy_tce = forms.DecimalField(label=_("更正综合能耗（吨标煤）"), required=False, min_value=0, max_digits=18,
                                    decimal_places=4)

    CORRECTABLE = ("tax", "value_added", "land_mu", "energy_tce")

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_class"].choices = [("", "—")] + [(c, c) for c in classes]
        self.fields["new_class"].widget.attrs["class"] = "form-select"
        for name in self.CORRECTABLE:
            self.fields[name].widget.attrs["class"] = "form-control"

    def corrections(self):
        return {k: self.cleaned_data[k] for k in self.CORRECTABLE if self.cleaned_data.get(k) is not None}
