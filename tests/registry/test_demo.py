"""Demo data: the pure generator (codes, counts, land, figures, determinism) and the command."""
import csv
import statistics
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from stdnum.cn import uscc as stdnum_uscc

from zoneops.core.models import Membership, ObjectChange, Zone
from zoneops.registry import demo
from zoneops.registry.industry import CSV_PATH
from zoneops.registry.models import Enterprise, EnterpriseYear, Parcel

from ..conftest import VALID_USCC

LAST_YEAR = 2024


def collect(**kw):
    """{zone code: (enterprises, parcels, figures)} of a whole generated plan."""
    out = defaultdict(lambda: ([], [], []))
    for chunk in demo.generate(**kw):
        e, p, f = out[chunk.spec.code]
        e.extend(chunk.enterprises)
        p.extend(chunk.parcels)
        f.extend(chunk.figures)
    return dict(out)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The command hashes the demo logins' passwords; PBKDF2 would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def default():
    return collect(seed=1, last_year=LAST_YEAR)


@pytest.fixture(scope="module")
def luqiao(default):
    return default[demo.DEFAULT_ZONE]


# -- codes ------------------------------------------------------------------------------------

def test_check_characters_reproduce_real_codes():
    for code in VALID_USCC:
        assert demo.org_code_check(code[8:16]) == code[16], code
        assert demo.uscc_check(code[:17]) == code[17], code
    assert demo.make_uscc("110000", "60003734") == "91110000600037341L"


def test_usccs_are_valid_distinct_and_local(default):
    counties = {c[0] for c in demo.ZHEJIANG_COUNTIES}
    seen = set()
    for zone, (ents, _, _) in default.items():
        spec = next(s for s in demo.SEED_ZONES if s.code == zone)
        for e in ents:
            assert stdnum_uscc.is_valid(e.uscc), e.uscc
            assert e.uscc[:2] == "91"
            region = e.uscc[2:8]
            assert region in (spec.region_code, spec.region_code[:4] + "00", "330000")
            assert region in counties or region.endswith("00")
            assert demo.org_code_check(e.uscc[8:16]) == e.uscc[16]
            # Registered after the 2015 reform: the new `MA…` organisation codes.
            assert e.uscc[8:10] == "MA" or e.established.year <= 2015
            seen.add(e.uscc)
    assert len(seen) == sum(len(v[0]) for v in default.values())


def test_org_codes_never_repeat_at_scale():
    orgs = demo.OrgCodes(demo.stream(3, "org-codes"))
    n = 200_000
    assert len({orgs.old(i) for i in range(n)}) == n
    assert len({orgs.new(i) for i in range(n)}) == n


def test_industry_codes_exist_in_the_shipped_table():
    with open(CSV_PATH, encoding="utf-8", newline="") as f:
        classes = {r["code"]: r["name"] for r in csv.DictReader(f) if r["level"] == "class"}
    chains = {c for z in demo.SEED_ZONES for c in z.chains} | set(demo.GENERIC_CHAINS)
    for chain in chains:
        for code, weight, words in chain.classes:
            assert code in classes, f"{chain.name}: {code} 不在行业代码表中"
            assert weight > 0 and words


# -- the default zone -------------------------------------------------------------------------

def test_default_zone_has_the_seed_counts(luqiao):
    ents, _, _ = luqiao
    assert len(ents) == 1000
    assert sum(e.scale == demo.ABOVE for e in ents) == 301
    assert sum(e.is_high_tech for e in ents) == 101
    assert sum(e.has_rd_center for e in ents) == 39
    assert all(e.scale == demo.ABOVE for e in ents if e.has_rd_center or e.is_listed)
    assert 3 <= sum(e.is_listed for e in ents) <= 20
    assert 20 <= sum(e.is_specialized for e in ents) <= 60
    chains = Counter(e.chain for e in ents)
    assert chains.most_common(2)[0][0] == "汽车整车及零部件"
    assert set(chains) >= {"汽车整车及零部件", "再生金属", "机电", "智能卫浴", "新材料", "新智造", "数字经济"}
    divisions = Counter(e.industry[:2] for e in ents if e.chain == "汽车整车及零部件")
    assert divisions.most_common(1)[0][0] == "36"
    assert {e.industry for e in ents if e.chain == "再生金属"} & {"4210", "5191"}


def test_names_are_plausible_and_distinct(default):
    for zone, (ents, _, _) in default.items():
        spec = next(s for s in demo.SEED_ZONES if s.code == zone)
        names = [e.name for e in ents]
        assert len(set(names)) == len(names)
        for e in ents:
            assert e.name.endswith(("有限公司", "股份有限公司"))
            assert e.name.startswith(("浙江", spec.city, spec.county, f"{spec.city}市{spec.county_short}"))
            if e.is_listed:
                assert e.name.endswith("股份有限公司")
            assert e.address.startswith(f"浙江省{spec.city}市{spec.county}")
    formers = [e for e in default[demo.DEFAULT_ZONE][0] if e.former_names]
    assert 30 <= len(formers) <= 150
    assert all(e.name not in e.former_names.split("、") for e in formers)


def test_land_sums_sensibly(luqiao):
    ents, parcels, _ = luqiao
    by_holder = defaultdict(float)
    for p in parcels:
        assert p.area_mu > 0
        if p.holder is not None:
            by_holder[p.holder] += p.area_mu
    for e in ents:
        area = by_holder.get(e.key)
        if area is None or e.status == "preparing":
            continue
        lo, hi = (10, 200) if e.scale == demo.ABOVE else (2, 20)
        assert lo - 0.02 <= area <= hi + 0.02, (e.name, e.scale, area)
    tenants = sum(1 for e in ents if e.key not in by_holder) / len(ents)
    assert 0.10 <= tenants <= 0.20
    status = Counter(p.status for p in parcels)
    assert 0.01 <= status["inefficient"] / len(parcels) <= 0.08
    assert status["reserved"] + status["acquired"] > 0
    assert all(p.holder is None for p in parcels if p.status in ("reserved", "acquired"))
    assert len({p.code for p in parcels}) == len(parcels)
    assert all(len(p.code) == 19 and p.code.startswith("331004") for p in parcels)
    total = sum(p.area_mu for p in parcels)
    assert 12_000 < total < 30_000  # 亩; 路桥 reports a 6,633-亩 recycling base alone


def test_figures_are_realistic(luqiao):
    ents, parcels, figures = luqiao
    firms = {e.key: e for e in ents}
    years = Counter(f.year for f in figures)
    assert set(years) == {LAST_YEAR - 2, LAST_YEAR - 1, LAST_YEAR}
    assert not any(firms[f.enterprise].status == "preparing" for f in figures)
    last = [f for f in figures if f.year == LAST_YEAR]
    above = [f for f in last if firms[f.enterprise].scale == demo.ABOVE and firms[f.enterprise].status == "operating"]
    below = [f for f in last if firms[f.enterprise].scale == demo.BELOW]
    assert all(f.revenue >= demo.ABOVE_REVENUE_MIN for f in above)
    assert all(f.revenue < demo.ABOVE_REVENUE_MIN for f in below)
    assert 5_000 < statistics.median(f.revenue for f in above) < 20_000  # 万元
    assert 0.03 <= statistics.median(f.tax / f.revenue for f in above) <= 0.08
    assert all(0.004 <= f.tax / f.revenue <= 0.1 for f in figures if f.revenue)
    assert 0.20 <= statistics.median(f.value_added / f.revenue for f in above) <= 0.30
    ht = [f for f in last if firms[f.enterprise].is_high_tech]
    assert all(0.02 <= f.rd_expense / f.revenue <= 0.062 for f in ht)
    assert all(f.employees >= 1 and f.power_mwh > 0 for f in figures)
    # Some emissions are missing (规下 mostly), not all.
    missing = sum(f.emissions_t is None for f in above) / len(above)
    assert 0.02 < missing < 0.25
    assert sum(f.emissions_t is None for f in below) / len(below) > 0.5
    # The zone grows year on year.
    totals = [sum(f.revenue for f in figures if f.year == y) for y in sorted(years)]
    assert totals[0] < totals[-1]
    growth = [b.revenue / a.revenue - 1 for a, b in zip(figures, figures[1:])
              if a.enterprise == b.enterprise and b.year == a.year + 1 and firms[a.enterprise].status == "operating"]
    assert 0.02 < statistics.median(growth) < 0.12
    # Tenants without land carry an agreed land figure sometimes.
    assert any(f.land_mu is not None and f.land_note for f in figures)


def test_pools_follow_the_rules(luqiao):
    ents, _, figures = luqiao
    revenue = {f.enterprise: f.revenue for f in figures if f.year == LAST_YEAR}
    pools = Counter(p for e in ents for p in e.pools)
    assert pools[demo.POOL_TO_ABOVE] > 20 and pools[demo.POOL_LISTING] > 0
    for e in ents:
        if demo.POOL_TO_ABOVE in e.pools:
            assert e.scale == demo.BELOW and revenue.get(e.key, 0) >= 1000
        if demo.POOL_HIGH_TECH in e.pools:
            assert not e.is_high_tech
        if demo.POOL_LISTING in e.pools:
            assert e.scale == demo.ABOVE and not e.is_listed


# -- determinism and plans --------------------------------------------------------------------

def test_same_seed_same_data_other_seed_other_data(default):
    again = collect(seed=1, last_year=LAST_YEAR, chunk_size=333)
    assert again == default
    other = collect(zones=1, seed=2, last_year=LAST_YEAR)
    assert [e.uscc for e in other["luqiao"][0]] != [e.uscc for e in default["luqiao"][0]]


def test_years_do_not_reshuffle_the_firms(default):
    without = collect(zones=2, seed=1, years=0, last_year=LAST_YEAR)
    assert without["yongkang"][0] == default["yongkang"][0]
    assert without["yongkang"][2] == []


def test_plan_splits_and_limits():
    plan = demo.make_plan(20, 1_000_000)
    assert sum(n for _, n in plan) == 1_000_000
    assert [s.code for s, _ in plan[:5]] == ["luqiao", "yongkang", "jiangshan", "huzhou-yrd", "oujiangkou"]
    assert len({s.region_code for s, _ in plan}) == 20
    assert plan[0][1] > plan[-1][1]
    assert [n for _, n in demo.make_plan(5)] == [1000, 700, 500, 450, 350]
    assert len(demo.zone_specs(90)) == 90
    with pytest.raises(ValueError, match="最多为 90"):
        demo.zone_specs(91)
    assert demo.allocate(7, [1, 1, 1]) == [3, 2, 2]


def test_generic_zones_are_well_formed():
    spec = demo.zone_specs(6)[5]
    assert spec.name.endswith("经济开发区") and spec.code == f"zone-{spec.region_code}"
    ents = [e for c in demo.generate_zone(spec, 200, seed=4, last_year=LAST_YEAR) for e in c.enterprises]
    assert all(stdnum_uscc.is_valid(e.uscc) for e in ents)
    assert {e.chain for e in ents} <= {c.name for c in spec.chains}


# -- the command ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_command_loads_what_the_generator_makes():
    call_command("demo_data", zones=2, enterprises=150, years=2, seed=5, last_year=LAST_YEAR, verbosity=0)
    expected = collect(zones=2, enterprises=150, years=2, seed=5, last_year=LAST_YEAR)
    for code, (ents, parcels, figures) in expected.items():
        zone = Zone.objects.get(code=code)
        assert Enterprise.objects.filter(zone=zone).count() == len(ents)
        assert Parcel.objects.filter(zone=zone).count() == len(parcels)
        assert EnterpriseYear.objects.filter(zone=zone).count() == len(figures)
        assert (set(Enterprise.objects.filter(zone=zone).values_list("uscc", flat=True))
                == {e.uscc for e in ents})
    lq = Zone.objects.get(code="luqiao")
    assert lq.leading_industries == "汽车整车及零部件、再生金属" and lq.region_code == "331004"

    # Stored rows are valid under the models' own validation, with consistent links.
    for ent in Enterprise.objects.filter(zone=lq).select_related("industry")[:40]:
        ent.full_clean()
        assert ent.industry_section == ent.industry.section and ent.industry_division == ent.industry_id[:2]
    for fig in EnterpriseYear.objects.filter(zone=lq).select_related("enterprise")[:40]:
        fig.full_clean()
        assert fig.enterprise.zone_id == fig.zone_id and fig.source == demo.SOURCE
    for parcel in Parcel.objects.filter(zone=lq)[:40]:
        parcel.full_clean()
    assert Enterprise.objects.filter(pools__isnull=False).exists()
    assert Enterprise.objects.filter(zone=lq, account_officer__memberships__zone=lq).exists()

    # Primary keys stay usable after the bulk load.
    new = Enterprise.objects.create(zone=lq, uscc=VALID_USCC[0], name="新企业有限公司")
    assert new.pk > Enterprise.objects.exclude(pk=new.pk).order_by("-pk").first().pk

    # One change-log entry per zone for the load, not one per row.
    entries = ObjectChange.objects.filter(action="import")
    assert entries.count() == 2
    assert entries.get(zone=lq).after["企业"] == len(expected["luqiao"][0])
    assert not ObjectChange.objects.filter(content_type__model="enterpriseyear").exists()


@pytest.mark.django_db
def test_command_creates_the_demo_logins():
    call_command("demo_data", zones=2, enterprises=20, years=1, seed=5, last_year=LAST_YEAR, verbosity=0)
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("zoneops-admin")
    demo_user = User.objects.get(username="demo")
    assert demo_user.check_password("zoneops-demo")
    assert Membership.objects.get(user=demo_user).zone.code == "luqiao"
    assert Membership.objects.get(user=demo_user).role == Membership.Role.STAFF
    viewer = Membership.objects.get(user__username="viewer")
    assert viewer.zone.code == "yongkang" and viewer.role == Membership.Role.VIEWER
    assert Membership.objects.get(user__username="province").role == Membership.Role.PROVINCE
    assert User.objects.get(username="viewer").check_password("zoneops-viewer")
    assert User.objects.get(username="province").check_password("zoneops-province")
    officer = User.objects.get(username="luqiao-zy01")
    assert not officer.has_usable_password()


@pytest.mark.django_db
def test_if_empty_and_refusal_to_mix(capsys):
    call_command("demo_data", zones=1, enterprises=10, years=1, seed=5, last_year=LAST_YEAR, verbosity=0)
    call_command("demo_data", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    assert Enterprise.objects.count() == 10
    with pytest.raises(CommandError, match="已有企业数据"):
        call_command("demo_data", zones=1, enterprises=10, seed=6, verbosity=0)
    with pytest.raises(CommandError, match="最多为 90"):
        call_command("demo_data", zones=91, verbosity=0)
    assert Enterprise.objects.count() == 10


@pytest.mark.django_db
def test_command_prints_a_summary(capsys):
    call_command("demo_data", zones=1, enterprises=30, years=1, seed=5, last_year=LAST_YEAR)
    out = capsys.readouterr().out
    assert "路桥经济开发区（luqiao）：企业 30 家" in out
    assert "demo / zoneops-demo" in out and "admin / zoneops-admin" in out


@pytest.mark.django_db
def test_big_load_rebuilds_the_indexes_it_suspends(monkeypatch):
    from django.db import connection

    from zoneops.registry.management.commands import demo_data

    def index_names():
        with connection.cursor() as cur:
            return {i["columns"].__repr__() + name for table in ("registry_enterprise", "registry_parcel",
                                                                  "registry_enterpriseyear")
                    for name, i in connection.introspection.get_constraints(cur, table).items() if i["index"]}

    before = index_names()
    rebuilt = []
    restore = demo_data.BulkWriter.restore_indexes
    monkeypatch.setattr(demo_data.BulkWriter, "restore_indexes",
                        lambda self: rebuilt.append(len(self.suspended)) or restore(self))
    monkeypatch.setattr(demo_data, "BIG_LOAD", 10)
    call_command("demo_data", zones=1, enterprises=40, years=1, seed=5, last_year=LAST_YEAR, verbosity=0)
    assert Enterprise.objects.count() == 40 and EnterpriseYear.objects.exists()
    assert index_names() == before
    if connection.vendor == "postgresql":
        assert rebuilt and rebuilt[0] >= 10  # the FK and list indexes of the four tables
    else:
        assert not rebuilt  # SQLite keeps its indexes
