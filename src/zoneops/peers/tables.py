import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import PeerFigure, PeerReport


class PeerReportTable(ZoneTable):
    peer_name = tables.Column(linkify=record_link)
    candidates = tables.Column(accessor="candidate_count", verbose_name=_("提取数"), orderable=False)
    pending = tables.Column(accessor="pending_count", verbose_name=_("待核对"), orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("peer_name", "title", "report_date", "status", "candidates", "pending", "source_url")

    class Meta(ZoneTable.Meta):
        model = PeerReport
        fields = ("peer_name", "title", "report_date", "status", "candidates", "pending", "source_url", "zone",
                  "updated")


class PeerFigureTable(ZoneTable):
    metric = tables.Column(linkify=record_link)
    report = tables.Column(linkify=True, verbose_name=_("同行报告"), order_by=("report__peer_name",))
    indicator = tables.Column(verbose_name=_("对应指标"), order_by=("indicator__name",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("metric", "peer_name", "value", "unit", "norm_value", "norm_unit", "period", "kind",
                       "indicator")

    class Meta(ZoneTable.Meta):
        model = PeerFigure
        fields = ("metric", "peer_name", "value", "unit", "norm_value", "norm_unit", "period", "kind", "indicator",
                  "corrected", "report", "sentence", "zone", "updated")
