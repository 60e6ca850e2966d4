"""Pages: create a run, the run page, ranking and its export, 调档/公示/异议/终评 through the pages,
the enterprise tab, the portal (an enterprise user sees only its own result), the home card, the API."""
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zoneops.core.models import Membership
from zoneops.evaluation import services
from zoneops.evaluation.models import Objection, Result, Run, RunState

from ..conftest import make_user
from . import support

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(zone_a, staff_a):
    support.population(zone_a, 12)
    support.population(zone_a, 5, scale="below", start=40)
    return support.make_run(zone_a, user=staff_a)


def today():
    return timezone.localdate()


def test_create_run_through_the_page(client_a, zone_a):
    support.population(zone_a, 6)
    assert client_a.get(reverse("evaluation:run_new")).status_code == 200
    services.ensure_presets()
    from zoneops.evaluation.models import Ruleset

    preset = Ruleset.objects.get(zone__isnull=True, name="huangyan_2022")
    r = client_a.post(reverse("evaluation:run_new"), {"zone": zone_a.pk, "year": 2023, "ruleset": preset.pk})
    run = Run.objects.get()
    assert r.status_code == 302 and r["Location"] == run.get_absolute_url()
    assert run.results.count() == 6
    # bad year, another zone, nothing to evaluate: Chinese errors, nothing created
    for data, text in (({"year": "abc"}, "输入整数"), ({"year": 3000}, "年度应在"),
                       ({"year": 2019}, "没有企业年度指标")):
        r = client_a.post(reverse("evaluation:run_new"), {"zone": zone_a.pk, "ruleset": preset.pk, **data})
        assert r.status_code == 400 and text in r.content.decode()
    assert Run.objects.count() == 1


def test_run_page_shows_counts_charts_and_sankey(client_a, zone_a, run):
    r = client_a.get(run.get_absolute_url())
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="class-counts"' in html and "chart-hist" in html and "初评" in html
    assert "没有上一年度的评价" in html
    # with last year's run the Sankey gets data
    for ent in {r.enterprise for r in run.results.select_related("enterprise")}:
        support.add_year(ent, 2022, tax="200")
    last = support.make_run(zone_a, year=2022)
    html = client_a.get(run.get_absolute_url()).content.decode()
    assert "chart-sankey" in html and f"{last.year} A" in html


def test_ranking_filters_and_county_export(client_a, run):
    url = reverse("evaluation:run_ranking", args=[run.pk])
    html = client_a.get(url, {"group": "above"}).content.decode()
    assert "亩均税收" in html and "单位排放增加值" in html and html.count("<tr>") >= 12
    top = run.results.select_related("enterprise").get(group="above", rank=1)
    html = client_a.get(url, {"q": top.enterprise.uscc}).content.decode()
    assert top.enterprise.name in html and html.count("评价企业0") == 1
    assert "共 3 家" in client_a.get(url, {"group": "above", "class": "A"}).content.decode()
    r = client_a.get(url, {"export": "xlsx", "group": "above"})
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:4]) == ["序号", "企业名称", "统一社会信用代码", "用地面积（亩）"]
    assert rows[0][4].startswith("亩均税收") and list(rows[0][-2:]) == ["得分", "等级"]
    assert len(rows[0]) == 4 + 6 + 2
    assert [row[0] for row in rows[1:]] == list(range(1, 13))
    assert rows[1][1] == top.enterprise.name and rows[1][2] == top.enterprise.uscc and rows[1][-1] == "A"
    assert rows[1][4] == pytest.approx(top.items["tax_per_mu"]["v"])
    # without a group: one sheet per group, 规下 with its own two indicators
    book = openpyxl.load_workbook(io.BytesIO(client_a.get(url, {"export": "xlsx"}).content))
    assert [s.title for s in book.worksheets] == ["规上企业", "规下企业"]
    assert len(next(book.worksheets[1].iter_rows(values_only=True))) == 4 + 2 + 2


def test_adjust_publish_object_decide_through_pages(client_a, staff_a, zone_a, run):
    worst = run.results.get(group="above", rank=12)
    adjust = reverse("evaluation:result_adjust", args=[worst.pk])
    client_a.post(adjust, {"new_class": "C", "reason": ""})
    worst.refresh_from_db()
    assert worst.final_class == "D"
    r = client_a.post(adjust, {"new_class": "C", "reason": "技改项目已投产"}, follow=True)
    assert "已调档" in r.content.decode()
    worst.refresh_from_db()
    assert worst.final_class == "C"
    history = client_a.get(worst.get_absolute_url(), {"tab": "history"}).content.decode()
    assert "调档" in history and "技改项目已投产" in history
    publish = reverse("evaluation:run_publish", args=[run.pk])
    r = client_a.post(publish, {"publish_from": "2025-02-30", "publish_to": "2025-03-05"}, follow=True)
    assert "请填写有效日期" in r.content.decode()
    r = client_a.post(publish, {"publish_from": "2025-03-05", "publish_to": "2025-03-01"}, follow=True)
    assert "不能早于" in r.content.decode()
    client_a.post(publish, {"publish_from": today().isoformat(), "publish_to": (today() + datetime.timedelta(days=6)).isoformat()})
    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED
    r = client_a.post(reverse("evaluation:result_objection", args=[worst.pk]),
                      {"text": "用地面积有误", "evidence": support.evidence()})
    objection = Objection.objects.get()
    r = client_a.post(objection.get_absolute_url(), {"decision": "accept", "reason": "自然资源局核实", "land_mu": "10"})
    assert r.status_code == 302
    worst.refresh_from_db()
    assert worst.land_mu == 10 and worst.items["tax_per_mu"]["v"] == pytest.approx(10.0)
    evidence = client_a.get(reverse("evaluation:objection_evidence", args=[objection.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"%PDF")
    client_a.post(reverse("evaluation:run_finalize", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == RunState.FINAL


def test_final_cannot_change_through_pages_or_api(client_a, staff_a, run):
    services.publish(run, today(), today())
    r = run.results.get(group="above", rank=12)
    o = services.file_objection(r, "不服", support.evidence(), staff_a)
    services.decide_objection(o, False, "驳回", staff_a)
    services.finalize(run)
    before = list(Result.objects.filter(run=run).order_by("pk").values_list("final_class", "total", "class_note"))
    posts = [(reverse("evaluation:result_adjust", args=[r.pk]), {"new_class": "A", "reason": "x"}),
             (reverse("evaluation:result_objection", args=[r.pk]), {"text": "x", "evidence": support.evidence()}),
             (reverse("evaluation:run_publish", args=[run.pk]), {"publish_from": "2025-01-01", "publish_to": "2025-01-02"}),
             (reverse("evaluation:run_finalize", args=[run.pk]), {}),
             (reverse("evaluation:run_discard", args=[run.pk]), {}),
             (o.get_absolute_url(), {"decision": "accept", "reason": "改", "new_class": "A"})]
    for url, data in posts:
        resp = client_a.post(url, data, follow=True)
        assert resp.status_code in (200, 400), url
    for method in ("patch", "put", "delete"):
        resp = getattr(client_a, method)(f"/api/results/{r.pk}/", {"final_class": "A"}, content_type="application/json")
        assert resp.status_code == 405
        resp = getattr(client_a, method)(f"/api/runs/{run.pk}/", {"state": "computed"}, content_type="application/json")
        assert resp.status_code == 405
    assert list(Result.objects.filter(run=run).order_by("pk").values_list("final_class", "total", "class_note")) == before
    assert Run.objects.get(pk=run.pk).state == RunState.FINAL
    assert Objection.objects.count() == 1


def test_enterprise_tab_with_radar_and_what_if(client_a, run):
    r = run.results.select_related("enterprise").get(group="above", rank=12)
    html = client_a.get(r.enterprise.get_absolute_url(), {"tab": "evaluation"}).content.decode()
    assert "eval-radar" in html and "class-history" in html
    assert "亩均税收需达到" in html and "可升至 C 类" in html


def test_portal_shows_only_own_published_result(client, zone_a, zone_b, run):
    own = run.results.select_related("enterprise").get(group="above", rank=5)
    other = run.results.select_related("enterprise").get(group="above", rank=6)
    user = make_user("firm_user")
    Membership.objects.create(user=user, zone=zone_a, role=Membership.Role.ENTERPRISE, enterprise=own.enterprise)
    client.force_login(user)
    html = client.get("/portal/").content.decode()
    assert "暂无公示的评价结果" in html  # before 公示 nothing shows
    services.publish(run, today(), today() + datetime.timedelta(days=3))
    html = client.get("/portal/").content.decode()
    assert "亩均效益评价" in html and own.final_class in html and other.enterprise.name not in html
    # no access to staff pages, results of other firms, or the API
    for url in (run.get_absolute_url(), other.get_absolute_url(), reverse("evaluation:run_ranking", args=[run.pk]),
                reverse("evaluation:result_list"), "/api/results/", f"/api/results/{other.pk}/"):
        resp = client.get(url)
        assert resp.status_code in (403, 404) or other.enterprise.name not in resp.content.decode(), url
        assert other.enterprise.name not in resp.content.decode()
    # objection: own result only, and only during the window
    post = reverse("evaluation:portal_objection")
    assert client.post(post, {"result": other.pk, "text": "x", "evidence": support.evidence()}).status_code == 404
    client.post(post, {"result": own.pk, "text": "增加值统计有误", "evidence": support.evidence()})
    o = Objection.objects.get()
    assert o.by_enterprise and o.result == own and o.submitted_by == user
    assert client.get(reverse("evaluation:objection_evidence", args=[o.pk])).status_code == 200
    html = client.get("/portal/").content.decode()
    assert "待处理" in html


def test_zone_b_gets_404_for_zone_a_runs_results_exports(client_b, zone_a, run):
    r = run.results.first()
    services.publish(run, today(), today())
    o = services.file_objection(r, "x", support.evidence(), None)
    for url in (run.get_absolute_url(), reverse("evaluation:run_ranking", args=[run.pk]),
                reverse("evaluation:run_ranking", args=[run.pk]) + "?export=xlsx",
                reverse("evaluation:run_compare", args=[run.pk]), reverse("evaluation:run_status", args=[run.pk]),
                r.get_absolute_url(), o.get_absolute_url(), reverse("evaluation:objection_evidence", args=[o.pk]),
                f"/api/runs/{run.pk}/", f"/api/results/{r.pk}/"):
        assert client_b.get(url).status_code == 404, url
    assert client_b.post(reverse("evaluation:result_adjust", args=[r.pk]), {"new_class": "A", "reason": "x"}).status_code == 404
    assert client_b.get("/api/results/", {"run": run.pk}).json()["count"] == 0
    # compare with another zone's run as `other` shows nothing of it
    own = support.firm(run.zone.__class__.objects.get(code="zone-b"), 1)
    b_run = support.make_run(own.zone)
    html = client_b.get(reverse("evaluation:run_compare", args=[b_run.pk]), {"other": run.pk}).content.decode()
    assert r.enterprise.name not in html and "甲开发区" not in html


def test_api_results_filter_by_run_class_group(client_a, run):
    data = client_a.get("/api/results/", {"run": run.pk, "final_class": "A", "group": "above"}).json()
    assert data["count"] == 3 and {x["final_class"] for x in data["results"]} == {"A"}
    assert set(data["results"][0]) >= {"enterprise_name", "uscc", "total", "items", "explanation"}
    runs = client_a.get("/api/runs/").json()
    assert runs["results"][0]["ruleset"] == "huangyan_2022" and runs["results"][0]["class_counts"]


def test_home_card(client_a, zone_a, run):
    html = client_a.get(f"/zones/{zone_a.pk}/home/").content.decode()
    assert "2023 年亩均 A 类" in html and "2023 年亩均 D 类" in html


def test_verify_button(client_a, run):
    r = client_a.post(reverse("evaluation:run_verify", args=[run.pk]), follow=True)
    assert "复核通过" in r.content.decode()
