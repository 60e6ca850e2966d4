"""The shared matrix for the 为企服务 features (problems, visits, departments, categories, deadline rules)."""
import datetime

from tests.conftest import make_user
import pytest

from tests.core.viewtests import ROLES, FeatureTests, changes_of, response_text
from zoneops.core.changelog import snapshot
from tests.registry import factories
from zoneops.core.models import Membership
from zoneops.service.models import DeadlineRule, Department, Problem, ProblemCategory, Visit

from .conftest import category


class TestProblemViews(FeatureTests):
    feature_key = "service.problem"
    search_fields = ("title",)
    sort_columns = {"title": str, "received_on": str}
    formula_field = "title"
    edit_changes = {"title": "屋顶漏水（已更正）", "priority": "urgent"}
    api_changes = {"title": "接口修改的标题"}

    def make(self, zone, i, **kw):
        ent = kw.pop("enterprise", None) or factories.enterprise(zone, 300 + i)
        kw.setdefault("title", f"{zone.name}用地诉求{i:03}")
        kw.setdefault("category", category(zone))
        kw.setdefault("received_on", datetime.date(2024, 1, 1) + datetime.timedelta(days=i))
        return Problem.objects.create(zone=zone, enterprise=ent, description="需要协调用地指标。", **kw)

    def marker(self, obj):
        return obj.title

    def filter_cases(self, zone):
        return [({"state": "closed"}, {"state": "closed"}, {"state": "received"}),
                ({"source": "hotline"}, {"source": "hotline"}, {"source": "visit"}),
                ({"category": category(zone, "融资").pk}, {"category": category(zone, "融资")}, {}),
                ({"overdue": "1"}, {"state": "assigned", "deadline": datetime.date(2020, 1, 2)},
                 {"state": "assigned", "deadline": datetime.date(2099, 1, 2)})]

    def tab_content(self, obj):
        return {"overview": [obj.title, "办理过程", "受理"]}

    def form_data(self, zone, i):
        ent = factories.enterprise(zone, 40 + i)
        return {"zone": zone.pk, "enterprise": ent.uscc, "title": f"新诉求{i}", "description": "用工招聘难",
                "source": "visit", "category": category(zone, "用工").pk, "priority": "normal",
                "received_on": "2024-05-06"}

    def invalid_cases(self, zone):
        return [({"title": ""}, "title", "该字段是必填项"),
                ({"enterprise": "91110000600037341X"}, "enterprise", "统一社会信用代码"),
                ({"category": ""}, "category", "该字段是必填项")]

    def api_data(self, zone, i):
        ent = factories.enterprise(zone, 60 + i)
        return {"zone": zone.pk, "enterprise": ent.pk, "title": f"接口诉求{i}", "description": "融资难",
                "source": "hotline", "category": category(zone, "融资").pk, "priority": "urgent"}

    def api_invalid_cases(self, zone):
        return [({"priority": "whenever"}, "priority", "不是合法选项")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "enterprise": factories.enterprise(zone_a, 70).pk}, "enterprise"),
                ({**self.api_data(zone_b, 2), "category": category(zone_a, "其他").pk}, "category")]

    @pytest.mark.parametrize("role", ROLES)
    def test_api_update(self, role, as_role, request, obj_a):
        """As the matrix's, with the version the client read (optimistic locking)."""
        client = as_role(role)
        before = snapshot(obj_a)
        r = self.post_json(client, self.api_url("detail", obj_a.pk), {**self.api_changes, "version": obj_a.version},
                           method="patch")
        if role in self.writers:
            assert r.status_code == 200, r.content.decode()
            assert r.json()["title"] == self.api_changes["title"] and r.json()["version"] == obj_a.version + 1
            change = changes_of(obj_a, "update").latest("id")
            assert change.user == request.getfixturevalue(role) and change.before["title"] == before["title"]
            return
        if role == "anonymous":
            assert r.status_code in (401, 403)
        else:
            assert r.status_code in (403, 404), (role, r.status_code)
            assert self.marker(obj_a) not in response_text(r)
        assert snapshot(Problem.objects.get(pk=obj_a.pk)) == before


class TestVisitViews(FeatureTests):
    feature_key = "service.visit"
    search_fields = ("people_met",)
    sort_columns = {"date": str}
    formula_field = "notes"
    edit_changes = {"people_met": "总经理 张伟", "date": "2024-06-03"}
    api_changes = {"notes": "企业反映用电增容需求"}

    def make(self, zone, i, **kw):
        ent = kw.pop("enterprise", None) or factories.enterprise(zone, 200 + i)
        kw.setdefault("people_met", f"{zone.name}接待人{i:03}")
        kw.setdefault("date", datetime.date(2024, 3, 1) + datetime.timedelta(days=i))
        return Visit.objects.create(zone=zone, enterprise=ent, **kw)

    def marker(self, obj):
        return obj.people_met

    def tab_content(self, obj):
        return {"problems": ["据此登记诉求"]}

    def form_data(self, zone, i):
        ent = factories.enterprise(zone, 40 + i)
        return {"zone": zone.pk, "enterprise": ent.uscc, "date": "2024-05-06", "people_met": "副总 王芳",
                "notes": "企业计划扩产，需新增用地 30 亩。"}

    def invalid_cases(self, zone):
        return [({"date": "明天"}, "date", "日期"), ({"enterprise": ""}, "enterprise", "必填项")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "enterprise": factories.enterprise(zone, 60 + i).pk, "date": "2024-05-07",
                "people_met": "董事长", "notes": "走访"}

    def api_invalid_cases(self, zone):
        return [({"date": "2024-13-01"}, "date", "日期")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "enterprise": factories.enterprise(zone_a, 70).pk}, "enterprise")]


class TestDepartmentViews(FeatureTests):
    feature_key = "service.department"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"phone": "0576-82345678"}
    api_changes = {"phone": "0576-12345678"}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.name}部门{i:03}")
        return Department.objects.create(zone=zone, **kw)

    def marker(self, obj):
        return obj.name

    def form_data(self, zone, i):
        member = make_user(f"member{zone.pk}_{i}", zone, Membership.Role.DEPARTMENT)
        return {"zone": zone.pk, "name": f"新部门{i}", "phone": "", "members": [member.pk]}

    def invalid_cases(self, zone):
        Department.objects.get_or_create(zone=zone, name="已有部门")
        return [({"name": "已有部门"}, "name", "本开发区已有同名的部门")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口部门{i}"}

    def api_invalid_cases(self, zone):
        Department.objects.get_or_create(zone=zone, name="已有部门")
        return [({"name": "已有部门"}, "name", "本开发区已有同名的部门")]

    def make_protecting(self, obj):
        p = Problem.objects.create(zone=obj.zone, enterprise=factories.enterprise(obj.zone, 90),
                                   title="挡住删除的诉求", description="x", category=category(obj.zone),
                                   department=obj, state="assigned")
        return p


class TestProblemCategoryViews(FeatureTests):
    feature_key = "service.problemcategory"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"order": "5"}
    api_changes = {"order": 7}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.name}类别{i:03}")
        return ProblemCategory.objects.create(zone=zone, **kw)

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"active": "0"}, {"active": False}, {"active": True})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新类别{i}", "order": "50", "active": "on"}

    def invalid_cases(self, zone):
        ProblemCategory.objects.get_or_create(zone=zone, name="已有类别")
        return [({"name": "已有类别"}, "name", "本开发区已有同名的诉求类别")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口类别{i}", "order": 60}

    def api_invalid_cases(self, zone):
        return [({"order": -1}, "order", "")]

    def make_protecting(self, obj):
        return Problem.objects.create(zone=obj.zone, enterprise=factories.enterprise(obj.zone, 91),
                                      title="挡住删除的诉求", description="x", category=obj)


class TestDeadlineRuleViews(FeatureTests):
    feature_key = "service.deadlinerule"
    search_fields = ()
    sort_columns = {"working_days": int}
    edit_changes = {"working_days": "12"}
    api_changes = {"working_days": 8}

    def make(self, zone, i, **kw):
        cat = kw.pop("category", None) or ProblemCategory.objects.create(zone=zone, name=f"{zone.name}时限类别{i:03}")
        kw.setdefault("working_days", 3 + i)
        return DeadlineRule.objects.create(zone=zone, category=cat, **kw)

    def marker(self, obj):
        return obj.category.name

    def search_terms(self, obj):
        return [obj.category.name]

    def filter_cases(self, zone):
        return [({"priority": "urgent"}, {"priority": "urgent"}, {"priority": "normal"})]

    def form_data(self, zone, i):
        cat = ProblemCategory.objects.create(zone=zone, name=f"表单类别{i}")
        return {"zone": zone.pk, "category": cat.pk, "priority": "urgent", "working_days": "4"}

    def invalid_cases(self, zone):
        return [({"working_days": "0"}, "working_days", "至少 1 个工作日"),
                ({"working_days": "400"}, "working_days", "不能超过 250")]

    def api_data(self, zone, i):
        cat = ProblemCategory.objects.create(zone=zone, name=f"接口时限类别{i}")
        return {"zone": zone.pk, "category": cat.pk, "priority": "normal", "working_days": 9}

    def api_invalid_cases(self, zone):
        return [({"working_days": 0}, "working_days", "至少 1 个工作日")]

    def api_cross_zone_data(self, zone_a, zone_b):
        cat = ProblemCategory.objects.create(zone=zone_a, name="甲区的类别")
        return [({**self.api_data(zone_b, 1), "category": cat.pk}, "category")]
