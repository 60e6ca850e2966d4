import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import Candidate, Chain, ChainMapping, Segment


class ChainTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    partner_zone = tables.Column(accessor="partner_zone__name", verbose_name=_("双链长合作开发区"))
    default_columns = ("name", "status", "chief_name", "chief_title", "office_contact", "zone")

    class Meta(ZoneTable.Meta):
        model = Chain
        fields = ("name", "status", "chief_name", "chief_title", "office_contact", "office_phone", "partner_zone",
                  "partner_chief", "template", "zone", "updated")


class SegmentTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    chain = tables.Column(accessor="chain__name", verbose_name=_("产业链"), order_by=("chain__name",))
    parent = tables.Column(accessor="parent__name", verbose_name=_("上级环节"))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "chain", "stage", "parent", "codes", "zone")

    class Meta(ZoneTable.Meta):
        model = Segment
        fields = ("name", "chain", "stage", "parent", "order", "codes", "keywords", "exclude_words", "products",
                  "note", "zone", "updated")


class ChainMappingTable(ZoneTable):
    enterprise = tables.Column(linkify=record_link, accessor="enterprise__name", verbose_name=_("企业"),
                               order_by=("enterprise__name",))
    uscc = tables.Column(accessor="enterprise__uscc", verbose_name=_("统一社会信用代码"))
    chain = tables.Column(accessor="chain__name", verbose_name=_("产业链"), order_by=("chain__name",))
    segment = tables.Column(accessor="segment__name", verbose_name=_("环节"), order_by=("segment__name",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("enterprise", "chain", "segment", "confidence", "source", "evidence")

    class Meta(ZoneTable.Meta):
        model = ChainMapping
        fields = ("enterprise", "uscc", "chain", "segment", "confidence", "source", "evidence", "decided_at", "zone",
                  "updated")

    def render_confidence(self, value):
        return f"{value:.2f}"

    def value_confidence(self, value):
        return round(value, 3)


class CandidateTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    industry = tables.Column(verbose_name=_("行业（小类）"), order_by=("industry_id",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "province", "city", "industry", "revenue", "is_listed", "status", "zone")

    class Meta(ZoneTable.Meta):
        model = Candidate
        fields = ("name", "province", "city", "industry", "products", "revenue", "is_listed", "status", "notes",
                  "zone", "updated")
