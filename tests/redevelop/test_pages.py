"""Candidate list, case page (milestones in place, complete / stop), case list totals, figures,
the API's candidates and case actions, the CLI: for zone A, zone B and hostile input."""
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from zoneops.redevelop.models import CandidateRule, CaseStatus, Milestone, RedevelopmentCase

from ..core.viewtests import parse_table, read_export
from ..improvement import helpers
from . import factories as f

TODAY = datetime.date.today()
CANDIDATES = reverse("redevelop:candidates")
ADD = reverse("redevelop:redevelopmentcase_add")


@pytest.fixture
def data(zone_a, zone_b):
    run = helpers.run(zone_a, 2024, state="final")
    d1 = f.firm(zone_a, 1, cls="D", run=run, tax=40)
    p1 = f.parcel(zone_a, "A-001", holder=d1, far=0.6, name="甲区一号地")
    p2 = f.parcel(zone_a, "A-002", holder=d1, area="30", far=0.9)
    ent_b = f.firm(zone_b, 7, cls="D")
    pb = f.parcel(zone_b, "B-001", holder=ent_b, name="乙区机密地块")
    return {"p1": p1, "p2": p2, "pb": pb, "d1": d1}


def test_candidate_page_lists_with_figures_totals_and_buttons(client_a, data):
    r = client_a.get(CANDIDATES)
    assert r.status_code == 200
    html = r.content.decode()
    headers, rows = parse_table(html)
    assert "认定理由" in headers and len(rows) == 2
    assert "A-001" in html and "A-002" in html and "B-001" not in html and "乙区机密地块" not in html
    assert r.context["totals"] == {"parcels": 2, "area_mu": 50.0}
    assert "使用企业亩均评价 D 类" in html
    assert "0.80" in html  # tax per 亩: 40 万元 over the firm's 20 + 30 亩
    assert f'{ADD}?parcels={data["p1"].pk}' in html and 'id="open-multi"' in html
    assert reverse("improvement:candidates") in html


def test_candidate_filters_and_hostile_input(client_a, data):
    r = client_a.get(CANDIDATES, {"min_area": "25"})
    assert [c.code for c in r.context["rows"]] == ["A-002"]
    r = client_a.get(CANDIDATES, {"q": "一号"})
    assert [c.code for c in r.context["rows"]] == ["A-001"]
    for params in ({"min_area": "abc"}, {"min_area": "-1"}, {"year": "'; drop table"}, {"zone": "99999"},
                   {"q": "x" * 5000}, {"sort": "<script>"}, {"holder_class": "Z"}):
        r = client_a.get(CANDIDATES, params)
        assert r.status_code == 200, params
        assert r.context["rows"] == [] and "<script>" not in r.content.decode().split("</nav>")[-1], params
    r = client_a.get(CANDIDATES, {"min_area": "abc"})
    assert "请输入数字" in r.content.decode()


def test_candidate_export(client_a, data):
    r = client_a.get(CANDIDATES, {"export": "xlsx"})
    headers, rows = read_export(r, "xlsx")
    assert headers[:5] == ["序号", "开发区", "地块编号", "地块名称", "面积（亩）"]
    assert sorted(row[2] for row in rows) == ["A-001", "A-002"]
    assert any("D 类" in row[-1] for row in rows)
    r = client_a.get(CANDIDATES, {"export": "csv", "q": "B-001"})
    assert read_export(r, "csv")[1] == []


def test_zone_b_sees_only_its_own(client_b, data):
    r = client_b.get(CANDIDATES)
    html = r.content.decode()
    assert "B-001" in html and "A-001" not in html and "甲区一号地" not in html
    r = client_b.get(CANDIDATES, {"zone": data["p1"].zone_id})
    assert "A-001" not in r.content.decode()
    # Pre-filling a case with zone A's parcel shows nothing of it.
    r = client_b.get(ADD, {"parcels": data["p1"].pk})
    assert r.status_code == 200 and "A-001" not in r.content.decode()


def test_open_from_the_form_single_and_contiguous(client_a, data, zone_a):
    r = client_a.get(ADD, {"parcels": [data["p1"].pk, data["p2"].pk]})
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["parcel_codes"] == "A-001, A-002" and "连片改造" in form.initial["name"]
    r = client_a.post(ADD, {"zone": zone_a.pk, "name": "甲区连片改造", "approach": "soe",
                            "parcel_codes": "A-001，A-002", "opened_on": TODAY.isoformat(), "target_far": "2.5"})
    assert r.status_code == 302, r.context["form"].errors
    case = RedevelopmentCase.objects.get(name="甲区连片改造")
    assert case.extent == "contiguous" and case.area_mu == Decimal("50")
    data["p1"].refresh_from_db()
    assert data["p1"].status == "redeveloping"
    # Already in an open case: refused with the case named, nothing written.
    r = client_a.post(ADD, {"zone": zone_a.pk, "name": "重复", "approach": "government",
                            "parcel_codes": "A-001", "opened_on": TODAY.isoformat()})
    assert r.status_code == 400
    assert "已在改造项目“甲区连片改造”（立项）中" in r.context["form"].errors["parcel_codes"][0]
    assert RedevelopmentCase.objects.count() == 1


@pytest.mark.parametrize("codes, message", [
    ("", "这个字段是必填项"),
    ("NOPE-1, NOPE-2", "本开发区没有编号为 NOPE-1、NOPE-2 的地块"),
    ("B-001", "本开发区没有编号为 B-001 的地块"),        # another zone's parcel does not exist here
    (",".join(f"X{i}" for i in range(600)), "最多包含 500 宗"),
    ("x" * 70, "最长 64 个字符"),
])
def test_open_form_refusals(client_a, data, zone_a, codes, message):
    r = client_a.post(ADD, {"zone": zone_a.pk, "name": "坏", "approach": "government", "parcel_codes": codes,
                            "opened_on": TODAY.isoformat()})
    assert r.status_code == 400
    errors = " ".join(r.context["form"].errors.get("parcel_codes", []))
    assert message in errors or (message == "这个字段是必填项" and errors), errors
    assert not RedevelopmentCase.objects.exists()


@pytest.fixture
def case(data, zone_a, staff_a):
    return f.case(zone_a, [data["p1"]], staff_a, name="甲区一号地改造")


def test_case_page_milestones_in_place(client_a, case):
    url = reverse("redevelop:milestone_add", args=[case.pk])
    r = client_a.post(url, {"title": "完成拆除", "planned_on": TODAY.isoformat()}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "完成拆除" in r.content.decode()
    m = Milestone.objects.get(case=case)
    assert m.zone_id == case.zone_id and not m.done
    r = client_a.post(url, {"title": "", "actual_on": (TODAY + datetime.timedelta(days=3)).isoformat()},
                      HTTP_HX_REQUEST="true")
    assert r.status_code == 400 and "节点名称不能为空" in r.content.decode() and "实际日期不能晚于今天" in r.content.decode()
    r = client_a.post(reverse("redevelop:milestone_done", args=[m.pk]), HTTP_HX_REQUEST="true")
    m.refresh_from_db()
    assert m.done and m.actual_on == TODAY
    r = client_a.get(case.get_absolute_url())
    html = r.content.decode()
    assert r.status_code == 200 and "完成拆除" in html and "A-001" in html and 'id="complete-form"' in html


def test_complete_from_the_page_needs_after_far(client_a, case, data):
    url = reverse("redevelop:case_complete", args=[case.pk])
    r = client_a.post(url, {"completed_on": TODAY.isoformat(), "far_after": ""})
    assert r.status_code == 400 and "完成改造须填写改造后容积率" in r.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED
    r = client_a.post(url, {"completed_on": TODAY.isoformat(), "far_after": "2.95", "tax_per_mu_after": "31.5"})
    assert r.status_code == 302
    case.refresh_from_db()
    data["p1"].refresh_from_db()
    assert case.status == CaseStatus.DONE and data["p1"].status == "redeveloped"


def test_stop_from_the_page(client_a, case, data):
    url = reverse("redevelop:case_stop", args=[case.pk])
    assert client_a.post(url, {"stop_reason": "  "}).status_code == 400
    assert client_a.post(url, {"stop_reason": "企业自主提升"}).status_code == 302
    data["p1"].refresh_from_db()
    assert data["p1"].status == "inefficient"


def test_another_zone_and_viewers_cannot_act(client, case, staff_b, viewer_a, data):
    m = f.milestone(case)
    for user in (staff_b, viewer_a):
        client.force_login(user)
        for name, arg, payload in (("case_complete", case.pk, {"far_after": "3"}),
                                   ("case_stop", case.pk, {"stop_reason": "x"}), ("case_start", case.pk, {}),
                                   ("milestone_add", case.pk, {"title": "x"}), ("milestone_done", m.pk, {}),
                                   ("milestone_delete", m.pk, {})):
            assert client.post(reverse(f"redevelop:{name}", args=[arg]), payload).status_code == 404, (user, name)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED and Milestone.objects.filter(pk=m.pk, done=False).exists()
    client.force_login(staff_b)
    assert client.get(case.get_absolute_url()).status_code == 404


def test_delete_of_an_open_case_releases_its_parcels(client, case, data, admin_a):
    client.force_login(admin_a)
    r = client.post(reverse("redevelop:redevelopmentcase_delete", args=[case.pk]))
    assert r.status_code == 302 and not RedevelopmentCase.objects.exists()
    data["p1"].refresh_from_db()
    assert data["p1"].status == "inefficient"


def test_case_list_totals_and_figures_page(client_a, zone_a, staff_a):
    p1 = f.parcel(zone_a, "F1", area="100", far=0.8)
    p2 = f.parcel(zone_a, "F2", area="10", far=1.9)
    from zoneops.redevelop import services

    c1 = f.case(zone_a, [p1], staff_a)
    c2 = f.case(zone_a, [p2], staff_a, approach="private")
    services.complete_case(c1, staff_a, far_after=3.0)
    services.complete_case(c2, staff_a, far_after=1.9)
    r = client_a.get(reverse("redevelop:redevelopmentcase_list"))
    t = r.context["totals"]
    assert t["cases"] == 2 and t["far_before"] == pytest.approx(0.9) and t["far_after"] == pytest.approx(2.9)
    assert "0.90 → 2.90" in r.content.decode()
    r = client_a.get(reverse("redevelop:figures"))
    html = r.content.decode()
    assert r.status_code == 200 and "0.90 → 2.90" in html and "按面积加权" in html
    _headers, rows = read_export(client_a.get(reverse("redevelop:figures"), {"export": "xlsx"}), "xlsx")
    total = next(row for row in rows if row[0] == "已完成项目，按完成年度：合计")
    assert total[1:5] == [2, 110, 0.9, 2.9]


def test_rule_is_admin_only_and_validated(client, zone_a, admin_a, staff_a):
    url = reverse("redevelop:candidaterule_add")
    client.force_login(staff_a)
    r = client.post(url, {"zone": zone_a.pk, "name": "x", "classes": "D", "combine": "all"})
    assert r.status_code in (400, 403) and not CandidateRule.objects.exists()
    client.force_login(admin_a)
    r = client.post(url, {"zone": zone_a.pk, "name": " 低效 ", "active": "on", "classes": "c；d", "combine": "any",
                          "max_far": "1.0"})
    assert r.status_code == 302
    rule = CandidateRule.objects.get()
    assert rule.classes == "C,D" and rule.name == "低效"
    r = client.post(url, {"zone": zone_a.pk, "name": "低效", "classes": "D", "combine": "all"})
    assert r.status_code == 400 and "本开发区已有同名的识别规则" in r.content.decode()
    edit = reverse("redevelop:candidaterule_edit", args=[rule.pk])
    for bad, msg in (({"classes": "<b>1X</b>"}, "等级应为"), ({"max_far": "-1"}, "容积率不能为负数"),
                     ({"idle_months": "9999"}, "月数不能超过 600"), ({"combine": "xor"}, "xor")):
        r = client.post(edit, {"zone": zone_a.pk, "name": "低效", "classes": "D", "combine": "all", **bad})
        assert r.status_code == 400 and msg in r.content.decode(), bad


def test_rule_sets_are_or_ed_and_can_be_switched_off(client_a, data, zone_a):
    f.rule(zone_a, name="低容积率", classes="", max_far=Decimal("0.7"))
    f.rule(zone_a, name="大地块", classes="", max_far=Decimal("1.0"), min_area_mu=Decimal("25"))
    rows = client_a.get(CANDIDATES).context["rows"]
    assert {r.code: r.reasons for r in rows} == {"A-001": ["【低容积率】容积率 0.60，低于 0.70"],
                                                  "A-002": ["【大地块】容积率 0.90，低于 1.00"]}
    CandidateRule.objects.update(active=False)
    r = client_a.get(CANDIDATES)
    assert r.context["rows"] == [] and "没有启用的规则" in r.content.decode()


def test_api_candidates_come_in_pages_with_the_totals_of_all(client_a, data, zone_a, monkeypatch):
    from rest_framework.pagination import PageNumberPagination

    monkeypatch.setattr(PageNumberPagination, "page_size", 1)  # read from the settings at import
    f.rule(zone_a, name="低容积率", classes="", max_far=Decimal("1.0"))
    first = client_a.get("/api/redevelop-candidates/", {"sort": "code"}).json()
    assert first["count"] == 2 and len(first["results"]) == 1 and first["next"] and first["previous"] is None
    assert first["totals"]["parcels"] == 2
    second = client_a.get(first["next"]).json()
    assert {first["results"][0]["code"], second["results"][0]["code"]} == {"A-001", "A-002"}
    r = client_a.get("/api/redevelop-candidates/", {"page": 9})
    assert r.status_code == 404


def test_api_candidates_and_actions(client_a, client, data, case, staff_a, staff_b):
    r = client_a.get("/api/redevelop-candidates/")
    body = r.json()
    assert r.status_code == 200 and [c["code"] for c in body["results"]] == ["A-002"]
    assert body["totals"] == {"parcels": 1, "area_mu": 30.0} and body["results"][0]["holder_class"] == "D"
    assert client_a.get("/api/redevelop-candidates/", {"zone": "abc"}).status_code == 400
    assert client_a.get("/api/redevelop-candidates/", {"zone": data["pb"].zone_id}).status_code == 400
    url = f"/api/cases/{case.pk}/complete/"
    r = client_a.post(url, json.dumps({}), content_type="application/json")
    assert r.status_code == 400 and "完成改造须填写改造后容积率" in r.json()["far_after"][0]
    client.force_login(staff_b)
    assert client.post(url, json.dumps({"far_after": 3}), content_type="application/json").status_code == 404
    assert [c["code"] for c in client.get("/api/redevelop-candidates/").json()["results"]] == ["B-001"]
    client.force_login(staff_a)  # client_a is the same client
    r = client_a.post(url, json.dumps({"far_after": "2.5"}), content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "done"
    detail = client_a.get(f"/api/cases/{case.pk}/").json()
    assert detail["case_parcels"][0]["code"] == "A-001" and detail["far_after"] == "2.50"


def test_cli_prints_candidates(data, zone_a):
    out = io.StringIO()
    call_command("redevelop_candidates", "--zone", zone_a.code, stdout=out)
    text = out.getvalue()
    assert "A-001" in text and "A-002" in text and "B-001" not in text and "合计 2 宗" in text
    with pytest.raises(CommandError, match="没有代码为"):
        call_command("redevelop_candidates", "--zone", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("redevelop_candidates", "--zone", zone_a.code, "--year", "1800", stdout=io.StringIO())


def test_parcel_tab_lists_its_cases(client_a, case, data, client, staff_b):
    r = client_a.get(data["p1"].get_absolute_url(), {"tab": "redevelop"})
    html = r.content.decode()
    assert r.status_code == 200 and "甲区一号地改造" in html and "开立改造项目" not in html.split('id="parcel-cases"')[1]
    r = client_a.get(data["p2"].get_absolute_url(), {"tab": "redevelop"})
    assert f'?parcels={data["p2"].pk}' in r.content.decode()
