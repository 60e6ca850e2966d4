import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import YesNoFilter, ZoneFilterSet
from zoneops.core.models import Membership

from . import engine
from .models import (DeadlineRule, Department, Level, Priority, Problem, ProblemCategory, Rating, Source, State,
                     Visit)


class OverdueFilter(YesNoFilter):
    def filter(self, qs, value):
        if value not in self.VALUES:
            return qs
        overdue = Q(state__in=engine.WITH_DEPARTMENT, deadline__lt=timezone.localdate())
        return qs.filter(overdue) if self.VALUES[value] else qs.exclude(overdue)


class OpenFilter(YesNoFilter):
    def filter(self, qs, value):
        if value not in self.VALUES:
            return qs
        cond = Q(state__in=engine.OPEN_STATES)
        return qs.filter(cond) if self.VALUES[value] else qs.exclude(cond)


def _officers(request):
    users = get_user_model().objects.filter(is_active=True)
    if request is None:
        return users.none()
    from zoneops.core.scoping import zone_ids_for

    ids = zone_ids_for(request.user)
    if ids is not None:
        users = users.filter(memberships__zone_id__in=ids, memberships__role__in=[
            Membership.Role.ADMIN, Membership.Role.STAFF]).distinct()
    return users.order_by("username")


class ProblemFilterSet(ZoneFilterSet):
    search_fields = ("title__icontains", "description__icontains", "enterprise__name__icontains",
                     "enterprise__uscc")
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("状态"))
    open = OpenFilter(label=_("未办结"))
    category = django_filters.ModelChoiceFilter(queryset=ProblemCategory.objects.all(), label=_("类别"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("承办部门"))
    overdue = OverdueFilter(label=_("超期"))
    escalation_level = django_filters.ChoiceFilter(choices=[c for c in Level.choices if c[0]], label=_("督办"))
    officer = django_filters.ModelChoiceFilter(queryset=_officers, label=_("服务专员"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("来源"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("紧急程度"))
    rating = django_filters.ChoiceFilter(choices=Rating.choices, label=_("满意度"))
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("受理日期起"))
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("受理日期止"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业编号"))

    class Meta:
        model = Problem
        fields = ["q", "zone", "state", "open", "category", "department", "overdue", "escalation_level", "officer",
                  "source", "priority", "rating", "received_after", "received_before", "enterprise"]


class DepartmentFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains",)

    class Meta:
        model = Department
        fields = ["q", "zone"]


class ProblemCategoryFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains",)
    active = YesNoFilter(label=_("启用"))

    class Meta:
        model = ProblemCategory
        fields = ["q", "zone", "active"]


class DeadlineRuleFilterSet(ZoneFilterSet):
    search_fields = ("category__name__icontains",)
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("紧急程度"))

    class Meta:
        model = DeadlineRule
        fields = ["q", "zone", "priority"]


class VisitFilterSet(ZoneFilterSet):
    search_fields = ("enterprise__name__icontains", "enterprise__uscc", "people_met__icontains",
                     "notes__icontains")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("走访日期起"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("走访日期止"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业编号"))

    class Meta:
        model = Visit
        fields = ["q", "zone", "date_after", "date_before", "enterprise"]
