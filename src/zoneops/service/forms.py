
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zoneops.core.attachments import clean_attachment, max_bytes
from zoneops.core.forms import ZoneScopedForm
from zoneops.core.models import Membership
from zoneops.core.scoping import zone_ids_for
from zoneops.registry.forms import EnterpriseRefField, EnterpriseRefMixin

from .models import (
    DeadlineRule,
    Department,
    Priority,
    Problem,
    ProblemCategory,
    Rating,
    Source,
    Visit,
)

STALE_FORM = _("该诉求已被他人修改（您打开的是第 %(seen)s 版，当前为第 %(now)s 版），本次修改未保存。"
               "请重新打开编辑页面，核对最新内容后再修改。")


def zone_people(user, roles=(Membership.Role.ADMIN, Membership.Role.STAFF)):
    """Active users holding one of `roles` in the zones `user` may see."""
    ids = zone_ids_for(user)
    users = get_user_model().objects.filter(is_active=True)
    if ids is not None:
        users = users.filter(memberships__zone_id__in=ids, memberships__role__in=roles).distinct()
    return users.order_by("username")


def writable_zone_ids(user):
    from zoneops.core.models import Zone
    from zoneops.core.scoping import CHANGE

    ids = zone_ids_for(user, CHANGE)
    return set(Zone.objects.values_list("pk", flat=True)) if ids is None else ids


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()}（{obj.username}）" if obj.get_full_name() else obj.username


class UserMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()}（{obj.username}）" if obj.get_full_name() else obj.username


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"), required=True)

    def clean_file(self):
        return clean_attachment(self.cleaned_data.get("file"))


class ProblemForm(EnterpriseRefMixin, ZoneScopedForm):
    """Zone staff register or correct a problem (its workflow has its own buttons)."""

    enterprise_ref_fields = ("enterprise",)
    enterprise = EnterpriseRefField(label=_("企业（统一社会信用代码）"))
    attachment = forms.FileField(label=_("附件"), required=False,
                                 help_text=_("可选；图片、PDF、Office 文档等，单个不超过 %(mb)s MB") % {"mb": max_bytes() // (1024 * 1024)})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Problem
        fields = ["zone", "enterprise", "title", "description", "source", "category", "priority", "received_on",
                  "officer", "visit"]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "description": forms.Textarea(attrs={"rows": 5}), "visit": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ProblemCategory.ensure_defaults(writable_zone_ids(self.user))
        self.fields["category"].queryset = ProblemCategory.objects.restrict(self.user).filter(active=True) \
            if not self.instance.pk else ProblemCategory.objects.filter(zone_id=self.instance.zone_id)
        self.fields["officer"] = UserChoiceField(queryset=zone_people(self.user), required=False,
                                                 label=_("服务专员"), help_text=_("留空则取企业的服务专员"))
        self.fields["officer"].widget.attrs["class"] = "form-select"
        self.fields["visit"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_attachment(self):
        return clean_attachment(self.cleaned_data.get("attachment"))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            seen = cleaned.get("version")
            if seen is None or seen != self.instance.version:
                raise forms.ValidationError(STALE_FORM % {"seen": seen if seen is not None else "?",
                                                          "now": self.instance.version})
        cat, zone = cleaned.get("category"), cleaned.get("zone") or getattr(self.instance, "zone", None)
        if cat is not None and zone is not None and cat.zone_id != zone.pk:
            self.add_error("category", _("所选类别不属于该开发区。"))
        visit = cleaned.get("visit")
        ent = cleaned.get("enterprise")
        if visit is not None and ent is not None and visit.enterprise_id != ent.pk:
            self.add_error("visit", _("走访记录与企业不一致。"))
        return cleaned

    def save(self, commit=True):
        from . import services

        problem = self.instance
        new = problem.pk is None
        if problem.officer_id is None and problem.enterprise_id:
            problem.officer_id = problem.enterprise.account_officer_id
        if not new:
            problem.version += 1
        problem = super().save(commit)
        if new:
            services.receive(problem, self.user)
        f = self.cleaned_data.get("attachment")
        if f:
            from .views import store_attachment

            store_attachment(problem, f, self.user)
        return problem


class PortalProblemForm(forms.ModelForm):
    """A firm reports a problem itself (source 企业自报)."""

    attachment = forms.FileField(label=_("附件"), required=False,
                                 help_text=_("可选；单个不超过 %(mb)s MB") % {"mb": max_bytes() // (1024 * 1024)})

    class Meta:
        model = Problem
        fields = ["title", "category", "priority", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        ProblemCategory.ensure_defaults([enterprise.zone_id])
        self.fields["category"].queryset = ProblemCategory.objects.filter(zone_id=enterprise.zone_id, active=True)
        self.fields["priority"].choices = [c for c in Priority.choices if c[0] != Priority.CRITICAL]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")

    def clean_attachment(self):
        return clean_attachment(self.cleaned_data.get("attachment"))


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("承办部门"))
    handler = UserChoiceField(queryset=get_user_model().objects.none(), label=_("经办人"), required=False)
    deadline = forms.DateField(label=_("办理期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("留空则按类别和紧急程度的工作日时限计算"))
    note = forms.CharField(label=_("交办意见"), required=False, max_length=500)

    def __init__(self, *args, problem=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(zone_id=problem.zone_id)
        self.fields["handler"].queryset = get_user_model().objects.filter(
            service_departments__zone_id=problem.zone_id).distinct().order_by("username")


class ExtensionForm(forms.Form):
    new_date = forms.DateField(label=_("申请延期至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("延期理由"), max_length=500)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("满意度"), choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("评价意见"), required=False, max_length=500)


class DepartmentForm(ZoneScopedForm):
    class Meta:
        model = Department
        fields = ["zone", "name", "phone", "heads", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = zone_people(self.user, (Membership.Role.ADMIN, Membership.Role.STAFF, Membership.Role.DEPARTMENT))
        for name, label in (("heads", _("负责人")), ("members", _("成员"))):
            self.fields[name] = UserMultipleField(queryset=people, required=False, label=label,
                                                  widget=forms.SelectMultiple(attrs={"class": "form-select",
                                                                                     "size": 6}),
                                                  help_text=_("部门用户或本开发区工作人员"))

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        if zone is not None:
            for name in ("heads", "members"):
                outsiders = [u for u in cleaned.get(name) or () if not u.is_superuser
                             and not Membership.objects.filter(user=u, zone=zone).exists()]
                if outsiders:
                    self.add_error(name, _("%(names)s 不是本开发区的成员。") % {
                        "names": "、".join(u.username for u in outsiders)})
        return cleaned


class ProblemCategoryForm(ZoneScopedForm):
    class Meta:
        model = ProblemCategory
        fields = ["zone", "name", "order", "active"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("类别名称不能为空。"))
        return name


class DeadlineRuleForm(ZoneScopedForm):
    class Meta:
        model = DeadlineRule
        fields = ["zone", "category", "priority", "working_days"]

    def clean(self):
        cleaned = super().clean()
        cat, zone = cleaned.get("category"), cleaned.get("zone") or getattr(self.instance, "zone", None)
        if cat is not None and zone is not None and cat.zone_id != zone.pk:
            self.add_error("category", _("所选类别不属于该开发区。"))
        return cleaned


class VisitForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("enterprise",)
    enterprise = EnterpriseRefField(label=_("企业（统一社会信用代码）"))

    class Meta:
        model = Visit
        fields = ["zone", "enterprise", "date", "officers", "people_met", "notes"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"] = UserMultipleField(
            queryset=zone_people(self.user), required=False, label=_("走访人员"),
            widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}))

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        outsiders = [u for u in cleaned.get("officers") or () if zone is not None and not u.is_superuser
                     and not Membership.objects.filter(user=u, zone=zone).exists()]
        if outsiders:
            self.add_error("officers", _("%(names)s 不是本开发区的工作人员。") % {
                "names": "、".join(u.username for u in outsiders)})
        return cleaned


class EnterpriseAccountForm(forms.Form):
    """创建企业账号: a login for one firm, bound to its USCC (role 企业用户)."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("联系人姓名"), max_length=150, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, help_text=_("至少 8 位"))

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username=name).exists():
            raise forms.ValidationError(_("用户名“%(name)s”已被使用。") % {"name": name})
        return name

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        pw = self.cleaned_data["password"]
        validate_password(pw)
        return pw


SOURCE_CHOICES = Source.choices
