import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from zoneops.core.tables import ZoneTable, record_link

from . import engine
from .models import DeadlineRule, Department, Problem, ProblemCategory, Visit

LEVEL_BADGES = {engine.REMINDER: "bg-info text-dark", engine.YELLOW: "bg-warning text-dark", engine.RED: "bg-danger"}


class ProblemTable(ZoneTable):
    title = tables.Column(linkify=record_link)
    enterprise = tables.Column(verbose_name=_("企业"), order_by=("enterprise__name",))
    category = tables.Column(verbose_name=_("类别"), order_by=("category__order",))
    department = tables.Column(verbose_name=_("承办部门"), order_by=("department__name",))
    handler = tables.Column(verbose_name=_("经办人"))
    officer = tables.Column(verbose_name=_("服务专员"))
    escalation_level = tables.Column(verbose_name=_("督办"))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("title", "enterprise", "category", "state", "department", "deadline", "escalation_level",
                       "received_on")

    class Meta(ZoneTable.Meta):
        model = Problem
        fields = ("title", "enterprise", "source", "category", "priority", "state", "department", "handler",
                  "officer", "received_on", "assigned_on", "deadline", "escalation_level", "answered_on",
                  "closed_on", "rating", "description", "zone", "updated")

    def render_escalation_level(self, value, record):
        if not record.escalation_level:
            return "—"
        return format_html('<span class="badge {}">{}</span>', LEVEL_BADGES[record.escalation_level],
                           record.get_escalation_level_display())

    def value_escalation_level(self, record):
        return record.get_escalation_level_display() if record.escalation_level else ""

    def render_deadline(self, value, record):
        if value is None:
            return "—"
        if record.is_overdue:
            return format_html('<span class="text-danger fw-bold">{} {}</span>', value.isoformat(), _("超期"))
        return value.isoformat()

    def value_deadline(self, value):
        return value


class DepartmentTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    heads = tables.ManyToManyColumn(verbose_name=_("负责人"), separator="、", orderable=False)
    members = tables.ManyToManyColumn(verbose_name=_("成员"), separator="、", orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "heads", "members", "phone", "zone")

    class Meta(ZoneTable.Meta):
        model = Department
        fields = ("name", "heads", "members", "phone", "zone", "updated")


class ProblemCategoryTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("name", "order", "active", "zone")

    class Meta(ZoneTable.Meta):
        model = ProblemCategory
        fields = ("name", "order", "active", "zone", "updated")


class DeadlineRuleTable(ZoneTable):
    id = tables.Column(verbose_name=_("规则"), linkify=record_link)
    category = tables.Column(verbose_name=_("诉求类别"), default=_("所有类别"))
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("id", "category", "priority", "working_days", "zone")

    class Meta(ZoneTable.Meta):
        model = DeadlineRule
        fields = ("id", "category", "priority", "working_days", "zone", "updated")

    def render_priority(self, value, record):
        return value or _("所有紧急程度")


class VisitTable(ZoneTable):
    date = tables.DateColumn(format="Y-m-d", linkify=record_link)
    enterprise = tables.Column(verbose_name=_("企业"), linkify=True, order_by=("enterprise__name",))
    officers = tables.ManyToManyColumn(verbose_name=_("走访人员"), separator="、", orderable=False)
    zone = tables.Column(accessor="zone__name", verbose_name=_("开发区"), order_by=("zone__code",))
    default_columns = ("date", "enterprise", "officers", "people_met", "notes", "zone")

    class Meta(ZoneTable.Meta):
        model = Visit
        fields = ("date", "enterprise", "officers", "people_met", "notes", "zone", "updated")
