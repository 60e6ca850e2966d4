"""Features, menu entries, tabs, home cards and the portal section of 为企服务."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.context_processors import DEPARTMENT_MENU, PORTAL_MENU, add_menu
from zoneops.core.features import Feature, Tab, for_model, register
from zoneops.core.portal import PORTAL_SECTIONS, ROLE_HOMES, PortalSection
from zoneops.core.views_home import HOME_CARDS
from zoneops.registry.models import Enterprise

from . import views
from .api.serializers import (DeadlineRuleSerializer, DepartmentSerializer, ProblemCategorySerializer,
                              ProblemSerializer, VisitSerializer)
from .api.views import ProblemViewSet
from .filtersets import (DeadlineRuleFilterSet, DepartmentFilterSet, ProblemCategoryFilterSet, ProblemFilterSet,
                         VisitFilterSet)
from .forms import DeadlineRuleForm, DepartmentForm, ProblemCategoryForm, ProblemForm, VisitForm
from .models import DeadlineRule, Department, Problem, ProblemCategory, Visit
from .tables import DeadlineRuleTable, DepartmentTable, ProblemCategoryTable, ProblemTable, VisitTable

problems = register(Feature(
    model=Problem, slug="problems", table=ProblemTable, filterset=ProblemFilterSet, form=ProblemForm,
    serializer=ProblemSerializer, select_related=("zone", "enterprise", "category", "department", "handler", "officer"),
    detail_fields=("enterprise", "source", "category", "priority", "received_on", "officer", "department", "handler",
                   "assigned_on", "deadline", "escalation_level", "answered_on", "on_time", "closed_on", "rating",
                   "visit", "zone"),
    views={"detail": views.ProblemDetailView, "edit": views.ProblemEditView},
))
# The API of problems admits department and enterprise users to what Problem.objects.restrict gives them.
problems.api_viewset = ProblemViewSet
register(Feature(model=Visit, slug="visits", table=VisitTable, filterset=VisitFilterSet, form=VisitForm,
                 serializer=VisitSerializer, select_related=("zone", "enterprise"), prefetch_related=("officers",),
                 tabs=[Tab("problems", _("登记的诉求"), "service/visit_tab.html", views.visit_tab)]))
register(Feature(model=Department, slug="departments", table=DepartmentTable, filterset=DepartmentFilterSet,
                 form=DepartmentForm, serializer=DepartmentSerializer, select_related=("zone",),
                 prefetch_related=("heads", "members")))
register(Feature(model=ProblemCategory, slug="categories", table=ProblemCategoryTable,
                 filterset=ProblemCategoryFilterSet, form=ProblemCategoryForm, serializer=ProblemCategorySerializer,
                 select_related=("zone",)))
register(Feature(model=DeadlineRule, slug="deadlines", table=DeadlineRuleTable, filterset=DeadlineRuleFilterSet,
                 form=DeadlineRuleForm, serializer=DeadlineRuleSerializer, select_related=("zone", "category")))

add_menu(_("为企服务"), [
    (_("企业诉求"), "service:problem_list"), (_("部门待办"), "service:inbox"), (_("我服务的企业"), "service:my_firms"),
    (_("走访记录"), "service:visit_list"), (_("未走访企业"), "service:not_visited"),
    (_("服务统计"), "service:figures"), (_("通知"), "service:notifications"),
    (_("承办部门"), "service:department_list"), (_("诉求类别"), "service:problemcategory_list"),
    (_("办理时限"), "service:deadlinerule_list"),
], before=_("数据"))
add_menu(_("部门"), [(_("部门待办"), "service:inbox")], menu=DEPARTMENT_MENU)
add_menu(_("服务"), [(_("通知"), "service:notifications")], menu=PORTAL_MENU)

ROLE_HOMES["department"] = "service:inbox"
PORTAL_SECTIONS.append(PortalSection("problems", _("我的诉求"), "service/portal_section.html",
                                     context=views.portal_section, order=10))
HOME_CARDS.append(views.home_cards)
for_model(Enterprise).tabs.append(Tab("service", _("走访与诉求"), "service/enterprise_tab.html", views.enterprise_tab))
