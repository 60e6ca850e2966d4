"""Features, menu entries and tabs of this app."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, Tab, for_model, register
from zoneops.core.views_home import HOME_CARDS
from zoneops.registry.models import Enterprise

from . import views
from .api.serializers import (
    CandidateSerializer,
    ChainMappingSerializer,
    ChainSerializer,
    SegmentSerializer,
)
from .filtersets import (
    CandidateFilterSet,
    ChainFilterSet,
    ChainMappingFilterSet,
    SegmentFilterSet,
)
from .forms import CandidateForm, ChainForm, SegmentForm
from .models import Candidate, Chain, ChainMapping, Segment
from .tables import CandidateTable, ChainMappingTable, ChainTable, SegmentTable

register(Feature(
    model=Chain, slug="chains", table=ChainTable, filterset=ChainFilterSet, form=ChainForm,
    serializer=ChainSerializer, select_related=("zone", "partner_zone"), views={"detail": views.ChainPageView},
))
register(Feature(
    model=Segment, slug="segments", table=SegmentTable, filterset=SegmentFilterSet, form=SegmentForm,
    serializer=SegmentSerializer, select_related=("zone", "chain", "parent"), views={"detail": views.SegmentPageView},
))
register(Feature(
    model=ChainMapping, slug="mappings", table=ChainMappingTable, filterset=ChainMappingFilterSet,
    serializer=ChainMappingSerializer, serializer_readonly=True,
    select_related=("zone", "enterprise", "chain", "segment"),
    detail_fields=("enterprise", "chain", "segment", "confidence", "evidence", "source", "decided_by", "decided_at"),
))
register(Feature(
    model=Candidate, slug="candidates", table=CandidateTable, filterset=CandidateFilterSet, form=CandidateForm,
    serializer=CandidateSerializer, import_kind="candidates", select_related=("zone", "industry"),
    tabs=[Tab("segments", _("匹配环节"), "chains/tab_candidate_segments.html", views.candidate_matches_tab)],
))

add_menu(_("产业链"), [(_("产业链"), "chains:chain_list"), (_("链上企业"), "chains:chainmapping_list"),
                      (_("招商地图"), "chains:candidate_list"), (_("产业链模板"), "chains:templates")],
         before=_("数据"))

for_model(Enterprise).tabs.append(Tab("chains", _("产业链"), "chains/tab_enterprise.html",
                                      views.enterprise_chains_tab))
HOME_CARDS.append(views.home_card)
