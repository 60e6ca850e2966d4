"""Period table, dashboard, monthly entry, derived values, import, API and CLI of zone figures."""
import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoneops.core.models import ImportBatch, ObjectChange, Zone
from zoneops.figures import services
from zoneops.figures.models import Indicator, IndicatorValue, ValueSource
from zoneops.service.models import Problem, ProblemCategory

from ..core.import_support import make_csv, make_xlsx, media_root, run  # noqa: F401 (fixture)
from ..projects import factories as pf
from ..registry import factories as reg
from . import factories as f

S = ImportBatch.Status


def fill_year(zone, code, year, monthly_cum, **kw):
    for m, v in enumerate(monthly_cum, start=1):
        f.value(zone, code, year, m, v, **kw)


# -- period table -------------------------------------------------------------------------------

def test_period_table_yoy_month_value_and_progress(zone_a):
    fill_year(zone_a, "fixed_investment", 2023, [80, 150, 260, 330, 420, 520, 600, 700, 800, 900, 1000, 1100])
    fill_year(zone_a, "fixed_investment", 2024, [100, 180])
    f.target(zone_a, "fixed_investment", 2024, 1200)
    rows = services.period_table([zone_a.pk], 2024, 1)[zone_a.pk]
    r = rows["fixed_investment"]
    assert r["value"] == D(100) and r["base"] == D(80) and r["yoy"] == 25.0  # 2024-01 against 2023-01
    assert r["month_value"] == D(100) and r["month_yoy"] == 25.0  # January: its own cumulative
    assert r["target"] == D(1200) and r["progress"] == 8.33 and r["elapsed"] == 8.33 and r["status"] == "green"
    r = services.period_table([zone_a.pk], 2024, 2)[zone_a.pk]["fixed_investment"]
    assert r["month_value"] == D(80) and r["month_yoy"] == 14.29  # (180-100) against (150-80)
    assert r["yoy"] == 20.0
    r = services.period_table([zone_a.pk], 2024, 3)[zone_a.pk]["fixed_investment"]
    assert r["value"] is None and r["yoy"] is None and r["yoy_reason"] == "本期无数据" and r["status"] is None


def test_period_table_annual_and_rate_indicators(zone_a):
    f.value(zone_a, "rd_ratio", 2022, 12, "6.9")
    f.value(zone_a, "rd_ratio", 2023, 12, "7.5")
    f.target(zone_a, "rd_ratio", 2023, "7.5")
    r = services.period_table([zone_a.pk], 2024, 6)[zone_a.pk]["rd_ratio"]
    assert (r["year"], r["month"]) == (2023, 12)  # the last complete year
    assert r["yoy_kind"] == "pp" and r["yoy"] == 0.6 and r["status"] == "green" and r["progress"] == 100.0


def test_period_table_query_count_does_not_grow_with_zones(zone_a, zone_b, staff_a, staff_b):
    zones = [Zone.objects.create(code=f"z{i}", name=f"开发区{i}") for i in range(12)]
    for z, user in [(zone_a, staff_a), (zone_b, staff_b)]:
        fill_year(z, "fixed_investment", 2023, [10, 20, 30], entered_by=user)
    with CaptureQueriesContext(connection) as few:
        services.period_table([zone_a.pk], 2023, 3)
    for z in zones:
        fill_year(z, "tax_revenue", 2023, [1, 2, 3], entered_by=staff_b)
        f.target(z, "tax_revenue", 2023, 10)
    with CaptureQueriesContext(connection) as many:
        table = services.period_table([z.pk for z in [zone_a, zone_b, *zones]], 2023, 3)
    assert len(many) == len(few) == 4  # catalogue, values, their authors, targets
    assert table[zones[0].pk]["tax_revenue"]["progress"] == 30.0
    assert table[zone_a.pk]["fixed_investment"]["entered_by"] == "staff_a"
    assert table[zone_b.pk]["fixed_investment"]["value"] == D(30)
    some = services.period_table([zone_a.pk, zone_b.pk], 2023, 3, codes=["fixed_investment"])
    assert set(some[zone_b.pk]) == {"fixed_investment"} and some[zone_b.pk]["fixed_investment"]["value"] == D(30)


# -- dashboard ------------------------------------------------------------------------------------

def test_dashboard_shows_the_zone_rows_and_chart(client_a, zone_a):
    fill_year(zone_a, "fixed_investment", 2023, [80, 150])
    fill_year(zone_a, "fixed_investment", 2024, [100, 180])
    r = client_a.get(reverse("figures:dashboard"), {"period": "2024-02", "indicator": "fixed_investment"})
    html = r.content.decode()
    assert r.status_code == 200 and "固定资产投资" in html and "+20.0%" in html
    data = json.loads(r.context["chart_json"])
    assert data["chart"]["values"][-1] == 180.0 and data["chart"]["last_year"][-1] == 150.0


def test_dashboard_of_another_zone_is_404_and_shows_nothing(client_b, zone_a, zone_b):
    f.value(zone_a, "fixed_investment", 2024, 2, "987654.32")
    assert client_b.get(reverse("figures:dashboard"), {"zone": zone_a.pk, "period": "2024-02"}).status_code == 404
    r = client_b.get(reverse("figures:dashboard"), {"period": "2024-02"})
    assert r.status_code == 200 and "987" not in r.content.decode() and r.context["zone"] == zone_b
    r = client_b.get(reverse("figures:dashboard"), {"period": "2024-02", "export": "csv"})
    assert "987" not in r.content.decode("utf-8-sig")


def test_dashboard_bad_period_says_so(client_a, zone_a):
    r = client_a.get(reverse("figures:dashboard"), {"period": "2024-13"}, follow=True)
    assert r.status_code == 200 and "格式不对" not in "" and "超出范围" in r.content.decode()


def test_dashboard_is_cached_until_the_zone_changes(client_a, zone_a):
    f.value(zone_a, "fixed_investment", 2024, 2, 500)
    client_a.get(reverse("figures:dashboard"), {"period": "2024-02"})
    with CaptureQueriesContext(connection) as warm:
        client_a.get(reverse("figures:dashboard"), {"period": "2024-02"})
    f.value(zone_a, "fixed_investment", 2024, 1, 300)  # a tracked save touches the zone
    r = client_a.get(reverse("figures:dashboard"), {"period": "2024-02"})
    assert r.context["rows"][0]["month_value"] == D(200)
    assert not any("figures_indicatorvalue" in q["sql"] for q in warm.captured_queries)


def test_province_user_chooses_the_zone(client, province, zone_a, zone_b):
    f.value(zone_b, "fixed_investment", 2024, 2, 4242)
    client.force_login(province)
    r = client.get(reverse("figures:dashboard"), {"zone": zone_b.code, "period": "2024-02"})
    assert r.status_code == 200 and r.context["zone"] == zone_b and "4242" in r.content.decode().replace(",", "")
    assert r.context["can_write"] is False and "重新计算系统指标" not in r.content.decode()  # read-only role


def test_recompute_button_needs_write_rights(client, viewer_a, staff_a, zone_a):
    reg.enterprise(zone_a, 1, scale="above")
    client.force_login(viewer_a)
    assert client.post(reverse("figures:recompute"), {"zone": zone_a.pk, "period": "2024-03"}).status_code == 404
    assert not IndicatorValue.objects.exists()
    client.force_login(staff_a)
    r = client.post(reverse("figures:recompute"), {"zone": zone_a.pk, "period": "2024-03"})
    assert r.status_code == 302
    assert IndicatorValue.objects.filter(indicator__code="above_scale_firms", year=2024, month=3).get().value == 1


# -- monthly entry --------------------------------------------------------------------------------

def _entry_payload(zone, period, **values):
    data = {"zone": zone.pk, "period": period}
    for code, v in values.items():
        data[f"v_{f.indicator(code).pk}"] = v
    return data


def test_entry_form_saves_in_one_go_with_user_and_history(client_a, staff_a, zone_a):
    f.value(zone_a, "fixed_investment", 2023, 7, 1000)
    r = client_a.get(reverse("figures:entry"), {"zone": zone_a.pk, "period": "2024-07"})
    assert r.status_code == 200 and "上年同期" in r.content.decode()
    assert not any(row["indicator"].formula for row in r.context["rows"])  # derived ones are not typed
    r = client_a.post(reverse("figures:entry"), _entry_payload(zone_a, "2024-07", fixed_investment="1,200",
                                                               tax_revenue="55.5", exports=""))
    assert r.status_code == 302
    v = IndicatorValue.objects.get(zone=zone_a, indicator__code="fixed_investment", year=2024, month=7)
    assert v.value == D(1200) and v.entered_by == staff_a and v.source == ValueSource.ENTERED
    assert not IndicatorValue.objects.filter(indicator__code="exports").exists()  # blank: nothing
    assert ObjectChange.objects.filter(object_id=str(v.pk), action="create").get().user == staff_a
    r = client_a.get(reverse("figures:entry"), {"zone": zone_a.pk, "period": "2024-07"})
    row = next(x for x in r.context["rows"] if x["indicator"].code == "fixed_investment")
    assert row["yoy"] == 20.0


@pytest.mark.parametrize("bad,message", [("abc", "不是有效的数字"), ("-5", "不能为负数"), ("1e30", "过大"),
                                         ("9" * 40, "过长"), ("NaN", "不是有效的数字"), ("<script>", "不是有效的数字")])
def test_entry_form_bad_number_names_the_indicator_and_saves_nothing(client_a, zone_a, bad, message):
    r = client_a.post(reverse("figures:entry"), _entry_payload(zone_a, "2024-07", fixed_investment="100",
                                                               tax_revenue=bad))
    assert r.status_code == 400
    html = r.content.decode()
    assert "税收收入" in html and message in html
    assert bad != "<script>" or ("&lt;script&gt;" in html and 'value="<script>' not in html)
    assert not IndicatorValue.objects.exists()


def test_entry_form_converts_yi_yuan_into_wan_yuan(client_a, zone_a):
    r = client_a.post(reverse("figures:entry"), _entry_payload(zone_a, "2024-07", fixed_investment="38.5亿元",
                                                               tax_revenue="12亿"))
    assert r.status_code == 302
    assert {v.indicator.code: v.value for v in IndicatorValue.objects.all()} == {
        "fixed_investment": D(385000), "tax_revenue": D(120000)}


def test_entry_form_in_december_takes_the_annual_indicators(client_a, zone_a):
    f.value(zone_a, "rd_ratio", 2023, 12, "6.9")
    r = client_a.get(reverse("figures:entry"), {"zone": zone_a.pk, "period": "2024-11"})
    assert "R&D 经费支出占比" not in r.content.decode()
    r = client_a.post(reverse("figures:entry"), _entry_payload(zone_a, "2024-12", rd_ratio="7.5"))
    assert r.status_code == 302
    r = client_a.get(reverse("figures:entry"), {"zone": zone_a.pk, "period": "2024-12"})
    row = next(x for x in r.context["rows"] if x["indicator"].code == "rd_ratio")
    assert row["value"] == D("7.5") and row["yoy"] == 0.6 and row["yoy_kind"] == "pp"
    assert client_a.post(reverse("figures:entry"), _entry_payload(zone_a, "2024-12", rd_ratio="7500")).status_code == 400


def test_entry_form_negative_profit_is_allowed(client_a, zone_a):
    r = client_a.post(reverse("figures:entry"), _entry_payload(zone_a, "2024-07", industrial_profit="-300"))
    assert r.status_code == 302 and IndicatorValue.objects.get().value == D(-300)


def test_entry_form_refuses_other_zones_and_viewers(client, zone_a, zone_b, staff_b, viewer_a):
    client.force_login(staff_b)
    r = client.post(reverse("figures:entry"), _entry_payload(zone_a, "2024-07", fixed_investment="100"))
    assert r.status_code == 404 and not IndicatorValue.objects.exists()
    client.force_login(viewer_a)
    assert client.get(reverse("figures:entry"), {"zone": zone_a.pk}).status_code == 404
    r = client.get(reverse("figures:entry"))
    assert r.status_code == 403  # no zone to write to


# -- derived values -------------------------------------------------------------------------------

def test_compute_derived_from_registry_projects_and_service(zone_a, zone_b, staff_a):
    reg.enterprise(zone_a, 1, scale="above", is_high_tech=True)
    reg.enterprise(zone_a, 2, scale="above", has_rd_center=True)
    reg.enterprise(zone_a, 3, scale="above", status="moved_out")  # gone: not counted
    reg.enterprise(zone_b, 4, scale="above")
    e = reg.enterprise(zone_a, 5)
    reg.figures(e, 2024, revenue=D(1000), tax=D(50))
    pf.project(zone_a, 1, stage="signed", signed_on=datetime.date(2024, 2, 10), agreed_investment=D(50000))
    pf.project(zone_a, 2, stage="signed", signed_on=datetime.date(2024, 5, 1), agreed_investment=D(20000))
    pf.project(zone_a, 3, stage="signed", signed_on=datetime.date(2023, 12, 31))
    cat = ProblemCategory.objects.create(zone=zone_a, name="用地")
    for i, closed in enumerate([datetime.date(2024, 3, 1), None, datetime.date(2024, 9, 1)]):
        Problem.objects.create(zone=zone_a, enterprise=e, title=f"诉求{i}", description="x", category=cat,
                               received_on=datetime.date(2024, 2, 1), closed_on=closed)
    stats = services.compute_derived(zone_a, 2024, today=datetime.date(2024, 12, 20))
    assert stats["created"] > 0
    rows = services.period_table([zone_a.pk], 2024, 3)[zone_a.pk]
    assert rows["above_scale_firms"]["value"] == 2 and rows["high_tech_firms"]["value"] == 1
    assert rows["rd_centers"]["value"] == 1 and rows["projects_signed"]["value"] == 1
    assert rows["projects_signed_investment"]["value"] == D(50000)
    assert rows["problem_close_rate"]["value"] == D("33.33")  # 1 of 3 closed by the end of March
    assert services.period_table([zone_a.pk], 2024, 6)[zone_a.pk]["projects_signed"]["value"] == 2
    assert services.period_table([zone_a.pk], 2024, 12)[zone_a.pk]["enterprise_revenue"]["value"] == D(1000)
    assert rows["above_scale_firms"]["source"] == ValueSource.DERIVED
    assert not IndicatorValue.objects.filter(zone=zone_b).exists()
    assert ObjectChange.objects.filter(zone=zone_a, action="create").count() >= stats["created"]
    again = services.compute_derived(zone_a, 2024, today=datetime.date(2024, 12, 20))
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == stats["created"]


def test_compute_derived_keeps_hand_entered_values_and_updates_changed(zone_a):
    reg.enterprise(zone_a, 1, scale="above")
    f.value(zone_a, "high_tech_firms", 2024, 1, 99, source=ValueSource.ENTERED)
    services.compute_derived(zone_a, 2024, 1)
    assert IndicatorValue.objects.get(indicator__code="high_tech_firms").value == 99
    reg.enterprise(zone_a, 2, scale="above")
    stats = services.compute_derived(zone_a, 2024, 1)
    assert stats["updated"] == 1 and stats["kept"] == 1
    assert IndicatorValue.objects.get(indicator__code="above_scale_firms").value == 2


# -- import ----------------------------------------------------------------------------------------

HEADER = ["指标代码", "指标名称", "年份", "月份", "数值", "备注"]


@pytest.mark.usefixtures("media_root")
def test_import_values_by_code_or_name(zone_a, staff_a):
    data = make_xlsx([["2024年7月经济运行指标"], HEADER,
                      ["fixed_investment", "", 2024, 7, 385000, "统计局快报"],
                      ["", "税收收入", 2024, "7月", "265,000.5", ""],
                      ["", "R&D 经费支出占比", 2023, "", "7.5", ""]])
    batch = run(zone_a, "indicator_values", data, staff_a, name="指标.xlsx", commit=True)
    assert batch.status == S.DONE, batch.message
    v = IndicatorValue.objects.get(indicator__code="tax_revenue")
    assert v.value == D("265000.5") and v.source == ValueSource.IMPORTED and v.entered_by == staff_a
    assert IndicatorValue.objects.get(indicator__code="rd_ratio").month == 12
    assert ObjectChange.objects.filter(import_batch=batch).count() == 3
    again = run(zone_a, "indicator_values", make_csv([HEADER, ["fixed_investment", "", 2024, 7, 390000, ""]]),
                staff_a, commit=True)
    assert again.updated_count == 1
    assert IndicatorValue.objects.get(indicator__code="fixed_investment").value == D(390000)


@pytest.mark.usefixtures("media_root")
@pytest.mark.parametrize("row,reason", [
    (["no_such", "", 2024, 7, 1, ""], "没有代码为“no_such”"),
    (["", "不存在的指标", 2024, 7, 1, ""], "没有名为“不存在的指标”"),
    (["", "", 2024, 7, 1, ""], "请填写指标代码或指标名称"),
    (["fixed_investment", "", 2024, 13, 1, ""], "月份“13”"),
    (["fixed_investment", "", 2024, "", 1, ""], "是月度指标，请填写月份"),
    (["fixed_investment", "", 2024, 7, -1, ""], "不能为负数"),
    (["fixed_investment", "", 2024, 7, "abc", ""], "不是有效的数字"),
    (["above_scale_firms", "", 2024, 7, 1, ""], "系统计算指标"),
    (["rd_ratio", "", 2024, 6, 1, ""], "是年度指标"),
    (["fixed_investment", "", 1800, 7, 1, ""], "1990"),
])
def test_import_errors_are_chinese_with_row_and_nothing_is_written(zone_a, staff_a, row, reason):
    data = make_csv([HEADER, ["tax_revenue", "", 2024, 7, 100, ""], row])
    batch = run(zone_a, "indicator_values", data, staff_a, commit=False)
    from zoneops.core.importing import service

    rejected = service.rejected_preview(batch)
    assert rejected and rejected[0][0] == 3, rejected  # the Excel row number
    assert any(reason in str(r) for r in rejected), rejected
    with pytest.raises(Exception):
        service.commit_batch(batch)
    assert not IndicatorValue.objects.exists()


# -- API ---------------------------------------------------------------------------------------------

def test_api_zone_figures(client_a, zone_a, zone_b):
    fill_year(zone_a, "fixed_investment", 2023, [80])
    fill_year(zone_a, "fixed_investment", 2024, [100])
    f.value(zone_b, "fixed_investment", 2024, 1, 777)
    r = client_a.get("/api/zone-figures/", {"zone": zone_a.code, "period": "2024-01"})
    assert r.status_code == 200, r.content
    row = next(x for x in r.json()["rows"] if x["code"] == "fixed_investment")
    assert row["value"] == "100" and row["yoy"] == 25.0 and row["source"] == "entered"
    assert client_a.get("/api/zone-figures/", {"zone": zone_b.code, "period": "2024-01"}).status_code == 404
    assert client_a.get("/api/zone-figures/", {"zone": str(zone_b.pk)}).status_code == 404
    bad = client_a.get("/api/zone-figures/", {"zone": zone_a.code, "period": "2024-99"})
    assert bad.status_code == 400 and "超出范围" in bad.content.decode()
    assert client_a.get("/api/zone-figures/", {"zone": "x" * 5000}).status_code == 404


def test_api_catalogue_is_read_only(client_a, client):
    r = client_a.get("/api/indicators/")
    assert r.status_code == 200 and r.json()["count"] >= 25
    assert client_a.post("/api/indicators/", {"code": "x", "name": "x"}).status_code == 405
    client.logout()
    assert client.get("/api/indicators/").status_code in (401, 403)


def test_api_value_is_stamped_with_user_and_source(client_a, staff_a, zone_a):
    r = client_a.post("/api/values/", {"zone": zone_a.pk, "indicator": f.indicator().pk, "year": 2024, "month": 3,
                                       "value": "12.5", "source": "derived"}, content_type="application/json")
    assert r.status_code == 201, r.content
    v = IndicatorValue.objects.get()
    assert v.source == ValueSource.API and v.entered_by == staff_a


# -- catalogue pages -----------------------------------------------------------------------------

def test_catalogue_read_by_staff_edited_by_superusers(client, staff_a, zone_a):
    client.force_login(staff_a)
    r = client.get(reverse("figures:indicator_list"))
    assert r.status_code == 200 and "规上企业数" in r.content.decode() and "编辑" not in r.content.decode()
    ind = Indicator.objects.get(code="fixed_investment")
    assert client.post(reverse("figures:indicator_edit", args=[ind.pk]), {"name": "改"}).status_code == 403
    from ..conftest import make_user

    root = make_user("root", is_superuser=True)
    client.force_login(root)
    data = {"code": "fixed_investment", "name": "固定资产投资（含农户）", "unit": "万元", "frequency": "monthly",
            "accumulation": "cumulative", "direction": "higher", "sort_order": 10, "formula": ""}
    version = Zone.objects.get(pk=zone_a.pk).data_version
    assert client.post(reverse("figures:indicator_edit", args=[ind.pk]), data).status_code == 302
    assert Indicator.objects.get(pk=ind.pk).name == "固定资产投资（含农户）"
    assert Zone.objects.get(pk=zone_a.pk).data_version > version
    r = client.post(reverse("figures:indicator_add"), {**data, "code": "new_one", "name": "新指标", "formula": "rm -rf"})
    assert r.status_code == 400 and "没有名为" in r.content.decode()


# -- CLI ---------------------------------------------------------------------------------------------

def test_cli_prints_the_period(zone_a):
    fill_year(zone_a, "fixed_investment", 2022, [800] * 12)
    f.value(zone_a, "fixed_investment", 2023, 12, 1127.2)
    f.target(zone_a, "fixed_investment", 2023, 1000)
    out = io.StringIO()
    call_command("zone_figures", zone="zone-a", period="2023-12", stdout=out)
    text = out.getvalue()
    line = next(x for x in text.splitlines() if x.startswith("固定资产投资"))
    assert "1,127.2" in line and "+40.9%" in line and "112.7%/100%" in line and "正常" in line
    out = io.StringIO()
    call_command("zone_figures", zone="zone-a", period="2023-12", format="json", stdout=out)
    rows = {r["code"]: r for r in json.loads(out.getvalue())["rows"]}
    assert rows["fixed_investment"]["yoy"] == 40.9 and rows["fixed_investment"]["status"] == "green"
    with pytest.raises(CommandError, match="没有代码"):
        call_command("zone_figures", zone="nope", period="2023-12")
    with pytest.raises(CommandError, match="期间"):
        call_command("zone_figures", zone="zone-a", period="2023-13")


def test_cli_recompute(zone_a):
    reg.enterprise(zone_a, 1, scale="above")
    out, err = io.StringIO(), io.StringIO()
    call_command("zone_figures", zone="zone-a", period="2024-02", recompute=True, stdout=out, stderr=err)
    assert "已重新计算" in err.getvalue()
    assert next(x for x in out.getvalue().splitlines() if x.startswith("规上企业数")).split()[2] == "1"


def test_openapi_schema_lists_the_figures_endpoints(client_a):
    r = client_a.get("/api/schema/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "/api/zone-figures/" in text and "/api/indicators/" in text and "/api/values/" in text
