import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import YesNoFilter, ZoneFilterSet

from .models import Approach, CandidateRule, CaseStatus, Extent, RedevelopmentCase


class CandidateRuleFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "note__icontains")
    active = YesNoFilter(label=_("启用"))

    class Meta:
        model = CandidateRule
        fields = ["q", "zone", "active"]


class RedevelopmentCaseFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "notes__icontains")
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("状态"))
    approach = django_filters.ChoiceFilter(choices=Approach.choices, label=_("改造方式"))
    extent = django_filters.ChoiceFilter(choices=Extent.choices, label=_("改造范围"))
    completed_year = django_filters.NumberFilter(field_name="completed_on__year", label=_("完成年度"))
    parcel = django_filters.CharFilter(label=_("地块编号"), method="filter_parcel")

    class Meta:
        model = RedevelopmentCase
        fields = ["q", "zone", "status", "approach", "extent", "completed_year", "parcel"]

    def filter_parcel(self, qs, name, value):
        from .models import CaseParcel

        value = value.strip()[:64]
        if not value:
            return qs
        # A subquery rather than a join: a case stays one row.
        return qs.filter(pk__in=CaseParcel.objects.filter(parcel__code__icontains=value).values("case_id"))
