"""The shared view / permission / export / API matrix for the registry's features."""
from decimal import Decimal

import pytest
from django.urls import reverse

from zoneops.registry.models import CultivationPool, Enterprise

from ..conftest import VALID_USCC, make_user
from ..core.viewtests import FeatureTests
from . import factories
from .factories import make_uscc

BAD_CHECKSUM = VALID_USCC[0][:-1] + ("0" if VALID_USCC[0][-1] != "0" else "1")


class TestEnterpriseViews(FeatureTests):
    feature_key = "registry.enterprise"
    search_fields = ("name", "uscc")
    sort_columns = {"name": str, "uscc": str}
    formula_field = "name"
    edit_changes = {"name": "改名后的企业有限公司", "scale": "above"}
    api_changes = {"name": "接口改名企业有限公司", "is_high_tech": True}

    def make(self, zone, i, **kw):
        pools = kw.pop("pools_set", ())
        ent = factories.enterprise(zone, i, **kw)
        ent.pools.set(pools)
        return ent

    def search_terms(self, obj):
        # Lower-case credit codes and former names are found too.
        return [*super().search_terms(obj), obj.uscc.lower()]

    def filter_cases(self, zone):
        pool = CultivationPool.objects.first()
        return [
            ({"scale": "above"}, {"scale": "above"}, {"scale": "below"}),
            ({"is_high_tech": "1"}, {"is_high_tech": True}, {}),
            ({"has_rd_center": "true"}, {"has_rd_center": True}, {}),
            ({"status": "suspended"}, {"status": "suspended"}, {}),
            ({"industry_section": "C"}, {"industry_id": "3670"}, {"industry_id": "5211"}),
            ({"industry_division": "36"}, {"industry_id": "3670"}, {"industry_id": "3311"}),
            ({"pools": pool.pk}, {"pools_set": [pool]}, {}),
        ]

    def tab_content(self, obj):
        factories.parcel(obj.zone, "TAB-LAND-7", holder=obj, area="33.5")
        factories.figures(obj, 2023, revenue=Decimal("98765"))
        return {"overview": [obj.uscc], "land": ["TAB-LAND-7", "33.50"], "figures": ["2023", "98765.00"],
                "history": ["新建"]}

    def form_data(self, zone, i):
        return {"zone": zone.pk, "uscc": make_uscc(100 + i), "name": f"表单新建企业{i}有限公司", "industry": "3670",
                "scale": "above", "status": "operating", "is_high_tech": "on", "established": "2015-03-01",
                "pools": [CultivationPool.objects.first().pk]}

    def invalid_cases(self, zone):
        factories.enterprise(zone, 7, name="已登记企业有限公司")
        return [
            ({"uscc": "9133100412345"}, "uscc", "统一社会信用代码应为 18 位"),
            ({"uscc": BAD_CHECKSUM}, "uscc", "统一社会信用代码校验位错误"),
            ({"uscc": VALID_USCC[7]}, "uscc", "本开发区已有该统一社会信用代码的企业"),
            ({"name": "   "}, "name", "必填"),
            ({"industry": "9999"}, "industry", "没有这个国民经济行业小类代码"),
            ({"established": "2015-13-45"}, "established", "日期"),
            ({"scale": "huge"}, "scale", "选择一个有效的选项"),
        ]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "uscc": make_uscc(200 + i), "name": f"接口新建企业{i}有限公司", "industry": "3670",
                "scale": "below", "pools": [CultivationPool.objects.first().pk]}

    def api_invalid_cases(self, zone):
        factories.enterprise(zone, 7, name="已登记企业有限公司")
        return [
            ({"uscc": BAD_CHECKSUM}, "uscc", "统一社会信用代码校验位错误"),
            ({"uscc": VALID_USCC[7]}, "uscc", "本开发区已有该统一社会信用代码的企业"),
            ({"industry": "9999"}, "industry", "没有这个国民经济行业小类代码"),
            ({"name": ""}, "name", "不能为空"),
        ]

    def api_cross_zone_data(self, zone_a, zone_b):
        officer_a = make_user("officer_a", zone_a, "staff")
        return [
            (self.api_data(zone_a, 3), "zone"),
            ({**self.api_data(zone_b, 4), "account_officer": officer_a.pk}, "account_officer"),
        ]


def _other_zone(zone):
    from zoneops.core.models import Zone

    return Zone.objects.get_or_create(code=f"{zone.code}-other", defaults={"name": f"{zone.name}之外"})[0]


class TestParcelViews(FeatureTests):
    feature_key = "registry.parcel"
    search_fields = ("code", "name")
    sort_columns = {"code": str, "area_mu": Decimal}
    formula_field = "name"
    edit_changes = {"area_mu": "45.2500", "floor_area_ratio": "2.10"}
    api_changes = {"area_mu": "20.5000"}

    def marker(self, obj):
        return obj.name

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.name}地块{i:02}")
        kw.setdefault("area", str(10 + i))
        return factories.parcel(zone, f"P-{i:03}", **kw)

    def filter_cases(self, zone):
        holder = factories.enterprise(zone, 6)
        return [
            ({"status": "inefficient"}, {"status": "inefficient"}, {}),
            ({"land_use": "warehouse"}, {"land_use": "warehouse"}, {}),
            ({"tenure": "leased"}, {"tenure": "leased"}, {}),
            ({"area_min": "50"}, {"area": "80"}, {"area": "5"}),
            ({"holder": holder.pk}, {"holder": holder}, {}),
            ({"q": holder.name}, {"holder": holder}, {}),
        ]

    def tab_content(self, obj):
        return {"overview": [obj.code, "面积（亩）"], "history": ["新建"]}

    def form_data(self, zone, i):
        holder = Enterprise.objects.filter(zone=zone).first() or factories.enterprise(zone, 5)
        return {"zone": zone.pk, "code": f"NEW-{i}", "name": "表单新建地块", "area_mu": "30.5", "land_use": "industrial",
                "holder": holder.uscc.lower(), "tenure": "owned", "floor_area_ratio": "1.8", "status": "producing"}

    def invalid_cases(self, zone):
        factories.parcel(zone, "TAKEN-1")
        other = factories.enterprise(_other_zone(zone), 4)
        return [
            ({"area_mu": "0"}, "area_mu", "必须大于 0"),
            ({"area_mu": "abc"}, "area_mu", "输入一个数字"),
            ({"floor_area_ratio": "-1"}, "floor_area_ratio", "不能为负数"),
            ({"code": "TAKEN-1"}, "code", "本开发区已有该编号的地块"),
            ({"holder": other.uscc}, "holder", f"本开发区没有统一社会信用代码为 {other.uscc} 的企业"),
            ({"holder": BAD_CHECKSUM}, "holder", "统一社会信用代码校验位错误"),
        ]

    def api_data(self, zone, i):
        holder = Enterprise.objects.filter(zone=zone).first() or factories.enterprise(zone, 5)
        return {"zone": zone.pk, "code": f"API-{i}", "area_mu": "18.25", "holder": holder.pk, "status": "building"}

    def api_invalid_cases(self, zone):
        factories.parcel(zone, "TAKEN-1")
        return [
            ({"area_mu": "0"}, "area_mu", "必须大于 0"),
            ({"area_mu": "-3"}, "area_mu", "必须大于 0"),
            ({"floor_area_ratio": "-1"}, "floor_area_ratio", "不能为负数"),
            ({"code": "TAKEN-1"}, "code", "本开发区已有该编号的地块"),
            ({"status": "gone"}, "status", "不是合法选项"),
        ]

    def api_cross_zone_data(self, zone_a, zone_b):
        holder_a = factories.enterprise(zone_a, 3)
        return [(self.api_data(zone_a, 1), "zone"), ({**self.api_data(zone_b, 2), "holder": holder_a.pk}, "holder")]


class TestEnterpriseYearViews(FeatureTests):
    feature_key = "registry.enterpriseyear"
    sort_columns = {"year": int, "revenue": Decimal}
    formula_field = "source"
    edit_changes = {"revenue": "15000.0000", "land_mu": "12.0000", "land_note": "以不动产证为准"}
    api_changes = {"revenue": "13000.0000", "employees": 120}

    def make(self, zone, i, **kw):
        ent = kw.pop("enterprise", None) or factories.enterprise(zone, i)
        kw.setdefault("revenue", Decimal(1000 + 10 * i))
        return factories.figures(ent, kw.pop("year", 2020 + i % 5), **kw)

    def marker(self, obj):
        return obj.enterprise.name

    def search_terms(self, obj):
        return [obj.enterprise.name, obj.enterprise.uscc]

    def filter_cases(self, zone):
        return [
            ({"year": "2021"}, {"year": 2021}, {"year": 2022}),
            ({"scale": "above"}, {"enterprise": factories.enterprise(zone, 30, scale="above")}, {}),
            ({"industry_section": "C"}, {"enterprise": factories.enterprise(zone, 31, industry_id="3670")}, {}),
        ]

    def tab_content(self, obj):
        return {"overview": [obj.enterprise.name, "营业收入（万元）"], "history": ["新建"]}

    def form_data(self, zone, i):
        ent = factories.enterprise(zone, 40 + i)
        return {"zone": zone.pk, "enterprise": ent.uscc, "year": "2023", "revenue": "12000", "tax": "600",
                "employees": "85", "source": "税务"}

    def invalid_cases(self, zone):
        ent = factories.enterprise(zone, 50)
        factories.figures(ent, 2022)
        other = factories.enterprise(_other_zone(zone), 51)
        return [
            ({"revenue": "-5"}, "revenue", "不能为负数"),
            ({"revenue": "一万"}, "revenue", "输入一个数字"),
            ({"year": "1800"}, "year", "年度应在"),
            ({"year": "2999"}, "year", "年度应在"),
            ({"employees": "-1"}, "employees", "大于或等于0"),
            ({"land_mu": "10"}, "land_note", "人工认定用地面积时请写明依据"),
            ({"enterprise": other.uscc}, "enterprise", "本开发区没有统一社会信用代码为"),
            ({"enterprise": ent.uscc, "year": "2022"}, "year", "该企业这一年度的指标已存在"),
        ]

    def api_data(self, zone, i):
        ent = factories.enterprise(zone, 60 + i)
        return {"zone": zone.pk, "enterprise": ent.pk, "year": 2023, "revenue": "500", "tax": "20"}

    def api_invalid_cases(self, zone):
        return [
            ({"revenue": "-5"}, "revenue", "不能为负数"),
            ({"year": 1800}, "year", "年度应在"),
            ({"land_mu": "10"}, "land_note", "人工认定用地面积时请写明依据"),
        ]

    def api_cross_zone_data(self, zone_a, zone_b):
        ent_a = factories.enterprise(zone_a, 70)
        return [(self.api_data(zone_a, 1), "zone"), ({**self.api_data(zone_b, 2), "enterprise": ent_a.pk}, "enterprise")]


def test_export_writes_many_to_many_names_as_text(client_a, zone_a):
    """Cells are text, not HTML: a pool named with & and < is exported as named."""
    pool = CultivationPool.objects.create(code="rd", name="R&D<重点>培育")
    ent = factories.enterprise(zone_a, 0)
    ent.pools.set([pool, CultivationPool.objects.exclude(pk=pool.pk).first()])
    from ..core.viewtests import read_export

    for fmt in ("csv", "xlsx"):
        headers, rows = read_export(client_a.get("/registry/enterprises/", {"export": fmt, "cols": "name,pools"}), fmt)
        assert headers == ["企业名称", "培育库"]
        assert "R&D<重点>培育" in rows[0][1] and "&amp;" not in rows[0][1], rows


@pytest.mark.django_db
def test_a_parcels_status_changes_only_through_the_land_lifecycle(zone_a, staff_a, client):
    """Set when the parcel is registered; an edit (form or API) cannot move it past the checks."""
    parcel = factories.parcel(zone_a, "LIFE-1")
    before = parcel.status
    client.force_login(staff_a)
    r = client.get(reverse("registry:parcel_edit", args=[parcel.pk]))
    assert 'name="status"' not in r.content.decode()
    r = client.patch(f"/api/parcels/{parcel.pk}/", {"status": "redeveloped"}, content_type="application/json")
    assert r.status_code == 400 and "土地流转" in r.json()["status"][0]
    parcel.refresh_from_db()
    assert parcel.status == before
    r = client.get(reverse("registry:parcel_add"))
    assert 'name="status"' in r.content.decode()
