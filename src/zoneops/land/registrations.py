"""Features, menu entries, tabs, the transitions API route and home cards of the land lifecycle."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.api.router import EXTRA_ROUTES
from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, Tab, for_model, register
from zoneops.core.views_home import HOME_CARDS
from zoneops.projects.models import Project
from zoneops.registry.models import Parcel

from . import views
from .api.serializers import (AcquisitionProgressSerializer, AcquisitionSerializer, ParcelEventSerializer,
                              SaleSerializer, SpaceLeaseSerializer, SpaceSerializer)
from .filtersets import (AcquisitionFilterSet, AcquisitionProgressFilterSet, ParcelEventFilterSet, SaleFilterSet,
                         SpaceFilterSet, SpaceLeaseFilterSet)
from .forms import AcquisitionForm, AcquisitionProgressForm, SaleForm, SpaceForm, SpaceLeaseForm
from .models import Acquisition, AcquisitionProgress, ParcelEvent, Sale, Space, SpaceLease
from .tables import (AcquisitionProgressTable, AcquisitionTable, ParcelEventTable, SaleTable, SpaceLeaseTable,
                     SpaceTable)


def _acquisition_progress(request, acquisition):
    return {"progress": list(acquisition.progress.order_by("on", "id"))}


def _space_leases(request, space):
    return {"leases": list(space.leases.select_related("project", "enterprise").order_by("-start_on", "-id")[:500])}


# Events are written by services.transition() only: read-only pages and API (POST goes to
# /api/parcel-transitions/, which applies the same rules as the parcel page).
register(Feature(
    model=ParcelEvent, slug="parcel-events", table=ParcelEventTable, filterset=ParcelEventFilterSet,
    serializer=ParcelEventSerializer, serializer_readonly=True, select_related=("zone", "parcel", "user"),
    detail_fields=("parcel", "kind", "from_status", "to_status", "on", "area_mu", "user", "note", "details"),
))
register(Feature(
    model=Acquisition, slug="acquisitions", table=AcquisitionTable, filterset=AcquisitionFilterSet,
    form=AcquisitionForm, serializer=AcquisitionSerializer, select_related=("zone", "parcel"),
    detail_fields=("name", "parcel", "area_mu", "started_on", "households_total", "households_signed", "firms_total",
                   "firms_signed", "cleared_on", "note"),
    tabs=[Tab("progress", _("签约进度"), "land/tab_acquisition_progress.html", _acquisition_progress)],
))
register(Feature(
    model=AcquisitionProgress, slug="acquisition-progress", table=AcquisitionProgressTable,
    filterset=AcquisitionProgressFilterSet, form=AcquisitionProgressForm, serializer=AcquisitionProgressSerializer,
    select_related=("zone", "acquisition"),
))
register(Feature(
    model=Sale, slug="sales", table=SaleTable, filterset=SaleFilterSet, form=SaleForm, serializer=SaleSerializer,
    select_related=("zone", "parcel", "buyer"),
))
register(Feature(
    model=Space, slug="spaces", table=SpaceTable, filterset=SpaceFilterSet, form=SpaceForm,
    serializer=SpaceSerializer, select_related=("zone", "parcel"), refresh=lambda qs: qs.refresh_free(),
    detail_fields=("name", "kind", "address", "floors", "total_m2", "free_m2", "rent", "operator", "parcel"),
    tabs=[Tab("leases", _("租用情况"), "land/tab_space_leases.html", _space_leases)],
))
register(Feature(
    model=SpaceLease, slug="space-leases", table=SpaceLeaseTable, filterset=SpaceLeaseFilterSet,
    form=SpaceLeaseForm, serializer=SpaceLeaseSerializer, select_related=("zone", "space", "project", "enterprise"),
))

EXTRA_ROUTES.append(("parcel-transitions", views.TransitionViewSet, "parcel-transition"))

for_model(Parcel).tabs.append(Tab("land", _("土地流转"), "land/tab_parcel.html", views.parcel_tab))
for_model(Project).tabs.append(Tab("space", _("厂房租用"), "land/tab_project_space.html", views.project_space))

add_menu(_("土地要素"), [
    (_("土地流转统计"), "land:figures"), (_("地块"), "registry:parcel_list"), (_("流转记录"), "land:parcelevent_list"),
    (_("征收项目"), "land:acquisition_list"), (_("土地出让"), "land:sale_list"), (_("标准厂房"), "land:space_list"),
    (_("厂房租用"), "land:spacelease_list"),
], before=_("数据"))


def _home_cards(zone, user):
    """Land ready to offer (已做地 + 挂牌) and land under acquisition, in one query."""
    from django.db.models import Q, Sum
    from django.urls import reverse

    c = Parcel.objects.filter(zone=zone).aggregate(
        ready=Sum("area_mu", filter=Q(status__in=["ready", "listed"])),
        acquiring=Sum("area_mu", filter=Q(status="acquiring")))
    url = reverse("land:figures") + f"?zone={zone.pk}&preset=year"
    return [{"label": "可供土地（已做地、挂牌，亩）", "value": round(float(c["ready"] or 0), 1), "url": url, "tone": ""},
            {"label": "征收中土地（亩）", "value": round(float(c["acquiring"] or 0), 1), "url": url, "tone": ""}]


HOME_CARDS.append(_home_cards)
