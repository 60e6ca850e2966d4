"""Rankings pages, API, CLI and the annual summary, for every kind of user."""
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from zoneops.core.models import Membership, ObjectChange, Zone
from zoneops.rankings import services
from zoneops.rankings.models import AnnualSummary, RankingResult

from ..conftest import make_user
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def zones(zone_a, zone_b):
    zone_c = Zone.objects.create(code="zone-c", name="丙开发区", region_code="330782")
    # 固定资产投资 (cumulative), 2023 and 2024 for 同比
    for zone, base, now in ((zone_a, 100, 150), (zone_b, 200, 210), (zone_c, 50, 40)):
        for month in (5, 6):
            f.value(zone, "fixed_investment", 2023, month, base * month)
            f.value(zone, "fixed_investment", 2024, month, now * month)
    f.value(zone_a, "fixed_investment", 2024, 5, 100 * 5)  # zone A was behind in May
    return zone_a, zone_b, zone_c


@pytest.fixture
def scheme(zones):
    s = f.scheme(bottom_places=1)
    services.compute_with_previous(s, 2024, 6)
    return s


def rows(response):
    return {r["zone"]: r for r in response.context["data"]["rows"]}


def test_compute_scores_ranks_and_stores_a_snapshot(scheme, zones):
    zone_a, zone_b, zone_c = zones
    june = {r.zone_id: r for r in RankingResult.objects.filter(scheme=scheme, period="2024-06")}
    # value (min-max, weight 60): B 1260 → 100, A 900 → (900-240)/(1260-240) = 64.71, C 240 → 0
    # yoy (rank, weight 40): A +50 % → 100, B +5 % → 66.67, C −20 % → 33.33
    assert float(june[zone_b.pk].total) == pytest.approx(0.6 * 100 + 0.4 * 66.67, abs=0.02)
    assert float(june[zone_a.pk].total) == pytest.approx(0.6 * 64.71 + 0.4 * 100, abs=0.02)
    assert [june[z.pk].rank for z in (zone_b, zone_a, zone_c)] == [1, 2, 3]
    assert RankingResult.objects.filter(scheme=scheme, period="2024-05").count() == 3  # previous, for movement


def test_movement_and_bottom_flag_on_the_page(client, scheme, zones):
    zone_a, zone_b, zone_c = zones
    may = dict(RankingResult.objects.filter(scheme=scheme, period="2024-05").values_list("zone_id", "rank"))
    client.force_login(make_user("boss", is_superuser=True))
    r = client.get(reverse("rankings:scheme", args=[scheme.pk]), {"period": "2024-06"})
    assert r.status_code == 200
    table = rows(r)
    assert table["丙开发区"]["bottom"] and not table["甲开发区"]["bottom"]
    expected = may[zone_a.pk] - 2
    assert table["甲开发区"]["movement_label"] == (f"↑{expected}" if expected > 0 else "—")
    html = r.content.decode()
    assert 'class="zo-bottom"' in html and "末位" in html


def test_a_new_zone_shows_new(client, scheme, zones, staff_a):
    zone_d = Zone.objects.create(code="zone-d", name="丁开发区", region_code="330100")
    f.value(zone_d, "fixed_investment", 2024, 6, 10)
    services.compute(scheme, 2024, 6)
    client.force_login(staff_a)
    r = client.get(reverse("rankings:scheme", args=[scheme.pk]), {"period": "2024-06"})
    assert rows(r)["丁开发区"]["movement_label"] == "新"
    assert rows(r)["丁开发区"]["bottom"]  # 4 zones, last place; the missing 同比 scores 0


def test_zone_user_sees_every_total_but_links_only_to_their_zone(client, scheme, zones, staff_a):
    client.force_login(staff_a)
    r = client.get(reverse("rankings:scheme", args=[scheme.pk]), {"period": "2024-06"})
    table = rows(r)
    assert set(table) == {"甲开发区", "乙开发区", "丙开发区"}
    assert table["甲开发区"]["url"] and table["乙开发区"]["url"] is None and table["丙开发区"]["url"] is None
    assert "items" not in table["乙开发区"]  # the page carries scores only; item values: the API, own zones
    html = r.content.decode()
    zone_b = zones[1]
    assert f"zone={zone_b.pk}\"" not in html and f"/zones/{zone_b.pk}/" not in html
    assert "1260" not in html and "1,260" not in html  # zone B's figure (210 × 6) is not on the page


@pytest.mark.parametrize("who", ["province", "superuser"])
def test_province_and_superuser_get_links_to_every_zone(client, scheme, who):
    user = make_user(who, None, Membership.Role.PROVINCE) if who == "province" else make_user(who, is_superuser=True)
    client.force_login(user)
    r = client.get(reverse("rankings:scheme", args=[scheme.pk]), {"period": "2024-06"})
    assert all(row["url"] for row in r.context["data"]["rows"])


def test_recompute_is_for_superusers_only(client, scheme, zones, admin_a):
    url = reverse("rankings:scheme", args=[scheme.pk])
    before = list(RankingResult.objects.values_list("pk", "total"))
    client.force_login(admin_a)
    assert client.post(url, {"period": "2024-06"}).status_code == 403
    assert list(RankingResult.objects.values_list("pk", "total")) == before
    f.value(zones[2], "fixed_investment", 2024, 6, 99999)  # zone C now leads
    client.force_login(make_user("boss", is_superuser=True))
    r = client.post(url, {"period": "2024-06"})
    assert r.status_code == 302 and r["Location"].endswith("period=2024-06")
    assert RankingResult.objects.get(scheme=scheme, period="2024-06", zone=zones[2]).rank == 1
    assert ObjectChange.objects.filter(action="recomputed", object_id=str(scheme.pk)).exists()


def test_a_period_not_computed_says_so(client, scheme, staff_a):
    client.force_login(staff_a)
    r = client.get(reverse("rankings:scheme", args=[scheme.pk]), {"period": "2023-01"})
    assert r.status_code == 200 and "尚未计算" in r.content.decode()


@pytest.mark.parametrize("period", ["2024-13", "../", "../../etc/passwd", "2024-06' OR 1=1", "9" * 50_000,
                                    "<script>alert(1)</script>"])
def test_hostile_periods_get_a_clear_error_everywhere(client, scheme, staff_a, period):
    client.force_login(staff_a)
    r = client.get(reverse("rankings:scheme", args=[scheme.pk]), {"period": period})
    assert r.status_code == 400 and "期次" in r.content.decode() and "<script>alert" not in r.content.decode()
    api = client.get("/api/ranking-results/", {"scheme": scheme.pk, "period": period})
    assert api.status_code == 400 and "期次" in json.dumps(api.json(), ensure_ascii=False)
    with pytest.raises(CommandError, match="期次"):
        call_command("rank_zones", scheme=str(scheme.pk), period=period, verbosity=0)
    client.force_login(make_user("prov", None, Membership.Role.PROVINCE))
    assert client.get(reverse("rankings:province_data"), {"period": period}).status_code == 400


def test_unknown_scheme_is_404(client, staff_a, db):
    client.force_login(staff_a)
    assert client.get(reverse("rankings:scheme", args=[999999])).status_code == 404
    assert client.get("/api/ranking-results/", {"scheme": 999999}).status_code == 404
    assert client.get("/api/ranking-results/").status_code == 400


def test_export_xlsx_has_the_table_and_red_bottom_row(client, scheme, staff_a):
    import openpyxl

    client.force_login(staff_a)
    r = client.get(reverse("rankings:scheme", args=[scheme.pk]), {"period": "2024-06", "export": "xlsx"})
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    data = list(ws.values)
    assert data[0] == ("名次", "变动", "开发区", "经济规模", "增量增速", "总分", "末位")
    assert [row[2] for row in data[1:]] == ["乙开发区", "甲开发区", "丙开发区"]
    assert data[3][6] == "末位" and "FFC7CE" in str(ws.cell(row=4, column=1).fill.fgColor.rgb) + str(ws.cell(row=4, column=1).fill.bgColor.rgb)


def test_api_schemes_and_results(client, scheme, zones, staff_a):
    client.force_login(staff_a)
    s = client.get(f"/api/ranking-schemes/{scheme.pk}/").json()
    assert [d["name"] for d in s["dimensions"]] == ["经济规模", "增量增速"]
    assert s["dimensions"][1]["items"][0]["measure"] == "yoy" and s["dimensions"][0]["items"][0]["indicator"]
    res = client.get("/api/ranking-results/", {"scheme": scheme.pk, "period": "2024-06"}).json()["results"]
    assert [r["zone_name"] for r in res] == ["乙开发区", "甲开发区", "丙开发区"]
    own = {r["zone_name"]: r["item_scores"] for r in res}
    assert own["甲开发区"] and own["乙开发区"] is None and own["丙开发区"] is None
    latest = client.get("/api/ranking-results/", {"scheme": scheme.pk}).json()["results"]
    assert {r["period"] for r in latest} == {"2024-06"}
    assert client.post("/api/ranking-schemes/", {"name": "x"}).status_code == 405


def test_cli_prints_the_table(scheme):
    out = io.StringIO()
    call_command("rank_zones", scheme=str(scheme.pk), period="2024-06", stdout=out)
    text = out.getvalue()
    assert "乙开发区" in text and "末位" in text and text.index("乙开发区") < text.index("丙开发区")
    with pytest.raises(CommandError, match="没有编号或名称"):
        call_command("rank_zones", scheme="404", period="2024-06")


def test_scheme_restricted_to_a_year_refuses_other_years(client, zones, staff_a):
    s = f.scheme(name="2024 赛马", year=2024)
    client.force_login(staff_a)
    r = client.get(reverse("rankings:scheme", args=[s.pk]), {"period": "2023-06"})
    assert r.status_code == 400 and "适用年度" in r.content.decode()


def test_chosen_zones_only(zones):
    zone_a, zone_b, _c = zones
    s = f.scheme(name="两区比拼", selection="chosen")
    s.zones.set([zone_a, zone_b])
    assert services.compute(s, 2024, 6) == 2


def test_scheme_without_items_cannot_be_computed(zones):
    from zoneops.rankings.models import RankingScheme

    with pytest.raises(services.RankingError, match="还没有评价指标"):
        services.compute(RankingScheme.objects.create(name="空方案"), 2024, 6)


# -- province view -----------------------------------------------------------------------------

def test_province_view_is_for_province_users_and_superusers(client, scheme, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("rankings:province")).status_code == 403
    assert client.get(reverse("rankings:province_data")).status_code == 403
    client.force_login(make_user("prov", None, Membership.Role.PROVINCE))
    assert client.get(reverse("rankings:province")).status_code == 200


def test_province_data_places_zones_in_cities_and_is_cached(client, scheme, zones, django_assert_max_num_queries):
    client.force_login(make_user("prov", None, Membership.Role.PROVINCE))
    url = reverse("rankings:province_data")
    params = {"indicator": "fixed_investment", "period": "2024-06", "scheme": scheme.pk}
    d = client.get(url, params).json()
    by = {z["name"]: z for z in d["zones"]}
    assert by["甲开发区"]["city"] == "331000" and by["乙开发区"]["city"] == "330700"
    assert by["甲开发区"]["value"] == 900 and by["甲开发区"]["yoy"] == pytest.approx(50.0)
    assert all(z["url"] for z in d["zones"])
    # 乙 (330784 永康) and 丙 (330782 义乌) are both in 金华: summed
    assert {c["code"]: c["value"] for c in d["cities"]}["330700"] == pytest.approx(1260 + 240)
    assert [z["name"] for z in d["ranking"]] == ["乙开发区", "甲开发区", "丙开发区"]
    with django_assert_max_num_queries(7):  # session, user, membership, version (2), indicators, scheme
        again = client.get(url, params).json()
    assert again == d
    f.value(zones[0], "fixed_investment", 2024, 6, 1)  # a change bumps the zone's data_version
    assert {z["name"]: z["value"] for z in client.get(url, params).json()["zones"]}["甲开发区"] == 1


def test_province_data_refuses_unknown_indicator(client, scheme):
    client.force_login(make_user("prov", None, Membership.Role.PROVINCE))
    r = client.get(reverse("rankings:province_data"), {"indicator": "../../secret"})
    assert r.status_code == 400 and "没有代码为" in r.json()["error"]


def test_zone_without_region_code_is_listed_unplaced(client, scheme):
    Zone.objects.create(code="nowhere", name="无代码开发区", region_code="")
    client.force_login(make_user("boss", is_superuser=True))
    d = client.get(reverse("rankings:province_data"), {"period": "2024-06"}).json()
    assert {z["name"]: z["city"] for z in d["zones"]}["无代码开发区"] is None


# -- annual summary ----------------------------------------------------------------------------

@pytest.fixture
def year_data(zones):
    zone_a = zones[0]
    for code, v, base in (("fixed_investment", 385000, 273300), ("industrial_investment", 297000, 209500)):
        f.value(zone_a, code, 2023, 12, v)
        f.value(zone_a, code, 2022, 12, base)
    f.target(zone_a, "fixed_investment", 2024, 420000)
    from ..projects import factories as pf

    import datetime
    pf.project(zone_a, 1, name="甲区新能源汽车零部件项目", agreed_investment=150000,
               signed_on=datetime.date(2023, 5, 1), stage="signed")
    pf.project(zone_a, 2, name="甲区小项目", agreed_investment=5000, signed_on=datetime.date(2023, 6, 1),
               stage="signed")
    return zone_a


def test_summary_is_generated_edited_and_exported(client, year_data, staff_a):
    from docx import Document

    client.force_login(staff_a)
    start = reverse("rankings:summary_start")
    r = client.get(start, {"zone": year_data.pk, "year": 2023})
    assert r.status_code == 200 and "生成年度总结" in r.content.decode()
    r = client.post(start, {"zone": year_data.pk, "year": 2023})
    s = AnnualSummary.objects.get(zone=year_data, year=2023)
    assert r.status_code == 302 and r["Location"] == s.get_absolute_url()
    assert "固定资产投资38.5亿元，同比增长40.9%" in s.headline
    assert "工业投资29.7亿元，同比增长41.8%" in s.headline
    assert "10 亿元以上项目1个：甲区新能源汽车零部件项目（15.0亿元）" in s.highlights and "签约招商项目2个" in s.highlights
    assert "固定资产投资42.0亿元" in s.next_targets
    # edit
    r = client.post(s.get_absolute_url(), {"title": "甲开发区2023年工作总结（定稿）", "overview": "改过的总体情况",
                                            "headline": s.headline, "highlights": s.highlights,
                                            "next_targets": s.next_targets})
    s.refresh_from_db()
    assert r.status_code == 302 and s.edited and s.overview == "改过的总体情况"
    assert ObjectChange.objects.filter(object_id=str(s.pk), user=staff_a, action="update").exists()
    # opening it again does not regenerate
    assert client.post(start, {"zone": year_data.pk, "year": 2023}).status_code == 302
    s.refresh_from_db()
    assert s.overview == "改过的总体情况"
    # docx reads back
    r = client.get(reverse("rankings:summary_docx", args=[s.pk]))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "甲开发区2023年工作总结（定稿）" in text and "改过的总体情况" in text and "同比增长40.9%" in text


def test_regenerate_asks_first(client, year_data, staff_a):
    client.force_login(staff_a)
    client.post(reverse("rankings:summary_start"), {"zone": year_data.pk, "year": 2023})
    s = AnnualSummary.objects.get(zone=year_data)
    AnnualSummary.objects.filter(pk=s.pk).update(overview="人工稿", edited=True)
    url = reverse("rankings:summary_regenerate", args=[s.pk])
    client.post(url)
    s.refresh_from_db()
    assert s.overview == "人工稿"
    client.post(url, {"confirm": "1"})
    s.refresh_from_db()
    assert s.overview != "人工稿" and not s.edited


def test_summary_of_another_zone_is_404_and_unchanged(client, year_data, staff_b):
    s = AnnualSummary(zone=year_data, year=2023)
    s.title, s.overview = "甲机密", "甲机密内容"
    s.save()
    client.force_login(staff_b)
    for url in (s.get_absolute_url(), reverse("rankings:summary_docx", args=[s.pk])):
        assert client.get(url).status_code == 404
    assert client.post(s.get_absolute_url(), {"title": "乙改", "overview": "x"}).status_code == 404
    assert client.post(reverse("rankings:summary_regenerate", args=[s.pk]), {"confirm": "1"}).status_code == 404
    assert client.post(reverse("rankings:summary_start"), {"zone": year_data.pk, "year": 2022}).status_code == 404
    assert client.get(f"/api/annual-summaries/{s.pk}/").status_code == 404
    assert "甲机密" not in client.get("/api/annual-summaries/").content.decode()
    s.refresh_from_db()
    assert s.title == "甲机密" and not AnnualSummary.objects.filter(year=2022).exists()


def test_viewer_reads_but_cannot_generate_or_edit(client, year_data, viewer_a):
    s = AnnualSummary.objects.create(zone=year_data, year=2023, title="甲总结", overview="原文")
    client.force_login(viewer_a)
    r = client.get(s.get_absolute_url())
    assert r.status_code == 200 and "原文" in r.content.decode() and "<textarea" not in r.content.decode()
    assert client.post(s.get_absolute_url(), {"title": "改", "overview": "改"}).status_code == 404
    assert client.post(reverse("rankings:summary_start"), {"zone": year_data.pk, "year": 2022}).status_code == 403
    assert client.get(f"/api/annual-summaries/{s.pk}/").json()["overview"] == "原文"


@pytest.mark.parametrize("params", [{"zone": "abc", "year": "2023"}, {"zone": "1", "year": "99999999999"},
                                    {"zone": "1", "year": "../"}, {"zone": "", "year": ""},
                                    {"zone": "1" * 5000, "year": "2023"}])
def test_hostile_summary_input(client, zone_a, staff_a, params):
    client.force_login(staff_a)
    r = client.post(reverse("rankings:summary_start"), params)
    assert r.status_code in (400, 404)
    if r.status_code == 400:
        assert "开发区" in r.content.decode() or "年度" in r.content.decode()
    assert not AnnualSummary.objects.exists()


def test_summary_edit_too_long_is_refused_with_field_name(client, zone_a, staff_a):
    s = AnnualSummary.objects.create(zone=zone_a, year=2023, title="甲总结")
    client.force_login(staff_a)
    r = client.post(s.get_absolute_url(), {"title": "t", "overview": "长" * 20001})
    assert r.status_code == 400 and "总体情况" in r.content.decode()
    s.refresh_from_db()
    assert s.title == "甲总结"


def test_summary_without_any_data_says_so(zone_a):
    from zoneops.rankings import summary

    texts = summary.generate(zone_a, 2023)
    assert "尚无已填报" in texts["headline"] and "尚未设定2024年度目标" in texts["next_targets"]


def test_index_lists_schemes_and_summaries(client, scheme, staff_a, zone_a):
    AnnualSummary.objects.create(zone=zone_a, year=2023, title="甲开发区2023年工作总结")
    client.force_login(staff_a)
    html = client.get(reverse("rankings:index")).content.decode()
    assert scheme.name in html and "甲开发区2023年工作总结" in html


def test_superuser_configures_a_scheme_in_the_admin(client, zones):
    s = f.scheme(name="管理后台方案")
    client.force_login(make_user("boss", is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:rankings_rankingscheme_change", args=[s.pk])).status_code == 200
    dim = s.dimensions.first()
    assert client.get(reverse("admin:rankings_rankingdimension_change", args=[dim.pk])).status_code == 200
    client.force_login(make_user("zone_admin", zones[0], Membership.Role.ADMIN))
    r = client.get(reverse("admin:rankings_rankingscheme_change", args=[s.pk]))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_an_inactive_scheme_is_hidden_from_zone_users(client, scheme, staff_a):
    scheme.active = False
    scheme.save()
    client.force_login(staff_a)
    assert client.get(reverse("rankings:scheme", args=[scheme.pk])).status_code == 404
    assert client.get(f"/api/ranking-schemes/{scheme.pk}/").status_code == 404
    assert scheme.name not in client.get(reverse("rankings:index")).content.decode()


@pytest.mark.parametrize("value", ["9" * 40, "-1", "1 OR 1=1", "", "١٢"])
def test_hostile_scheme_ids(client, scheme, value):
    client.force_login(make_user("prov", None, Membership.Role.PROVINCE))
    assert client.get(reverse("rankings:province_data"), {"scheme": value, "period": "2024-06"}).status_code == 200
    assert client.get("/api/ranking-results/", {"scheme": value}).status_code == 400
    assert client.get(f"/rankings/{'9' * 30}/").status_code == 404


def test_level_selection_and_a_quarterly_scheme(client, zones, staff_a):
    zone_a, zone_b, zone_c = zones
    Zone.objects.filter(pk=zone_b.pk).update(level="national")
    s = f.scheme(name="国家级季度赛马", selection="level", level="national", granularity="quarter")
    year, month, key = services.resolve_period(s, "2024-Q2")
    assert (year, month, key) == (2024, 6, "2024-Q2")
    assert services.compute(s, year, month) == 1
    client.force_login(staff_a)
    r = client.get(reverse("rankings:scheme", args=[s.pk]), {"period": "2024-Q2"})
    assert [row["zone"] for row in r.context["data"]["rows"]] == ["乙开发区"]
    assert r.context["data"]["label"] == "2024年第2季度"
    assert client.get(reverse("rankings:scheme", args=[s.pk]), {"period": "2024-06"}).status_code == 400
