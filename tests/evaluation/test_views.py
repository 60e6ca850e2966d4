"""The shared view / permission / export / API matrix for the evaluation's registered features."""

from zoneops.evaluation import services
from zoneops.evaluation.models import (
    Adjustment,
    Exemption,
    MergeGroup,
    Objection,
    Result,
    Run,
)
from zoneops.registry.models import Enterprise

from ..core.viewtests import FeatureTests, ReadOnlyTests
from ..registry import factories
from ..registry.factories import make_uscc
from . import support


def base_firm(zone):
    ent = Enterprise.objects.filter(zone=zone, name__startswith=f"{zone.name}基准").first()
    return ent or support.firm(zone, 900, name=f"{zone.name}基准企业有限公司")


def new_firm(zone, i):
    return factories.enterprise(zone, 5000 + i, name=f"{zone.name}矩阵企业{i:02d}有限公司",
                                uscc=make_uscc(zone.pk * 1000 + 500 + i))


def base_run(zone):
    run = Run.objects.filter(zone=zone, title=f"{zone.name}基准评价").first()
    if run is None:
        base_firm(zone)
        run = services.create_run(zone, 2023, support.preset_version(), title=f"{zone.name}基准评价",
                                  background=False)
    return run


class TestRunViews(ReadOnlyTests):
    feature_key = "evaluation.run"
    search_fields = ("title",)
    sort_columns = {"id": int}

    def make(self, zone, i, **kw):
        base_firm(zone)
        run = services.create_run(zone, 2023, support.preset_version(), title=f"{zone.name}评价{i:02d}",
                                  background=False)
        if kw:
            Run.objects.filter(pk=run.pk).update(**kw)
            run.refresh_from_db()
        return run

    def marker(self, obj):
        return obj.title

    def filter_cases(self, zone):
        return [({"state": "final"}, {"state": "final"}, {"state": "computed"}),
                ({"year": "2021"}, {"year": 2021}, {})]


class TestResultViews(ReadOnlyTests):
    feature_key = "evaluation.result"
    search_fields = ("enterprise",)
    sort_columns = {"total": float}

    def make(self, zone, i, **kw):
        run = kw.pop("run", None) or base_run(zone)
        ent = new_firm(zone, i)
        kw.setdefault("final_class", "B")
        kw.setdefault("group", "above")
        return Result.objects.create(zone=zone, run=run, enterprise=ent, unit_key=ent.pk, total=50 + i, rank=i + 1,
                                     class_code=kw["final_class"], **kw)

    def marker(self, obj):
        return obj.enterprise.name

    def search_terms(self, obj):
        return [obj.enterprise.name, obj.enterprise.uscc]

    def filter_cases(self, zone):
        return [({"final_class": "A"}, {"final_class": "A"}, {"final_class": "D"}),
                ({"group": "below"}, {"group": "below"}, {}),
                ({"included": "0"}, {"included": False}, {})]

    def tab_content(self, obj):
        return {"overview": [obj.enterprise.name], "items": ["调档"]}


class TestObjectionViews(ReadOnlyTests):
    feature_key = "evaluation.objection"
    search_fields = ("text",)
    sort_columns = {"id": int}

    def make(self, zone, i, **kw):
        run = base_run(zone)
        ent = new_firm(zone, i)
        result = Result.objects.create(zone=zone, run=run, enterprise=ent, unit_key=ent.pk, group="above",
                                       total=50, rank=1, final_class="B", class_code="B")
        kw.setdefault("text", f"{zone.name}异议{i:02d}内容")
        return Objection.objects.create(zone=zone, run=run, result=result, evidence="evaluation/x.pdf",
                                        evidence_name="x.pdf", **kw)

    def marker(self, obj):
        return obj.result.enterprise.name

    def filter_cases(self, zone):
        return [({"status": "rejected"}, {"status": "rejected"}, {"status": "pending"})]


class TestExemptionViews(FeatureTests):
    feature_key = "evaluation.exemption"
    search_fields = ("reason",)
    sort_columns = {"year": int}
    formula_field = "reason"
    edit_changes = {"reason": "改为：供水企业"}

    def make(self, zone, i, **kw):
        kw.setdefault("reason", f"{zone.name}在建项目{i:02d}")
        return Exemption.objects.create(zone=zone, enterprise=new_firm(zone, i), year=kw.pop("year", 2020 + i % 5),
                                        **kw)

    def marker(self, obj):
        return obj.reason

    def filter_cases(self, zone):
        return [({"year": "2019"}, {"year": 2019}, {"year": 2018})]

    def form_data(self, zone, i):
        ent = new_firm(zone, 40 + i)
        return {"zone": zone.pk, "enterprise": ent.uscc, "year": 2024, "reason": "公用事业企业"}

    def invalid_cases(self, zone):
        other = new_firm(zone, 60)
        Exemption.objects.create(zone=zone, enterprise=other, year=2024, reason="已登记")
        return [({"enterprise": make_uscc(999999)}, "enterprise", "本开发区没有统一社会信用代码为"),
                ({"year": "1800"}, "year", "年度应在"),
                ({"reason": ""}, "reason", "该字段是必填项"),
                ({"enterprise": other.uscc, "year": "2024"}, "year", "该企业这一年度已登记免评")]


class TestAdjustmentViews(FeatureTests):
    feature_key = "evaluation.adjustment"
    search_fields = ("code",)
    sort_columns = {"year": int}
    formula_field = "reason"
    edit_changes = {"code": "rd_centre", "reason": "认定为省级研发中心"}

    def make(self, zone, i, **kw):
        services.ensure_presets()
        kw.setdefault("reason", f"{zone.name}加分依据{i:02d}")
        kw.setdefault("code", f"code{zone.pk}x{i:02d}")
        return Adjustment.objects.create(zone=zone, enterprise=new_firm(zone, i), year=kw.pop("year", 2020 + i % 5),
                                         **kw)

    def marker(self, obj):
        return obj.reason

    def filter_cases(self, zone):
        return [({"year": "2019"}, {"year": 2019}, {"year": 2018})]

    def form_data(self, zone, i):
        services.ensure_presets()
        ent = new_firm(zone, 40 + i)
        return {"zone": zone.pk, "enterprise": ent.uscc, "year": 2024, "code": "high_tech", "reason": "高新技术企业证书"}

    def invalid_cases(self, zone):
        return [({"code": "no_such_code"}, "code", "没有这个加减分项代码"),
                ({"enterprise": "123"}, "enterprise", "统一社会信用代码应为 18 位")]


class TestMergeGroupViews(FeatureTests):
    feature_key = "evaluation.mergegroup"
    search_fields = ("name",)
    sort_columns = {"year": int}
    formula_field = "name"
    edit_changes = {"name": "改名后的合并单元"}

    def make(self, zone, i, **kw):
        kw.setdefault("name", f"{zone.name}合并单元{i:02d}")
        group = MergeGroup.objects.create(zone=zone, year=kw.pop("year", 2020 + i % 5), **kw)
        group.enterprises.set([new_firm(zone, i), new_firm(zone, 100 + i)])
        return group

    def marker(self, obj):
        return obj.name

    def filter_cases(self, zone):
        return [({"year": "2019"}, {"year": 2019}, {"year": 2018})]

    def form_data(self, zone, i):
        a, b = new_firm(zone, 40 + i), new_firm(zone, 41 + i)
        return {"zone": zone.pk, "name": f"共用厂房{i}", "year": 2024, "members": f"{a.uscc}\n{b.uscc}",
                "reason": "同一地块"}

    def invalid_cases(self, zone):
        a = new_firm(zone, 70)
        return [({"members": a.uscc}, "members", "至少需要两家企业"),
                ({"members": f"{a.uscc}\n{make_uscc(888888)}"}, "members", "本开发区没有统一社会信用代码为"),
                ({"members": "abc\n"}, "members", "第 1 行")]
