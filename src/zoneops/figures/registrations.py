"""Features (values, targets), the menu group 指标与赛马, and the API routes of the catalogue and
the zone figures."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.api.router import EXTRA_ROUTES
from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, register

from .api.serializers import IndicatorValueSerializer, TargetSerializer
from .api.views import IndicatorViewSet, ZoneFiguresViewSet
from .filtersets import IndicatorValueFilterSet, TargetFilterSet
from .forms import IndicatorValueForm, TargetForm
from .models import IndicatorValue, Target
from .tables import IndicatorValueTable, TargetTable

register(Feature(
    model=IndicatorValue, slug="values", table=IndicatorValueTable, filterset=IndicatorValueFilterSet,
    form=IndicatorValueForm, serializer=IndicatorValueSerializer, import_kind="indicator_values",
    select_related=("zone", "indicator", "entered_by", "import_batch"),
    detail_fields=("zone", "indicator", "year", "month", "value", "source", "entered_by", "note", "import_batch"),
))
register(Feature(
    model=Target, slug="targets", table=TargetTable, filterset=TargetFilterSet, form=TargetForm,
    serializer=TargetSerializer, select_related=("zone", "indicator"),
))

add_menu(_("指标与赛马"), [
    (_("指标看板"), "figures:dashboard"), (_("月度填报"), "figures:entry"), (_("指标数值"), "figures:indicatorvalue_list"),
    (_("年度目标"), "figures:target_list"), (_("指标目录"), "figures:indicator_list"),
], before=_("数据"))

EXTRA_ROUTES.append(("indicators", IndicatorViewSet, "indicator"))
EXTRA_ROUTES.append(("zone-figures", ZoneFiguresViewSet, "zone-figures"))
