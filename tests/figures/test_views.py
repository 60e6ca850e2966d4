"""The shared page/API matrix (tests/core/viewtests.py) for indicator values and targets."""
from decimal import Decimal

from zoneops.figures.models import IndicatorValue, Target, ValueSource

from ..core.viewtests import FeatureTests
from . import factories


class TestIndicatorValueViews(FeatureTests):
    feature_key = "figures.indicatorvalue"
    search_fields = ("note",)
    sort_columns = {"year": int}
    formula_field = "note"
    edit_changes = {"value": "123.5000", "note": "核对后修改"}
    api_changes = {"note": "接口说明"}

    def make(self, zone, i, **kw):
        kw.setdefault("note", f"{zone.code}备注{i}")
        kw.setdefault("source", ValueSource.ENTERED)
        return IndicatorValue.objects.create(zone=zone, indicator=factories.indicator(), year=2000 + i,
                                             month=1 + i % 12, value=Decimal(1000 + i), **kw)

    def marker(self, obj):
        return obj.note

    def filter_cases(self, zone):
        return [({"source": "imported"}, {"source": ValueSource.IMPORTED}, {"source": ValueSource.ENTERED})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "indicator": factories.indicator().pk, "year": "2030", "month": str(1 + i % 12),
                "value": "385000", "note": f"新填{i}"}

    def invalid_cases(self, zone):
        return [({"indicator": factories.indicator("rd_ratio").pk, "month": "5"}, "month", "是年度指标"),
                ({"value": "-5"}, "value", "不能为负数")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "indicator": factories.indicator().pk, "year": 2031, "month": 1 + i % 12,
                "value": "1000.5", "note": f"接口{i}"}

    def api_invalid_cases(self, zone):
        return [({"value": "-1"}, "value", "不能为负数"),
                ({"indicator": factories.indicator("energy_intensity").pk, "month": 3}, "month", "是年度指标")]


class TestTargetViews(FeatureTests):
    feature_key = "figures.target"
    search_fields = ("note",)
    sort_columns = {"year": int}
    formula_field = "note"
    edit_changes = {"value": "500000.0000"}
    api_changes = {"note": "接口说明"}

    def make(self, zone, i, **kw):
        kw.setdefault("note", f"{zone.code}目标{i}")
        kw.setdefault("year", 2000 + i)
        return Target.objects.create(zone=zone, indicator=factories.indicator(), value=Decimal(10000 + i), **kw)

    def marker(self, obj):
        return obj.note

    def filter_cases(self, zone):
        return [({"year": "2030"}, {"year": 2030}, {"year": 2031})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "indicator": factories.indicator().pk, "year": str(2040 + i), "value": "420000",
                "note": f"新目标{i}"}

    def invalid_cases(self, zone):
        Target.objects.create(zone=zone, indicator=factories.indicator(), year=2099, value=1)
        return [({"value": "0"}, "value", "必须大于 0"), ({"year": "2099"}, "year", "该开发区该年已有此指标的目标")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "indicator": factories.indicator().pk, "year": 2050 + i, "value": "300000"}

    def api_invalid_cases(self, zone):
        return [({"value": "-3"}, "value", "必须大于 0")]
