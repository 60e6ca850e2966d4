import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import YesNoFilter, ZoneFilterSet

from .models import (
    Adjustment,
    Exemption,
    MergeGroup,
    Objection,
    ObjectionStatus,
    Result,
    Run,
    RunState,
    RunStatus,
)

GROUPS = (("above", _("规上")), ("below", _("规下")), ("lessee", _("租赁")))
CLASSES = [(c, c) for c in ("A", "B", "C", "D", "E")]


class RunFilterSet(ZoneFilterSet):
    search_fields = ("title__icontains",)
    year = django_filters.NumberFilter(label=_("评价年度"))
    state = django_filters.ChoiceFilter(choices=RunState.choices, label=_("阶段"))
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("计算状态"))

    class Meta:
        model = Run
        fields = ["q", "zone", "year", "state", "status"]


class ResultFilterSet(ZoneFilterSet):
    search_fields = ("enterprise__name__icontains", "enterprise__uscc__contains")
    run = django_filters.NumberFilter(field_name="run_id", label=_("评价批次编号"))
    group = django_filters.ChoiceFilter(choices=GROUPS, label=_("组别"))
    final_class = django_filters.ChoiceFilter(choices=CLASSES, label=_("等级"))
    year = django_filters.NumberFilter(field_name="run__year", label=_("评价年度"))
    included = YesNoFilter(label=_("参评"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业编号"))

    class Meta:
        model = Result
        fields = ["q", "zone", "run", "year", "group", "final_class", "included", "enterprise"]


class ExemptionFilterSet(ZoneFilterSet):
    search_fields = ("enterprise__name__icontains", "enterprise__uscc__contains", "reason__icontains")
    year = django_filters.NumberFilter(label=_("评价年度"))

    class Meta:
        model = Exemption
        fields = ["q", "zone", "year"]


class AdjustmentFilterSet(ZoneFilterSet):
    search_fields = ("enterprise__name__icontains", "enterprise__uscc__contains", "code__icontains")
    year = django_filters.NumberFilter(label=_("评价年度"))

    class Meta:
        model = Adjustment
        fields = ["q", "zone", "year"]


class MergeGroupFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "enterprises__name__icontains")
    year = django_filters.NumberFilter(label=_("评价年度"))

    class Meta:
        model = MergeGroup
        fields = ["q", "zone", "year"]

    def search(self, queryset, name, value):
        return super().search(queryset, name, value).distinct()


class ObjectionFilterSet(ZoneFilterSet):
    search_fields = ("result__enterprise__name__icontains", "text__icontains")
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices, label=_("处理结果"))
    run = django_filters.NumberFilter(field_name="run_id", label=_("评价批次编号"))

    class Meta:
        model = Objection
        fields = ["q", "zone", "status", "run"]
