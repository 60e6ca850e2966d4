import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import ALL, ZoneFilterSet

from . import engine
from .models import Approval, ChainTag, Meeting, MeetingSeries, PlanStatus, Project, ProjectType, Stage, StageEvent

SIZE_CHOICES = (("3", _("3亿以上")), ("10", _("10亿以上")), ("20", _("20亿以上")), ("50", _("50亿以上")),
                ("below", _("3亿以下")))


def officers_of(request):
    from zoneops.core.models import Membership
    from zoneops.core.scoping import zone_ids_for

    user = request.user if request is not None else None
    ids = zone_ids_for(user) if user is not None else set()
    users = get_user_model().objects.filter(led_projects__isnull=False)
    if ids is not None:
        users = users.filter(memberships__zone_id__in=ids, memberships__role__in=[
            Membership.Role.ADMIN, Membership.Role.STAFF, Membership.Role.VIEWER])
    return users.distinct().order_by("username")


def plan_q(value, today=None):
    today = today or timezone.localdate()
    live = ~Q(stage__in=[engine.TERMINATED, engine.PAUSED])
    behind = Q(next_due__lt=today)
    if value == engine.BEHIND:
        return live & behind
    not_behind = Q(next_due__isnull=True) | Q(next_due__gte=today)
    return live & not_behind & Q(ahead=(value == engine.AHEAD))


class ProjectFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "investor_name__icontains", "investor__name__icontains",
                     "investor__uscc")
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("阶段"))
    project_type = django_filters.ModelChoiceFilter(queryset=ProjectType.objects.all(), label=_("项目类型"),
                                                    empty_label=ALL)
    size = django_filters.ChoiceFilter(choices=SIZE_CHOICES, label=_("规模"), method="filter_size")
    lead_officer = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label=_("招商专员"),
                                                    empty_label=ALL)
    chain = django_filters.NumberFilter(field_name="segment__chain", label=_("产业链"), method="filter_chain")
    segment = django_filters.NumberFilter(field_name="segment", label=_("产业链环节"))
    chain_tag = django_filters.ChoiceFilter(choices=ChainTag.choices, label=_("链上作用"))
    plan = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("进度"), method="filter_plan")
    investor = django_filters.NumberFilter(field_name="investor", label=_("投资企业"))
    enterprise = django_filters.NumberFilter(field_name="investor", label=_("投资企业"))

    class Meta:
        model = Project
        fields = ["q", "zone", "stage", "project_type", "size", "lead_officer", "chain", "chain_tag", "plan"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["lead_officer"].queryset = officers_of(request)
        try:
            from zoneops.chains.models import Chain

            user = request.user if request is not None else None
            self.filters["chain"] = django_filters.ModelChoiceFilter(
                queryset=Chain.objects.restrict(user), label=_("产业链"), empty_label=ALL, method="filter_chain")
        except ImportError:  # the chains app is optional
            pass

    def filter_size(self, qs, name, value):
        if value == "below":
            return qs.filter(Q(agreed_investment__lt=30_000) | Q(agreed_investment__isnull=True))
        if value in engine.BAND_KEYS:
            return qs.filter(agreed_investment__gte=engine.BAND_KEYS[value])
        return qs

    def filter_chain(self, qs, name, value):
        return qs.filter(segment__chain=value) if value else qs

    def filter_plan(self, qs, name, value):
        return qs.filter(plan_q(value)) if value else qs


class ProjectTypeFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains",)

    class Meta:
        model = ProjectType
        fields = ["q", "zone"]


class ApprovalFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "project__name__icontains")
    name = django_filters.CharFilter(label=_("审批事项"))
    granted = django_filters.BooleanFilter(field_name="granted_on", lookup_expr="isnull", exclude=True,
                                           label=_("已办结"))

    class Meta:
        model = Approval
        fields = ["q", "zone", "name", "project", "granted"]


class StageEventFilterSet(ZoneFilterSet):
    search_fields = ("project__name__icontains", "user_name__icontains", "note__icontains")
    to_stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("新阶段"))

    class Meta:
        model = StageEvent
        fields = ["q", "zone", "to_stage", "project"]


class MeetingSeriesFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains",)

    class Meta:
        model = MeetingSeries
        fields = ["q", "zone"]


class MeetingFilterSet(ZoneFilterSet):
    search_fields = ("series__name__icontains", "location__icontains", "chair__icontains")
    series = django_filters.ModelChoiceFilter(queryset=MeetingSeries.objects.all(), label=_("调度会系列"),
                                              empty_label=ALL)

    class Meta:
        model = Meeting
        fields = ["q", "zone", "series"]
