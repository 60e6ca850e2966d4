"""Candidates from the database, and opening / completing / stopping cases through the land
app's transitions."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zoneops.core.changelog import change_context
from zoneops.land.models import ParcelEvent
from zoneops.redevelop import services
from zoneops.redevelop.models import CaseParcel, CaseStatus, RedevelopmentCase
from zoneops.registry.models import Parcel

from ..improvement import helpers
from . import factories as f

TODAY = datetime.date.today()


@pytest.fixture
def zone_data(zone_a, zone_b):
    run = helpers.run(zone_a, 2024, state="final")
    d1 = f.firm(zone_a, 1, cls="D", run=run, tax=40)        # 40 万元 over 20 亩 = 2.0 万元/亩
    a1 = f.firm(zone_a, 2, cls="A", run=run, tax=2000)
    p_d = f.parcel(zone_a, "A-D", holder=d1, far=0.6)
    p_a = f.parcel(zone_a, "A-A", holder=a1, far=0.6)
    p_res = f.parcel(zone_a, "A-RES", status="reserved")
    return {"run": run, "d1": d1, "a1": a1, "p_d": p_d, "p_a": p_a, "p_res": p_res}


def codes(rows):
    return sorted(r.code for r in rows)


def test_default_rule_lists_class_d_holders(zone_data, staff_a):
    rows = services.candidates(staff_a)
    assert codes(rows) == ["A-D"]
    r = rows[0]
    assert r.holder_class == "D" and r.tax_per_mu == pytest.approx(2.0) and r.eval_year == 2024
    assert r.reasons == ["使用企业亩均评价 D 类（规则：D）"]


def test_zone_rule_with_or_and_far(zone_data, staff_a, zone_a):
    f.rule(zone_a, classes="", max_far=Decimal("1.0"), combine="any")
    assert codes(services.candidates(staff_a)) == ["A-A", "A-D"]  # reserve land is never listed


def test_zone_rule_with_and_tax(zone_data, staff_a, zone_a):
    f.rule(zone_a, classes="A,D", max_tax_per_mu=Decimal("5"), combine="all")
    rows = services.candidates(staff_a)
    assert codes(rows) == ["A-D"]  # A's tax is 100 万元/亩


def test_evaluated_tax_per_mu_wins_over_figures(zone_a, staff_a):
    run = helpers.run(zone_a, 2024, state="final")
    ent = f.firm(zone_a, 3, cls="D", run=run, tax=1000, tax_per_mu=1.25)
    f.parcel(zone_a, "A-EV", holder=ent)
    assert services.candidates(staff_a)[0].tax_per_mu == 1.25


def test_idle_rule_uses_the_last_status_event(zone_a, staff_a):
    f.rule(zone_a, classes="", idle_months=12)
    old = f.parcel(zone_a, "A-IDLE", status="sold")
    ParcelEvent.objects.create(zone=zone_a, parcel=old, from_status="listed", to_status="sold",
                               on=TODAY - datetime.timedelta(days=800), area_mu=old.area_mu)
    recent = f.parcel(zone_a, "A-NEW", status="sold")
    ParcelEvent.objects.create(zone=zone_a, parcel=recent, from_status="listed", to_status="sold",
                               on=TODAY - datetime.timedelta(days=30), area_mu=recent.area_mu)
    rows = services.candidates(staff_a)
    assert codes(rows) == ["A-IDLE"]
    assert "已出让未开工" in rows[0].reasons[0]


def test_candidates_are_zone_isolated(zone_data, staff_b, zone_b, province):
    ent = f.firm(zone_b, 5, cls="D")
    f.parcel(zone_b, "B-D", holder=ent)
    assert codes(services.candidates(staff_b)) == ["B-D"]
    assert codes(services.candidates(province)) == ["A-D", "B-D"]
    q = services.CandidateQuery(zone_id=zone_data["p_d"].zone_id)
    assert services.candidates(staff_b, q) == []


def test_open_case_moves_parcels_and_keeps_before_figures(zone_data, staff_a, zone_a):
    p_d, p_a = zone_data["p_d"], zone_data["p_a"]
    p_a.floor_area_ratio = Decimal("1.2")
    p_a.area_mu = Decimal("60")
    p_a.save()
    with change_context(user=staff_a):
        case = f.case(zone_a, [p_d, p_a], staff_a, name="甲区连片改造", approach="soe", target_far=Decimal("2.5"))
    assert case.extent == "contiguous" and case.status == CaseStatus.OPENED
    assert case.area_mu == Decimal("80")
    # Area-weighted by hand: (0.6*20 + 1.2*60) / 80 = 84/80 = 1.05
    assert case.far_before == Decimal("1.05")
    # Tax: D = 40/20 = 2.0 on 20 亩; A = 2000 / 60 亩 (its parcels) = 33.33 on 60 亩 -> (40 + 2000)/80 = 25.5
    assert case.tax_per_mu_before == Decimal("25.50")
    for p in (p_d, p_a):
        p.refresh_from_db()
        assert p.status == "redeveloping"
        moves = list(ParcelEvent.objects.filter(parcel=p).order_by("id").values_list("from_status", "to_status"))
        assert moves == [("producing", "inefficient"), ("inefficient", "redeveloping")]
        assert ParcelEvent.objects.filter(parcel=p).last().user == staff_a
    link = CaseParcel.objects.get(case=case, parcel=p_d)
    assert link.holder_class == "D" and link.status_before == "producing" and "D 类" in link.reasons
    # No longer a candidate while the case is open.
    assert services.candidates(staff_a) == []


def test_single_parcel_case_is_single(zone_data, staff_a, zone_a):
    case = f.case(zone_a, [zone_data["p_d"]], staff_a)
    assert case.extent == "single"


def test_refusals(zone_data, staff_a, zone_a, zone_b):
    p_d = zone_data["p_d"]
    other = f.parcel(zone_b, "B-X")
    with pytest.raises(ValidationError) as e:
        f.case(zone_a, [p_d, other], staff_a)
    assert "所选地块不属于该开发区" in str(e.value)
    with pytest.raises(ValidationError) as e:
        f.case(zone_a, [], staff_a)
    assert "请至少选择一宗地块" in str(e.value)
    with pytest.raises(ValidationError) as e:
        f.case(zone_a, [zone_data["p_res"]], staff_a)
    assert "状态为“储备”" in str(e.value)
    f.case(zone_a, [p_d], staff_a, name="第一个")
    with pytest.raises(ValidationError) as e:
        f.case(zone_a, [p_d, zone_data["p_a"]], staff_a, name="第二个")
    assert "已在改造项目“第一个”（立项）中" in str(e.value)
    assert RedevelopmentCase.objects.count() == 1
    zone_data["p_a"].refresh_from_db()
    assert zone_data["p_a"].status == "producing"  # nothing of the refused case was written
    with pytest.raises(ValidationError) as e:
        f.case(zone_a, [zone_data["p_a"]], staff_a, opened_on=TODAY + datetime.timedelta(days=1))
    assert "立项日期不能晚于今天" in str(e.value)


def test_opening_before_the_last_event_is_refused(zone_data, staff_a, zone_a):
    p = zone_data["p_a"]
    ParcelEvent.objects.create(zone=zone_a, parcel=p, from_status="building", to_status="producing",
                               on=TODAY - datetime.timedelta(days=10), area_mu=p.area_mu)
    with pytest.raises(ValidationError) as e:
        f.case(zone_a, [p], staff_a, opened_on=TODAY - datetime.timedelta(days=20))
    assert "立项日期" in str(e.value) and "不能早于该日" in str(e.value)


def test_complete_needs_after_far_and_moves_parcels(zone_data, staff_a, zone_a):
    p = zone_data["p_d"]
    case = f.case(zone_a, [p], staff_a)
    with pytest.raises(ValidationError) as e:
        services.complete_case(case, staff_a, far_after=None)
    assert e.value.message_dict == {"far_after": ["完成改造须填写改造后容积率。"]}
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED
    services.start_case(case, staff_a)
    services.complete_case(case, staff_a, far_after=Decimal("2.95"), tax_per_mu_after=Decimal("35"),
                           new_floor_m2=Decimal("40000"))
    case.refresh_from_db()
    p.refresh_from_db()
    assert case.status == CaseStatus.DONE and case.completed_on == TODAY and case.far_after == Decimal("2.95")
    assert p.status == "redeveloped" and p.floor_area_ratio == Decimal("2.95")
    with pytest.raises(ValidationError):
        services.complete_case(case, staff_a, far_after=Decimal("3"))
    with pytest.raises(ValidationError):
        services.stop_case(case, staff_a, reason="x")


def test_complete_date_checks(zone_data, staff_a, zone_a):
    case = f.case(zone_a, [zone_data["p_d"]], staff_a, opened_on=TODAY - datetime.timedelta(days=5))
    with pytest.raises(ValidationError) as e:
        services.complete_case(case, staff_a, far_after=2, completed_on=TODAY - datetime.timedelta(days=6))
    assert "不能早于立项日期" in str(e.value)
    with pytest.raises(ValidationError) as e:
        services.complete_case(case, staff_a, far_after=-1)
    assert "0 到 30" in str(e.value)


def test_stop_needs_a_reason_and_returns_parcels_to_inefficient(zone_data, staff_a, zone_a):
    p = zone_data["p_d"]
    case = f.case(zone_a, [p], staff_a)
    with pytest.raises(ValidationError) as e:
        services.stop_case(case, staff_a, reason="  ")
    assert "终止原因" in str(e.value)
    services.stop_case(case, staff_a, reason="企业自主提升")
    p.refresh_from_db()
    case.refresh_from_db()
    assert case.status == CaseStatus.STOPPED and p.status == "inefficient"
    # A marked parcel is a candidate again and may get a new case.
    assert codes(services.candidates(staff_a)) == ["A-D"]
    f.case(zone_a, [p], staff_a, name="重新立项")


def test_figures_by_year_approach_and_extent(zone_a, staff_a):
    p1 = f.parcel(zone_a, "F1", area="100", far=0.8)
    p2 = f.parcel(zone_a, "F2", area="10", far=1.9)
    p3 = f.parcel(zone_a, "F3", area="50", far=0.5)
    c1 = f.case(zone_a, [p1], staff_a, approach="government")
    c2 = f.case(zone_a, [p2], staff_a, approach="private")
    f.case(zone_a, [p3], staff_a, approach="soe")  # open: in "all", not in "done"
    services.complete_case(c1, staff_a, far_after=3.0)
    services.complete_case(c2, staff_a, far_after=1.9)
    fig = services.figures(RedevelopmentCase.objects.restrict(staff_a))
    assert fig["all"]["cases"] == 3 and fig["all"]["area_mu"] == 160
    done = fig["done"]
    assert done["cases"] == 2 and done["area_mu"] == 110
    assert done["far_before"] == pytest.approx(99 / 110) and done["far_after"] == pytest.approx(319 / 110)
    assert fig["by_year"] == [(TODAY.year, done)]
    by_approach = {str(label): t["cases"] for label, t in fig["by_approach"]}
    assert by_approach == {"政府推动": 1, "国企主导": 0, "民企联建": 1}
    assert [t["cases"] for _l, t in fig["by_extent"]] == [2, 0]


def test_a_zone_list_and_a_few_parcels_agree(zone_a, staff_a):
    """Over 500 parcels the lookups filter by zone instead of ids: the same figures either way."""
    run = helpers.run(zone_a, 2024, state="final")
    firms = [f.firm(zone_a, 30 + i, cls="CD"[i % 2], run=run, tax=50 + i) for i in range(6)]
    firms.append(f.firm(zone_a, 40, cls=None, run=run, tax=99))  # figures, no result
    Parcel.objects.bulk_create([Parcel(zone=zone_a, code=f"BULK-{i:04}", holder=firms[i % len(firms)],
                                       area_mu=Decimal(5 + i % 7), floor_area_ratio=Decimal("0.5"))
                                for i in range(520)])
    rows = list(Parcel.objects.filter(zone=zone_a).order_by().values(*services.PARCEL_FIELDS))
    many = {r.parcel_id: r for r in services.evaluate_parcels(rows)}
    for row in rows[::37]:
        one = services.evaluate_parcels([row])[0]
        other = many[row["id"]]
        assert (one.holder_class, one.tax_per_mu, one.matched, one.reasons) == (
            other.holder_class, other.tax_per_mu, other.matched, other.reasons)
    assert {r.holder_class for r in many.values()} == {"C", "D", ""}
