"""The matcher, strength classes and tree files (pure; no database)."""
import pytest

from zoneops.chains import engine, treeio

from .factories import SMALL_TREE


@pytest.fixture(scope="module")
def matcher():
    return engine.Matcher([treeio.chain_spec(treeio.load_yaml(SMALL_TREE))])


def segs(matches):
    return sorted(m.segment for m in matches)


def test_keyword_in_scope_with_code_maps_to_the_segment(matcher):
    out = matcher.match("台州某某汽配有限公司", "", "3670", "刹车片、制动盘制造；五金产品批发")
    assert segs(out) == ["制动系统"]
    assert "刹车片" in out[0].evidence and "行业代码3670" in out[0].evidence
    assert 0.5 <= out[0].confidence <= 1


def test_code_shared_by_many_segments_does_not_decide_alone(matcher):
    assert matcher.match("某某有限公司", "", "3670", "") == []


def test_code_prefixes_match_group_and_division(matcher):
    m = engine.Matcher([engine.ChainSpec("c", "c", [engine.SegmentSpec("s", "s", codes=("367",), keywords=("刹车片",)),
                                                   engine.SegmentSpec("t", "t", codes=("36",))])])
    assert m.match("", "", "3670", "") == []  # 中类 0.45, 大类 0.30: below the threshold alone
    ev = m.match("", "", "3670", "刹车片制造")
    assert segs(ev) == ["s"]
    assert "行业代码367" in ev[0].evidence
    assert segs(m.match("", "", "3980", "刹车片制造")) == []  # no code support: 0.40 alone is not enough


def test_exclude_word_in_the_same_clause_drops_the_keyword(matcher):
    assert segs(matcher.match("", "", "", "自行车车灯制造")) == []
    assert segs(matcher.match("某车灯有限公司", "", "3670", "汽车车灯、前照灯制造")) == ["车灯"]


def test_trade_only_clause_counts_less(matcher):
    made = matcher.match("", "", "", "刹车片、制动器制造")
    sold = matcher.match("", "", "", "刹车片销售；制动器批发")
    assert made and (not sold or sold[0].confidence < made[0].confidence)


def test_former_name_is_evidence(matcher):
    out = matcher.match("某某科技有限公司", "台州某某刹车片厂", "3670", "")
    assert segs(out) == ["制动系统"] and "曾用名" in out[0].evidence


def test_modifier_before_head_word_is_dropped():
    m = engine.Matcher([engine.ChainSpec("b", "b", [engine.SegmentSpec("cell", "cell", keywords=("锂离子电池",)),
                                                   engine.SegmentSpec("anode", "anode", keywords=("负极材料",))])])
    assert segs(m.match("", "", "", "锂离子电池负极材料生产")) == ["anode"]
    # A coordination keeps both.
    assert segs(m.match("", "", "", "锂离子电池及负极材料生产")) == ["anode", "cell"]


def test_latin_keywords_ignore_case():
    m = engine.Matcher([engine.ChainSpec("n", "n", [engine.SegmentSpec("p", "p", keywords=("PACK", "BMS"))])])
    assert segs(m.match("", "", "", "电池pack组装；bms研发")) == ["p"]


def test_descendant_wins_over_ancestor():
    tree = treeio.load_yaml(SMALL_TREE)
    tree["segments"][1]["keywords"] = ["零部件"]
    m = engine.Matcher([treeio.chain_spec(tree)])
    assert segs(m.match("某汽车零部件有限公司", "", "3670", "汽车零部件、刹车片制造")) == ["制动系统"]


def test_every_template_compiles_and_has_twenty_segments():
    trees = treeio.templates()
    assert {t["name"] for _, t in trees} >= {"汽车整车及零部件", "新能源汽车", "再生金属", "五金智造", "新能源电池及材料",
                                            "数控机床"}
    for slug, t in trees:
        assert len(t["segments"]) >= 20, slug
        assert {s["stage"] for s in t["segments"]} == {"up", "mid", "down"}, slug
        assert all(s["keywords"] or s["parent"] is None for s in t["segments"]), slug
    m = engine.Matcher([treeio.chain_spec(t) for _, t in trees])
    assert m.n_segments == sum(len(t["segments"]) for _, t in trees)


def test_template_codes_exist_in_gb4754(db):
    from zoneops.registry.models import IndustryCode

    known = set(IndustryCode.objects.values_list("code", flat=True))
    for slug, t in treeio.templates():
        for s in t["segments"]:
            assert set(s["codes"]) <= known, (slug, s["name"], set(s["codes"]) - known)


# -- strength ---------------------------------------------------------------------------------

def test_strength_classes_and_recommendations():
    th = engine.clean_thresholds({})
    assert engine.strength(engine.SegmentStats(), th) == (0.0, "缺失")
    weak = engine.strength(engine.SegmentStats(firms=1, revenue=500), th)
    strong = engine.strength(engine.SegmentStats(firms=20, above=6, revenue=90000, revenue_prev=70000, tax=3000), th)
    assert weak[1] == "薄弱" and strong == (100.0, "强")
    assert engine.recommendation("缺失", True) == "补链" and engine.recommendation("缺失", False) == "延链"
    assert engine.recommendation("薄弱", True) == "强链" and engine.recommendation("强", True) == ""


def test_thresholds_are_configurable_and_checked():
    th = engine.clean_thresholds({"weak": 10, "strong": 20, "targets": {"firms": 2}})
    assert engine.strength(engine.SegmentStats(firms=2, above=3, revenue=50000, tax=2000), th)[1] == "强"
    for bad, message in (({"weak": 80, "strong": 20}, "不能高于"), ({"nope": 1}, "未知"), ({"targets": {"firms": 0}}, "正数"),
                         ({"weak": "x"}, "0–100"), ([], "JSON")):
        with pytest.raises(ValueError, match=message):
            engine.clean_thresholds(bad)


def test_concentration():
    assert engine.concentration([100]) == (10000.0, 1.0)
    hhi, top3 = engine.concentration([25, 25, 25, 25])
    assert hhi == 2500.0 and top3 == 0.75
    assert engine.hhi_from_sums(4 * 25 ** 2, 100) == 2500.0


def test_candidate_score_orders_by_fit_size_and_severity():
    big, _ = engine.candidate_score(0.8, 1_000_000, 1.0)
    small, _ = engine.candidate_score(0.8, 5_000, 1.0)
    fair, _ = engine.candidate_score(0.8, 1_000_000, engine.SEVERITY["一般"])
    assert big > small and big > fair > 0


# -- tree files -------------------------------------------------------------------------------

def test_yaml_round_trip():
    tree = treeio.load_yaml(SMALL_TREE)
    again = treeio.load_yaml(treeio.dump_yaml(tree))
    assert again == tree


def test_xlsx_round_trip():
    tree = treeio.load_template("auto")
    assert treeio.load_xlsx(treeio.dump_xlsx(tree)) == tree


@pytest.mark.parametrize("text, message", [
    ("a: &x [1]\nb: *x\n", "锚点"),
    ("- 1\n- 2\n", "顶层应为对象"),
    ("name: x\nsegments:\n- name: a\n", "缺少 stage"),
    ("name: x\nsegments:\n- name: a\n  stage: 侧游\n", "上游、中游 或 下游"),
    ("name: x\nsegments:\n- name: a\n  stage: up\n- name: a\n  stage: mid\n", "重复"),
    ("name: x\nsegments:\n- name: a\n  stage: up\n  codes: 36ab\n", "2–4 位数字"),
    ("name: x\nsegments:\n- name: a\n  stage: up\n  evil: 1\n", "未知的字段"),
    ("name: x\nsegments:\n- name: a\n  stage: up\n  keywords: " + "长" * 2001 + "\n", "超过"),
    ("name: x\nsegments: [", "YAML 格式错误"),
    ("!!python/object/apply:os.system ['echo hi']", "YAML 格式错误"),
    ("name: x\nsegments: []\n", "没有任何环节"),
])
def test_hostile_or_broken_yaml_is_refused_in_chinese(text, message):
    with pytest.raises(treeio.TreeError, match=message):
        treeio.load_yaml(text)


def test_yaml_too_deep_or_too_big():
    deep = "name: x\nsegments:\n- name: l0\n  stage: up\n"
    indent = "  "
    for i in range(1, 7):
        deep += f"{indent}children:\n{indent}- name: l{i}\n"
        indent += "  "
    with pytest.raises(treeio.TreeError, match="层级过深"):
        treeio.load_yaml(deep)
    with pytest.raises(treeio.TreeError, match="超过"):
        treeio.load_yaml(b"#" * (treeio.MAX_BYTES + 1))


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04broken", "损坏"),
    (b"", "空"),
])
def test_hostile_xlsx_is_refused(data, message):
    with pytest.raises(treeio.TreeError, match=message):
        treeio.load_xlsx(data)


def test_xlsx_with_bad_rows():
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    book.add_worksheet("产业链").write_row(0, 0, ["名称", "测试链"])
    ws = book.add_worksheet("环节")
    ws.write_row(0, 0, treeio.XLSX_HEADERS)
    ws.write_row(1, 0, ["上游", "材料", "", "3130"])
    ws.write_row(2, 0, ["侧游", "坏环节"])
    book.close()
    with pytest.raises(treeio.TreeError, match="第 3 行"):
        treeio.load_xlsx(buf.getvalue())
