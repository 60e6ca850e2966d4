import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import ALL, ZoneFilterSet
from zoneops.registry.models import ParcelStatus

from .models import (Acquisition, AcquisitionProgress, EventKind, ParcelEvent, Sale, Space, SpaceKind,
                     SpaceLease)

DATE = {"type": "date"}


class ParcelEventFilterSet(ZoneFilterSet):
    search_fields = ("parcel__code__icontains", "parcel__name__icontains", "note__icontains")
    to_status = django_filters.ChoiceFilter(choices=ParcelStatus.choices, label=_("新状态"))
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("类型"))
    parcel = django_filters.NumberFilter(field_name="parcel_id", label=_("地块编号（内部）"))
    on_from = django_filters.DateFilter(field_name="on", lookup_expr="gte", label=_("日期自"))
    on_to = django_filters.DateFilter(field_name="on", lookup_expr="lte", label=_("日期至"))

    class Meta:
        model = ParcelEvent
        fields = ["q", "zone", "to_status", "kind", "parcel", "on_from", "on_to"]


class AcquisitionFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "parcel__code__icontains")
    cleared = django_filters.BooleanFilter(field_name="cleared_on", lookup_expr="isnull", exclude=True,
                                           label=_("已清零"))

    class Meta:
        model = Acquisition
        fields = ["q", "zone", "cleared"]


class AcquisitionProgressFilterSet(ZoneFilterSet):
    search_fields = ("acquisition__name__icontains", "note__icontains")
    acquisition = django_filters.ModelChoiceFilter(queryset=Acquisition.objects.all(), label=_("征收项目"),
                                                   empty_label=ALL)

    class Meta:
        model = AcquisitionProgress
        fields = ["q", "zone", "acquisition"]


class SaleFilterSet(ZoneFilterSet):
    search_fields = ("parcel__code__icontains", "buyer__name__icontains", "buyer_name__icontains")
    sold_from = django_filters.DateFilter(field_name="sold_on", lookup_expr="gte", label=_("成交日期自"))
    sold_to = django_filters.DateFilter(field_name="sold_on", lookup_expr="lte", label=_("成交日期至"))

    class Meta:
        model = Sale
        fields = ["q", "zone", "sold_from", "sold_to"]


class SpaceFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "address__icontains", "operator__icontains")
    kind = django_filters.ChoiceFilter(choices=SpaceKind.choices, label=_("类型"))
    has_free = django_filters.BooleanFilter(field_name="free_m2", lookup_expr="gt", method="filter_free",
                                            label=_("有空置"))

    class Meta:
        model = Space
        fields = ["q", "zone", "kind", "has_free"]

    def filter_free(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(free_m2__gt=0) if value else qs.filter(free_m2__lte=0)


class SpaceLeaseFilterSet(ZoneFilterSet):
    search_fields = ("space__name__icontains", "project__name__icontains", "enterprise__name__icontains",
                     "note__icontains")
    space = django_filters.ModelChoiceFilter(queryset=Space.objects.all(), label=_("厂房/园区"), empty_label=ALL)

    class Meta:
        model = SpaceLease
        fields = ["q", "zone", "space"]
