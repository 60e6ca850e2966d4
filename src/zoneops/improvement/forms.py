from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zoneops.core.forms import ZoneScopedForm
from zoneops.core.models import Membership
from zoneops.core.scoping import zone_ids_for
from zoneops.registry.forms import EnterpriseRefField, EnterpriseRefMixin

from .models import ImprovementPlan, Measure, PolicyItem, ProgressNote

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WRITER_ROLES = (Membership.Role.ADMIN, Membership.Role.STAFF)


def zone_staff(user):
    """Active staff and admins of the zones `user` may read (the people a plan may be given to)."""
    ids = zone_ids_for(user)
    users = get_user_model().objects.filter(is_active=True)
    if ids is not None:
        users = users.filter(memberships__zone_id__in=ids, memberships__role__in=WRITER_ROLES).distinct()
    return users.order_by("username")


def owner_error(owner, zone):
    """A Chinese message when `owner` cannot be responsible for a plan of `zone`, else None."""
    if owner is None or zone is None or owner.is_superuser:
        return None
    if not Membership.objects.filter(user=owner, zone=zone, role__in=WRITER_ROLES).exists():
        return _("责任人必须是本开发区的工作人员或管理员。")
    return None


class ImprovementPlanForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("enterprise",)
    enterprise = EnterpriseRefField(label=_("企业（统一社会信用代码）"))

    class Meta:
        model = ImprovementPlan
        fields = ["zone", "enterprise", "title", "situation", "target_tax_per_mu", "target_class", "target_text",
                  "owner", "deadline", "status", "stop_reason"]
        widgets = {"deadline": DATE, "situation": forms.Textarea(attrs={"rows": 3}),
                   "target_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = zone_staff(self.user)
        self.fields["owner"].required = True
        self.fields["owner"].error_messages["required"] = _("请选择责任人。")
        if self.instance.pk:
            # The plan answers one firm's result; another firm needs its own plan.
            self.fields["enterprise"].disabled = True
            # A disabled field takes its value from `initial`, bound or not (the mixin sets it unbound only).
            self.initial["enterprise"] = self.instance.enterprise.uscc
            self.fields["enterprise"].help_text = _("已制定的方案不能改为其他企业")

    def clean_target_class(self):
        return (self.cleaned_data.get("target_class") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        message = owner_error(cleaned.get("owner"), cleaned.get("zone") or getattr(self.instance, "zone", None))
        if message:
            self.add_error("owner", message)
        return cleaned


class MeasureForm(forms.ModelForm):
    """A measure of a plan (the plan and its zone are set by the view)."""

    class Meta:
        model = Measure
        fields = ["category", "content", "department", "person", "deadline", "state"]
        widgets = {"deadline": DATE, "content": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.instance.plan, self.instance.zone_id = plan, plan.zone_id
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(
                field.widget, forms.Select) else "form-control form-control-sm")


class ProgressNoteForm(forms.ModelForm):
    class Meta:
        model = ProgressNote
        fields = ["date", "text"]
        widgets = {"date": DATE, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan=None, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.instance.plan, self.instance.zone_id = plan, plan.zone_id
        if author is not None:
            self.instance.author = author
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class PolicyItemForm(ZoneScopedForm):
    class Meta:
        model = PolicyItem
        fields = ["zone", "class_code", "item", "value", "note", "order"]

    def clean_class_code(self):
        return (self.cleaned_data.get("class_code") or "").strip().upper()

    def clean_item(self):
        return (self.cleaned_data.get("item") or "").strip()
