"""Features, menu entries, tabs, portal section and home card of the per-mu evaluation."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, Tab, for_model, register
from zoneops.core.portal import PORTAL_SECTIONS, PortalSection
from zoneops.core.views_home import HOME_CARDS
from zoneops.registry.models import Enterprise

from . import tabs, views
from .api.serializers import ResultSerializer, RunSerializer
from .filtersets import (
                         AdjustmentFilterSet,
                         ExemptionFilterSet,
                         MergeGroupFilterSet,
                         ObjectionFilterSet,
                         ResultFilterSet,
                         RunFilterSet,
)
from .forms import AdjustmentForm, ExemptionForm, MergeGroupForm
from .models import Adjustment, Exemption, MergeGroup, Objection, Result, Run
from .tables import (
                         AdjustmentTable,
                         ExemptionTable,
                         MergeGroupTable,
                         ObjectionTable,
                         ResultTable,
                         RunTable,
)

register(Feature(
    model=Run, slug="runs", table=RunTable, filterset=RunFilterSet, serializer=RunSerializer,
    serializer_readonly=True, select_related=("zone", "ruleset_version__ruleset"),
    views={"list": views.RunListView, "detail": views.RunDetailView},
))
register(Feature(
    model=Result, slug="results", table=ResultTable, filterset=ResultFilterSet, serializer=ResultSerializer,
    serializer_readonly=True, select_related=("zone", "enterprise", "run"),
    detail_fields=("enterprise", "run", "group", "included", "exclusion_reason", "exempt", "exemption_reason",
                   "land_mu", "total", "rank", "group_size", "percentile", "class_code", "final_class",
                   "class_note"),
    tabs=[Tab("items", _("指标明细与调档"), "evaluation/result_items.html", tabs.result_items)],
))
register(Feature(
    model=Objection, slug="objections", table=ObjectionTable, filterset=ObjectionFilterSet,
    select_related=("zone", "run", "result__enterprise"), views={"detail": views.ObjectionDetailView},
))
register(Feature(
    model=Exemption, slug="exemptions", table=ExemptionTable, filterset=ExemptionFilterSet, form=ExemptionForm,
    select_related=("zone", "enterprise"),
))
register(Feature(
    model=Adjustment, slug="adjustments", table=AdjustmentTable, filterset=AdjustmentFilterSet,
    form=AdjustmentForm, select_related=("zone", "enterprise"),
))
register(Feature(
    model=MergeGroup, slug="merges", table=MergeGroupTable, filterset=MergeGroupFilterSet, form=MergeGroupForm,
    select_related=("zone",), prefetch_related=("enterprises",),
))

for_model(Enterprise).tabs.append(Tab("evaluation", _("亩均评价"), "evaluation/tab_enterprise.html",
                                      tabs.enterprise_evaluation))

add_menu(_("亩均评价"), [
    (_("评价批次"), "evaluation:run_list"), (_("评价结果"), "evaluation:result_list"),
    (_("评价规则"), "evaluation:ruleset_list"), (_("异议"), "evaluation:objection_list"),
    (_("免评企业"), "evaluation:exemption_list"), (_("加减分"), "evaluation:adjustment_list"),
    (_("合并评价"), "evaluation:mergegroup_list"),
], before=_("数据"))

PORTAL_SECTIONS.append(PortalSection("evaluation", _("亩均评价结果"), "evaluation/portal_section.html",
                                     context=tabs.portal_evaluation, order=20))
HOME_CARDS.append(tabs.home_cards)
