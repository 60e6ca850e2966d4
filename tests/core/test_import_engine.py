"""The pure import engine and readers: no database."""
import codecs
import datetime
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from zoneops.core.importing import engine, readers
from zoneops.core.importing.engine import (BoolParser, ChoiceParser, Column, DateParser, DecimalParser, IntParser,
                                           TextParser, UsccParser, YearParser)

from .import_support import make_csv, make_xlsx, uscc_vectors, valid_codes

TODAY = datetime.date(2025, 6, 30)


def spec():
    """A small spec like the figures import."""
    return engine.Spec("test", "企业", [
        Column("uscc", "统一社会信用代码", UsccParser(), ("信用代码", "社会信用代码"), required=True, needed=True),
        Column("name", "企业名称", TextParser(50), ("单位名称", "公司名称"), required=True, needed=True),
        Column("year", "年度", YearParser(1990, 2026), ("年份",)),
        Column("revenue", "营业收入", DecimalParser("money"), ("销售收入",)),
        Column("tax", "税收", DecimalParser("money"), ("评价税收",)),
        Column("area", "面积", DecimalParser("area", positive=True), ("用地面积",)),
        Column("established", "成立日期", DateParser(latest=TODAY)),
        Column("high_tech", "高新技术企业", BoolParser(), ("是否高新",)),
        Column("note", "说明", None, ("备注说明",)),
    ], key=("uscc", "year"))


def layout_of(rows, **kw):
    return engine.find_layout(spec(), list(enumerate(rows, start=1)), **kw)


def clean(rows):
    s = spec()
    head = list(enumerate(rows, start=1))
    layout = engine.find_layout(s, head[:12])
    assert layout.ok, layout.errors
    cleaner = engine.Cleaner(s, layout)
    return layout, list(cleaner.clean(head[layout.skip:])), cleaner


# -- headers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, name, units", [
    ("营业收入（万元）", "营业收入", ["万元"]),
    (" 营业收入 (万元) ", "营业收入", ["万元"]),
    ("营业收入/千元", "营业收入", ["千元"]),
    ("营业收入（单位：元）", "营业收入", ["元"]),
    ("面积【公顷】", "面积", ["公顷"]),
    ("统一社会信用代码(纳税人识别号)", "统一社会信用代码", ["纳税人识别号"]),
    ("企业（单位）名称*", "企业名称", []),
    ("\u3000企业名称\u3000", "企业名称", []),
    ("ＵＳＣＣ", "uscc", []),
])
def test_parse_header(text, name, units):
    assert engine.parse_header(text) == (name, units)


@pytest.mark.parametrize("header, key", [
    ("统一社会信用代码", "uscc"), ("信用代码 ", "uscc"), ("社会信用代码（18位）", "uscc"),
    ("单位名称", "name"), ("公司 名称", "name"), ("营业收入（万元）", "revenue"), ("营业收入万元", "revenue"),
    ("评价税收(万元)", "tax"), ("用地面积（亩）", "area"), ("是否高新", "high_tech"),
])
def test_header_synonyms(header, key):
    col, _ = spec().match(header)
    assert col is not None and col.key == key


def test_layout_skips_title_rows_and_names_ignored_columns():
    layout = layout_of([
        ["2024年企业名单"], [],
        ["序号", "企业名称", "统一社会信用代码", "营业收入（千元）", "联系人"],
        [1, "甲公司", "91110000600037341L", "1,000", "张三"],
    ])
    assert layout.ok and layout.header_line == 3 and layout.skip == 3
    assert [b.column.key for b in layout.bound] == ["name", "uscc", "revenue"]
    assert any("E 列“联系人”" in n for n in layout.notices)
    assert not any("序号" in n for n in layout.notices)  # the row counter is ignored silently
    assert any("千元" in n and "万元" in n for n in layout.notices)
    assert layout.bound[2].parser.factor == Decimal("0.1")


def test_layout_two_row_header_with_merged_group_label_and_its_unit():
    # Row 1: 企业名称 / 信用代码 span two rows (merged, filled by the reader); 主要指标（亿元）
    # is a group label over 营业收入 and 税收.
    layout = layout_of([
        ["企业名称", "统一社会信用代码", "主要指标（亿元）", "主要指标（亿元）", "年度"],
        ["企业名称", "统一社会信用代码", "营业收入", "税收", "年度"],
        ["甲", "91110000600037341L", 1.5, 0.1, 2023],
    ])
    assert layout.ok and layout.header_line == 2 and layout.skip == 2
    bound = {b.column.key: b for b in layout.bound}
    assert set(bound) == {"name", "uscc", "revenue", "tax", "year"}
    assert bound["revenue"].parser.factor == Decimal(10000)
    assert any("两行" in n for n in layout.notices)


def test_layout_two_row_header_from_csv_without_merge_information():
    layout = layout_of([
        ["企业名称", "统一社会信用代码", "主要指标（千元）", "", "年度"],
        ["", "", "营业收入", "税收", ""],
        ["甲", "91110000600037341L", "1", "2", "2023"],
    ])
    bound = {b.column.key: b for b in layout.bound}
    assert set(bound) == {"name", "uscc", "revenue", "tax", "year"}
    assert bound["tax"].parser.factor == Decimal("0.1")


def test_layout_units_row_and_sheet_unit():
    layout = layout_of([["企业名称", "统一社会信用代码", "营业收入"], ["", "", "元"], ["甲", "91110000600037341L", "5"]])
    assert layout.skip == 2 and layout.bound[2].parser.factor == Decimal("0.0001")
    head = list(enumerate([["单位：千元"], ["企业名称", "统一社会信用代码", "营业收入"]], start=1))
    unit = engine.sheet_unit(head, 2)
    assert unit == "千元"
    layout = engine.find_layout(spec(), head, sheet_units=unit)
    assert layout.bound[2].parser.factor == Decimal("0.1")


def test_missing_required_column_is_named():
    layout = layout_of([["企业名称", "营业收入"], ["甲", "1"]])
    assert not layout.ok
    assert any("缺少必需的列“统一社会信用代码”" in e for e in layout.errors)


def test_wrong_headers_say_what_was_expected():
    layout = layout_of([["姓名", "电话"], ["张三", "123"]])
    assert not layout.ok
    assert "没有找到表头" in layout.errors[0] and "统一社会信用代码" in layout.errors[0]


def test_duplicate_column_is_an_error():
    layout = layout_of([["企业名称", "统一社会信用代码", "营业收入", "销售收入"]])
    assert any("出现了两次" in e and "C 列" in e and "D 列" in e for e in layout.errors)


def test_unit_of_another_kind_is_an_error():
    layout = layout_of([["企业名称", "统一社会信用代码", "营业收入（亩）"]])
    assert any("单位“亩”不适用" in e for e in layout.errors)


# -- cells -------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("1,234.5", Decimal("1234.5")), ("１２３４", Decimal("1234")), (" 12 ", Decimal("12")), ("12\u00a0", Decimal(12)),
    ("1.2亿", Decimal("12000")), ("500元", Decimal("0.05")), ("￥1,000", Decimal("1000")), ("1 234", Decimal(1234)),
    (1234.56, Decimal("1234.56")), (3, Decimal(3)), ("12.345678", Decimal("12.3457")), ("0", Decimal(0)),
    ("-", None), ("—", None), ("无", None), ("", None), ("NaN", None), ("1e3", Decimal(1000)),
])
def test_decimal_accepts(raw, expected):
    value = DecimalParser("money")(raw) if raw != "" else None
    assert value == expected


@pytest.mark.parametrize("raw, reason", [
    ("-1", "不能为负数"), ("(12)", "不能为负数"), ("12%", "百分数"), ("1,23", "千分位"), ("abc", "不是有效的数字"),
    ("#N/A", "Excel 错误值"), ("#DIV/0!", "Excel 错误值"), (True, "逻辑值"), (datetime.date(2024, 1, 1), "日期"),
    ("1e30", "过大"), ("Infinity", "不是有效的数字"), ("12亩", "单位“亩”不适用"),
])
def test_decimal_rejects_with_chinese_reason(raw, reason):
    with pytest.raises(ValueError, match=reason):
        DecimalParser("money")(raw)


def test_decimal_units_and_positive():
    assert DecimalParser("money").bind(Decimal("0.1"))("1,000") == Decimal(100)
    assert DecimalParser("area", positive=True)("2公顷") == Decimal(30)
    with pytest.raises(ValueError, match="必须大于 0"):
        DecimalParser("area", positive=True)("0")


@pytest.mark.parametrize("raw, expected", [("1,234", 1234), ("1234.0", 1234), (236.0, 236), ("88人", 88), ("９", 9)])
def test_int(raw, expected):
    assert IntParser(family="people")(raw) == expected


def test_int_rejects_fractions_and_negatives():
    with pytest.raises(ValueError, match="应为整数"):
        IntParser()("12.5")
    with pytest.raises(ValueError, match="不能为负数"):
        IntParser()("-3")


@pytest.mark.parametrize("raw", ["2023", 2023, 2023.0, "2023年", "2023年度", "２０２３"])
def test_year(raw):
    assert YearParser(1990, 2026)(raw) == 2023


@pytest.mark.parametrize("raw, reason", [("1899", "不合理"), ("2099", "不合理"), ("23", "不是年份"),
                                         (datetime.date(2023, 1, 1), "日期"), ("2023.5", "不是年份")])
def test_implausible_years(raw, reason):
    with pytest.raises(ValueError, match=reason):
        YearParser(1990, 2026)(raw)


@pytest.mark.parametrize("raw", ["2023/1/5", "2023-01-05", "2023.1.5", "2023年1月5日", "20230105", 20230105,
                                 44931, 44931.0, "44931", datetime.date(2023, 1, 5),
                                 datetime.datetime(2023, 1, 5, 8, 30), "2023-01-05 00:00:00", " 2023/01/05 "])
def test_dates(raw):
    assert DateParser(latest=TODAY)(raw) == datetime.date(2023, 1, 5)


def test_month_only_means_first_day():
    assert DateParser(latest=TODAY)("2023年1月") == datetime.date(2023, 1, 1)


@pytest.mark.parametrize("raw, reason", [("2023-02-30", "不是存在的日期"), ("明年", "不是日期"),
                                         ("2030-01-01", "晚于今天"), ("1880-01-01", "早于")])
def test_bad_dates(raw, reason):
    with pytest.raises(ValueError, match=reason):
        DateParser(earliest=datetime.date(1900, 1, 1), latest=TODAY)(raw)


def test_choices_and_flags():
    scale = ChoiceParser({"规上": "above", "规下": "below", "规模以上": "above"}, ["规上", "规下"])
    assert scale(" 规上 ") == "above" and scale("规模以上") == "above"
    with pytest.raises(ValueError, match="可选：规上、规下"):
        scale("大型")
    flag = BoolParser()
    assert [flag(v) for v in ["是", "Y", "√", "yes", 1.0, True, "1"]] == [True] * 7
    assert [flag(v) for v in ["否", "N", "×", 0.0, False, "0"]] == [False] * 6
    with pytest.raises(ValueError):
        flag("也许")


def test_text():
    parser = TextParser(10)
    assert parser("  甲公司  ") == "甲公司"
    assert parser("甲\u200b公\n司") == "甲公 司"
    assert parser(1001.0) == "1001"
    with pytest.raises(ValueError, match="公式"):
        parser('=HYPERLINK("http://x","y")')
    with pytest.raises(ValueError, match="超过上限 10"):
        parser("很长" * 6)


@pytest.mark.parametrize("row", uscc_vectors("invalid"), ids=lambda r: r["input"])
def test_invalid_uscc_vectors_are_rejected(row):
    with pytest.raises(ValueError, match="统一社会信用代码"):
        UsccParser()(row["input"])


@pytest.mark.parametrize("row", uscc_vectors("valid"), ids=lambda r: r["input"])
def test_valid_uscc_vectors_are_accepted(row):
    assert UsccParser()(row["input"]) == row["compact"]
    assert UsccParser()(" " + row["input"].lower() + " ") == row["compact"]


def test_uscc_stored_as_a_number():
    with pytest.raises(ValueError, match="存成了数字"):
        UsccParser()(9.115220107837628e17)
    with pytest.raises(ValueError, match="科学计数法"):
        UsccParser()("9.11522E+17")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ", min_size=18, max_size=18))
def test_uscc_fast_path_agrees_with_stdnum(text):
    # The fast path decides exactly as python-stdnum for compact upper-case codes.
    assert engine.uscc_fast_ok(text) == stdnum_uscc.is_valid(text)


def test_uscc_fast_path_accepts_every_valid_code():
    rnd = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        body = "".join(rnd.choice("0123456789") for _ in range(8)) + "".join(rnd.choice(alphabet) for _ in range(9))
        code = body + stdnum_uscc.calc_check_digit(body)
        assert engine.uscc_fast_ok(code) == stdnum_uscc.is_valid(code) is True
        wrong = body + ("0" if code[-1] != "0" else "1")
        assert engine.uscc_fast_ok(wrong) == stdnum_uscc.is_valid(wrong) is False


def test_industry_codes():
    parser = engine.IndustryParser({"3670": "汽车零部件及配件制造", "0111": "稻谷种植"},
                                   {engine.fold("汽车零部件及配件制造"): "3670"}, {"C": "门类", "36": "大类", "367": "中类"})
    for raw in ["3670", 3670.0, "C3670", "3670 汽车零部件及配件制造", "汽车零部件及配件制造", 111.0, "111", "0111"]:
        assert parser(raw) in ("3670", "0111")
    with pytest.raises(ValueError, match="是中类代码"):
        parser("367")
    with pytest.raises(ValueError, match="是大类代码"):
        parser("36")
    with pytest.raises(ValueError, match="没有国民经济行业小类代码“9999”"):
        parser("9999")
    with pytest.raises(ValueError, match="不符"):
        parser("3670 稻谷种植")


# -- rows --------------------------------------------------------------------------------------

def test_rows_clean_with_row_numbers_and_duplicates():
    codes = valid_codes()
    layout, rows, cleaner = clean([
        ["企业名单"],
        ["企业名称", "统一社会信用代码", "年度", "营业收入"],
        ["甲 ", codes[0] + " ", "2023", "1,000"],
        [None, None, None, None],
        ["乙", codes[1], "2023", "x"],
        ["甲又一行", codes[0], "2023", "5"],
        ["", "", "", ""],
        ["", codes[2], "2023", ""],
        ["合计", "", "", "1006"],
    ])
    assert [r.line for r in rows] == [3, 5, 6, 8]
    assert rows[0].values == {"name": "甲", "uscc": codes[0], "year": 2023, "revenue": Decimal("1000.0000")}
    assert rows[0].ok
    assert rows[1].errors == [(3, "营业收入", "“x”不是有效的数字")]
    assert rows[2].errors and "与第 3 行重复" in rows[2].errors[0][2]
    assert rows[3].errors == [(0, "企业名称", "企业名称不能为空")]
    assert cleaner.total_rows == [9] and any("合计行" in n for n in cleaner.notices())


# -- readers -----------------------------------------------------------------------------------

HEADER = ["企业名称", "统一社会信用代码", "营业收入（万元）"]


def read(data):
    book = readers.open_workbook(data)
    return book, list(book.sheets[0].rows())


@pytest.mark.parametrize("encoding, bom, expected", [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"),
                                                     ("gbk", False, "gb18030"), ("gb18030", False, "gb18030")])
def test_csv_encodings(encoding, bom, expected):
    data = make_csv([HEADER, ["浙江甲有限公司", "91110000600037341L", "1,234.5"]], encoding=encoding, bom=bom)
    book, rows = read(data)
    assert book.encoding == expected
    assert rows == [(1, HEADER), (2, ["浙江甲有限公司", "91110000600037341L", "1,234.5"])]


def test_utf16_tab_separated_text_from_excel():
    text = "\t".join(HEADER) + "\r\n甲\t91110000600037341L\t5\r\n"
    book, rows = read(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert book.delimiter == "\t" and rows[1] == (2, ["甲", "91110000600037341L", "5"])


def test_semicolon_csv_and_title_rows():
    book, rows = read("企业名单;;\n企业名称;统一社会信用代码;营业收入\n甲;91110000600037341L;5\n".encode())
    assert book.delimiter == ";" and rows[1][1] == ["企业名称", "统一社会信用代码", "营业收入"]


@pytest.mark.parametrize("data", [b"", b"   \r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n,,,\r\n"])
def test_empty_files(data):
    with pytest.raises(readers.ImportFileError, match="文件是空的"):
        readers.open_workbook(data)


def test_truncated_xlsx():
    data = make_xlsx([HEADER, ["甲", "91110000600037341L", 5]])
    for cut in (len(data) // 2, len(data) - 40, 100):
        with pytest.raises(readers.ImportFileError, match="不完整或已损坏"):
            readers.open_workbook(data[:cut])


def test_not_a_spreadsheet():
    with pytest.raises(readers.ImportFileError, match="PDF"):
        readers.open_workbook(b"%PDF-1.4 ...")
    with pytest.raises(readers.ImportFileError, match="编码"):
        readers.open_workbook("企业名称,信用代码\n".encode() + b"abc\x80def")


def test_xlsx_merged_cells_dates_and_offsets():
    data = make_xlsx([
        ["2024年企业名单"],
        ["企业名称", "统一社会信用代码", "主要指标（万元）", None, "成立日期"],
        [None, None, "营业收入", "税收", None],
        ["甲", "91110000600037341L", 1234.5, "1,000", datetime.date(2020, 1, 5)],
        ["乙", "121200004013590816", 10, 2, 44931],
    ], merges=["B2:F2", "B3:B4", "C3:C4", "D3:E3", "F3:F4"], start="B2")
    book, rows = read(data)
    assert book.kind == "xlsx" and book.sheets[0].col_offset == 1
    # Row numbers as in Excel; merged cells hold their top-left value.
    assert rows[2] == (3, ["企业名称", "统一社会信用代码", "主要指标（万元）", "主要指标（万元）", "成立日期"])
    assert rows[3] == (4, ["企业名称", "统一社会信用代码", "营业收入", "税收", "成立日期"])
    assert rows[4] == (5, ["甲", "91110000600037341L", 1234.5, "1,000", datetime.date(2020, 1, 5)])
    assert rows[5][1][4] == 44931.0
    layout = engine.find_layout(spec(), rows[:12], book.sheets[0].col_offset)
    assert layout.ok and layout.header_line == 4
    assert [b.letter for b in layout.bound] == ["B", "C", "D", "E", "F"]
    out = list(engine.Cleaner(spec(), layout).clean(rows[layout.skip:]))
    assert out[1].values["established"] == datetime.date(2023, 1, 5)  # an Excel serial number
    assert out[0].values["tax"] == Decimal(1000)  # a number stored as text


def test_estimate_rows():
    assert readers.estimate_rows(make_csv([HEADER] + [["甲", "x", "1"]] * 9)) == 10
    data = make_xlsx([HEADER] + [["甲", "x", 1]] * 20)
    assert readers.estimate_rows(data) == 21


def test_blank_cells_and_short_rows_are_empty_not_errors():
    layout, rows, _ = clean([["企业名称", "统一社会信用代码", "营业收入", "税收"], ["甲", "91110000600037341L"]])
    assert rows[0].ok and "revenue" not in rows[0].values


def test_informational_columns_are_read_but_not_parsed():
    layout, rows, _ = clean([["企业名称", "统一社会信用代码", "备注说明"], ["甲", "91110000600037341L", "=SUM(A1)"]])
    assert rows[0].ok and "note" in layout.present() and "note" not in rows[0].values
