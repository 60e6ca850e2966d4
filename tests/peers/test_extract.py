"""The extraction rules, one by one (pure: no database)."""
import pytest

from zoneops.peers.engine import canonical_period, metrics_match, normalise, score
from zoneops.peers.extract import clean, cn_number, extract


def one(text, date=None):
    figs = extract(text, date)
    assert len(figs) == 1, [(f.value, f.unit, f.kind) for f in figs]
    return figs[0]


def vals(text, date=None):
    return [(f.value, f.unit, f.kind) for f in extract(text, date)]


# ---- numbers ----
@pytest.mark.parametrize("cn,n", [("三十二", 32), ("一千七百", 1700), ("十", 10), ("十五", 15), ("两", 2),
                                  ("一万二千", 12000), ("三亿五千万", 350000000), ("千万", 10 ** 7), ("二〇", 20)])
def test_chinese_numerals(cn, n):
    assert cn_number(cn) == n


def test_chinese_numeral_figures():
    assert vals("引进项目三十二个,总投资一千七百万元") == [(32, "个", "count"), (17000000, "元", "level")]
    f = one("十余家媒体参加")
    assert (f.value, f.qualifier) == (10, "余")


def test_mixed_and_separators_and_fullwidth():
    assert one("新增就业1.2万人").norm_value == 12000
    assert one("完成投资3亿元").norm_value == 30000
    assert one("用地1,234亩").value == 1234
    assert one("投资１２３．５亿元").value == 123.5


def test_ocr_breaks_inside_numbers_and_units():
    text = "全年完成固定资产投资38.\n5 亿元,新增用地1,2\n34 亩,总投资12亿\n元。"
    figs = extract(text)
    assert [(f.value, f.unit) for f in figs] == [(38.5, "亿元"), (1234, "亩"), (12, "亿元")]
    assert text[figs[0].start:figs[0].end] == "38.\n5 亿元"  # offsets are into the original text
    assert text[figs[1].start:figs[1].end] == "1,2\n34 亩"


def test_line_break_between_paragraphs_is_not_joined():
    assert vals("新增企业5\n\n\n\n12月份召开大会") == []


# ---- units ----
@pytest.mark.parametrize("text,nv,nu", [
    ("投资38.5亿元", 385000, "万元"), ("产值1.2万亿元", 1.2e8, "万元"), ("奖励500元", 0.05, "万元"),
    ("用地119公顷", 1785, "亩"), ("面积2.5平方公里", 3750, "亩"), ("占地4.6万平方米", 69.0, "亩"),
    ("产量35.7万吨", 35.7, "万吨"), ("出口1.3亿美元", 13000, "万美元"), ("外资4000万美元", 4000, "万美元"),
    ("用电量6.42亿度", 64200, "万度"), ("新增用地1731亩", 1731, "亩"), ("就业5000人", 5000, "人"),
])
def test_unit_normalisation(text, nv, nu):
    f = one(text)
    assert f.norm_unit == nu and f.norm_value == pytest.approx(nv, rel=1e-3)


def test_normalise_directly():
    assert normalise(1, "平方米") == pytest.approx((1 / 666.67, "亩"))
    assert normalise(1.3, "倍", "growth") == (130.0, "%")
    assert normalise(7, "家") == (7.0, "家")


# ---- kinds ----
def test_growth_linked_to_level():
    figs = extract("全年完成固定资产投资38.5亿元,同比增长40.9%。其中,工业投资29.7亿元,同比下降1.7%。")
    assert [(f.metric, f.kind, f.value) for f in figs] == [
        ("固定资产投资", "level", 38.5), ("固定资产投资", "growth", 40.9), ("工业投资", "level", 29.7),
        ("工业投资", "growth", -1.7)]
    assert figs[1].growth_of == 0 and figs[3].growth_of == 2


def test_growth_respectively():
    figs = extract("第二产业增加值5.3万亿元,第三产业增加值3.9万亿元,同比分别增长2.2%和9.4%。")
    assert [(f.metric, f.kind, f.growth_of) for f in figs[2:]] == [("第二产业增加值", "growth", 0),
                                                                   ("第三产业增加值", "growth", 1)]


def test_growth_times_and_points():
    assert one("产业项目数量同比增长1.3倍").norm_value == 130
    f = one("降幅较一季度收窄2.7个百分点")
    assert (f.kind, f.unit, f.value) == ("growth", "百分点", 2.7)
    assert one("服务业增加值也实现了10%的增长").kind == "growth"


def test_share_count_duration_target():
    assert one("高新技术产业产值占规模以上工业产值的44.78%").kind == "share"
    assert one("项目开工率达90%以上").kind == "share"
    assert one("完成全年目标的113%").kind == "share"
    assert one("规上企业301家").kind == "count"
    assert one("15天完成签约").kind == "duration"
    assert one("仅用3个月实现投产").kind == "duration"
    f = one("力争R&D经费支出占高新区生产总值比重达到7.5%")
    assert f.kind == "target" and f.value == 7.5
    assert one("确保全年新增用地3000亩").kind == "target"


# ---- what is not a figure ----
@pytest.mark.parametrize("text", [
    "2023年,开发区召开大会", "6月28日召开发布会", "一是经济指标再交高分卷", "1. 固定资产投资", "(一)主导产业",
    "位列全市第3位", "全国前50名的企业", "电话0579-87654321", "文号临政办发〔2019〕98号", "S316—S315连接线",
    "围绕“7+3”条产业链", "百亿税收、千亿产值、万亩平台", "一个项目、一个服务团队", "两项指标均位列全市第6",
    "年产2GWh锂电池", "2022年度全国排名",
])
def test_not_figures(text):
    assert extract(text) == []


def test_thresholds_qualify_the_count():
    assert vals("10亿元以上项目 5 个") == [(5, "个", "count")]
    assert vals("税收500万元以上企业6家") == [(6, "家", "count")]
    assert vals("出口超1000万美元的企业有66家") == [(66, "家", "count")]
    assert vals("80亿元项目1个、6000万美元韩资项目1个") == [(1, "个", "count"), (1, "个", "count")]
    f = one("力争腾出工业用地1万亩以上。")
    assert (f.value, f.unit, f.norm_value, f.kind) == (1, "万亩", 10000, "target")


def test_range_is_its_lower_bound():
    f = one("计划投资5-10亿元")
    assert f.value == 5 and "5-10亿元" in f.qualifier


def test_two_year_average_is_not_a_duration():
    assert vals("同比增长23.5%,两年平均增长14.8%") == [(23.5, "%", "growth"), (14.8, "%", "growth")]


def test_traditional_characters():
    assert one("實現生產總值33.74億元").norm_value == pytest.approx(337400)


# ---- periods ----
def test_periods():
    assert one("1-9月累计完成规上工业产值224.18亿元", "2023-10-01").period == "2023-01~09"
    assert one("2023年上半年完成投资5亿元").period == "2023-01~06"
    assert one("一季度签约项目14个", "2019-04-10").period == "2019-Q1"
    assert one("全年完成投资5亿元", "2022-12-01").period == "2022"
    figs = extract("2016年,高新区实现生产总值46.34亿元。\n民生支出7.49亿元。", "2017-06-30")
    assert [f.period for f in figs] == ["2016", "2016"]  # the paragraph's year carries over
    assert one("6月当月完成进出口14.5亿元", "2023-07-01").period == "2023-06"
    assert canonical_period("2023-H1") == "2023-01~06"


def test_sentence_and_offsets():
    text = "前言。\n全年完成固定资产投资38.5亿元,同比增长40.9%。"
    f = extract(text)[0]
    assert text[f.sentence_start:f.sentence_end].strip() == f.sentence
    assert text[f.start:f.end] == "38.5亿元"


def test_empty_huge_and_hostile_text_is_handled():
    assert extract("") == [] and extract("   \n") == []
    assert extract("\x00\x01\x02" * 1000) == []
    big = "全年完成固定资产投资38.5亿元,同比增长40.9%。" * 20000  # ~600k characters, linear time
    assert len(extract(big)) == 40000
    flat = "投资5亿元" * 50000  # 300k characters without a single delimiter
    assert len(extract(flat)) == 50000


def test_clean_keeps_offsets():
    t, off = clean("３８.\n5亿元")
    assert t == "38.5亿元" and off[3] == 4


# ---- evaluation ----
def test_score_matching_rule():
    labels = [{"metric": "固定资产投资", "value": 38.5, "unit": "亿元", "kind": "level", "period": "2022"},
              {"metric": "固定资产投资", "value": 40.9, "unit": "%", "kind": "growth", "period": "2022"}]
    figs = [f.as_dict() for f in extract("2022年,全年完成固定资产投资38.5亿元,同比增长40.9%,新增用地10亩。")]
    s = score(labels, figs)
    assert (s.matched, s.extracted, s.labelled, s.matched_metric) == (2, 3, 2, 2)
    assert s.precision == pytest.approx(2 / 3) and s.recall == 1
    wrong_kind = [{**labels[1], "kind": "share"}]
    assert score(wrong_kind, figs).matched == 0
    assert metrics_match("规上工业增加值", "规模以上工业增加值") and not metrics_match("出口", "财政收入")
