"""Features, menu entries of the peers app (同行数据)."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, register

from .api.serializers import PeerFigureSerializer, PeerReportSerializer
from .filtersets import PeerFigureFilterSet, PeerReportFilterSet
from .forms import PeerFigureForm, PeerReportForm
from .models import PeerFigure, PeerReport
from .tables import PeerFigureTable, PeerReportTable


def _views():
    from . import views

    return views


register(Feature(
    model=PeerReport, slug="peer-reports", table=PeerReportTable, filterset=PeerReportFilterSet, form=PeerReportForm,
    serializer=PeerReportSerializer, select_related=("zone",),
    detail_fields=("zone", "peer_name", "title", "report_date", "source_url", "status", "created_by"),
    views={"edit": _views().PeerReportEditView, "detail": _views().PeerReportDetailView},
))
register(Feature(
    model=PeerFigure, slug="peer-figures", table=PeerFigureTable, filterset=PeerFigureFilterSet, form=PeerFigureForm,
    serializer=PeerFigureSerializer, select_related=("zone", "report", "indicator"),
))

add_menu(_("指标与赛马"), [(_("同行报告"), "peers:peerreport_list"), (_("同行数据"), "peers:peerfigure_list"),
                         (_("同行对比"), "peers:compare")], before=_("数据"))
