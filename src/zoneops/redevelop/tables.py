import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import CandidateRule, RedevelopmentCase


class CandidateRuleTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "active", "zone", "classes", "max_tax_per_mu", "max_far", "idle_months", "min_area_mu", "combine",
                       "include_marked")

    class Meta(ZoneTable.Meta):
        model = CandidateRule
        fields = ("name", "active", "zone", "classes", "max_tax_per_mu", "max_far", "idle_months", "min_area_mu", "combine",
                  "include_marked", "note", "updated")


class RedevelopmentCaseTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    parcel_codes = tables.Column(verbose_name=_("地块"), accessor="pk", orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "approach", "extent", "status", "parcel_codes", "area_mu", "far_before", "far_after",
                       "tax_per_mu_before", "tax_per_mu_after", "opened_on", "completed_on")

    class Meta(ZoneTable.Meta):
        model = RedevelopmentCase
        fields = ("name", "approach", "extent", "status", "parcel_codes", "area_mu", "target_far", "far_before",
                  "far_after", "tax_per_mu_before", "tax_per_mu_after", "planned_investment", "freed_floor_m2",
                  "new_floor_m2", "opened_on", "completed_on", "stop_reason", "notes", "zone", "updated")

    def _codes(self, record):
        # `parcels` is prefetched by the feature: no query per row.
        return "、".join(p.code for p in record.parcels.all())

    def render_parcel_codes(self, record):
        return self._codes(record) or "—"

    def value_parcel_codes(self, record):
        return self._codes(record)
