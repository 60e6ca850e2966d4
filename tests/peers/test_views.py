"""Pages and API of the peers app: add (paste / upload), review, compare; hostile input; zones."""
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.core.models import ObjectChange
from zoneops.peers import services
from zoneops.peers.models import PeerFigure, PeerReport

from ..core.viewtests import FeatureTests, changes_of
from . import factories

pytestmark = pytest.mark.django_db

NEW = {"peer_name": "江东经济开发区", "title": "2022年工作总结", "report_date": "2022-12-20",
       "source_url": "https://example.gov.cn/a.html"}


def add(client, zone, **extra):
    return client.post(reverse("peers:peerreport_add"), {"zone": zone.pk, **NEW, **extra})


def test_paste_extracts_and_opens_review(client, zone_a, staff_a):
    client.force_login(staff_a)
    r = add(client, zone_a, text=factories.TEXT)
    report = PeerReport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("peers:review", args=[report.pk])
    assert report.created_by == staff_a and report.candidate_count == 4
    page = client.get(r["Location"]).content.decode()
    assert "<mark>38.5亿元</mark>" in page and "全部接受" in page and "核对提取结果" in page


def test_upload_txt_gbk_and_docx(client, zone_a, staff_a):
    client.force_login(staff_a)
    f = SimpleUploadedFile("r.txt", factories.TEXT.encode("gb18030"), content_type="text/plain")
    assert add(client, zone_a, upload=f).status_code == 302
    import docx

    d = docx.Document()
    d.add_paragraph("全年完成固定资产投资38.5亿元,同比增长40.9%。")
    buf = io.BytesIO()
    d.save(buf)
    f = SimpleUploadedFile("r.docx", buf.getvalue())
    assert add(client, zone_a, upload=f).status_code == 302
    assert [r.candidate_count for r in PeerReport.objects.order_by("id")] == [4, 2]


@pytest.mark.parametrize("name,data,message", [
    ("big.txt", "增长".encode() * (5 * 1024 * 1024 // 6 + 1) * 2, "超过"),  # ~10 MB of text
    ("bin.txt", b"\x00\x01\x02PK\x03\x04" * 100, "二进制"),
    ("empty.txt", b"", "空文件"),
    ("bad.docx", b"PK\x03\x04 not a zip at all", "不是有效的 Word"),
    ("x.exe", b"MZ\x90\x00", "类型"),
    ("x.pdf", b"%PDF-1.4", "不支持"),
])
def test_hostile_uploads_get_a_chinese_error_and_change_nothing(client, zone_a, staff_a, name, data, message):
    client.force_login(staff_a)
    r = add(client, zone_a, upload=SimpleUploadedFile(name, data))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not PeerReport.objects.exists()


def test_zip_bomb_docx_is_refused(client, zone_a, staff_a):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"0" * (40 * 1024 * 1024))
    client.force_login(staff_a)
    r = add(client, zone_a, upload=SimpleUploadedFile("bomb.docx", buf.getvalue()))
    assert r.status_code == 400 and "不是有效的 Word" in r.content.decode()


@pytest.mark.parametrize("text,message", [("", "报告全文为空"), ("   \n ", "报告全文为空"),
                                          ("数" * 300_001, "超过上限"), ("abc\x00def", "二进制")])
def test_bad_pasted_text(client, zone_a, staff_a, text, message):
    client.force_login(staff_a)
    r = add(client, zone_a, text=text)
    assert r.status_code == 400 and message in r.content.decode()
    assert not PeerReport.objects.exists()


def test_review_accept_correct_drop(client, zone_a, staff_a):
    report = factories.report(zone_a)
    client.force_login(staff_a)
    url = reverse("peers:review", args=[report.pk])
    c = report.candidates
    post = {"action-0": "accept", "metric-0": c[0]["metric"], "value-0": "38.5", "unit-0": "亿元",
            "period-0": "2022", "kind-0": "level",
            "action-1": "accept", "metric-1": "固定资产投资增速", "value-1": "40.9", "unit-1": "%",
            "period-1": "2022", "kind-1": "growth",
            "action-2": "accept", "metric-2": "新增用地", "value-2": "120", "unit-2": "公顷",
            "period-2": "2022", "kind-2": "level",
            "action-3": "drop"}
    r = client.post(url, post)
    assert r.status_code == 302
    figs = {f.candidate_index: f for f in PeerFigure.objects.all()}
    assert set(figs) == {0, 1, 2}
    assert figs[0].norm_value == 385000 and figs[0].norm_unit == "万元" and not figs[0].corrected
    assert figs[1].corrected and figs[1].metric == "固定资产投资增速"
    assert figs[2].norm_value == 1800 and figs[2].corrected and figs[2].reviewed_by == staff_a
    assert figs[0].zone == zone_a and figs[0].peer_name == "江东经济开发区"
    report.refresh_from_db()
    assert [c["status"] for c in report.candidates] == ["accepted"] * 3 + ["dropped"]
    assert report.status == "reviewed"
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(PeerFigure)
    assert ObjectChange.objects.filter(action="create", content_type=ct).count() == 3
    assert str(figs[2]) == "江东经济开发区 新增用地 120公顷"


def test_review_bad_value_changes_nothing(client, zone_a, staff_a):
    report = factories.report(zone_a)
    client.force_login(staff_a)
    r = client.post(reverse("peers:review", args=[report.pk]), {
        "action-0": "accept", "metric-0": "固投", "value-0": "38.5", "unit-0": "亿元", "kind-0": "level",
        "action-1": "accept", "metric-1": "增速", "value-1": "四十", "unit-1": "%", "kind-1": "growth",
        "action-2": "accept", "metric-2": "", "value-2": "1", "unit-2": "亩", "kind-2": "level"})
    page = r.content.decode()
    assert r.status_code == 400 and "第 2 条：数值“四十”不是数字" in page and "第 3 条：请填写指标名称" in page
    assert not PeerFigure.objects.exists()


def test_accept_all(client, zone_a, staff_a):
    report = factories.report(zone_a)
    client.force_login(staff_a)
    client.post(reverse("peers:review", args=[report.pk]), {"accept_all": "1"})
    assert PeerFigure.objects.count() == 4
    assert PeerFigure.objects.get(candidate_index=3).kind == "target"
    # accepting again adds nothing
    client.post(reverse("peers:review", args=[report.pk]), {"accept_all": "1"})
    assert PeerFigure.objects.count() == 4


def test_viewer_may_read_but_not_review(client, zone_a, viewer_a):
    report = factories.report(zone_a)
    client.force_login(viewer_a)
    url = reverse("peers:review", args=[report.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"accept_all": "1"}).status_code == 403
    assert not PeerFigure.objects.exists()


def test_other_zone_gets_404_everywhere(client, zone_a, zone_b, staff_b):
    report = factories.report(zone_a, peer_name="甲区秘密同行")
    services.accept_all(report, None)
    fig = PeerFigure.objects.first()
    client.force_login(staff_b)
    for url in (reverse("peers:review", args=[report.pk]), reverse("peers:peerreport_detail", args=[report.pk]),
                reverse("peers:peerfigure_detail", args=[fig.pk]), f"/api/peer-reports/{report.pk}/",
                f"/api/peer-figures/{fig.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("peers:review", args=[report.pk]), {"accept_all": "1"}).status_code == 404
    for url in (reverse("peers:compare") + "?metric=固定资产投资", reverse("peers:peerfigure_list"),
                reverse("peers:peerreport_list"), "/api/peer-figures/", "/api/peer-reports/",
                reverse("peers:peerfigure_list") + "?export=csv"):
        r = client.get(url)
        assert r.status_code == 200 and "甲区秘密同行" not in r.content.decode(), url
    assert PeerFigure.objects.count() == 4


def test_compare_page(client, zone_a, staff_a, zone_b):
    services.accept_all(factories.report(zone_a, peer_name="江东开发区"), None)
    services.accept_all(factories.report(zone_a, peer_name="江西开发区",
                                         text="2022年,完成固定资产投资50亿元,同比增长10%。"), None)
    services.accept_all(factories.report(zone_b, peer_name="乙区的同行"), None)
    client.force_login(staff_a)
    page = client.get(reverse("peers:compare"), {"metric": "固定资产投资"}).content.decode()
    assert "江东开发区" in page and "江西开发区" in page and "乙区的同行" not in page
    assert "385,000" in page or "385000" in page
    assert client.get(reverse("peers:compare")).status_code == 200


def test_compare_shows_own_indicator_value(client, zone_a, staff_a):
    from zoneops.figures.models import Indicator, IndicatorValue

    ind = Indicator.objects.create(code="fai-test", name="固投测试", unit="万元")
    IndicatorValue.objects.create(zone=zone_a, indicator=ind, year=2022, month=12, value=123456)
    services.accept_all(factories.report(zone_a), None)
    PeerFigure.objects.filter(candidate_index=0).update(indicator=ind)
    client.force_login(staff_a)
    page = client.get(reverse("peers:compare"), {"metric": "固定资产投资"}).content.decode()
    assert "本区数据" in page and "固投测试" in page and "2022-12" in page


def test_api_create_returns_extraction(client, zone_a, staff_a, zone_b):
    client.force_login(staff_a)
    r = client.post("/api/peer-reports/", {"zone": zone_a.pk, "peer_name": "江东", "text": factories.TEXT},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert [c["value"] for c in data["candidates"]] == [38.5, 40.9, 119.0, 5.0]
    assert data["candidates"][0]["norm_unit"] == "万元"
    r = client.post("/api/peer-reports/", {"zone": zone_b.pk, "peer_name": "x", "text": factories.TEXT},
                    content_type="application/json")
    assert r.status_code == 400 and not PeerReport.objects.filter(zone=zone_b).exists()
    r = client.post("/api/peer-reports/", {"zone": zone_a.pk, "peer_name": "x", "text": ""},
                    content_type="application/json")
    assert r.status_code == 400


def test_api_peer_figure_crud(client, zone_a, zone_b, staff_a):
    report = factories.report(zone_a)
    other = factories.report(zone_b)
    client.force_login(staff_a)
    body = {"zone": zone_a.pk, "report": report.pk, "peer_name": "江东", "metric": "新增用地", "value": "2",
            "unit": "平方公里", "kind": "level", "period": "2022"}
    r = client.post("/api/peer-figures/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["norm_value"] == "3000.000000" and r.json()["norm_unit"] == "亩"
    pk = r.json()["id"]
    r = client.patch(f"/api/peer-figures/{pk}/", {"value": "3"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["norm_value"] == "4500.000000"
    r = client.post("/api/peer-figures/", {**body, "report": other.pk}, content_type="application/json")
    assert r.status_code == 400
    assert client.delete(f"/api/peer-figures/{pk}/").status_code == 405  # the core API offers no deletes


def test_edit_report_text_re_extracts(client, zone_a, staff_a):
    report = factories.report(zone_a)
    services.accept_all(report, staff_a)
    client.force_login(staff_a)
    r = client.post(reverse("peers:peerreport_edit", args=[report.pk]),
                    {"zone": zone_a.pk, **NEW, "text": "新增用地100亩。"})
    assert r.status_code == 302 and r["Location"].endswith("/review/")
    report.refresh_from_db()
    assert report.candidate_count == 1 and report.candidates[0]["status"] == "pending"
    # the figures accepted from the old text stay, detached from the new rows
    assert PeerFigure.objects.filter(report=report).count() == 4
    assert not PeerFigure.objects.filter(report=report, candidate_index__isnull=False).exists()
    assert "待核对" in client.get(reverse("peers:review", args=[report.pk])).content.decode()


# --------------------------------------------------------------------------------------------
# The shared feature matrix (tests/core/viewtests.py) for both registered peers features.

class TestPeerReportViews(FeatureTests):
    feature_key = "peers.peerreport"
    search_fields = ("peer_name", "title")
    sort_columns = {"peer_name": str, "title": str}
    formula_field = "peer_name"
    edit_changes = {"title": "2022年工作总结（修订）", "source_url": "https://example.gov.cn/b.html"}
    api_changes = {"title": "接口修改的标题"}

    def make(self, zone, i, **kw):
        kw.setdefault("peer_name", f"{zone.name}同行{i:02}")
        kw.setdefault("title", f"{zone.name}工作总结{i:02}")
        kw.setdefault("report_date", datetime.date(2022, 12, 1) + datetime.timedelta(days=i))
        reviewed = kw.pop("status", None) == "reviewed"
        report = factories.report(zone, **kw)
        if reviewed:  # the way a report becomes 已核对: every extracted figure decided
            services.accept_all(report, None)
        return report

    def marker(self, obj):
        return obj.peer_name

    def filter_cases(self, zone):
        return [({"status": "reviewed"}, {"status": "reviewed"}, {"status": "pending"})]

    def tab_content(self, obj):
        return {"overview": [obj.peer_name, obj.title, "核对提取结果", "共提取 4 个数字，4 个待核对", "38.5亿元"]}

    def form_data(self, zone, i):
        return {"zone": zone.pk, "peer_name": f"新同行{i}", "title": "2023年工作总结", "report_date": "2023-12-20",
                "source_url": "https://example.gov.cn/c.html", "text": factories.TEXT}

    def invalid_cases(self, zone):
        return [({"peer_name": ""}, "peer_name", "该字段是必填项"),
                ({"text": "  "}, "text", "报告全文为空"),
                ({"text": "数" * 300_001}, "text", "超过上限"),
                ({"text": "abc\x00def"}, "text", "二进制"),
                ({"source_url": "javascript:alert(1)"}, "source_url", "URL"),
                ({"report_date": "2022-13-45"}, "report_date", "日期"),
                ({"peer_name": "长" * 101}, "peer_name", "100")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "peer_name": f"接口同行{i}", "title": "年报", "text": factories.TEXT}

    def api_invalid_cases(self, zone):
        return [({"text": ""}, "text", "不能为空"),
                ({"text": "   "}, "text", "不能为空"),
                ({"text": "abc\x00def"}, "text", "二进制"),
                ({"peer_name": "长" * 101}, "peer_name", "100"),
                ({"source_url": "not a url"}, "source_url", "URL")]

    def test_create(self, as_role, request, zone_a):
        """As the matrix's, but a new report opens its review page (核对) rather than its detail."""
        client = as_role(self.creator_role)
        assert client.get(self.url("add")).status_code == 200
        before = self._pks()
        r = client.post(self.url("add"), self.form_data(zone_a, 1))
        assert r.status_code == 302, r.context and r.context["form"].errors
        obj = self._created(before)
        assert obj is not None and obj.candidate_count == 4
        assert r["Location"] == reverse("peers:review", args=[obj.pk])
        change = changes_of(obj, "create").get()
        user = request.getfixturevalue(self.creator_role)
        assert change.user == user and str(change.request_id) == r["X-Request-ID"]
        assert change.before is None and change.after["id"] == obj.pk and change.zone_id == zone_a.pk


class TestPeerFigureViews(FeatureTests):
    feature_key = "peers.peerfigure"
    search_fields = ("metric", "peer_name", "sentence")
    sort_columns = {"metric": str, "value": Decimal}
    formula_field = "metric"
    edit_changes = {"metric": "固定资产投资（修正）", "value": "40.500000", "period": "2021"}
    api_changes = {"metric": "接口修改的指标", "period": "2021"}

    def _report(self, zone):
        return (PeerReport.objects.filter(zone=zone).first()
                or factories.report(zone, peer_name=f"{zone.name}的同行", extract=False))

    def make(self, zone, i, **kw):
        kw.setdefault("report", self._report(zone))
        kw.setdefault("peer_name", f"{zone.name}同行{i:02}")
        kw.setdefault("metric", f"{zone.name}固投{i:02}")
        kw.setdefault("sentence", f"{zone.name}原文第{i:02}句")
        kw.setdefault("value", Decimal(10 + i))
        kw.setdefault("period", "2022")
        return PeerFigure.objects.create(zone=zone, unit="亿元", **kw)

    def marker(self, obj):
        return obj.metric

    def filter_cases(self, zone):
        return [({"kind": "growth"}, {"kind": "growth"}, {"kind": "level"}),
                ({"period": "2021"}, {"period": "2021-Q1"}, {"period": "2022"})]

    def tab_content(self, obj):
        return {"overview": [obj.metric, obj.peer_name, obj.sentence]}

    def form_data(self, zone, i):
        return {"zone": zone.pk, "report": self._report(zone).pk, "peer_name": f"新同行{i}", "metric": f"新增用地{i}",
                "value": "2", "unit": "平方公里", "period": "2022", "kind": "level", "indicator": "",
                "sentence": "新增用地2平方公里。"}

    def invalid_cases(self, zone):
        from zoneops.core.models import Zone

        other = Zone.objects.exclude(pk=zone.pk).first() or Zone.objects.create(code="zone-x", name="外区")
        return [({"metric": ""}, "metric", "该字段是必填项"),
                ({"value": "四十"}, "value", "数字"),
                ({"value": "1" * 30}, "value", "位"),
                ({"kind": "magic"}, "kind", "magic"),
                ({"report": ""}, "report", "该字段是必填项"),
                # another zone's report is not even a choice
                ({"report": self._report(other).pk}, "report", "选择一个有效的选项")]

    def api_data(self, zone, i):
        return {"zone": zone.pk, "report": self._report(zone).pk, "peer_name": f"接口同行{i}",
                "metric": f"接口指标{i}", "value": "38.5", "unit": "亿元", "period": "2022", "kind": "level"}

    def api_invalid_cases(self, zone):
        return [({"value": "四十"}, "value", "数字"),
                ({"kind": "magic"}, "kind", "不是合法选项"),
                ({"metric": ""}, "metric", "不能为空"),
                ({"report": 987654}, "report", "没有编号为 987654 的记录")]

    def api_cross_zone_data(self, zone_a, zone_b):
        return [({**self.api_data(zone_b, 1), "report": self._report(zone_a).pk}, "report")]

    def test_api_update_cannot_move_zone_with_its_report(self, as_role, obj_a, zone_b):
        """Moving a figure together with a report of the new zone is still a move (the serializer once
        skipped the shared zone rules, and only its own report check stopped a bare zone change)."""
        other = self._report(zone_b)
        r = self.post_json(as_role("superuser"), self.api_url("detail", obj_a.pk),
                           {"zone": zone_b.pk, "report": other.pk}, method="patch")
        assert r.status_code == 400 and "不能移到其他开发区" in r.json()["zone"][0]
        obj = PeerFigure.objects.get(pk=obj_a.pk)
        assert (obj.zone_id, obj.report_id) == (obj_a.zone_id, obj_a.report_id)
