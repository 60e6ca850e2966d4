"""Features, menu entries and API routes of this app."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.api import router
from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, Tab, for_model, register
from zoneops.registry.models import Parcel

from .api.serializers import CandidateRuleSerializer, RedevelopmentCaseSerializer
from .api.views import CandidateViewSet, CaseViewSet
from .filtersets import CandidateRuleFilterSet, RedevelopmentCaseFilterSet
from .forms import CandidateRuleForm, RedevelopmentCaseForm
from .models import CandidateRule, RedevelopmentCase
from .tables import CandidateRuleTable, RedevelopmentCaseTable
from .tabs import parcel_cases
from .views import CaseDeleteView, CaseDetailView, CaseEditView, CaseListView

# A zone's rules decide what its staff are shown as 低效用地: only its admins set them.
register(Feature(
    model=CandidateRule, slug="candidate-rules", table=CandidateRuleTable, filterset=CandidateRuleFilterSet,
    form=CandidateRuleForm, serializer=CandidateRuleSerializer, select_related=("zone",), write_action="admin",
))
cases = register(Feature(
    model=RedevelopmentCase, slug="cases", table=RedevelopmentCaseTable, filterset=RedevelopmentCaseFilterSet,
    form=RedevelopmentCaseForm, serializer=RedevelopmentCaseSerializer, select_related=("zone",),
    prefetch_related=("parcels", "milestones", "case_parcels__parcel"),
    detail_fields=("name", "approach", "extent", "status", "opened_on", "completed_on", "target_far",
                   "planned_investment", "area_mu", "far_before", "far_after", "tax_per_mu_before", "tax_per_mu_after",
                   "freed_floor_m2", "new_floor_m2", "stop_reason", "notes", "zone"),
    views={"list": CaseListView, "detail": CaseDetailView, "edit": CaseEditView, "delete": CaseDeleteView},
))
cases.api_viewset = CaseViewSet  # adds start / complete / stop actions to /api/cases/<id>/
router.EXTRA_ROUTES.append(("redevelop-candidates", CandidateViewSet, "redevelop-candidate"))

for_model(Parcel).tabs.append(Tab("redevelop", _("改造项目"), "redevelop/tab_parcel.html", parcel_cases))

add_menu(_("土地要素"), [(_("低效用地"), "redevelop:candidates"),
                       (_("改造项目"), "redevelop:redevelopmentcase_list"),
                       (_("改造成效"), "redevelop:figures"),
                       (_("低效用地识别规则"), "redevelop:candidaterule_list")], before=_("数据"))
