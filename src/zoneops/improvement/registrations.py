"""Features, menu entries and tabs of this app."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, Tab, for_model, register
from zoneops.core.views_home import HOME_CARDS
from zoneops.registry.models import Enterprise

from . import tabs
from .api.serializers import ImprovementPlanSerializer, PolicyItemSerializer
from .filtersets import ImprovementPlanFilterSet, PolicyItemFilterSet
from .forms import ImprovementPlanForm, PolicyItemForm
from .models import ImprovementPlan, PolicyItem
from .tables import ImprovementPlanTable, PolicyItemTable
from .views import PlanDetailView, PlanEditView

register(Feature(
    model=ImprovementPlan, slug="plans", table=ImprovementPlanTable, filterset=ImprovementPlanFilterSet,
    form=ImprovementPlanForm, serializer=ImprovementPlanSerializer,
    select_related=("zone", "enterprise", "owner"), prefetch_related=("measures", "notes__author"),
    detail_fields=("enterprise", "title", "eval_year", "eval_class", "eval_total", "situation", "target_tax_per_mu",
                   "target_class", "target_text", "owner", "deadline", "status", "stop_reason", "zone"),
    views={"detail": PlanDetailView, "edit": PlanEditView},
))
# Values come from each zone's own documents: only its admins enter them.
register(Feature(
    model=PolicyItem, slug="policies", table=PolicyItemTable, filterset=PolicyItemFilterSet, form=PolicyItemForm,
    serializer=PolicyItemSerializer, select_related=("zone",), write_action="admin",
))

for_model(Enterprise).tabs.append(
    Tab("improvement", _("差别化政策与一企一策"), "improvement/tab_enterprise.html", tabs.enterprise_improvement))

# The same group label as the evaluation app's, so that the entries merge into one group.
add_menu(_("亩均评价"), [(_("低效用地候选"), "improvement:candidates"),
                        (_("一企一策"), "improvement:improvementplan_list"),
                        (_("差别化政策"), "improvement:policy_table")])


def _open_plans_card(zone, user):
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from .models import OPEN_STATUSES

    # One aggregate query; no card in a zone that has no open plans.
    counts = ImprovementPlan.objects.filter(zone=zone, status__in=OPEN_STATUSES).aggregate(
        open=Count("id"), late=Count("id", filter=Q(deadline__lt=timezone.localdate())))
    if not counts["open"]:
        return []
    late = counts["late"]
    url = reverse("improvement:improvementplan_list")
    return [{"label": _("一企一策逾期"), "value": late, "url": f"{url}?zone={zone.pk}&overdue=1",
             "tone": "danger" if late else ""}]


HOME_CARDS.append(_open_plans_card)
