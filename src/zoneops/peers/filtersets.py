import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import ALL, ZoneFilterSet

from .models import Kind, PeerFigure, PeerReport, ReportStatus


class PeerReportFilterSet(ZoneFilterSet):
    search_fields = ("peer_name__icontains", "title__icontains", "source_url__icontains")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("核对状态"), empty_label=ALL)

    class Meta:
        model = PeerReport
        fields = ["q", "zone", "status"]


class PeerFigureFilterSet(ZoneFilterSet):
    search_fields = ("metric__icontains", "peer_name__icontains", "sentence__icontains")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类型"), empty_label=ALL)
    period = django_filters.CharFilter(lookup_expr="startswith", label=_("期间"))

    class Meta:
        model = PeerFigure
        fields = ["q", "zone", "kind", "period"]
