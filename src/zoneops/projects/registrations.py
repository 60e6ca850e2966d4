"""Features, menu entries, tabs, home cards and the chains seam of the project pipeline."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.context_processors import add_menu
from zoneops.core.features import Feature, Tab, for_model, register
from zoneops.core.views_home import HOME_CARDS
from zoneops.registry.models import Enterprise

from . import tabs
from .api.serializers import (ApprovalSerializer, MeetingSerializer, MeetingSeriesSerializer, ProjectSerializer,
                              ProjectTypeSerializer, StageEventSerializer)
from .filtersets import (ApprovalFilterSet, MeetingFilterSet, MeetingSeriesFilterSet, ProjectFilterSet,
                         ProjectTypeFilterSet, StageEventFilterSet)
from .forms import ApprovalForm, MeetingForm, MeetingSeriesForm, ProjectForm, ProjectTypeForm
from .models import Approval, Meeting, MeetingSeries, Project, ProjectType, StageEvent
from .tables import (ApprovalTable, MeetingSeriesTable, MeetingTable, ProjectTable, ProjectTypeTable,
                     StageEventTable)


def _views():
    from . import views

    return views


register(Feature(
    model=Project, slug="projects", table=ProjectTable, filterset=ProjectFilterSet, form=ProjectForm,
    serializer=ProjectSerializer, import_kind="projects",
    select_related=("zone", "project_type", "investor", "segment", "lead_officer", "parcel"),
    tabs=[Tab("timeline", _("进度时间线"), "projects/tab_timeline.html", tabs.project_timeline),
          Tab("approvals", _("审批事项"), "projects/tab_approvals.html", tabs.project_approvals),
          Tab("problems", _("问题"), "projects/tab_problems.html", tabs.project_problems)],
    views={"detail": _views().ProjectDetailView},
))
register(Feature(
    model=ProjectType, slug="project-types", table=ProjectTypeTable, filterset=ProjectTypeFilterSet,
    form=ProjectTypeForm, serializer=ProjectTypeSerializer, select_related=("zone",), write_action="admin",
))
register(Feature(
    model=Approval, slug="project-approvals", table=ApprovalTable, filterset=ApprovalFilterSet, form=ApprovalForm,
    serializer=ApprovalSerializer, select_related=("zone", "project"),
))
register(Feature(
    model=StageEvent, slug="project-stage-events", table=StageEventTable, filterset=StageEventFilterSet,
    serializer=StageEventSerializer, serializer_readonly=True, select_related=("zone", "project"),
))
register(Feature(
    model=MeetingSeries, slug="dispatch-series", table=MeetingSeriesTable, filterset=MeetingSeriesFilterSet,
    form=MeetingSeriesForm, serializer=MeetingSeriesSerializer, select_related=("zone",),
    tabs=[Tab("meetings", _("历次会议"), "projects/tab_series_meetings.html", tabs.series_meetings)],
))
register(Feature(
    model=Meeting, slug="dispatch-meetings", table=MeetingTable, filterset=MeetingFilterSet, form=MeetingForm,
    serializer=MeetingSerializer, select_related=("zone", "series"), prefetch_related=("items",),
    views={"detail": _views().MeetingDetailView},
))

add_menu(_("招商项目"), [
    (_("项目看板"), "projects:board"), (_("项目库"), "projects:project_list"), (_("项目统计"), "projects:figures"),
    (_("招商专员"), "projects:officers"), (_("调度会"), "projects:meeting_list"),
    (_("审批事项"), "projects:approval_list"), (_("项目类型"), "projects:projecttype_list"),
], before=_("数据"))

for_model(Enterprise).tabs.append(Tab("projects", _("招商项目"), "projects/tab_enterprise.html",
                                      tabs.enterprise_projects))
HOME_CARDS.append(tabs.home_cards)


def _candidate_to_lead(candidate, user):
    from .services import lead_from_candidate

    return lead_from_candidate(candidate, user)


try:  # 招商地图 → 转为招商项目: the chains app calls this hook (chains.services.CANDIDATE_TO_LEAD)
    from zoneops.chains import services as chain_services

    chain_services.CANDIDATE_TO_LEAD = _candidate_to_lead
except ImportError:
    pass
