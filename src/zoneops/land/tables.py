import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import Acquisition, AcquisitionProgress, ParcelEvent, Sale, Space, SpaceLease

ZONE = dict(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))


class ParcelEventTable(ZoneTable):
    on = tables.Column(linkify=record_link)
    parcel = tables.Column(accessor="parcel__code", verbose_name=_("地块"), order_by=("parcel__code",),
                           linkify=lambda record: record.parcel.get_absolute_url())
    user = tables.Column(accessor="user__username", verbose_name=_("登记人"), order_by=("user__username",))
    zone = tables.Column(**ZONE)
    default_columns = ("on", "parcel", "kind", "from_status", "to_status", "area_mu", "user", "note")

    class Meta(ZoneTable.Meta):
        model = ParcelEvent
        fields = ("on", "parcel", "kind", "from_status", "to_status", "area_mu", "user", "note", "zone", "created")


class AcquisitionTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    parcel = tables.Column(accessor="parcel__code", verbose_name=_("地块"), order_by=("parcel__code",))
    progress = tables.Column(accessor="progress_pct", verbose_name=_("签约进度（%）"), orderable=False)
    days = tables.Column(accessor="days_to_clear", verbose_name=_("清零用时（天）"), orderable=False)
    zone = tables.Column(**ZONE)
    default_columns = ("name", "parcel", "area_mu", "started_on", "households_total", "households_signed",
                       "firms_total", "firms_signed", "progress", "cleared_on", "days")

    class Meta(ZoneTable.Meta):
        model = Acquisition
        fields = ("name", "parcel", "area_mu", "started_on", "households_total", "households_signed", "firms_total",
                  "firms_signed", "progress", "cleared_on", "days", "note", "zone", "updated")


class AcquisitionProgressTable(ZoneTable):
    on = tables.Column(linkify=record_link)
    acquisition = tables.Column(accessor="acquisition__name", verbose_name=_("征收项目"),
                                order_by=("acquisition__name",))
    zone = tables.Column(**ZONE)
    default_columns = ("on", "acquisition", "households_signed", "firms_signed", "note")

    class Meta(ZoneTable.Meta):
        model = AcquisitionProgress
        fields = ("on", "acquisition", "households_signed", "firms_signed", "note", "zone", "updated")


class SaleTable(ZoneTable):
    sold_on = tables.Column(linkify=record_link)
    parcel = tables.Column(accessor="parcel__code", verbose_name=_("地块"), order_by=("parcel__code",))
    buyer = tables.Column(accessor="buyer_label", verbose_name=_("受让人"), order_by=("buyer__name", "buyer_name"))
    unit_price = tables.Column(accessor="unit_price", verbose_name=_("单价（万元/亩）"), orderable=False)
    zone = tables.Column(**ZONE)
    default_columns = ("sold_on", "parcel", "buyer", "area_mu", "price_wan", "unit_price", "listed_on")

    class Meta(ZoneTable.Meta):
        model = Sale
        fields = ("sold_on", "parcel", "buyer", "area_mu", "price_wan", "unit_price", "listed_on", "zone", "updated")


class SpaceTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    occupancy = tables.Column(accessor="occupancy_pct", verbose_name=_("出租率（%）"), orderable=False)
    parcel = tables.Column(accessor="parcel__code", verbose_name=_("所在地块"), order_by=("parcel__code",))
    zone = tables.Column(**ZONE)
    default_columns = ("name", "kind", "floors", "total_m2", "free_m2", "occupancy", "rent", "operator")

    class Meta(ZoneTable.Meta):
        model = Space
        fields = ("name", "kind", "address", "floors", "total_m2", "free_m2", "occupancy", "rent", "operator", "parcel",
                  "zone", "updated")


class SpaceLeaseTable(ZoneTable):
    space = tables.Column(accessor="space__name", verbose_name=_("厂房/园区"), order_by=("space__name",),
                          linkify=record_link)
    project = tables.Column(accessor="project__name", verbose_name=_("招商项目"), order_by=("project__name",))
    enterprise = tables.Column(accessor="enterprise__name", verbose_name=_("企业"), order_by=("enterprise__name",))
    zone = tables.Column(**ZONE)
    default_columns = ("space", "project", "enterprise", "area_m2", "start_on", "end_on", "note")

    class Meta(ZoneTable.Meta):
        model = SpaceLease
        fields = ("space", "project", "enterprise", "area_m2", "start_on", "end_on", "note", "zone", "updated")
