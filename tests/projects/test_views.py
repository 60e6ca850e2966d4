"""The shared view / permission / export / API matrix for the project features."""
import datetime as dt

from zoneops.projects.models import Approval, Meeting, MeetingSeries, ProjectType, StageEvent

from ..core.viewtests import FeatureTests, ReadOnlyTests
from ..registry import factories as reg
from . import factories


class TestProjectViews(FeatureTests):
    feature_key = "projects.project"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"name": "改名后的项目", "agreed_investment": "50000.00"}
    api_changes = {"name": "接口改名项目"}

    def make(self, zone, i, **kw):
        return factories.project(zone, i, **kw)

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"size": "10"}, {"agreed_investment": 100000}, {"agreed_investment": 99999}),
                ({"plan": "behind"}, {"planned_signed": dt.date(2020, 1, 1)}, {"planned_signed": dt.date(2099, 1, 1)})]

    def tab_content(self, obj):
        return {"approvals": ["施工许可证"], "timeline": ["登记项目"]}

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新项目{i}", "project_type": factories.ptype(zone).pk,
                "investor_name": "区外投资有限公司", "agreed_investment": "30000", "fixed_investment": "20000",
                "source": "referral"}

    def invalid_cases(self, zone):
        return [({"investor_name": ""}, "investor_name", "投资方名称"),
                ({"fixed_investment": "40000"}, "fixed_investment", "不能大于协议总投资")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口项目{i}", "project_type": factories.ptype(zone).pk,
                "investor_name": "区外投资有限公司", "agreed_investment": "30000"}

    def api_invalid_cases(self, zone):
        return [({"investor_name": ""}, "investor_name", "投资方名称"),
                ({"agreed_investment": "-1"}, "agreed_investment", "不能为负数")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "investor": reg.enterprise(zone_a, 70).pk}, "investor"),
                ({**self.api_data(zone_b, 2), "project_type": factories.ptype(zone_a).pk}, "project_type")]


class TestProjectTypeViews(FeatureTests):
    feature_key = "projects.projecttype"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"name": "改名类型"}
    api_changes = {"name": "接口改名类型"}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.code}类型{i}")
        kw.setdefault("stages", ["lead", "talks", "signed"])
        return ProjectType.objects.create(zone=zone, **kw)

    def marker(self, obj):
        return obj.name

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新类型{i}", "stages": ["lead", "signed", "started"],
                "approvals": "立项/备案\n施工许可证", "order": "5"}

    def invalid_cases(self, zone):
        self.make(zone, 9, name="已有类型")
        return [({"name": "已有类型"}, "name", "已有同名的项目类型"), ({"stages": []}, "stages", "必填")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口类型{i}", "stages": ["lead", "signed"], "approvals": ["立项/备案"]}

    def api_invalid_cases(self, zone):
        return [({"stages": ["nope"]}, "stages", "未知阶段")]


class TestApprovalViews(FeatureTests):
    feature_key = "projects.approval"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "note"
    edit_changes = {"applied_on": "2024-01-02", "granted_on": "2024-01-05"}
    api_changes = {"note": "接口说明"}

    def make(self, zone, i, **kw):
        p = kw.pop("project", None) or factories.project(zone, 100 + i, project_type=factories.bare_type(zone))
        kw.setdefault("name", f"{zone.code}审批{i}")
        return Approval.objects.create(zone=zone, project=p, **kw)

    def marker(self, obj):
        return obj.name

    def form_data(self, zone, i):
        return {"zone": zone.pk, "project": factories.project(zone, 200 + i, project_type=factories.bare_type(zone)).pk, "name": f"新审批{i}", "order": "1",
                "applied_on": "2023-12-29", "granted_on": "2024-01-02"}

    def invalid_cases(self, zone):
        return [({"applied_on": "2024-01-05", "granted_on": "2023-12-01"}, "granted_on", "不能早于申请日期")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "project": factories.project(zone, 300 + i, project_type=factories.bare_type(zone)).pk, "name": f"接口审批{i}",
                "applied_on": "2024-01-01"}

    def api_invalid_cases(self, zone):
        return [({"applied_on": "2024-01-05", "granted_on": "2023-12-01"}, "granted_on", "不能早于申请日期")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "project": factories.project(zone_a, 77, project_type=factories.bare_type(zone_a)).pk}, "project")]


class TestStageEventViews(ReadOnlyTests):
    feature_key = "projects.stageevent"
    search_fields = ("note",)
    sort_columns = {"note": str}
    formula_field = "note"

    def make(self, zone, i, **kw):
        p = factories.project(zone, 400 + i)
        kw.setdefault("note", f"{zone.code}变更{i}")
        return StageEvent.objects.create(zone=zone, project=p, from_stage="lead", to_stage="talks", **kw)

    def marker(self, obj):
        return obj.note


class TestMeetingSeriesViews(FeatureTests):
    feature_key = "projects.meetingseries"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"cadence_days": "7"}
    api_changes = {"cadence_days": 7}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.code}调度{i}")
        return MeetingSeries.objects.create(zone=zone, **kw)

    def marker(self, obj):
        return obj.name

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新调度会{i}", "cadence_days": "14"}

    def invalid_cases(self, zone):
        return [({"cadence_days": "0"}, "cadence_days", "周期至少 1 天")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口调度会{i}", "cadence_days": 14}

    def api_invalid_cases(self, zone):
        return [({"cadence_days": 0}, "cadence_days", "周期至少 1 天")]


class TestMeetingViews(FeatureTests):
    feature_key = "projects.meeting"
    search_fields = ("location",)
    sort_columns = {"location": str}
    formula_field = "location"
    edit_changes = {"chair": "新主持人"}
    api_changes = {"chair": "接口主持人"}

    def make(self, zone, i, **kw):
        s = MeetingSeries.objects.filter(zone=zone).first() or factories.series(zone)
        kw.setdefault("location", f"{zone.code}会议室{i}")
        return Meeting.objects.create(zone=zone, series=s, held_on=dt.date(2024, 1, 1) + dt.timedelta(days=i), **kw)

    def marker(self, obj):
        return obj.location

    def form_data(self, zone, i):
        s = MeetingSeries.objects.filter(zone=zone).first() or factories.series(zone)
        return {"zone": zone.pk, "series": s.pk, "held_on": f"2025-03-{10 + i}", "location": f"新会议室{i}"}

    def invalid_cases(self, zone):
        return [({"held_on": "不是日期"}, "held_on", "日期")]

    def api_data(self, zone, i):
        s = MeetingSeries.objects.filter(zone=zone).first() or factories.series(zone)
        return {"zone": zone.pk, "series": s.pk, "held_on": f"2025-04-{10 + i}", "location": f"接口会议室{i}"}

    def api_invalid_cases(self, zone):
        return [({"held_on": "x"}, "held_on", "日期")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "series": factories.series(zone_a).pk}, "series")]
