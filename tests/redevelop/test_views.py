"""The shared feature matrix for rule sets and redevelopment cases."""
import datetime
from decimal import Decimal

import pytest

from zoneops.redevelop.models import CandidateRule, RedevelopmentCase
from zoneops.registry.models import Parcel

from ..core.viewtests import FeatureTests
from . import factories as f

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


class TestCandidateRuleViews(FeatureTests):
    feature_key = "redevelop.candidaterule"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"max_far": "1.50", "combine": "any"}
    api_changes = {"max_far": "1.50", "combine": "any"}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.name}规则{i:02}")
        return CandidateRule.objects.create(zone=zone, **{"classes": "D", **kw})

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"active": "0"}, {"active": False}, {"active": True})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新规则{i}", "active": "on", "classes": "C,D", "max_tax_per_mu": "5",
                "combine": "all"}

    def invalid_cases(self, zone):
        self.make(zone, 9, name="已有规则")
        return [({"name": "已有规则"}, "name", "本开发区已有同名的识别规则"),
                ({"classes": "甲乙"}, "classes", "等级应为"),
                ({"max_far": "31"}, "max_far", "容积率不能大于 30"),
                ({"max_tax_per_mu": "-2"}, "max_tax_per_mu", "不能为负数")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"API规则{i}", "classes": "D", "max_far": "1.0", "combine": "any"}

    def api_invalid_cases(self, zone):
        return [({"name": "  "}, "name", "不能为空"), ({"idle_months": 9999}, "idle_months", "月数不能超过 600")]


class TestRedevelopmentCaseViews(FeatureTests):
    feature_key = "redevelop.redevelopmentcase"
    search_fields = ("name",)
    sort_columns = {"name": str, "area_mu": float}
    formula_field = "name"
    edit_changes = {"target_far": "2.80", "notes": "增加连廊"}
    api_changes = {"target_far": "2.80", "notes": "增加连廊"}

    def make(self, zone, i, **kw):
        code = f"{zone.code}-RP-{i:03}-{Parcel.objects.count()}"
        p = f.parcel(zone, code, area=str(10 + i), far=0.5)
        kw.setdefault("name", f"{zone.name}改造项目{i:02}")
        return f.case(zone, [p], **kw)

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"approach": "soe"}, {"approach": "soe"}, {"approach": "private"})]

    def tab_content(self, obj):
        f.milestone(obj, title="完成征迁签约")
        return {"overview": ["完成征迁签约", obj.parcels.get().code, "政府推动"]}

    def _parcel(self, zone, code):
        return (Parcel.objects.filter(zone=zone, code=code).first()
                or f.parcel(zone, code, area="12", far=0.6))

    def form_data(self, zone, i):
        p = self._parcel(zone, f"NEW-{i}")
        return {"zone": zone.pk, "name": f"新改造项目{i}", "approach": "private", "parcel_codes": p.code,
                "opened_on": TODAY.isoformat(), "target_far": "2.5", "planned_investment": "8000"}

    def invalid_cases(self, zone):
        return [({"parcel_codes": "NOPE"}, "parcel_codes", "本开发区没有编号为 NOPE 的地块"),
                ({"target_far": "-1"}, "target_far", "容积率不能为负数"),
                ({"approach": "magic"}, "approach", "magic"),
                ({"opened_on": (TODAY + datetime.timedelta(days=2)).isoformat()}, "opened_on", "立项日期不能晚于今天"),
                ({"notes": "长" * 2001}, "notes", "2000")]

    def api_data(self, zone, i):
        p = self._parcel(zone, f"API-{i}")
        return {"zone": zone.pk, "name": f"API改造项目{i}", "approach": "soe", "parcels": [p.pk],
                "planned_investment": "5000"}

    def api_invalid_cases(self, zone):
        return [({"parcels": []}, "parcels", "请至少选择一宗地块"),
                ({"target_far": -1}, "target_far", "容积率不能为负数")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "parcels": [self._parcel(zone_a, "A-ONLY").pk]}, "parcels")]


def test_api_create_opens_the_case(client_a, zone_a):
    import json

    p = f.parcel(zone_a, "API-P", area="40", far=0.7)
    r = client_a.post("/api/cases/", json.dumps({"zone": zone_a.pk, "name": "接口立项", "approach": "government",
                                                  "parcels": [p.pk]}), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["extent"] == "single" and body["far_before"] == "0.70" and body["case_parcels"][0]["code"] == "API-P"
    p.refresh_from_db()
    assert p.status == "redeveloping"
    case = RedevelopmentCase.objects.get()
    r = client_a.patch(f"/api/cases/{case.pk}/", json.dumps({"parcels": []}), content_type="application/json")
    assert r.status_code == 400 and "立项后不能更改地块" in r.json()["parcels"][0]
    r = client_a.patch(f"/api/cases/{case.pk}/", json.dumps({"status": "done", "far_after": "9"}),
                       content_type="application/json")
    case.refresh_from_db()
    assert case.status == "opened" and case.far_after is None  # read-only: only the actions change them
    assert Decimal(case.area_mu) == Decimal("40")
