import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import Adjustment, Exemption, MergeGroup, Objection, Result, Run


class RunTable(ZoneTable):
    id = tables.Column(linkify=record_link, verbose_name=_("编号"))
    title = tables.Column(linkify=record_link, verbose_name=_("名称"), empty_values=(), order_by=("year", "id"))
    ruleset_version = tables.Column(verbose_name=_("规则版本"), order_by=("ruleset_version_id",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    counts = tables.Column(verbose_name=_("分档（A/B/C/D）"), empty_values=(), orderable=False)
    default_columns = ("id", "title", "year", "ruleset_version", "state", "status", "input_rows", "counts",
                       "zone", "created")

    class Meta(ZoneTable.Meta):
        model = Run
        fields = ("id", "title", "year", "ruleset_version", "state", "status", "input_rows", "publish_from",
                  "publish_to", "input_digest", "seconds", "zone", "created")

    def render_title(self, record):
        return str(record)

    def render_counts(self, record):
        total = {}
        for per_group in (record.class_counts or {}).values():
            for cls, n in per_group.items():
                if cls:
                    total[cls] = total.get(cls, 0) + n
        return " / ".join(f"{c} {n}" for c, n in sorted(total.items())) or "—"


class ResultTable(ZoneTable):
    enterprise = tables.Column(linkify=record_link, verbose_name=_("企业"), order_by=("enterprise__name",))
    uscc = tables.Column(accessor="enterprise__uscc", verbose_name=_("统一社会信用代码"))
    run = tables.Column(verbose_name=_("评价批次"), linkify=True, order_by=("run_id",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("enterprise", "uscc", "run", "group", "land_mu", "total", "rank", "class_code",
                       "final_class", "zone")

    class Meta(ZoneTable.Meta):
        model = Result
        fields = ("enterprise", "uscc", "run", "group", "included", "exclusion_reason", "exempt",
                  "exemption_reason", "land_mu", "total", "rank", "group_size", "percentile", "class_code",
                  "final_class", "class_note", "zone")

    def render_total(self, value):
        return f"{value:.2f}"

    def render_land_mu(self, value):
        return f"{value:.2f}"

    def render_percentile(self, value):
        return f"{value:.1f}"


class ExemptionTable(ZoneTable):
    enterprise = tables.Column(linkify=record_link, verbose_name=_("企业"), order_by=("enterprise__name",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("enterprise", "year", "reason", "zone")

    class Meta(ZoneTable.Meta):
        model = Exemption
        fields = ("enterprise", "year", "reason", "zone", "updated")


class AdjustmentTable(ZoneTable):
    enterprise = tables.Column(linkify=record_link, verbose_name=_("企业"), order_by=("enterprise__name",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("enterprise", "year", "code", "reason", "zone")

    class Meta(ZoneTable.Meta):
        model = Adjustment
        fields = ("enterprise", "year", "code", "reason", "zone", "updated")


class MergeGroupTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    enterprises = tables.ManyToManyColumn(verbose_name=_("合并企业"), separator="、", orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "year", "enterprises", "reason", "zone")

    class Meta(ZoneTable.Meta):
        model = MergeGroup
        fields = ("name", "year", "enterprises", "reason", "zone", "updated")


class ObjectionTable(ZoneTable):
    id = tables.Column(linkify=record_link, verbose_name=_("编号"))
    enterprise = tables.Column(accessor="result__enterprise__name", verbose_name=_("企业"),
                               order_by=("result__enterprise__name",))
    run = tables.Column(verbose_name=_("评价批次"), linkify=True, order_by=("run_id",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("id", "enterprise", "run", "status", "by_enterprise", "created", "zone")

    class Meta(ZoneTable.Meta):
        model = Objection
        fields = ("id", "enterprise", "run", "text", "status", "by_enterprise", "decision_reason", "new_class",
                  "created", "decided_at", "zone")
