"""The shared feature matrix for plans and policy items."""
import datetime

import pytest

from zoneops.core.models import Membership
from zoneops.improvement.models import ImprovementPlan, Measure, PolicyItem

from ..conftest import make_user
from ..core.viewtests import FeatureTests
from ..registry import factories

pytestmark = pytest.mark.django_db

SOON = datetime.date.today() + datetime.timedelta(days=200)


def owner_of(zone):
    user = Membership.objects.filter(zone=zone, role__in=["staff", "admin"]).select_related("user").first()
    return user.user if user else make_user(f"owner-{zone.code}", zone, Membership.Role.STAFF)


class TestImprovementPlanViews(FeatureTests):
    feature_key = "improvement.improvementplan"
    search_fields = ("title",)
    sort_columns = {"title": str, "deadline": str}
    formula_field = "title"
    edit_changes = {"status": "active", "target_class": "C"}
    api_changes = {"status": "active", "target_class": "C"}

    def _make(self, zone, i, **kw):
        kw.setdefault("title", f"{zone.name}方案{i:02}")
        kw.setdefault("deadline", SOON + datetime.timedelta(days=i))
        ent = kw.pop("enterprise", None) or factories.enterprise(zone, i)
        return ImprovementPlan.objects.create(zone=zone, enterprise=ent, owner=owner_of(zone), **kw)

    def marker(self, obj):
        return obj.title

    def filter_cases(self, zone):
        return [({"status": "active"}, {"status": "active"}, {"status": "drafting"}),
                # make() skips the model's checks, so a plan can be past its deadline.
                ({"overdue": "1"}, {"status": "active", "deadline": datetime.date(2020, 1, 1)}, {"status": "active"}),
                ({"category": "merge"}, {}, {})]

    def make(self, zone, i, **kw):
        plan = self._make(zone, i, **kw)
        if i in (14,):  # the category filter's match
            Measure.objects.create(zone=zone, plan=plan, category="merge", content="兼并重组")
        return plan

    def tab_content(self, obj):
        Measure.objects.create(zone=obj.zone, plan=obj, category="revitalize", content="腾退闲置厂房 8 亩")
        return {"overview": ["腾退闲置厂房 8 亩", "强制盘活", obj.enterprise.name]}

    def form_data(self, zone, i):
        ent = factories.enterprise(zone, 40 + i)
        return {"zone": zone.pk, "enterprise": ent.uscc, "title": f"新方案{i}", "deadline": SOON.isoformat(),
                "status": "drafting", "owner": owner_of(zone).pk, "target_tax_per_mu": "15", "target_class": "c"}

    def invalid_cases(self, zone):
        other = factories.enterprise(self._zone_b(zone), 77)
        return [
            ({"deadline": "2000-01-01"}, "deadline", "不能早于制定日期"),
            ({"status": "stopped", "stop_reason": ""}, "stop_reason", "须填写终止原因"),
            ({"enterprise": other.uscc}, "enterprise", "本开发区没有统一社会信用代码"),
            ({"situation": "长" * 2001}, "situation", "2000"),
            ({"target_class": "差"}, "target_class", "等级代码"),
            ({"owner": make_user(f"outsider-{zone.code}-{ImprovementPlan.objects.count()}").pk}, "owner", "选择"),
        ]

    def _zone_b(self, zone):
        from zoneops.core.models import Zone

        return Zone.objects.exclude(pk=zone.pk).first() or Zone.objects.create(code="zone-x", name="丙开发区")

    def api_data(self, zone, i):
        ent = factories.enterprise(zone, 60 + i)
        return {"zone": zone.pk, "enterprise": ent.pk, "title": f"API方案{i}", "deadline": SOON.isoformat(),
                "owner": owner_of(zone).pk}

    def api_invalid_cases(self, zone):
        return [({"deadline": "2000-01-01"}, "deadline", "不能早于制定日期"),
                ({"status": "stopped"}, "stop_reason", "终止原因"),
                ({"situation": "长" * 2001}, "situation", "2000")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "enterprise": factories.enterprise(zone_a, 70).pk}, "enterprise"),
                ({**self.api_data(zone_b, 2), "owner": owner_of(zone_a).pk}, "owner")]


class TestPolicyItemViews(FeatureTests):
    feature_key = "improvement.policyitem"
    search_fields = ("item",)
    sort_columns = {"item": str, "order": int}
    formula_field = "item"
    edit_changes = {"value": "0.3"}
    api_changes = {"value": "0.3"}

    def make(self, zone, i, **kw):
        kw.setdefault("item", f"{zone.name}电价加价{i:02}")
        return PolicyItem.objects.create(zone=zone, class_code=kw.pop("class_code", "D"), value=kw.pop("value", "0.1"),
                                         order=kw.pop("order", i), **kw)

    def marker(self, obj):
        return obj.item

    def filter_cases(self, zone):
        return [({"class_code": "c"}, {"class_code": "C"}, {"class_code": "D"})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "class_code": "d", "item": f"用水加价{i}", "value": "1.0", "note": "演示", "order": "1"}

    def invalid_cases(self, zone):
        self.make(zone, 9, item="已有项目", class_code="D")
        return [({"class_code": "甲"}, "class_code", "等级代码"),
                ({"item": "已有项目"}, "item", "本开发区该等级已有同名政策项目"),
                ({"value": "  "}, "value", "必填"),
                ({"note": "长" * 301}, "note", "300")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "class_code": "D", "item": f"API用地{i}", "value": "不予新增"}

    def api_invalid_cases(self, zone):
        self.make(zone, 9, item="已有项目", class_code="D")
        return [({"class_code": "甲"}, "class_code", "等级代码"),
                ({"item": "已有项目"}, "item", "本开发区该等级已有同名政策项目")]
