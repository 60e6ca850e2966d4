"""Registry features: enterprises, parcels, annual figures."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.features import Feature, Tab, register

from . import tabs
from .api.serializers import EnterpriseSerializer, EnterpriseYearSerializer, ParcelSerializer
from .filtersets import EnterpriseFilterSet, EnterpriseYearFilterSet, ParcelFilterSet
from .forms import EnterpriseForm, EnterpriseYearForm, ParcelForm
from .models import Enterprise, EnterpriseYear, Parcel
from .tables import EnterpriseTable, EnterpriseYearTable, ParcelTable

register(Feature(
    model=Enterprise, slug="enterprises", table=EnterpriseTable, filterset=EnterpriseFilterSet,
    form=EnterpriseForm, serializer=EnterpriseSerializer, import_kind="enterprises",
    select_related=("zone", "industry", "account_officer"), prefetch_related=("pools",),
    tabs=[Tab("land", _("用地"), "registry/tab_land.html", tabs.enterprise_land),
          Tab("figures", _("年度指标"), "registry/tab_figures.html", tabs.enterprise_figures)],
))
register(Feature(
    model=Parcel, slug="parcels", table=ParcelTable, filterset=ParcelFilterSet, form=ParcelForm,
    serializer=ParcelSerializer, import_kind="parcels", select_related=("zone", "holder"),
))
register(Feature(
    model=EnterpriseYear, slug="figures", table=EnterpriseYearTable, filterset=EnterpriseYearFilterSet,
    form=EnterpriseYearForm, serializer=EnterpriseYearSerializer, import_kind="figures",
    select_related=("zone", "enterprise"),
))
