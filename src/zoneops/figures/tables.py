import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import IndicatorValue, Target


class IndicatorValueTable(ZoneTable):
    indicator = tables.Column(linkify=record_link, verbose_name=_("指标"), order_by=("indicator__sort_order",))
    unit = tables.Column(accessor="indicator__unit", verbose_name=_("单位"), orderable=False)
    entered_by = tables.Column(verbose_name=_("填报人"), order_by=("entered_by__username",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("indicator", "year", "month", "value", "unit", "source", "entered_by", "note", "zone")

    def render_entered_by(self, value):
        from .services import _person

        return _person(value.first_name, value.last_name, value.get_username())

    def value_entered_by(self, value):
        return self.render_entered_by(value) if value else ""

    class Meta(ZoneTable.Meta):
        model = IndicatorValue
        fields = ("indicator", "year", "month", "value", "unit", "source", "entered_by", "note", "import_batch",
                  "zone", "updated")


class TargetTable(ZoneTable):
    indicator = tables.Column(linkify=record_link, verbose_name=_("指标"), order_by=("indicator__sort_order",))
    unit = tables.Column(accessor="indicator__unit", verbose_name=_("单位"), orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("year", "indicator", "value", "unit", "note", "zone")

    class Meta(ZoneTable.Meta):
        model = Target
        fields = ("year", "indicator", "value", "unit", "note", "zone", "updated")
