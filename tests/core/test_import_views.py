"""Import pages: upload, preview, commit, error report, templates; zone isolation and roles."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.core.importing import service
from zoneops.core.models import ImportBatch
from zoneops.registry.models import Enterprise

from .import_support import db_counts, make_csv, read_xlsx, run, valid_codes

pytestmark = pytest.mark.usefixtures("media_root")
S = ImportBatch.Status
CODES = valid_codes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, zone, data, kind="enterprises", name="企业.csv", valid_only=False):
    payload = {"zone": zone.pk, "file": SimpleUploadedFile(name, data)}
    if valid_only:
        payload["valid_only"] = "on"
    return client.post(reverse("imports:new", args=[kind]), payload)


def good_csv():
    return make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "浙江甲有限公司"], [CODES[1], "浙江乙有限公司"]])


def bad_csv():
    return make_csv([["统一社会信用代码", "企业名称"], [CODES[0], "浙江甲有限公司"],
                     ["91110000600037341N", "<script>alert('x')</script>有限公司"]])


def test_start_page_lists_kinds_and_templates(client_a):
    page = client_a.get(reverse("imports:start")).content.decode()
    for kind in ("enterprises", "parcels", "figures"):
        assert reverse("imports:template", args=[kind]) in page
        assert reverse("imports:new", args=[kind]) in page
    assert "企业名录" in page and "年度指标" in page


@pytest.mark.parametrize("kind, header", [("enterprises", "统一社会信用代码"), ("figures", "营业收入（万元）"),
                                          ("parcels", "面积（亩）")])
def test_template_download(client_a, kind, header):
    response = client_a.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert header in [c.value for c in read_xlsx(response.content)[1]]


def test_unknown_kind_is_404(client_a):
    assert client_a.get(reverse("imports:new", args=["people"])).status_code == 404
    assert client_a.get(reverse("imports:template", args=["people"])).status_code == 404


def test_upload_preview_commit(client_a, zone_a, staff_a):
    form = client_a.get(reverse("imports:new", args=["enterprises"]))
    assert form.status_code == 200 and "仅导入有效行" in form.content.decode()
    assert "文本，最多 200 字" in form.content.decode()  # the column list describes each parser
    response = upload(client_a, zone_a, good_csv())
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:batch", args=[batch.pk])
    assert batch.status == S.VALIDATED and batch.user == staff_a and batch.file_name == "企业.csv"
    page = client_a.get(response["Location"]).content.decode()
    assert 'id="count-created">2<' in page and "确认导入" in page and Enterprise.objects.count() == 0
    response = client_a.post(reverse("imports:commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == S.DONE and Enterprise.objects.filter(zone=zone_a).count() == 2
    page = client_a.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "导入完成" in page and reverse("registry:enterprise_list") in page


def test_rejected_rows_are_shown_escaped_and_block_the_plain_commit(client_a, zone_a):
    upload(client_a, zone_a, bad_csv())
    batch = ImportBatch.objects.get()
    page = client_a.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "校验位错误" in page and 'id="rejected-table"' in page
    assert "<script>alert" not in page  # names are escaped
    assert 'id="btn-commit"' not in page and 'id="btn-commit-valid"' in page
    before = db_counts()
    response = client_a.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert "有 1 行被拒绝" in response.content.decode()
    assert db_counts() == before
    client_a.post(reverse("imports:commit", args=[batch.pk]), {"valid_only": "1"})
    batch.refresh_from_db()
    assert batch.status == S.DONE and batch.valid_only and Enterprise.objects.count() == 1


def test_script_in_a_valid_row_is_escaped_on_the_preview(client_a, zone_a):
    data = make_csv([["统一社会信用代码", "企业名称", "成立日期"], [CODES[0], "<img src=x onerror=alert(1)>", "明天"]])
    upload(client_a, zone_a, data)
    batch = ImportBatch.objects.get()
    page = client_a.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "<img src=x" not in page and "不是日期" in page


def test_error_report_download(client_a, zone_a):
    upload(client_a, zone_a, bad_csv())
    batch = ImportBatch.objects.get()
    response = client_a.get(reverse("imports:report", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    rows = [[c.value for c in r] for r in read_xlsx(response.content).iter_rows()]
    assert rows[0][-2:] == ["错误原因", "原文件行号"] and "校验位错误" in rows[1][2] and rows[1][3] == 3
    good = run(zone_a, "enterprises", good_csv(), None)
    assert client_a.get(reverse("imports:report", args=[good.pk])).status_code == 404


def test_valid_only_chosen_at_upload(client_a, zone_a):
    upload(client_a, zone_a, bad_csv(), valid_only=True)
    batch = ImportBatch.objects.get()
    assert batch.valid_only
    client_a.post(reverse("imports:commit", args=[batch.pk]))
    assert Enterprise.objects.count() == 1


def test_failed_file_shows_the_reason(client_a, zone_a):
    upload(client_a, zone_a, make_csv([["姓名", "电话"], ["甲", "1"]]))
    batch = ImportBatch.objects.get()
    page = client_a.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert batch.status == S.FAILED and "没有找到表头" in page and "重新上传" in page


def test_empty_upload_is_refused_on_the_form(client_a, zone_a):
    response = upload(client_a, zone_a, b"")
    assert response.status_code == 400 and ImportBatch.objects.count() == 0
    assert "空" in response.content.decode()


def test_cancel(client_a, zone_a):
    upload(client_a, zone_a, good_csv())
    batch = ImportBatch.objects.get()
    client_a.post(reverse("imports:cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.CANCELLED
    client_a.post(reverse("imports:commit", args=[batch.pk]))
    assert Enterprise.objects.count() == 0


def test_generic_batch_detail_shows_the_batch_page(client_a, zone_a):
    upload(client_a, zone_a, good_csv())
    batch = ImportBatch.objects.get()
    page = client_a.get(reverse("core:importbatch_detail", args=[batch.pk])).content.decode()
    assert 'id="batch-counts"' in page and "确认导入" in page
    assert reverse("core:importbatch_detail", args=[batch.pk]) in client_a.get(
        reverse("core:importbatch_list")).content.decode()


def test_progress_partial(client_a, zone_a, staff_a):
    batch = service.create_batch(zone_a, "enterprises", "x.csv", good_csv(), staff_a)
    response = client_a.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-get="%s"' % reverse("imports:progress", args=[batch.pk]) in response.content.decode()
    assert 'id="batch-status" hx-swap-oob="true"' in response.content.decode()  # the badge follows
    assert "HX-Refresh" not in response
    page = client_a.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert 'id="import-progress"' in page
    service.validate_batch(batch)
    response = client_a.get(reverse("imports:progress", args=[batch.pk]))
    assert response["HX-Refresh"] == "true"


def test_large_upload_goes_to_the_worker(client_a, zone_a, immediate_tasks):
    rows = [[code, f"企业{i}"] for i, code in enumerate(CODES[:6])]
    response = upload(client_a, zone_a, make_csv([["统一社会信用代码", "企业名称"], *rows]))
    batch = ImportBatch.objects.get()
    page = client_a.get(response["Location"]).content.decode()
    assert "后台" in page and batch.status == S.VALIDATED
    client_a.post(reverse("imports:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.DONE and Enterprise.objects.count() == 6


# -- isolation and roles -----------------------------------------------------------------------

def test_user_of_another_zone_gets_404(client, zone_a, staff_a, staff_b):
    batch = run(zone_a, "enterprises", bad_csv(), staff_a)
    client.force_login(staff_b)
    for name in ("imports:batch", "imports:progress", "imports:report"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404, name
    assert client.get(reverse("core:importbatch_detail", args=[batch.pk])).status_code == 404
    for name in ("imports:commit", "imports:cancel"):
        assert client.post(reverse(name, args=[batch.pk]), {"valid_only": "1"}).status_code == 404, name
    batch.refresh_from_db()
    assert batch.status == S.VALIDATED and Enterprise.objects.count() == 0
    assert f"#{batch.pk}<" not in client.get(reverse("imports:start")).content.decode()


def test_staff_cannot_upload_into_another_zone(client, zone_a, zone_b, staff_b):
    client.force_login(staff_b)
    response = upload(client, zone_a, good_csv())
    assert response.status_code == 400 and ImportBatch.objects.count() == 0
    form = client.get(reverse("imports:new", args=["enterprises"])).content.decode()
    assert "乙开发区" in form and "甲开发区" not in form


def test_viewer_cannot_import(client, zone_a, staff_a, viewer_a):
    client.force_login(viewer_a)
    assert client.get(reverse("imports:new", args=["enterprises"])).status_code == 403
    assert upload(client, zone_a, good_csv()).status_code == 403
    assert ImportBatch.objects.count() == 0
    page = client.get(reverse("imports:start")).content.decode()
    assert "只读" in page and reverse("imports:new", args=["enterprises"]) not in page
    # A viewer may look at a batch of the zone but not commit or cancel it.
    batch = run(zone_a, "enterprises", good_csv(), staff_a)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "btn-commit" not in page
    assert client.post(reverse("imports:commit", args=[batch.pk])).status_code == 403
    assert client.post(reverse("imports:cancel", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == S.VALIDATED and Enterprise.objects.count() == 0


def test_anonymous_is_sent_to_login(client, zone_a):
    for url in (reverse("imports:start"), reverse("imports:new", args=["enterprises"]),
                reverse("imports:template", args=["figures"])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
