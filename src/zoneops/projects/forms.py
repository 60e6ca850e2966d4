from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zoneops.core.forms import ZoneScopedForm
from zoneops.core.models import Membership
from zoneops.core.scoping import CHANGE, zone_ids_for
from zoneops.registry.forms import EnterpriseRefField, EnterpriseRefMixin
from zoneops.registry.models import Parcel

from . import engine
from .models import Approval, Meeting, MeetingSeries, Project, ProjectType, Stage

DATE = {"type": "date"}


def zone_people(user):
    ids = zone_ids_for(user)
    users = get_user_model().objects.filter(is_active=True)
    if ids is not None:
        users = users.filter(memberships__zone_id__in=ids, memberships__role__in=[
            Membership.Role.ADMIN, Membership.Role.STAFF])
    return users.distinct().order_by("username")


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ProjectForm(EnterpriseRefMixin, ZoneScopedForm):
    enterprise_ref_fields = ("investor",)
    investor = EnterpriseRefField(label=_("投资企业（统一社会信用代码）"), required=False,
                                  help_text=_("投资企业已在企业库时填写其统一社会信用代码；区外企业填写下方的投资方名称"))
    parcel_code = forms.CharField(label=_("地块编号"), required=False, max_length=64,
                                  help_text=_("地块确定后填写，须为本开发区地块库中的编号"))

    class Meta:
        model = Project
        fields = ["zone", "name", "project_type", "investor", "investor_name", "segment", "chain_tag",
                  "agreed_investment", "fixed_investment", "land_mu", "expected_output", "expected_tax", "source",
                  "lead_officer", "members", "responsible_leader",
                  *[f"planned_{s}" for s in engine.PIPELINE[2:]], *[f"{s}_on" for s in engine.PIPELINE],
                  "notes"]
        widgets = {**{f"planned_{s}": forms.DateInput(DATE, format="%Y-%m-%d") for s in engine.PIPELINE},
                   **{f"{s}_on": forms.DateInput(DATE, format="%Y-%m-%d") for s in engine.PIPELINE},
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ProjectType.ensure_defaults(zone_ids_for(self.user, CHANGE) or ())
        self.fields["project_type"].queryset = ProjectType.objects.restrict(self.user)
        people = zone_people(self.user)
        self.fields["lead_officer"] = UserChoice(queryset=people, required=False, label=_("招商专员（牵头）"))
        self.fields["members"] = UsersChoice(queryset=people, required=False, label=_("服务团队成员"),
                                             widget=forms.SelectMultiple(attrs={"size": 4}))
        for name in ("lead_officer", "members"):
            self.fields[name].widget.attrs["class"] = "form-select"
        if self.instance.parcel_id and not self.is_bound:
            self.initial["parcel_code"] = self.instance.parcel.code
        try:
            from zoneops.chains.models import Segment

            self.fields["segment"].queryset = Segment.objects.restrict(self.user).select_related("chain")
            self.fields["segment"].label_from_instance = lambda s: f"{s.chain.name} · {s.name}"
        except ImportError:
            pass

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        code = (cleaned.get("parcel_code") or "").strip()
        self.instance.parcel = None
        if code and zone is not None:
            parcel = Parcel.objects.restrict(self.user).filter(zone=zone, code=code).first()
            if parcel is None:
                self.add_error("parcel_code", _("本开发区没有编号为 %(code)s 的地块。") % {"code": code})
            else:
                self.instance.parcel = parcel
        ptype = cleaned.get("project_type")
        if ptype is not None and zone is not None and ptype.zone_id != zone.pk:
            self.add_error("project_type", _("所选项目类型不属于该开发区。"))
        previous = None
        for s in engine.PIPELINE:
            d = cleaned.get(f"{s}_on")
            if d and previous and d < previous[1]:
                self.add_error(f"{s}_on", _("%(s)s日期早于%(p)s日期。") % {"s": engine.LABELS[s],
                                                                     "p": engine.LABELS[previous[0]]})
            if d:
                previous = (s, d)
        return cleaned


class ProjectTypeForm(ZoneScopedForm):
    stages = forms.MultipleChoiceField(
        label=_("阶段模板"), choices=[(s, engine.LABELS[s]) for s in engine.PIPELINE],
        widget=forms.CheckboxSelectMultiple, help_text=_("勾选本类型项目经过的阶段"))
    approvals = forms.CharField(label=_("审批事项"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("每行一项，如 立项/备案"))

    class Meta:
        model = ProjectType
        fields = ["zone", "name", "stages", "approvals", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stages"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.initial["approvals"] = "\n".join(self.instance.approvals or engine.DEFAULT_APPROVALS)
            self.initial["stages"] = self.instance.stages or list(engine.PIPELINE)

    def clean_stages(self):
        return [s for s in engine.PIPELINE if s in self.cleaned_data["stages"]]

    def clean_approvals(self):
        return [line.strip() for line in self.cleaned_data["approvals"].splitlines() if line.strip()]


class ApprovalForm(ZoneScopedForm):
    class Meta:
        model = Approval
        fields = ["zone", "project", "name", "order", "applied_on", "granted_on", "note"]
        widgets = {"applied_on": forms.DateInput(DATE, format="%Y-%m-%d"),
                   "granted_on": forms.DateInput(DATE, format="%Y-%m-%d")}


class MeetingSeriesForm(ZoneScopedForm):
    class Meta:
        model = MeetingSeries
        fields = ["zone", "name", "cadence_days", "location", "chair", "attendees"]


class MeetingForm(ZoneScopedForm):
    class Meta:
        model = Meeting
        fields = ["zone", "series", "held_on", "location", "chair", "attendees", "notes"]
        widgets = {"held_on": forms.DateInput(DATE, format="%Y-%m-%d"), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        series = cleaned.get("series")
        if series is not None and not self.instance.pk:
            for name in ("location", "chair", "attendees"):
                if not cleaned.get(name):
                    cleaned[name] = getattr(series, name)
        return cleaned


class MoveForm(forms.Form):
    """The board's dialog: the target stage, dates of the target and skipped stages, a reason."""

    to = forms.ChoiceField(choices=Stage.choices, label=_("移至阶段"))
    reason = forms.CharField(label=_("原因/说明"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, project=None, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.date_stages = engine.missing_dates(project.template, project.stage, target, project.actual(),
                                                project.paused_from) if target else []
        for s in self.date_stages:
            self.fields[f"date_{s}"] = forms.DateField(
                label=_("%(s)s实际日期") % {"s": engine.LABELS[s]}, required=False,
                widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"))
        self.fields["to"].widget.attrs["class"] = "form-select"

    def dates(self):
        return {s: self.cleaned_data.get(f"date_{s}") for s in self.date_stages if self.cleaned_data.get(f"date_{s}")}


class RecordForm(forms.Form):
    """A meeting's record for one project: decision, next steps, optionally a new problem."""

    decision = forms.CharField(label=_("会议决定"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    next_steps = forms.CharField(label=_("下一步工作"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    problem_title = forms.CharField(label=_("新问题"), required=False, max_length=120,
                                    widget=forms.TextInput(attrs={"class": "form-control"}))
    department = forms.ModelChoiceField(queryset=None, required=False, label=_("责任部门"))
    deadline = forms.DateField(label=_("办理期限"), required=False,
                               widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))

    def __init__(self, *args, zone_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zoneops.service.models import Department

        self.fields["department"].queryset = Department.objects.filter(zone_id=zone_id)
        self.fields["department"].widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("problem_title") and not cleaned.get("department"):
            self.add_error("department", _("提出新问题时须指定责任部门。"))
        return cleaned
