"""The foundation's main path in a real browser: import with a bad row, read the reason, download
the error report, fix and import, find the firm, export the list; another zone sees none of it."""
import io

import openpyxl
import pytest

from zoneops.core.models import Membership
from zoneops.registry.models import Enterprise

from ..conftest import make_user
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "统一社会信用代码,企业名称,行业代码,规模\n"
GOOD = "91110000600037341L,台州浏览器测试汽配有限公司,3670,规上\n911522010783762860,台州浏览器测试卫浴有限公司,,规下\n"
BAD_ROW = "91110000600037341N,台州校验位错误有限公司,3670,规上\n"
FIXED_ROW = "91152201078377449P,台州校验位错误有限公司,3670,规上\n"


def upload(page, base, content, name):
    page.goto(f"{base}/imports/new/enterprises/")
    page.set_input_files("#upload-form input[type=file]", files=[{
        "name": name, "mimeType": "text/csv", "buffer": content.encode("gbk")}])
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#batch-status")


def test_import_fix_find_export_and_isolation(live_server, page, zone_a, zone_b):
    make_user("lina", zone_a, Membership.Role.STAFF)
    make_user("other", zone_b, Membership.Role.STAFF)
    base = live_server.url

    login(page, base, "lina", "pw-lina")
    assert "开发区" in page.content()
    upload(page, base, HEADER + GOOD + BAD_ROW, "企业名单.csv")
    assert page.inner_text("#count-rejected").strip() == "1"
    assert "校验位" in page.inner_text("#rejected-table")
    assert page.locator("#btn-commit").count() == 0  # all-or-nothing: no plain commit with a bad row
    shot(page, "import-preview-rejected")

    with page.expect_download() as info:
        page.click("#download-report")
    book = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()))
    rows = [[c for c in r] for r in book.active.iter_rows(values_only=True)]
    assert any("错误原因" in str(h) for h in rows[0])
    assert any("91110000600037341N" in [str(c) for c in r] for r in rows[1:])
    assert Enterprise.objects.count() == 0

    upload(page, base, HEADER + GOOD + FIXED_ROW, "企业名单-修正.csv")
    assert page.inner_text("#count-rejected").strip() == "0"
    assert page.inner_text("#count-created").strip() == "3"
    page.click("#btn-commit")
    page.wait_for_selector("#batch-status:has-text('已导入')")
    shot(page, "import-done")
    assert Enterprise.objects.filter(zone=zone_a).count() == 3

    page.goto(f"{base}/registry/enterprises/")
    page.fill("nav input[name=q]", "汽配")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.click("text=台州浏览器测试汽配有限公司")
    page.wait_for_load_state()
    assert "91110000600037341L" in page.content()
    detail_url = page.url
    shot(page, "enterprise-detail")

    page.goto(f"{base}/registry/enterprises/?scale=above")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    exported = [r for r in sheet.iter_rows(values_only=True)]
    assert exported[0][0] == "企业名称"
    assert sorted(r[0] for r in exported[1:]) == ["台州校验位错误有限公司", "台州浏览器测试汽配有限公司"]

    page.context.clear_cookies()
    login(page, base, "other", "pw-other")
    resp = page.goto(detail_url)
    assert resp.status == 404
    page.goto(f"{base}/registry/enterprises/?q=台州")
    assert "浏览器测试" not in page.content()
    shot(page, "other-zone-sees-nothing")
