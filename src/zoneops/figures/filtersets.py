import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import ALL, ZoneFilterSet

from .models import Indicator, IndicatorValue, Target, ValueSource


class IndicatorValueFilterSet(ZoneFilterSet):
    search_fields = ("note__icontains", "indicator__name__icontains", "indicator__code")
    indicator = django_filters.ModelChoiceFilter(queryset=Indicator.objects.all(), label=_("指标"), empty_label=ALL)
    year = django_filters.NumberFilter(label=_("年份"))
    month = django_filters.NumberFilter(label=_("月份"))
    source = django_filters.ChoiceFilter(choices=ValueSource.choices, label=_("来源"))

    class Meta:
        model = IndicatorValue
        fields = ["q", "zone", "indicator", "year", "month", "source"]


class TargetFilterSet(ZoneFilterSet):
    search_fields = ("note__icontains", "indicator__name__icontains", "indicator__code")
    indicator = django_filters.ModelChoiceFilter(queryset=Indicator.objects.all(), label=_("指标"), empty_label=ALL)
    year = django_filters.NumberFilter(label=_("年份"))

    class Meta:
        model = Target
        fields = ["q", "zone", "indicator", "year"]
