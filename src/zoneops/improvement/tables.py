import django_tables2 as tables
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import ImprovementPlan, MeasureCategory, PolicyItem

CATEGORY_NAMES = dict(MeasureCategory.choices)


class ImprovementPlanTable(ZoneTable):
    title = tables.Column(linkify=record_link, verbose_name=_("方案名称"), order_by=("title", "enterprise__name"),
                          empty_values=())
    enterprise = tables.Column(linkify=True, verbose_name=_("企业"), order_by=("enterprise__name",))
    uscc = tables.Column(accessor="enterprise__uscc", verbose_name=_("统一社会信用代码"))
    categories = tables.Column(verbose_name=_("措施类别"), accessor="pk", orderable=False)
    owner = tables.Column(verbose_name=_("责任人"), order_by=("owner__username",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("title", "enterprise", "eval_year", "eval_class", "target_class", "categories", "owner",
                       "deadline", "status")

    class Meta(ZoneTable.Meta):
        model = ImprovementPlan
        fields = ("title", "enterprise", "uscc", "eval_year", "eval_class", "eval_total", "target_tax_per_mu",
                  "target_class", "categories", "owner", "deadline", "status", "stop_reason", "zone", "created",
                  "updated")

    def render_title(self, record):
        return str(record)

    def value_title(self, record):
        return str(record)

    def _categories(self, record):
        # `measures` is prefetched by the feature: no query per row.
        seen = dict.fromkeys(m.category for m in record.measures.all())
        return [str(CATEGORY_NAMES.get(c, c)) for c in seen]

    def render_categories(self, record):
        names = self._categories(record)
        if not names:
            return "—"
        return format_html_join("", '<span class="badge text-bg-light border me-1">{}</span>', ((n,) for n in names))

    def value_categories(self, record):
        return "、".join(self._categories(record))

    def render_owner(self, value):
        return value.get_full_name() or value.username

    def value_owner(self, value):
        return value.get_full_name() or value.username


class PolicyItemTable(ZoneTable):
    item = tables.Column(linkify=record_link)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("class_code", "item", "value", "note", "order", "zone")

    class Meta(ZoneTable.Meta):
        model = PolicyItem
        fields = ("class_code", "item", "value", "note", "order", "zone", "updated")
