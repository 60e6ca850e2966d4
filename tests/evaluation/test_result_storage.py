"""Result storage: typed item/explanation columns behind the `items` / `explanation` dicts, and the
input read as plain scans joined in Polars."""
import pytest

from zoneops.evaluation import services
from zoneops.evaluation.models import ITEM_CODES, Adjustment, Result
from zoneops.evaluation.ruleset import INDICATORS

from . import support
from .support import factories

pytestmark = pytest.mark.django_db


def test_item_columns_cover_the_catalogue():
    assert ITEM_CODES == tuple(INDICATORS)
    fields = {f.name for f in Result._meta.get_fields()}
    assert all(f"v_{c}" in fields and f"s_{c}" in fields for c in ITEM_CODES)


def test_items_and_explanation_round_trip(zone_a):
    ent = support.firm(zone_a, 1)
    run = support.make_run(zone_a)
    r = Result.objects.get(run=run, enterprise=ent)
    r.items = {"tax_per_mu": {"v": 24.5, "s": 30.0, "n": "封顶"}, "va_per_mu": {"v": None, "s": 7.5},
               "adjust_points": 2.0, "adjust_notes": "高新技术企业"}
    r.explanation = {"next_class": "A", "gap_score": 3.25, "need_tax_per_mu": 31.0, "need_va_per_mu": None,
                     "drag": ["va_per_energy", "tax_per_mu"]}
    r.save()
    r = Result.objects.get(pk=r.pk)
    assert r.items == {"tax_per_mu": {"v": 24.5, "s": 30.0, "n": "封顶"}, "va_per_mu": {"v": None, "s": 7.5},
                       "adjust_points": 2.0, "adjust_notes": "高新技术企业"}
    assert r.explanation == {"next_class": "A", "gap_score": 3.25, "need_tax_per_mu": 31.0,
                             "need_va_per_mu": None, "drag": ["va_per_energy", "tax_per_mu"]}
    assert r.v_tax_per_mu == 24.5 and r.drag == "va_per_energy,tax_per_mu"


def test_written_results_keep_notes_adjustments_and_group_items(zone_a, staff_a):
    firms = support.population(zone_a, 10)
    missing = support.firm(zone_a, 40, emissions=None)  # scored at the group average, with a note
    small = support.firm(zone_a, 41, scale="below", land="5")
    Adjustment.objects.create(zone=zone_a, enterprise=firms[2], year=2023, code="high_tech", reason="证书")
    huangyan = support.results_of(support.make_run(zone_a, user=staff_a))
    assert huangyan[missing.pk].items["va_per_emission"]["n"]
    assert huangyan[missing.pk].items["va_per_emission"]["v"] is None
    assert huangyan[missing.pk].items["va_per_emission"]["s"] is not None
    assert "n" not in huangyan[firms[0].pk].items.get("va_per_emission", {})
    run = support.make_run(zone_a, user=staff_a, name="percentile")
    results = support.results_of(run)
    assert results[firms[2].pk].items["adjust_points"] > 0 and results[firms[2].pk].items["adjust_notes"]
    rules = services.parse_ruleset(run.ruleset_version.yaml)
    below = {i.indicator for i in rules.group("below").items} if rules.group("below") else set()
    if results[small.pk].group == "below":
        assert {k for k in results[small.pk].items if k in INDICATORS} <= below
    worst = min((r for r in results.values() if r.included and r.class_code), key=lambda r: r.total)
    assert worst.explanation["next_class"] and worst.explanation["drag"]
    assert services.recompute(run) == []


def test_input_mixed_tenure_and_several_parcels(zone_a):
    both = support.firm(zone_a, 1, land="10")
    factories.parcel(zone_a, "EV-extra-1", holder=both, area="6", tenure="leased")
    two = support.firm(zone_a, 2, land="3")
    factories.parcel(zone_a, "EV-extra-2", holder=two, area="4")
    rows = {r["key"]: r for r in services.build_frame(zone_a, 2023)[0].iter_rows(named=True)}
    assert rows[both.pk]["land_mu"] == 16 and not rows[both.pk]["is_lessee"]
    assert rows[two.pk]["land_mu"] == 7 and not rows[two.pk]["is_lessee"]
    assert list(rows) == sorted(rows)


def test_big_write_rebuilds_the_indexes(zone_a, monkeypatch):
    """PostgreSQL: a write bigger than the table drops and recreates the secondary indexes."""
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr(services, "REINDEX_MIN_ROWS", 1)
    support.population(zone_a, 6)
    run = support.make_run(zone_a)
    assert Result.objects.filter(run=run).count() == 6
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'evaluation_result'")
        names = {r[0] for r in cur.fetchall()}
    assert "unique_result_per_run" in names and Result._meta.indexes[0].name in names
    r = Result.objects.filter(run=run).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(zone=zone_a, run=run, enterprise_id=r.enterprise_id, unit_key=r.unit_key)
