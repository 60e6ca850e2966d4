"""The shared view / permission / export / API matrix for the land features."""
import datetime as dt
from decimal import Decimal

from zoneops.land.models import Acquisition, AcquisitionProgress, ParcelEvent, Sale, Space, SpaceLease

from ..core.viewtests import FeatureTests, ReadOnlyTests
from ..projects import factories as pf
from ..registry import factories as reg
from . import factories

D = dt.date


class TestParcelEventViews(ReadOnlyTests):
    feature_key = "land.parcelevent"
    search_fields = ("note",)
    sort_columns = {"note": str}
    formula_field = "note"

    def make(self, zone, i, **kw):
        p = factories.parcel(zone, code=f"{zone.code}-EV-{i:03}")
        kw.setdefault("note", f"{zone.code}流转{i}")
        kw.setdefault("to_status", "acquiring")
        return ParcelEvent.objects.create(zone=zone, parcel=p, from_status="planned", on=D(2024, 1, 1),
                                          area_mu=p.area_mu, **kw)

    def marker(self, obj):
        return obj.note

    def filter_cases(self, zone):
        return [({"to_status": "ready"}, {"to_status": "ready"}, {"to_status": "listed"})]


class TestAcquisitionViews(FeatureTests):
    feature_key = "land.acquisition"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"households_total": "12"}
    api_changes = {"households_total": 12}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.code}征收{i}")
        return Acquisition.objects.create(zone=zone, area_mu=Decimal("30"), started_on=D(2024, 1, 1),
                                          households_total=kw.pop("households_total", 10), **kw)

    def marker(self, obj):
        return obj.name

    def tab_content(self, obj):
        AcquisitionProgress.objects.create(zone=obj.zone, acquisition=obj, on=D(2024, 1, 15),
                                           households_signed=obj.households_total, firms_signed=0)
        return {"progress": ["2024-01-15", "14 天"]}

    def form_data(self, zone, i):
        factories.parcel(zone, code=f"ACQ-P-{i}")
        return {"zone": zone.pk, "name": f"新征收{i}", "parcel_code": f"ACQ-P-{i}", "area_mu": "50",
                "started_on": "2024-03-01", "households_total": "444", "firms_total": "108"}

    def invalid_cases(self, zone):
        return [({"area_mu": "-3"}, "area_mu", "必须大于 0"),
                ({"parcel_code": "NO-SUCH"}, "parcel_code", "没有编号为 NO-SUCH 的地块"),
                ({"households_total": "99999999"}, "households_total", "超出合理范围"),
                ({"started_on": "2999-01-01"}, "started_on", "日期不能晚于今天")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口征收{i}", "area_mu": "20", "started_on": "2024-02-01",
                "households_total": 3, "firms_total": 1}

    def api_invalid_cases(self, zone):
        return [({"area_mu": "-1"}, "area_mu", "必须大于 0"), ({"started_on": "2999-01-01"}, "started_on", "晚于今天")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "parcel": factories.parcel(zone_a, code="A-X-1").pk}, "parcel")]


class TestAcquisitionProgressViews(FeatureTests):
    feature_key = "land.acquisitionprogress"
    search_fields = ("note",)
    sort_columns = {"note": str}
    formula_field = "note"
    edit_changes = {"households_signed": "4"}
    api_changes = {"households_signed": 4}

    def acq(self, zone):
        return Acquisition.objects.filter(zone=zone).first() or Acquisition.objects.create(
            zone=zone, name=f"{zone.code}进度征收", area_mu=Decimal("30"), started_on=D(2020, 1, 1),
            households_total=1000, firms_total=100)

    def make(self, zone, i, **kw):
        kw.setdefault("note", f"{zone.code}进度{i}")
        return AcquisitionProgress.objects.create(zone=zone, acquisition=self.acq(zone), on=D(2020, 1, 2) + dt.timedelta(i),
                                                  households_signed=i, firms_signed=0, **kw)

    def marker(self, obj):
        return obj.note

    def form_data(self, zone, i):
        return {"zone": zone.pk, "acquisition": self.acq(zone).pk, "on": str(D(2023, 1, 1) + dt.timedelta(i)),
                "households_signed": "900", "firms_signed": "90"}

    def invalid_cases(self, zone):
        return [({"households_signed": "1001"}, "households_signed", "大于需搬迁户数"),
                ({"on": "2019-12-31"}, "on", "早于征收启动日期"),
                ({"firms_signed": "-1"}, "firms_signed", "")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "acquisition": self.acq(zone).pk, "on": str(D(2023, 6, 1) + dt.timedelta(i)),
                "households_signed": 950, "firms_signed": 95}

    def api_invalid_cases(self, zone):
        return [({"households_signed": 5000}, "households_signed", "大于需搬迁户数")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "acquisition": self.acq(zone_a).pk}, "acquisition")]


class TestSaleViews(FeatureTests):
    feature_key = "land.sale"
    search_fields = ("buyer_name",)
    sort_columns = {"sold_on": str}
    formula_field = "buyer_name"
    formula_column = "buyer"
    edit_changes = {"price_wan": "888.0000"}
    api_changes = {"price_wan": "777.0000"}

    def make(self, zone, i, **kw):
        p = factories.parcel(zone, code=f"{zone.code}-S-{i:03}", status="sold")
        kw.setdefault("buyer_name", f"{zone.code}受让人{i}")
        return Sale.objects.create(zone=zone, parcel=p, sold_on=kw.pop("sold_on", D(2024, 1, 1) + dt.timedelta(i)),
                                   price_wan=Decimal("600"), area_mu=Decimal("20"), **kw)

    def marker(self, obj):
        return obj.buyer_name

    def filter_cases(self, zone):
        return [({"sold_from": "2024-06-01"}, {"sold_on": D(2024, 6, 1)}, {"sold_on": D(2024, 5, 31)})]

    def form_data(self, zone, i):
        factories.parcel(zone, code=f"SALE-P-{i}")
        return {"zone": zone.pk, "parcel_code": f"SALE-P-{i}", "sold_on": "2024-04-01", "buyer_name": "路桥某公司",
                "price_wan": "428.15", "area_mu": "10"}

    def invalid_cases(self, zone):
        return [({"area_mu": "21"}, "area_mu", "大于地块面积"), ({"buyer_name": ""}, "buyer_name", "受让人"),
                ({"price_wan": "0"}, "price_wan", "必须大于 0"), ({"price_wan": "1e12"}, "price_wan", ""),
                ({"sold_on": "2999-01-01"}, "sold_on", "晚于今天"),
                ({"listed_on": "2024-05-01"}, "listed_on", "挂牌日期晚于成交日期")]

    def api_data(self, zone, i):
        p = factories.parcel(zone, code=f"API-SALE-{i}")
        return {"zone": zone.pk, "parcel": p.pk, "sold_on": "2024-04-01", "buyer_name": "接口受让人",
                "price_wan": "300", "area_mu": "10"}

    def api_invalid_cases(self, zone):
        return [({"area_mu": "50"}, "area_mu", "大于地块面积"), ({"price_wan": "-1"}, "price_wan", "必须大于 0")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "parcel": factories.parcel(zone_a, code="A-X-2").pk}, "parcel"),
                ({**self.api_data(zone_b, 2), "buyer": reg.enterprise(zone_a, 71).pk}, "buyer")]


class TestSpaceViews(FeatureTests):
    feature_key = "land.space"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"rent": "18.00"}
    api_changes = {"rent": "16.00"}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.code}厂房{i}")
        return Space.objects.create(zone=zone, total_m2=Decimal("5000"), **kw)

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"kind": "incubator"}, {"kind": "incubator"}, {"kind": "factory"})]

    def tab_content(self, obj):
        factories.lease(obj, "1200", enterprise=reg.enterprise(obj.zone, 5, name="租用企业甲"))
        return {"leases": ["租用企业甲", "3800"]}

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新厂房{i}", "kind": "factory", "floors": "4", "total_m2": "12000",
                "rent": "15"}

    def invalid_cases(self, zone):
        return [({"total_m2": "-5"}, "total_m2", "必须大于 0"), ({"floors": "0"}, "floors", "至少 1 层"),
                ({"parcel_code": "NOPE"}, "parcel_code", "没有编号为 NOPE"), ({"total_m2": "1e15"}, "total_m2", "")]

    def edit_invalid_cases(self, obj):
        return [({"total_m2": "0"}, "total_m2", "必须大于 0")]  # below the leased area: test_space.py

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口厂房{i}", "kind": "micro_park", "total_m2": "8000"}

    def api_invalid_cases(self, zone):
        return [({"total_m2": "0"}, "total_m2", "必须大于 0"), ({"rent": "-1"}, "rent", "不能为负数")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "parcel": factories.parcel(zone_a, code="A-X-3").pk}, "parcel")]


class TestSpaceLeaseViews(FeatureTests):
    feature_key = "land.spacelease"
    search_fields = ("note",)
    sort_columns = {"note": str}
    formula_field = "note"
    edit_changes = {"area_m2": "150.00"}
    api_changes = {"area_m2": "160.00"}

    def space(self, zone):
        return Space.objects.filter(zone=zone, name__endswith="租用测试厂房").first() or Space.objects.create(
            zone=zone, name=f"{zone.code}租用测试厂房", total_m2=Decimal("100000"))

    def make(self, zone, i, **kw):
        kw.setdefault("note", f"{zone.code}租用{i}")
        if "project" not in kw and not kw.get("enterprise"):
            from zoneops.registry.models import Enterprise

            kw["enterprise"] = Enterprise.objects.filter(zone=zone, name__endswith="租户有限公司").first() or \
                reg.enterprise(zone, 2, name=f"{zone.name}租户有限公司")
        return SpaceLease.objects.create(zone=zone, space=self.space(zone), area_m2=Decimal("100"),
                                         start_on=D(2024, 1, 1), **kw)

    def marker(self, obj):
        return obj.note

    def form_data(self, zone, i):
        return {"zone": zone.pk, "space": self.space(zone).pk, "project": pf.project(zone, 50 + i).pk,
                "area_m2": "500", "start_on": "2024-02-01"}

    def edit_invalid_cases(self, obj):
        return [({"area_m2": "100001"}, "area_m2", "最多只有"), ({"end_on": "2023-01-01"}, "end_on", "早于起租日期")]

    def invalid_cases(self, zone):
        return [({"area_m2": "100001"}, "area_m2", "最多只有"), ({"project": ""}, "project", "请选择招商项目或企业"),
                ({"end_on": "2023-01-01"}, "end_on", "到期日期早于起租日期"), ({"area_m2": "-1"}, "area_m2", "必须大于 0")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "space": self.space(zone).pk, "project": pf.project(zone, 60 + i).pk,
                "area_m2": "300", "start_on": "2024-03-01"}

    def api_invalid_cases(self, zone):
        return [({"area_m2": "200000"}, "area_m2", "最多只有"), ({"project": None}, "project", "请选择招商项目或企业")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "space": self.space(zone_a).pk}, "space"),
                ({**self.api_data(zone_b, 2), "project": pf.project(zone_a, 77).pk}, "project")]
