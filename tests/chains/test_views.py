"""The shared matrix for the chains features (chains, segments, mappings, candidates)."""
from zoneops.chains.models import Chain, ChainMapping, Segment

from ..core.viewtests import FeatureTests, ReadOnlyTests
from ..registry import factories as reg
from . import factories


def _chain(zone):
    return Chain.objects.get_or_create(zone=zone, name=f"{zone.name}主链")[0]


class TestChainViews(FeatureTests):
    feature_key = "chains.chain"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"chief_name": "李链长"}
    api_changes = {"chief_name": "王链长"}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.name}产业链{i:02}")
        return Chain.objects.create(zone=zone, **kw)

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"status": "excellent"}, {"status": "excellent"}, {"status": "pilot"})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新产业链{i}", "status": "pilot", "chief_name": "张三", "thresholds": ""}

    def invalid_cases(self, zone):
        self.make(zone, 9, name="已有的链")
        return [({"name": "已有的链"}, "name", "本开发区已有同名的产业链"),
                ({"thresholds": '{"weak": 90, "strong": 10}'}, "thresholds", "不能高于")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口产业链{i}", "status": "demo_pilot"}

    def api_invalid_cases(self, zone):
        return [({"thresholds": {"weak": 200}}, "thresholds", "0–100")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "partner_zone": zone_a.pk}, "partner_zone")]


class TestSegmentViews(FeatureTests):
    feature_key = "chains.segment"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"keywords": "刹车片、制动盘"}
    api_changes = {"note": "补链重点"}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.name}环节{i:02}")
        kw.setdefault("stage", "mid")
        return Segment.objects.create(zone=zone, chain=kw.pop("chain", None) or _chain(zone), **kw)

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"stage": "up"}, {"stage": "up"}, {"stage": "down"})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "chain": _chain(zone).pk, "stage": "mid", "name": f"新环节{i}", "order": "0",
                "codes": "3670、367", "keywords": "刹车片", "exclude_words": "", "products": "", "note": ""}

    def invalid_cases(self, zone):
        self.make(zone, 9, name="已有环节")
        return [({"codes": "9999"}, "codes", "GB/T 4754-2017 中没有"), ({"codes": "36ab"}, "codes", "2–4 位数字"),
                ({"name": "已有环节"}, "name", "该产业链已有同名的环节")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "chain": _chain(zone).pk, "stage": "up", "name": f"接口环节{i}", "codes": "3130"}

    def api_invalid_cases(self, zone):
        return [({"codes": "1"}, "codes", "2–4 位数字")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "chain": _chain(zone_a).pk}, "chain")]


class TestChainMappingViews(ReadOnlyTests):
    feature_key = "chains.chainmapping"
    sort_columns = {"confidence": float}

    def make(self, zone, i, **kw):
        chain = _chain(zone)
        seg = Segment.objects.get_or_create(zone=zone, chain=chain, name="制动系统")[0]
        ent = reg.enterprise(zone, 20 + i, name=f"{zone.name}链上企业{i:02}有限公司",
                             uscc=reg.make_uscc(1000 * zone.pk + i))
        kw.setdefault("confidence", 0.5 + (i % 7) / 20)
        return ChainMapping.objects.create(zone=zone, enterprise=ent, chain=chain, segment=seg, evidence="测试", **kw)

    def marker(self, obj):
        return obj.enterprise.name

    def search_terms(self, obj):
        return [obj.enterprise.name]

    def filter_cases(self, zone):
        return [({"source": "confirmed"}, {"source": "confirmed"}, {"source": "auto"})]


class TestCandidateViews(FeatureTests):
    feature_key = "chains.candidate"
    search_fields = ("name",)
    sort_columns = {"name": str}
    formula_field = "name"
    edit_changes = {"status": "talks"}
    api_changes = {"status": "contacted"}

    def make(self, zone, i, **kw):
        return factories.candidate(zone, i, **kw)

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"status": "unfit"}, {"status": "unfit"}, {"status": "new"})]

    def form_data(self, zone, i):
        return {"zone": zone.pk, "name": f"新目标企业{i}", "province": "江苏省", "city": "苏州市", "industry": "3670",
                "products": "制动卡钳", "revenue": "12000", "status": "new", "notes": ""}

    def invalid_cases(self, zone):
        return [({"revenue": "-1"}, "revenue", "不能为负数"), ({"industry": "9999"}, "industry", "没有这个国民经济行业小类代码")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "name": f"接口目标企业{i}", "industry": "3670", "revenue": "5000"}

    def api_invalid_cases(self, zone):
        return [({"revenue": "-5"}, "revenue", "不能为负数")]
