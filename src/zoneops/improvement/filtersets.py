import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import YesNoFilter, ZoneFilterSet

from .models import OPEN_STATUSES, ImprovementPlan, MeasureCategory, PlanStatus, PolicyItem


class ImprovementPlanFilterSet(ZoneFilterSet):
    search_fields = ("title__icontains", "enterprise__name__icontains", "enterprise__uscc__contains")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("状态"))
    eval_year = django_filters.NumberFilter(label=_("评价年度"))
    eval_class = django_filters.CharFilter(label=_("制定时等级"), method="filter_class")
    category = django_filters.ChoiceFilter(choices=MeasureCategory.choices, label=_("措施类别"),
                                           method="filter_category")
    overdue = YesNoFilter(label=_("已逾期"), method="filter_overdue")
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业编号"))

    class Meta:
        model = ImprovementPlan
        fields = ["q", "zone", "status", "eval_year", "eval_class", "category", "overdue", "enterprise"]

    def filter_class(self, qs, name, value):
        return qs.filter(eval_class=value.strip().upper()) if value.strip() else qs

    def filter_category(self, qs, name, value):
        # A subquery rather than a join: a plan with two such measures stays one row.
        from .models import Measure

        return qs.filter(pk__in=Measure.objects.filter(category=value).values("plan_id"))

    def filter_overdue(self, qs, name, value):
        if value not in YesNoFilter.VALUES:
            return qs
        late = {"deadline__lt": timezone.localdate(), "status__in": OPEN_STATUSES}
        return qs.filter(**late) if YesNoFilter.VALUES[value] else qs.exclude(**late)


class PolicyItemFilterSet(ZoneFilterSet):
    search_fields = ("item__icontains", "value__icontains", "note__icontains")
    class_code = django_filters.CharFilter(label=_("等级"), method="filter_class")

    class Meta:
        model = PolicyItem
        fields = ["q", "zone", "class_code"]

    def filter_class(self, qs, name, value):
        return qs.filter(class_code=value.strip().upper()) if value.strip() else qs
