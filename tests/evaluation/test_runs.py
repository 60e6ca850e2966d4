"""Runs: the input frame from the registry, snapshot, results in bulk, re-run identical."""
import polars as pl
import pytest

from zoneops.evaluation import services
from zoneops.evaluation.models import Result, RunSnapshot, RunStatus

from . import support

pytestmark = pytest.mark.django_db


def test_run_scores_every_firm_and_classes_by_percentile(zone_a, staff_a):
    firms = support.population(zone_a, 12)
    run = support.make_run(zone_a, user=staff_a)
    assert run.status == RunStatus.DONE, run.message
    assert run.input_rows == 12 and len(run.input_digest) == 64
    results = support.results_of(run)
    assert set(results) == {f.pk for f in firms}
    best, worst = results[firms[-1].pk], results[firms[0].pk]
    assert best.rank == 1 and best.final_class == "A" and best.class_code == "A"
    assert worst.rank == 12 and worst.final_class == "D"
    assert best.total > worst.total
    # 亩均税收 of the best: 540 万元 / 20 亩
    assert best.items["tax_per_mu"]["v"] == pytest.approx(27.0)
    assert best.land_mu == pytest.approx(20.0)
    assert sum(run.class_counts["above"].values()) == 12


def test_input_frame_land_lessee_producing(zone_a, zone_b):
    owner = support.firm(zone_a, 1, land="30")
    support.add_year(owner, 2022)
    tenant = support.firm(zone_a, 2, land=None, land_override="4.5")
    leased = support.firm(zone_a, 3, land="8", tenure="leased")
    idle = support.firm(zone_a, 4, status="suspended")
    no_land = support.firm(zone_a, 5, land=None)
    support.firm(zone_b, 1)  # another zone's firm is not read
    figures, adjustments = services.build_frame(zone_a, 2023)
    rows = {r["key"]: r for r in figures.iter_rows(named=True)}
    assert set(rows) == {owner.pk, tenant.pk, leased.pk, idle.pk, no_land.pk}
    assert rows[owner.pk]["land_mu"] == 30 and not rows[owner.pk]["is_lessee"]
    assert rows[tenant.pk]["land_mu"] == 4.5 and rows[tenant.pk]["is_lessee"]
    assert rows[leased.pk]["is_lessee"] and rows[leased.pk]["land_mu"] == 8
    assert rows[idle.pk]["producing"] is False and rows[owner.pk]["producing"] is True
    assert rows[no_land.pk]["land_mu"] is None
    assert figures.schema["key"] == pl.Int64 and adjustments.height == 0


def test_rerun_from_snapshot_is_identical(zone_a, staff_a):
    support.population(zone_a, 15)
    support.population(zone_a, 6, scale="below", start=50)
    run = support.make_run(zone_a, user=staff_a)
    assert services.recompute(run) == []
    assert services.verify_snapshot(run)
    # The registry changes afterwards: the run still recomputes from its own snapshot.
    from zoneops.registry.models import EnterpriseYear

    EnterpriseYear.objects.filter(zone=zone_a).update(tax=1)
    assert services.recompute(run) == []
    # A tampered stored result is found.
    r = Result.objects.filter(run=run).first()
    Result.objects.filter(pk=r.pk).update(total=r.total + 1)
    assert [d[:2] for d in services.recompute(run)] == [(r.enterprise_id, "total")]


def test_snapshot_digest_changes_with_input(zone_a):
    support.population(zone_a, 5)
    a = support.make_run(zone_a)
    b = support.make_run(zone_a)
    assert a.input_digest == b.input_digest
    from zoneops.registry.models import EnterpriseYear

    EnterpriseYear.objects.filter(zone=zone_a).update(tax=77)
    c = support.make_run(zone_a)
    assert c.input_digest != a.input_digest
    assert RunSnapshot.objects.count() == 3


def test_exemption_adjustment_merge_inputs(zone_a, staff_a):
    from zoneops.evaluation.models import Exemption, MergeGroup

    firms = support.population(zone_a, 10)
    Exemption.objects.create(zone=zone_a, enterprise=firms[3], year=2023, reason="在建项目")
    group = MergeGroup.objects.create(zone=zone_a, name="共用厂区", year=2023)
    group.enterprises.set([firms[5], firms[6]])
    run = support.make_run(zone_a, user=staff_a)
    results = support.results_of(run)
    assert results[firms[3].pk].exempt and results[firms[3].pk].final_class == ""
    assert results[firms[3].pk].exemption_reason == "在建项目"
    a, b = results[firms[5].pk], results[firms[6].pk]
    assert a.unit_key == b.unit_key == min(firms[5].pk, firms[6].pk) and a.total == b.total
    info = services.latest_classes([zone_a.pk])
    assert info[firms[3].pk].class_code == "B" and info[firms[3].pk].exempt


def test_empty_year_is_refused_in_chinese(zone_a):
    with pytest.raises(services.WorkflowError, match="没有企业年度指标"):
        support.make_run(zone_a, year=2020)


def test_background_run_through_the_worker(zone_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    support.population(zone_a, 4)
    run = services.create_run(zone_a, 2023, support.preset_version(), background=True)
    assert run.status == RunStatus.DONE and run.results.count() == 4


def test_latest_classes(zone_a, zone_b):
    firms = support.population(zone_a, 8, year=2022)
    for f in firms:
        support.add_year(f, 2023, tax="300")
    old = support.make_run(zone_a, year=2022)
    new = support.make_run(zone_a, year=2023)
    other = support.population(zone_b, 4)
    support.make_run(zone_b)
    info = services.latest_classes([zone_a.pk])
    assert set(info) == {f.pk for f in firms}
    assert {i.run_id for i in info.values()} == {new.pk} and {i.year for i in info.values()} == {2023}
    assert services.latest_classes([zone_a.pk], year=2022)[firms[0].pk].run_id == old.pk
    assert services.latest_classes([zone_a.pk], final_only=True) == {}
    both = services.latest_classes()
    assert set(both) >= {f.pk for f in other}
    first = info[firms[0].pk]
    assert first.class_code in "ABCD" and first.land_mu == 20.0 and first.total is not None
