"""Rulesets: presets, YAML round trip, digest, and every kind of hostile YAML."""
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from zoneops.evaluation.ruleset import (
    INDICATORS,
    PRESETS,
    Adjustment,
    Benchmark,
    Classification,
    GroupRules,
    Item,
    Ruleset,
    RulesetError,
    Scope,
    load_preset,
    preset_text,
)


def test_presets_load_and_round_trip():
    for name in PRESETS:
        rs = load_preset(name)
        assert Ruleset.from_yaml(rs.to_yaml()) == rs
        assert Ruleset.from_dict(rs.to_dict()) == rs
        assert rs.digest() == Ruleset.from_yaml(preset_text(name)).digest()
        assert len(rs.digest()) == 64


def test_huangyan_as_published():
    rs = load_preset("huangyan_2022")
    above, below = rs.group("above"), rs.group("below")
    assert [(i.indicator, i.weight, i.benchmark.value) for i in above.items] == [
        ("tax_per_mu", 30, 24.097), ("va_per_mu", 20, 136.16), ("va_per_energy", 20, 2.694),
        ("va_per_emission", 10, 4929.81), ("labour_productivity", 10, 18.14), ("rd_intensity", 10, 0.0302)]
    assert [(i.indicator, i.weight, i.benchmark.value) for i in below.items] == [
        ("tax_per_mu", 50, 11.5932), ("tax_per_power", 50, 0.2352)]
    assert above.items[3].missing == "group_average"
    assert all(i.benchmark.kind == "fixed" and i.cap is None for g in rs.groups for i in g.items)
    assert sum(i.weight for i in above.items) == 100 and sum(i.weight for i in below.items) == 100
    assert above.classification == Classification("percentile", ("A", "B", "C", "D"), (25, 70, 95))
    assert rs.class_name("D") == "倒逼整治" and rs.adjustments == ()


def test_percentile_preset():
    rs = load_preset("percentile")
    assert rs.scope.lessees_separate and rs.group("lessee") is not None
    assert rs.group("below").min_land_mu == 3
    assert {i.benchmark.kind for g in rs.groups for i in g.items} == {"mean", "median"}


def test_digest_changes_with_content():
    rs = load_preset("huangyan_2022")
    text = rs.to_yaml().replace("24.097", "24.1")
    assert Ruleset.from_yaml(text).digest() != rs.digest()
    assert "规上企业" in rs.to_yaml()  # allow_unicode: readable Chinese


def test_unknown_preset():
    with pytest.raises(RulesetError, match="未知的预置规则"):
        load_preset("../../etc/passwd")


BASE = load_preset("huangyan_2022").to_yaml()


def edit(old, new, count=1):
    assert old in BASE
    return BASE.replace(old, new, count)


HOSTILE = {
    "billion laughs": (('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                       'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'), "锚点"),
    "merge key alias": (BASE + "x: &y {a: 1}\n", "锚点"),
    "deep nesting": ("a: " + "[" * 100 + "]" * 100, "嵌套"),
    "too large": ("# " + "x" * 210_000, "过大"),
    "syntax": ("name: [unclosed\n", "YAML 格式错误"),
    "tab indentation": ("name:\n\t- x\n", "YAML"),
    "not a mapping": ("- 1\n- 2\n", "须为键值映射"),
    "empty": ("", "须为键值映射"),
    "python tag": ("!!python/object/apply:os.system ['echo hi']\n", "YAML"),
    "huge int weight": (edit("weight: 30", "weight: " + "9" * 400), "groups[0].items[0].weight: 权重超出范围"),
    "inf weight": (edit("weight: 30", "weight: .inf"), "groups[0].items[0].weight: 权重超出范围"),
    "nan benchmark": (edit("value: 24.097", "value: .nan"), "groups[0].items[0].benchmark.value: 基准值超出范围"),
    "string weight": (edit("weight: 30", "weight: '30'"), "groups[0].items[0].weight: 权重须为数字"),
    "bool weight": (edit("weight: 30", "weight: true"), "groups[0].items[0].weight: 权重须为数字"),
    "zero weight": (edit("weight: 30", "weight: 0"), "groups[0].items[0].weight: 权重须为正数"),
    "negative weight": (edit("weight: 20", "weight: -20"), "groups[0].items[1].weight: 权重须为正数"),
    "negative benchmark": (edit("value: 24.097", "value: -1"), "groups[0].items[0].benchmark.value: 基准值须为正数"),
    "unknown top key": (BASE + "colour: red\n", "colour: 未知字段"),
    "unknown item key": (edit("missing: exclude", "missing: exclude\n    weigth: 3"), "groups[0].items[0].weigth: 未知字段"),
    "missing weight": (edit("    weight: 30\n", ""), "groups[0].items[0].weight: 缺少必填字段"),
    "missing groups": ("name: x\ntitle: t\nyear: 2022\n", "groups: 缺少必填字段"),
    "empty groups": (edit("groups:\n", "groups: []\nold:\n"), "groups: 至少须有 1 项"),
    "unknown indicator": (edit("indicator: va_per_mu", "indicator: profit_per_mu"), "groups[0].items[1].indicator: 未知指标"),
    "duplicate indicator": (edit("indicator: va_per_mu", "indicator: tax_per_mu"),
                            "groups[0].items[1].indicator: 指标 tax_per_mu 在本组重复"),
    "duplicate group": (edit("code: below", "code: above"), "groups[1].code: 分组 above 重复"),
    "unknown group": (edit("code: below", "code: medium"), "groups[1].code: 分组代码须为"),
    "cuts not ascending": (edit("cuts:\n    - 25\n    - 70", "cuts:\n    - 70\n    - 25"), "须严格递增"),
    "cut above 100": (edit("    - 95", "    - 120"), "百分位分界须在 0 与 100 之间"),
    "cut zero": (edit("    - 25", "    - 0"), "百分位分界须在 0 与 100 之间"),
    "classes/cuts mismatch": (edit("    - 95\n", ""), "分界值个数须比等级个数少 1"),
    "duplicate classes": (edit("    - C\n", "    - B\n"), "等级代码重复"),
    "threshold ascending": (edit("method: percentile", "method: threshold"), "分数线须严格递减"),
    "unknown method": (edit("method: percentile", "method: quota"), "分类方法须为"),
    "unknown missing policy": (edit("missing: group_average", "missing: guess"), "缺失值处理须为"),
    "fixed without value": (edit("benchmark:\n      kind: fixed\n      value: 24.097", "benchmark:\n      kind: fixed"),
                            "固定基准值须填写数值"),
    "mean with value": (edit("kind: fixed\n      value: 24.097", "kind: mean\n      value: 24.097"), "不能填写数值"),
    "year as date": (edit("year: 2022", "year: 2022-01-01"), "year: 年度须为"),
    "year out of range": (edit("year: 2022", "year: 99999"), "year: 年度须为"),
    "scope not bool": (edit("merge_shared: true", "merge_shared: yes please"), "scope.merge_shared: 须为 true 或 false"),
    "class name of unknown class": (edit("  D: 倒逼整治", "  E: 淘汰"), "class_names.E: 不是任何分组的等级"),
    "exemption class unknown": (edit("exemption_class: B", "exemption_class: Z"), "exemption_class"),
    "bad name": (edit("name: huangyan_2022", "name: 'a b/../c'"), "name: 只能包含"),
    "zero adjustment": (edit("adjustments: []", "adjustments:\n- {code: x, name: 加分, points: 0}"), "分值不能为 0"),
    "duplicate adjustment": (edit("adjustments: []", "adjustments:\n- {code: x, name: a, points: 1}\n"
                                  "- {code: x, name: b, points: 2}"), "加减分项 x 重复"),
    "non-string key": (BASE + "1: 2\n", "键 1 须为文本"),
    "complex key": (BASE + "? [a, b]\n: 1\n", "YAML"),
    "policies bad": (edit("policies: {}", "policies:\n  A: [1, 2]"), "policies.A: 须为键值映射"),
    "invalid utf-8": (b"name: \xff\xfe", "UTF-8"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_yaml(case):
    text, message = HOSTILE[case]
    with pytest.raises(RulesetError) as info:
        Ruleset.from_yaml(text)
    assert message in str(info.value), str(info.value)


def test_all_problems_reported_at_once():
    text = edit("weight: 30", "weight: -1").replace("weight: 20", "weight: x", 1)
    with pytest.raises(RulesetError) as info:
        Ruleset.from_yaml(text)
    assert len(info.value.messages) == 2


def test_not_text():
    with pytest.raises(RulesetError):
        Ruleset.from_yaml(None)
    with pytest.raises(RulesetError):
        Ruleset.from_dict(["a"])


# -- round trip of generated rulesets -------------------------------------------------------------
codes = st.sampled_from(sorted(INDICATORS))
pos = st.floats(min_value=1e-6, max_value=1000, allow_nan=False, allow_infinity=False)


@st.composite
def items(draw):
    chosen = draw(st.lists(codes, min_size=1, max_size=4, unique=True))
    out = []
    for code in chosen:
        kind = draw(st.sampled_from(["fixed", "mean", "median"]))
        bench = Benchmark(kind, draw(pos) if kind == "fixed" else None)
        out.append(Item(code, draw(pos), bench, cap=draw(st.none() | st.floats(0.5, 10)),
                        missing=draw(st.sampled_from(["group_average", "zero", "exclude"]))))
    return tuple(out)


@st.composite
def classifications(draw):
    n = draw(st.integers(1, 5))
    classes = tuple("ABCDEFG"[:n])
    if draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.floats(0.5, 99.5), min_size=n - 1, max_size=n - 1, unique=True)))
        return Classification("percentile", classes, tuple(cuts))
    cuts = sorted(draw(st.lists(st.floats(-50, 200), min_size=n - 1, max_size=n - 1, unique=True)), reverse=True)
    return Classification("threshold", classes, tuple(cuts))


@st.composite
def rulesets(draw):
    group_codes = draw(st.lists(st.sampled_from(["above", "below", "lessee"]), min_size=1, max_size=3, unique=True))
    groups = tuple(GroupRules(c, draw(st.text("规上下租赁企业组", min_size=1, max_size=6)), draw(items()),
                              draw(classifications()), min_land_mu=draw(st.none() | st.floats(0, 100)))
                   for c in group_codes)
    classes = sorted({c for g in groups for c in g.classification.classes})
    adjustments = tuple(Adjustment(f"a{i}", "加分项", draw(st.sampled_from([-5.0, 1.5, 3.0])),
                                   draw(st.none() | st.floats(0.5, 20))) for i in range(draw(st.integers(0, 3))))
    return Ruleset(name="gen", title="生成的规则", year=draw(st.integers(1990, 2100)), groups=groups,
                   region=draw(st.text("台州市黄岩区", max_size=5)), adjustments=adjustments,
                   exemption_class=draw(st.sampled_from(classes)),
                   scope=Scope(*draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))),
                   class_names={c: f"{c}类" for c in classes},
                   policies={classes[0]: {"电价加价（元/千瓦时）": 0.1, "用地保障": "优先"}})


@settings(max_examples=40, deadline=None)
@given(rulesets())
def test_yaml_round_trip(rs):
    text = rs.to_yaml()
    again = Ruleset.from_yaml(text)
    assert again == rs
    assert again.to_yaml() == text and again.digest() == rs.digest()
    assert yaml.safe_load(text)["name"] == "gen"
