"""Project import (.xlsx/.csv) through the generic importer: columns and aliases, investor
matching, per-cell Chinese errors, all-or-nothing commit, hostile and broken files, zones."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from zoneops.core.importing import service
from zoneops.core.models import ImportBatch, ObjectChange
from zoneops.projects.models import Approval, Project, StageEvent

from ..core.import_support import make_csv, make_xlsx, media_root, run  # noqa: F401 (fixture)
from ..registry import factories as reg
from . import factories

pytestmark = pytest.mark.usefixtures("media_root")
S = ImportBatch.Status
HEADER = ["项目名称", "投资主体", "统一社会信用代码", "项目类型", "阶段", "协议总投资（亿元）", "固定资产投资（万元）",
          "用地（亩）", "来源", "签约日期", "计划开工日期"]


def counts():
    return (Project.objects.count(), StageEvent.objects.count(), Approval.objects.count(),
            ObjectChange.objects.count())


def reasons(batch):
    return [r[4] for r in service.rejected_preview(batch)]


def test_xlsx_import_creates_projects_matching_investors(zone_a, zone_b, staff_a):
    ent = reg.enterprise(zone_a, 0)
    named = reg.enterprise(zone_a, 1, name="浙江按名匹配有限公司")
    other = reg.enterprise(zone_b, 2)  # another zone's firm: its code must not link
    data = make_xlsx([["2025年招商项目台账"], HEADER,
                      ["甲项目", "", ent.uscc, "产业", "签约", 12, 90000, 150, "以商引商", dt.date(2025, 3, 18), "2020-01-01"],
                      ["乙项目", "浙江按名匹配有限公司", "", "总部", "洽谈", "", "", "", "中介", "", ""],
                      ["丙项目", "区外某集团", other.uscc, "", "", "0.5", "", "", "", "", ""]])
    batch = run(zone_a, "projects", data, staff_a, name="项目.xlsx", commit=True)
    assert batch.status == S.DONE, (batch.message, reasons(batch))
    a, b, c = (Project.objects.get(zone=zone_a, name=n) for n in ("甲项目", "乙项目", "丙项目"))
    assert a.investor == ent and a.agreed_investment == Decimal(120000) and a.fixed_investment == Decimal(90000)
    assert a.stage == "signed" and a.signed_on == dt.date(2025, 3, 18) and a.land_mu == Decimal(150)
    assert a.plan_status == "behind" and a.source == "referral" and a.import_batch_id == batch.pk
    assert b.investor == named and b.project_type.name == "总部" and b.stage == "talks"
    assert c.investor is None and c.investor_name == "区外某集团" and c.stage == "lead"  # zone B's firm not linked
    assert c.project_type.name == "产业" and c.agreed_investment == Decimal(5000)
    # as the form does: the type's checklist and a first stage event
    assert a.approvals.count() == 5 and b.approvals.count() == 1
    assert StageEvent.objects.get(project=a).to_stage == "signed" and StageEvent.objects.get(project=a).user == staff_a
    assert ObjectChange.objects.filter(import_batch=batch).count() == 3


def test_update_by_name_moves_stage_and_keeps_other_columns(zone_a, staff_a):
    p = factories.project(zone_a, 0, name="丁项目", agreed_investment=Decimal(40000))
    data = make_csv([["项目名称", "当前阶段", "签约时间"], ["丁项目", "已签约", "2025/4/1"]])
    batch = run(zone_a, "projects", data, staff_a, commit=True)
    assert (batch.created_count, batch.updated_count) == (0, 1)
    p.refresh_from_db()
    assert p.stage == "signed" and p.signed_on == dt.date(2025, 4, 1) and p.agreed_investment == Decimal(40000)
    assert StageEvent.objects.filter(project=p, from_stage="lead", to_stage="signed").exists()


def test_cell_errors_in_chinese_and_nothing_written(zone_a, staff_a):
    reg.enterprise(zone_a, 0)
    factories.project(zone_a, 1, name="重名项目")
    factories.project(zone_a, 2, name="重名项目")
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = make_csv([HEADER,
                     ["好项目", "某公司", "", "", "签约", "3", "", "", "", "2025-01-02", ""],
                     ["负数项目", "某公司", "", "", "", "-5", "", "", "", "", ""],
                     ["未知类型", "某公司", "", "火箭", "", "", "", "", "", "", ""],
                     ["未知阶段", "某公司", "", "", "起飞", "", "", "", "", "", ""],
                     ["固投过大", "某公司", "", "", "", "1", "20000", "", "", "", ""],
                     ["未来签约", "某公司", "", "", "签约", "", "", "", "", future, ""],
                     ["缺签约日期", "某公司", "", "", "签约", "", "", "", "", "", ""],
                     ["总部供地", "某公司", "", "总部", "供地", "", "", "", "", "", ""],
                     ["无投资方", "", "", "", "", "", "", "", "", "", ""],
                     ["重名项目", "某公司", "", "", "", "", "", "", "", "", ""],
                     ["好项目", "某公司", "", "", "", "", "", "", "", "", ""]])
    before = counts()
    batch = run(zone_a, "projects", data, staff_a)
    got = reasons(batch)
    assert batch.created_count == 1 and batch.rejected_count == 10, got
    text = "\n".join(got)
    for expected in ("不能为负数", "没有项目类型“火箭”", "“起飞”不是可选值", "固定资产投资 20000 万元大于协议总投资 10000 万元",
                     "签约日期", "阶段为“签约”时须填写签约日期", "“供地”不在项目类型“总部”的阶段模板中", "与第 2 行重复",
                     "请填写投资方名称", "本开发区有多个名为“重名项目”的项目"):
        assert expected in text, (expected, text)
    assert service.rejected_preview(batch)[0][0] == 3  # the row number as Excel shows it
    with pytest.raises(service.ImportRefused):  # rejected rows: no commit unless valid-only is chosen
        service.commit_batch(batch)
    assert counts() == before


def test_dates_must_follow_the_stages(zone_a, staff_a):
    data = make_csv([["项目名称", "投资方", "阶段", "签约日期", "供地日期", "开工日期"],
                     ["倒序", "甲", "开工", "2025-05-01", "2025-03-01", "2025-06-01"],
                     ["超前日期", "甲", "签约", "2025-01-01", "2025-02-01", ""]])
    batch = run(zone_a, "projects", data, staff_a)
    text = "\n".join(reasons(batch))
    assert "供地日期 2025-03-01 早于签约日期 2025-05-01" in text
    assert "项目尚未到“供地”阶段，不应有供地日期" in text


def test_another_zones_project_of_the_same_name_is_not_updated(zone_a, zone_b, staff_a):
    theirs = factories.project(zone_b, 0, name="同名项目", agreed_investment=Decimal(1))
    batch = run(zone_a, "projects", make_csv([["项目名称", "投资方", "协议总投资"], ["同名项目", "甲", "500"]]), staff_a,
                commit=True)
    assert batch.created_count == 1
    theirs.refresh_from_db()
    assert theirs.agreed_investment == Decimal(1) and Project.objects.get(zone=zone_a).agreed_investment == 500
    data = make_csv([["项目名称", "投资方", "开发区"], ["某项目", "甲", "乙开发区"]])
    assert "不是本次导入的“甲开发区”" in reasons(run(zone_a, "projects", data, staff_a))[0]


@pytest.mark.parametrize("data, message", [
    (make_csv([["项目名称", "投资方"]]), "下面没有数据行"),
    (make_csv([["姓名", "电话"], ["张三", "1"]]), "没有找到表头"),
    (make_xlsx([["项目名称", "投资方"], ["甲", "乙"]])[:700], "不完整或已损坏"),
    (b"%PDF-1.7 hostile", "不是 Excel 或 CSV"),
])
def test_broken_files_fail_clearly(zone_a, staff_a, data, message):
    before = counts()
    batch = run(zone_a, "projects", data, staff_a)
    assert batch.status == S.FAILED and message in batch.message
    assert counts() == before


def test_empty_file_is_refused(zone_a, staff_a):
    with pytest.raises(service.ImportRefused, match="文件是空的"):
        run(zone_a, "projects", b"", staff_a)


def test_hostile_cells_are_refused_and_escaped(zone_a, staff_a, client_a):
    data = make_csv([["项目名称", "投资方"], ["=HYPERLINK(\"http://x\")", "<script>alert(1)</script>"],
                     ["正常项目", "<b>某公司</b>"]])
    batch = run(zone_a, "projects", data, staff_a)
    assert batch.rejected_count == 1 and "公式" in reasons(batch)[0]
    batch.valid_only = True
    service.commit_batch(batch)
    p = Project.objects.get(name="正常项目")
    r = client_a.get(reverse("projects:project_detail", args=[p.pk]))
    assert b"<b>\xe6\x9f\x90" not in r.content and "&lt;b&gt;某公司&lt;/b&gt;" in r.content.decode()


def test_many_rows_in_one_transaction(zone_a, staff_a):
    rows = [["项目名称", "投资方", "协议总投资", "阶段", "签约日期"]]
    rows += [[f"批量项目{i:05}", f"投资方{i}", 30000 + i, "签约", "2025-02-01"] for i in range(3000)]
    batch = run(zone_a, "projects", make_csv(rows), staff_a, commit=True)
    assert batch.created_count == 3000 and Project.objects.filter(zone=zone_a).count() == 3000
    assert StageEvent.objects.filter(zone=zone_a).count() == 3000
    assert Approval.objects.filter(zone=zone_a).count() == 3000 * 5


def test_list_links_the_import_and_template_downloads(zone_a, client_a):
    r = client_a.get(reverse("projects:project_list"))
    assert reverse("imports:new", args=["projects"]) in r.content.decode()
    r = client_a.get(reverse("imports:new", args=["projects"]))
    assert r.status_code == 200
