"""python manage.py import_data: the same import from the command line."""
import io

import pytest
from django.core.management import CommandError, call_command

from zoneops.core.models import ImportBatch, ObjectChange
from zoneops.registry.models import Enterprise, EnterpriseYear

from ..registry import factories
from .import_support import db_counts, make_csv, make_xlsx, valid_codes

pytestmark = pytest.mark.usefixtures("media_root")
CODES = valid_codes()


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_data", *args, stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, out.getvalue(), err.getvalue() + str(e)
    return 0, out.getvalue(), err.getvalue()


def test_import_enterprises(tmp_path, zone_a, staff_a):
    path = write(tmp_path, "企业.xlsx", make_xlsx([["统一社会信用代码", "企业名称"], [CODES[0], "甲"], [CODES[1], "乙"]]))
    code, out, err = call("enterprises", path, "--zone", "zone-a", "--user", "staff_a")
    assert code == 0, out + err
    assert "新增 2 条" in out and "导入完成" in out
    assert "校验 [" in err and "写入 [" in err  # the progress bar
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.DONE and batch.user == staff_a
    assert Enterprise.objects.filter(zone=zone_a, import_batch=batch).count() == 2
    assert ObjectChange.objects.filter(import_batch=batch, user=staff_a).count() == 2


def test_dry_run_writes_nothing(tmp_path, zone_a):
    path = write(tmp_path, "e.csv", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]]))
    before = db_counts()
    code, out, _ = call("enterprises", path, "--zone", "zone-a", "--dry-run", "--no-progress")
    assert code == 0 and "新增 1" in out and "未写入数据库" in out
    assert db_counts() == before


def test_rejected_rows_exit_non_zero_and_import_nothing(tmp_path, zone_a):
    a = factories.enterprise(zone_a, 0)
    rows = [[a.uscc, "2023", "100"]] + [[a.uscc, str(1800 + i), "1"] for i in range(25)]
    path = write(tmp_path, "f.csv", make_csv([["统一社会信用代码", "年度", "营业收入"], *rows], encoding="gbk"))
    before = db_counts()
    code, out, err = call("figures", path, "--zone", "zone-a", "--no-progress")
    assert code == 1
    assert "拒绝 25" in out and "第 3 行：年度 1800 不合理" in out
    assert out.count("    第 ") == 20 and "共 25 行被拒绝" in out
    assert "--valid-only" in err
    assert db_counts() == before
    code, out, err = call("figures", path, "--zone", "zone-a", "--valid-only", "--no-progress")
    assert code == 1 and "已导入有效行" in err
    assert EnterpriseYear.objects.count() == 1


def test_dry_run_with_rejections_exits_non_zero(tmp_path, zone_a):
    path = write(tmp_path, "e.csv", make_csv([["统一社会信用代码", "企业名称"], ["12345", "坏"]]))
    code, out, _ = call("enterprises", path, "--zone", "zone-a", "--dry-run", "--no-progress")
    assert code == 1 and "应为 18 位" in out


@pytest.mark.parametrize("args, message", [
    (["--zone", "nowhere"], "没有代码为“nowhere”的开发区"),
    (["--zone", "zone-a", "--user", "ghost"], "没有用户名为“ghost”的用户"),
])
def test_bad_arguments(tmp_path, zone_a, args, message):
    path = write(tmp_path, "e.csv", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]]))
    code, _, err = call("enterprises", path, *args)
    assert code == 2 and message in err
    assert ImportBatch.objects.count() == 0


def test_user_without_rights_in_the_zone(tmp_path, zone_a, staff_b):
    path = write(tmp_path, "e.csv", make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]]))
    code, _, err = call("enterprises", path, "--zone", "zone-a", "--user", "staff_b")
    assert code == 2 and "没有向“甲开发区”导入数据的权限" in err and Enterprise.objects.count() == 0


def test_missing_and_broken_files(tmp_path, zone_a):
    code, _, err = call("enterprises", str(tmp_path / "nope.xlsx"), "--zone", "zone-a")
    assert code == 2 and "找不到文件" in err
    broken = write(tmp_path, "broken.xlsx", make_xlsx([["统一社会信用代码", "企业名称"], [CODES[0], "甲"]])[:700])
    before = db_counts()
    code, _, err = call("enterprises", broken, "--zone", "zone-a", "--no-progress")
    assert code == 2 and "不完整或已损坏" in err
    assert db_counts() == before
