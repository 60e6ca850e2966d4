"""Import batches against the database: dry run, commit, all-or-nothing, zone isolation."""
import datetime
from decimal import Decimal

import pytest

from zoneops.core.importing import service, writers
from zoneops.core.models import ImportBatch, ObjectChange
from zoneops.registry.models import CultivationPool, Enterprise, EnterpriseYear, Parcel

from ..conftest import make_user
from ..registry import factories
from .import_support import db_counts, make_csv, make_xlsx, read_xlsx, run, uscc_vectors, valid_codes

pytestmark = pytest.mark.usefixtures("media_root")
S = ImportBatch.Status
CODES = valid_codes()
ENT_HEADER = ["统一社会信用代码", "企业名称", "行业代码", "规模", "高新技术企业", "成立日期"]


def changed(change):
    return {k for k in change.after if change.before.get(k) != change.after.get(k)}


def enterprises_csv(*rows, header=ENT_HEADER, **kw):
    return make_csv([header, *rows], **kw)


# -- enterprises -------------------------------------------------------------------------------

def test_enterprise_import_dry_run_then_commit(zone_a, staff_a):
    data = enterprises_csv([CODES[0], "浙江甲汽配有限公司", "3670", "规上", "是", "2015/6/18"],
                           [CODES[1], "浙江乙机电有限公司", "", "规下", "否", ""])
    before = db_counts()
    version = zone_a.data_version
    batch = run(zone_a, "enterprises", data, staff_a, name="企业.csv")
    assert batch.status == S.VALIDATED
    assert (batch.created_count, batch.updated_count, batch.unchanged_count, batch.rejected_count) == (2, 0, 0, 0)
    assert batch.total_rows == 2 and batch.processed_rows == 2
    assert db_counts() == before  # a dry run writes nothing
    service.commit_batch(batch)
    assert batch.status == S.DONE and batch.committed_at is not None
    a = Enterprise.objects.get(zone=zone_a, uscc=CODES[0])
    assert (a.name, a.industry_id, a.industry_section, a.industry_division, a.scale, a.is_high_tech) == (
        "浙江甲汽配有限公司", "3670", "C", "36", "above", True)
    assert a.established == datetime.date(2015, 6, 18) and a.import_batch_id == batch.pk
    changes = ObjectChange.objects.filter(import_batch=batch)
    assert changes.count() == 2 and set(changes.values_list("action", flat=True)) == {"create"}
    change = changes.get(object_id=str(a.pk))
    assert change.user == staff_a and change.zone_id == zone_a.pk and change.object_repr == a.name
    assert change.after["uscc"] == CODES[0] and change.after["industry"] == "3670" and change.before is None
    zone_a.refresh_from_db()
    assert zone_a.data_version > version  # cached zone figures are invalidated


def test_update_touches_only_the_columns_in_the_file(zone_a, staff_a):
    run(zone_a, "enterprises", enterprises_csv([CODES[0], "甲公司", "3670", "规上", "是", "2015-06-18"]), staff_a,
        commit=True)
    # A later file with only the address (and an empty name cell is not allowed, names are required).
    later = make_csv([["信用代码", "单位名称", "地址", "规模"], [CODES[0], "甲公司", "示例路 1 号", ""]])
    batch = run(zone_a, "enterprises", later, staff_a, commit=True)
    assert (batch.created_count, batch.updated_count) == (0, 1)
    a = Enterprise.objects.get(uscc=CODES[0])
    assert a.address == "示例路 1 号"
    assert (a.industry_id, a.scale, a.is_high_tech, a.established) == ("3670", "above", True, datetime.date(2015, 6, 18))
    change = ObjectChange.objects.get(import_batch=batch)
    assert change.action == "update"
    assert changed(change) == {"address", "import_batch"}
    # The same file again: nothing changes, nothing is written.
    again = run(zone_a, "enterprises", later, staff_a)
    assert (again.updated_count, again.unchanged_count) == (0, 1)
    with pytest.raises(service.ImportRefused, match="没有需要新增或更新"):
        service.commit_batch(again)


def test_renamed_enterprise_keeps_its_former_name_and_pools_are_replaced(zone_a, staff_a):
    run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称", "培育库"], [CODES[0], "甲公司", "小升规"]]),
        staff_a, commit=True)
    batch = run(zone_a, "enterprises",
                make_csv([["统一社会信用代码", "企业名称", "培育库"], [CODES[0], "甲新材料公司", "雄鹰、上市培育"]]),
                staff_a, commit=True)
    a = Enterprise.objects.get(uscc=CODES[0])
    assert a.name == "甲新材料公司" and a.former_names == "甲公司"
    assert set(a.pools.values_list("name", flat=True)) == {"雄鹰", "上市培育"}
    change = ObjectChange.objects.get(import_batch=batch)
    pools = dict(CultivationPool.objects.values_list("name", "pk"))
    assert change.before["pools"] == [str(pools["小升规"])]
    assert sorted(change.after["pools"]) == sorted(str(pools[n]) for n in ("雄鹰", "上市培育"))


def test_bracket_width_is_not_a_rename(zone_a, staff_a):
    factories.enterprise(zone_a, 0, name="台州示例（集团）有限公司")
    batch = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "台州示例(集团) 有限公司"]]),
                staff_a)
    assert (batch.updated_count, batch.unchanged_count) == (0, 1)


def test_account_officer_must_be_staff_of_the_zone(zone_a, zone_b, staff_a, staff_b):
    officer = make_user("li", zone_a, "staff", first_name="丽", last_name="李")
    data = make_csv([["统一社会信用代码", "企业名称", "服务专员"], [CODES[0], "甲", "li"], [CODES[1], "乙", "李丽"],
                     [CODES[2], "丙", "staff_b"]])
    batch = run(zone_a, "enterprises", data, staff_a)
    assert (batch.created_count, batch.rejected_count) == (2, 1)
    rejected = service.rejected_preview(batch)
    assert rejected[0][0] == 4 and "没有本开发区的工作人员“staff_b”" in rejected[0][4]
    batch.valid_only = True
    service.commit_batch(batch)
    assert set(Enterprise.objects.values_list("account_officer", flat=True)) == {officer.pk}


def test_unknown_industry_code_and_other_cell_errors(zone_a, staff_a):
    data = enterprises_csv([CODES[0], "甲", "9999", "规上", "是", ""],
                           [CODES[1], "乙", "367", "大型", "也许", "2099-01-01"])
    batch = run(zone_a, "enterprises", data, staff_a)
    assert batch.rejected_count == 2 and batch.created_count == 0
    reasons = [(line, letter, reason) for line, letter, _, _, reason in service.rejected_preview(batch)]
    assert (2, "C", "没有国民经济行业小类代码“9999”（GB/T 4754-2017）") in reasons
    assert any(line == 3 and letter == "C" and "中类代码" in r for line, letter, r in reasons)
    assert any(line == 3 and letter == "D" and "可选：规上、规下" in r for line, letter, r in reasons)
    assert any(line == 3 and letter == "E" and "可选：是、否" in r for line, letter, r in reasons)
    assert any(line == 3 and letter == "F" and "晚于今天" in r for line, letter, r in reasons)


def test_invalid_usccs_from_the_stdnum_vectors(zone_a, staff_a):
    rows = [[r["input"], f"企业{i}"] for i, r in enumerate(uscc_vectors("invalid"))]
    rows.append([CODES[0], "有效企业"])
    batch = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], *rows]), staff_a)
    assert batch.rejected_count == len(rows) - 1 and batch.created_count == 1
    reasons = " ".join(r for *_, r in service.rejected_preview(batch))
    for text in ("应为 18 位", "校验位错误", "格式错误"):
        assert text in reasons
    before = db_counts()
    with pytest.raises(service.ImportRefused, match="仅导入有效行"):
        service.commit_batch(batch)
    assert db_counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == S.VALIDATED


def test_duplicates_inside_the_file(zone_a, staff_a):
    data = make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"], [CODES[1], "乙"], [CODES[0].lower(), "甲2"]])
    batch = run(zone_a, "enterprises", data, staff_a)
    assert batch.rejected_count == 1
    assert service.rejected_preview(batch)[0][4] == "与第 2 行重复（统一社会信用代码相同）"


def test_an_unknown_or_other_zone_in_the_file_is_rejected(zone_a, zone_b, staff_a):
    data = make_csv([["统一社会信用代码", "企业名称", "所属开发区"], [CODES[0], "甲", "甲开发区"],
                     [CODES[1], "乙", "zone-b"], [CODES[2], "丙", "火星开发区"]])
    batch = run(zone_a, "enterprises", data, staff_a)
    reasons = [r for *_, r in service.rejected_preview(batch)]
    assert batch.created_count == 1 and len(reasons) == 2
    assert "该行属于“乙开发区”，不是本次导入的“甲开发区”" in reasons[0]
    assert "没有名为“火星开发区”的开发区" in reasons[1]


def test_matching_is_inside_the_zone_only(zone_a, zone_b, staff_a):
    factories.enterprise(zone_b, 0, name="乙区企业")
    batch = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲区企业"]]), staff_a,
                commit=True)
    assert batch.created_count == 1
    assert Enterprise.objects.get(zone=zone_b).name == "乙区企业"


# -- parcels -----------------------------------------------------------------------------------

def test_parcels_need_their_holder_in_the_zone(zone_a, zone_b, staff_a):
    holder = factories.enterprise(zone_a, 0)
    factories.enterprise(zone_b, 1)
    data = make_csv([["地块编号", "面积（公顷）", "用地性质", "使用企业统一社会信用代码", "使用企业", "权属", "容积率", "状态"],
                     ["P-1", "2", "工业", holder.uscc, holder.name, "自有", "1.5", "投产"],
                     ["P-2", "1.5", "工业用地", CODES[1], "乙区的企业", "租赁", "", "低效"],
                     ["P-3", "0", "", "", "", "", "", ""]])
    batch = run(zone_a, "parcels", data, staff_a)
    assert (batch.created_count, batch.rejected_count) == (1, 2)
    reasons = service.rejected_preview(batch)
    assert "本开发区企业库中没有统一社会信用代码为 %s 的企业" % CODES[1] in reasons[0][4]
    assert reasons[1][0] == 4 and "必须大于 0" in reasons[1][4]
    assert any("公顷" in n for n in batch.notices)
    batch.valid_only = True
    service.commit_batch(batch)
    parcel = Parcel.objects.get(code="P-1")
    assert parcel.area_mu == Decimal(30) and parcel.holder == holder and parcel.floor_area_ratio == Decimal("1.5")
    assert parcel.import_batch_id == batch.pk and parcel.status == "producing"


# -- annual figures ----------------------------------------------------------------------------

FIG_HEADER = ["统一社会信用代码", "企业名称", "年度", "营业收入（千元）", "评价税收", "年平均职工人数", "用地面积（亩）"]


def test_figures_with_real_world_numbers(zone_a, staff_a):
    a = factories.enterprise(zone_a, 0)
    b = factories.enterprise(zone_a, 1)
    data = make_csv([FIG_HEADER,
                     [a.uscc, a.name, "2023年", "12,345.6", "６２０", "1,200", ""],
                     [b.uscc + " ", b.name, "2023", "1.2亿元", "  15.5 ", "88人", "12.5"]], encoding="gbk")
    batch = run(zone_a, "figures", data, staff_a, name="年度指标.csv", commit=True)
    assert batch.status == S.DONE and batch.created_count == 2
    fa, fb = EnterpriseYear.objects.get(enterprise=a), EnterpriseYear.objects.get(enterprise=b)
    assert (fa.year, fa.revenue, fa.tax, fa.employees, fa.land_mu) == (2023, Decimal("1234.56"), 620, 1200, None)
    assert fb.revenue == Decimal(12000) and fb.tax == Decimal("15.5") and fb.employees == 88
    assert fb.land_mu == Decimal("12.5") and fb.land_note == "据导入文件《年度指标.csv》"
    change = ObjectChange.objects.get(import_batch=batch, object_id=str(fa.pk))
    assert change.object_repr == f"{a.name} 2023年"


def test_figures_rejections(zone_a, zone_b, staff_a):
    a = factories.enterprise(zone_a, 0)
    other = factories.enterprise(zone_b, 1)
    data = make_csv([FIG_HEADER,
                     [a.uscc, "", "1899", "1", "1", "1", ""],
                     [a.uscc, "", "2023", "-5", "abc", "12.5", ""],
                     [other.uscc, "", "2023", "1", "1", "1", ""],
                     [a.uscc, "", "2022", "1", "1", "1", ""],
                     [a.uscc, "", "2022", "2", "2", "2", ""]])
    batch = run(zone_a, "figures", data, staff_a)
    assert (batch.created_count, batch.rejected_count) == (1, 4)
    text = "\n".join(f"{line}{letter}:{reason}" for line, letter, _, _, reason in service.rejected_preview(batch))
    assert "2C:年度 1899 不合理" in text
    assert "3D:不能为负数" in text and "3E:“abc”不是有效的数字" in text and "3F:应为整数" in text
    assert f"4A:本开发区企业库中没有统一社会信用代码为 {other.uscc} 的企业" in text
    assert "6A:与第 5 行重复（统一社会信用代码 + 年度相同）" in text


def test_figures_update_and_unchanged(zone_a, staff_a):
    a = factories.enterprise(zone_a, 0)
    b = factories.enterprise(zone_a, 1)
    factories.figures(a, 2023, revenue=Decimal("100"), tax=Decimal("5"))
    factories.figures(b, 2023, revenue=Decimal("200"), tax=Decimal("6"), employees=10)
    data = make_csv([["统一社会信用代码", "年度", "营业收入", "税收"], [a.uscc, "2023", "100.00", "5"],
                     [b.uscc, "2023", "250", ""]])
    batch = run(zone_a, "figures", data, staff_a, commit=True)
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 1)
    fb = EnterpriseYear.objects.get(enterprise=b)
    assert (fb.revenue, fb.tax, fb.employees, fb.import_batch_id) == (Decimal(250), Decimal(6), 10, batch.pk)
    assert EnterpriseYear.objects.get(enterprise=a).import_batch_id is None
    change = ObjectChange.objects.get(import_batch=batch)
    assert changed(change) == {"revenue", "import_batch"}


def test_many_updates_at_once(zone_a, staff_a):
    # More than 200 updated rows: on PostgreSQL they go through a temporary table and one UPDATE.
    codes = engine_codes(300)
    first = make_csv([["统一社会信用代码", "企业名称", "地址"], *[[c, f"企业{i}", "旧地址"] for i, c in enumerate(codes)]])
    run(zone_a, "enterprises", first, staff_a, commit=True)
    second = make_csv([["统一社会信用代码", "企业名称", "地址"], *[[c, f"企业{i}", f"新地址{i}"] for i, c in enumerate(codes)]])
    batch = run(zone_a, "enterprises", second, staff_a, commit=True)
    assert batch.updated_count == 300
    assert Enterprise.objects.filter(address__startswith="新地址", import_batch=batch).count() == 300
    assert ObjectChange.objects.filter(import_batch=batch, action="update").count() == 300


def engine_codes(n):
    """`n` distinct valid USCCs."""
    from stdnum.cn import uscc

    return [body + uscc.calc_check_digit(body) for body in (f"9133100{i:010d}" for i in range(n))]


# -- real-world mess ---------------------------------------------------------------------------

def test_xlsx_with_title_merged_two_row_header_serial_dates_and_text_numbers(zone_a, staff_a):
    data = make_xlsx([
        ["2024年园区企业名单（单位：万元）"],
        ["序号", "企业名称 ", "统一社会信用代码", "基本情况", None, "成立日期"],
        [None, None, None, "规模", "高新技术企业", None],
        [1, "浙江甲有限公司  ", CODES[0], "规上", "√", 42173],
        [2, "浙江乙有限公司", CODES[1] + " ", "规下", "×", "2016年3月8日"],
        ["合计", None, None, None, None, None],
    ], merges=["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3"])
    batch = run(zone_a, "enterprises", data, staff_a, name="企业名单.xlsx", commit=True)
    assert batch.status == S.DONE, batch.message
    assert (batch.created_count, batch.rejected_count) == (2, 0)
    a = Enterprise.objects.get(uscc=CODES[0])
    assert (a.name, a.scale, a.is_high_tech, a.established) == ("浙江甲有限公司", "above", True, datetime.date(2015, 6, 18))
    assert Enterprise.objects.get(uscc=CODES[1]).established == datetime.date(2016, 3, 8)
    assert any("合计行" in n for n in batch.notices) and any("两行" in n for n in batch.notices)


def test_bom_csv_and_full_width_digits(zone_a, staff_a):
    a = factories.enterprise(zone_a, 0)
    data = make_csv([["统一社会信用代码", "年度", "营业收入（万元）"], [a.uscc, "２０２３", "１，２３４．５"]], bom=True)
    batch = run(zone_a, "figures", data, staff_a, commit=True)
    assert batch.status == S.DONE, batch.message
    assert EnterpriseYear.objects.get().revenue == Decimal("1234.5")
    assert "UTF-8（带 BOM）" in batch.notices[0]


@pytest.mark.parametrize("data, message", [
    (b"", "文件是空的"),
    (make_csv([["姓名", "电话"], ["张三", "13800000000"]]), "没有找到表头"),
    (make_csv([["企业名称", "地址"], ["甲", "某路"]]), "缺少必需的列“统一社会信用代码”"),
    (make_csv([["统一社会信用代码", "企业名称"]]), "下面没有数据行"),
    (make_xlsx([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]])[:900], "不完整或已损坏"),
    (b"%PDF-1.7", "不是 Excel 或 CSV"),
])
def test_unimportable_files_fail_with_a_clear_message(zone_a, staff_a, data, message):
    before = db_counts()
    try:
        batch = run(zone_a, "enterprises", data, staff_a)
    except service.ImportRefused as e:  # refused at upload (empty file)
        assert message in str(e)
    else:
        assert batch.status == S.FAILED and message in batch.message
        with pytest.raises(service.ImportRefused):
            service.commit_batch(batch)
    assert db_counts() == before


# -- hostile content and the error report ------------------------------------------------------

def test_error_report_neutralises_formulas_and_highlights_bad_cells(zone_a, staff_a):
    data = make_csv([["统一社会信用代码", "企业名称", "地址"],
                     [CODES[0], '=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0"],
                     ["91110000600037341N", "<script>alert(1)</script>", "@SUM(1)"],
                     [CODES[1], "好企业", "示例路"]])
    batch = run(zone_a, "enterprises", data, staff_a)
    assert (batch.created_count, batch.rejected_count) == (1, 2)
    sheet = read_xlsx(service.error_report(batch))
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["统一社会信用代码", "企业名称", "地址", "错误原因", "原文件行号"]
    # Nothing is a formula: dangerous text is prefixed with an apostrophe.
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","点我")' and rows[1][2].startswith("'+cmd")
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    assert "像是 Excel 公式" in rows[1][3] and rows[1][4] == 2
    assert rows[2][0] == "91110000600037341N" and "校验位错误" in rows[2][3] and rows[2][4] == 3
    red = {(c.row, c.column) for r in sheet.iter_rows() for c in r if c.fill.fgColor.rgb in ("FFFFC7CE", "00FFC7CE")}
    assert red == {(2, 2), (3, 1)}


def test_fixed_error_report_can_be_imported_again(zone_a, staff_a):
    data = make_csv([["统一社会信用代码", "企业名称"], ["91110000600037341N", "甲"], [CODES[1], "乙"]])
    batch = run(zone_a, "enterprises", data, staff_a, valid_only=True, commit=True)
    sheet = read_xlsx(service.error_report(batch))
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    rows[1][0] = CODES[0]  # the fix
    fixed = run(zone_a, "enterprises", make_xlsx(rows), staff_a, name="fixed.xlsx", commit=True)
    assert fixed.status == S.DONE and fixed.created_count == 1
    assert not any("错误原因" in n for n in fixed.notices)  # report columns are ignored silently
    assert Enterprise.objects.filter(zone=zone_a).count() == 2


# -- all or nothing ----------------------------------------------------------------------------

def test_commit_is_all_or_nothing(zone_a, staff_a, monkeypatch):
    monkeypatch.setattr(service, "CHUNK", 2)
    monkeypatch.setattr(service, "FLUSH", 2)  # written in several steps: the failure comes after some
    rows = [[code, f"企业{i}"] for i, code in enumerate(CODES[:5])]
    batch = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], *rows]), staff_a)
    assert batch.created_count == 5
    calls = []
    real = writers.insert_rows

    def failing(model, columns, rows):
        calls.append(model)
        if len(calls) == 3:  # the second chunk's enterprises, after the first chunk was written
            raise RuntimeError("disk full")
        return real(model, columns, rows)

    monkeypatch.setattr(writers, "insert_rows", failing)
    before = db_counts()
    with pytest.raises(service.ImportRefused, match="已全部回滚，未写入任何数据"):
        service.commit_batch(batch)
    assert db_counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == S.FAILED


def test_a_database_error_while_inserting_rolls_everything_back(zone_a, staff_a, monkeypatch):
    existing = factories.enterprise(zone_a, 7)
    rows = [[code, f"企业{i}"] for i, code in enumerate(CODES[:3])]
    batch = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], *rows]), staff_a)
    # Ids that collide with a stored row: the insert (in its background thread) fails.
    monkeypatch.setattr(writers, "reserve_ids", lambda model, n: [existing.pk + i for i in range(n)])
    before = db_counts()
    with pytest.raises(service.ImportRefused, match="已全部回滚"):
        service.commit_batch(batch)
    assert db_counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == S.FAILED


def test_commit_rechecks_the_database(zone_a, staff_a):
    a = factories.enterprise(zone_a, 0)
    b = factories.enterprise(zone_a, 1)
    data = make_csv([["统一社会信用代码", "年度", "营业收入"], [a.uscc, "2023", "1"], [b.uscc, "2023", "2"]])
    batch = run(zone_a, "figures", data, staff_a)
    assert batch.rejected_count == 0
    b.delete()  # meanwhile, someone deletes an enterprise
    before = db_counts()
    with pytest.raises(service.ImportRefused, match="校验后发生了变化"):
        service.commit_batch(batch)
    assert db_counts() == before
    batch.refresh_from_db()
    assert batch.status == S.VALIDATED and batch.rejected_count == 1


def test_valid_only_writes_the_valid_rows(zone_a, staff_a):
    data = make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"], ["123", "坏"]])
    batch = run(zone_a, "enterprises", data, staff_a, valid_only=True, commit=True)
    assert batch.status == S.DONE and batch.created_count == 1 and batch.rejected_count == 1
    assert Enterprise.objects.count() == 1


def test_a_batch_commits_once(zone_a, staff_a):
    batch = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]]), staff_a,
                commit=True)
    with pytest.raises(service.ImportRefused, match="已经导入过"):
        service.commit_batch(batch)
    again = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]]), staff_a)
    assert any("同一文件已于" in n and f"批次 #{batch.pk}" in n for n in again.notices)


def test_cancelled_batch_cannot_be_committed(zone_a, staff_a):
    batch = run(zone_a, "enterprises", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]]), staff_a)
    service.cancel_batch(batch)
    with pytest.raises(service.ImportRefused, match="已取消"):
        service.commit_batch(batch)
    assert Enterprise.objects.count() == 0


# -- permissions and the background worker -----------------------------------------------------

def test_only_writers_of_the_zone_may_create_batches(zone_a, zone_b, staff_b, viewer_a):
    data = make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]])
    for user in (staff_b, viewer_a):
        with pytest.raises(service.ImportRefused, match="没有向“甲开发区”导入数据的权限"):
            service.create_batch(zone_a, "enterprises", "x.csv", data, user)
    assert ImportBatch.objects.count() == 0
    with pytest.raises(service.ImportRefused, match="没有“people”这种导入类型"):
        service.create_batch(zone_a, "people", "x.csv", data, None)


def test_file_size_limit(zone_a, staff_a, settings):
    settings.ZONEOPS_IMPORT_MAX_BYTES = 100
    with pytest.raises(service.ImportRefused, match="文件太大"):
        service.create_batch(zone_a, "enterprises", "x.csv", b"x" * 101, staff_a)


def test_large_files_go_to_the_worker(zone_a, staff_a, immediate_tasks):
    rows = [[code, f"企业{i}"] for i, code in enumerate(CODES[:6])]
    batch = service.create_batch(zone_a, "enterprises", "big.csv", make_csv([["统一社会信用代码", "企业名称"], *rows]),
                                 staff_a)
    assert service.runs_in_background(batch)
    assert service.start_validation(batch) is True  # enqueued; the immediate backend ran it
    batch.refresh_from_db()
    assert batch.status == S.VALIDATED and batch.created_count == 6
    assert service.start_commit(batch) is True
    batch.refresh_from_db()
    assert batch.status == S.DONE and Enterprise.objects.count() == 6
    assert set(Enterprise.objects.values_list("import_batch", flat=True)) == {batch.pk}


def test_worker_task_functions_directly(zone_a, staff_a):
    from zoneops.core.importing import tasks

    batch = service.create_batch(zone_a, "enterprises", "x.csv",
                                 make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]]), staff_a)
    assert tasks.validate_import.call(batch.pk) == S.VALIDATED
    batch.refresh_from_db()
    service.claim_commit(batch)
    assert tasks.commit_import.call(batch.pk) == S.DONE
    assert tasks.commit_import.call(batch.pk) is None  # not claimed any more: nothing happens
    assert Enterprise.objects.count() == 1


# -- templates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["enterprises", "parcels", "figures"])
def test_templates_have_chinese_headers_units_and_an_example(kind, zone_a, staff_a):
    sheet = read_xlsx(service.template_xlsx(kind))
    headers = [c.value for c in sheet[1]]
    assert "统一社会信用代码" in headers or "地块编号" in headers
    if kind == "figures":
        assert "营业收入（万元）" in headers and "用电量（万千瓦时）" in headers
    if kind == "parcels":
        assert "面积（亩）" in headers
    assert any(c.value not in (None, "") for c in sheet[2])


def test_template_example_imports(zone_a, staff_a):
    batch = run(zone_a, "enterprises", service.template_xlsx("enterprises"), staff_a, name="模板.xlsx")
    assert batch.status == S.VALIDATED and batch.created_count == 1, service.rejected_preview(batch)


def test_change_log_json_fast_path_matches_the_generic_encoding(zone_a):
    from zoneops.core.importing.importer import importer_class

    for kind in ("enterprises", "parcels", "figures"):
        importer = importer_class(kind)(zone=zone_a)
        values = importer.defaults()
        samples = {"id": 7, "name": 'a"b\\c\n中文\u2028', "revenue": Decimal("12.5000"), "tax": Decimal("1E+2"),
                   "established": datetime.date(2020, 1, 2), "is_high_tech": True, "year": 2023,
                   "area_mu": Decimal("0.0100"), "employees": None}
        values.update({k: v for k, v in samples.items() if k in values or k == "id"})
        assert importer.snapshot_json(values) == writers.encode_json(importer.snapshot(values))
