import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import Enterprise, EnterpriseYear, Parcel


class EnterpriseTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    industry = tables.Column(verbose_name=_("行业（小类）"), order_by=("industry_id",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    pools = tables.ManyToManyColumn(verbose_name=_("培育库"), separator="、", orderable=False)
    account_officer = tables.Column(verbose_name=_("服务专员"))
    default_columns = ("name", "uscc", "industry", "scale", "is_high_tech", "status", "zone")

    class Meta(ZoneTable.Meta):
        model = Enterprise
        fields = ("name", "uscc", "former_names", "industry", "industry_section", "industry_division", "scale",
                  "is_high_tech", "is_listed", "has_rd_center", "is_specialized", "status", "address",
                  "established", "account_officer", "pools", "zone", "updated")


class ParcelTable(ZoneTable):
    code = tables.Column(linkify=record_link)
    holder = tables.Column(linkify=True, verbose_name=_("使用企业"))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("code", "name", "area_mu", "land_use", "holder", "tenure", "floor_area_ratio", "status",
                       "zone")

    class Meta(ZoneTable.Meta):
        model = Parcel
        fields = ("code", "name", "area_mu", "land_use", "holder", "tenure", "floor_area_ratio", "status",
                  "address", "zone", "updated")


class EnterpriseYearTable(ZoneTable):
    year = tables.Column(linkify=record_link)
    enterprise = tables.Column(linkify=True, verbose_name=_("企业"), order_by=("enterprise__name",))
    uscc = tables.Column(accessor="enterprise__uscc", verbose_name=_("统一社会信用代码"))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("year", "enterprise", "uscc", "revenue", "tax", "value_added", "energy_tce", "employees",
                       "land_mu")

    class Meta(ZoneTable.Meta):
        model = EnterpriseYear
        fields = ("year", "enterprise", "uscc", "revenue", "tax", "value_added", "energy_tce", "emissions_t",
                  "employees", "rd_expense", "power_mwh", "land_mu", "land_note", "source", "zone", "updated")
