import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from .models import Approval, Meeting, MeetingSeries, Project, ProjectType, StageEvent


class ProjectTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    investor = tables.Column(accessor="investor_display", verbose_name=_("投资方"), order_by=("investor_name",))
    project_type = tables.Column(verbose_name=_("项目类型"), order_by=("project_type__order",))
    segment = tables.Column(verbose_name=_("产业链环节"), order_by=("segment__name",))
    lead_officer = tables.Column(verbose_name=_("招商专员"), order_by=("lead_officer__username",))
    plan_status = tables.Column(accessor="plan_status_label", verbose_name=_("进度"), order_by=("next_due",))
    size_band = tables.Column(accessor="size_band", verbose_name=_("规模档"), orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "investor", "project_type", "stage", "plan_status", "agreed_investment",
                       "fixed_investment", "land_mu", "lead_officer", "signed_on")

    class Meta(ZoneTable.Meta):
        model = Project
        fields = ("name", "investor", "project_type", "stage", "plan_status", "size_band", "agreed_investment",
                  "fixed_investment", "land_mu", "expected_output", "expected_tax", "segment", "chain_tag", "source",
                  "lead_officer", "responsible_leader", "signed_on", "land_on", "started_on", "entered_on",
                  "producing_on", "next_due", "zone", "updated")


class ProjectTypeTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    stages = tables.Column(accessor="stage_labels", verbose_name=_("阶段模板"), orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "stages", "order", "zone")

    class Meta(ZoneTable.Meta):
        model = ProjectType
        fields = ("name", "stages", "order", "zone")


class ApprovalTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    project = tables.Column(linkify=True, verbose_name=_("项目"), order_by=("project__name",))
    lead_days = tables.Column(accessor="lead_days", verbose_name=_("办理用时（天）"), orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("project", "name", "applied_on", "granted_on", "lead_days")

    class Meta(ZoneTable.Meta):
        model = Approval
        fields = ("project", "name", "applied_on", "granted_on", "lead_days", "note", "zone")


class StageEventTable(ZoneTable):
    time = tables.DateTimeColumn(linkify=record_link, format="Y-m-d H:i")
    project = tables.Column(linkify=True, verbose_name=_("项目"), order_by=("project__name",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("time", "project", "from_stage", "to_stage", "actual_on", "user_name", "note")

    class Meta(ZoneTable.Meta):
        model = StageEvent
        fields = ("time", "project", "from_stage", "to_stage", "actual_on", "user_name", "note", "zone")


class MeetingSeriesTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "cadence_days", "location", "chair", "zone")

    class Meta(ZoneTable.Meta):
        model = MeetingSeries
        fields = ("name", "cadence_days", "location", "chair", "attendees", "zone")


class MeetingTable(ZoneTable):
    held_on = tables.DateColumn(linkify=record_link, format="Y-m-d")
    series = tables.Column(verbose_name=_("调度会系列"), order_by=("series__name",))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("held_on", "series", "location", "chair", "zone")

    class Meta(ZoneTable.Meta):
        model = Meeting
        fields = ("held_on", "series", "location", "chair", "attendees", "notes", "zone")
