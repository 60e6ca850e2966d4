"""The demo loader: rule sets everywhere, cases over candidates through the land transitions."""
import io
from decimal import Decimal

import pytest

from zoneops.core.changelog import change_context
from zoneops.land.models import ParcelEvent
from zoneops.redevelop import demo
from zoneops.redevelop.models import CandidateRule, CaseStatus, Milestone, RedevelopmentCase
from zoneops.registry.models import Parcel

from ..improvement import helpers
from . import factories as f

pytestmark = pytest.mark.django_db


def load(zones, seed=1):
    out = io.StringIO()
    with change_context():
        demo.load_demo(zones, seed=seed, last_year=2024, stdout=out)
    return out.getvalue()


def test_demo_cases_over_candidates(zone_a, zone_b):
    run = helpers.run(zone_a, 2024, state="final")
    for i in range(12):
        ent = f.firm(zone_a, 10 + i, cls="D" if i < 9 else "A", run=run, tax=20 + i)
        f.parcel(zone_a, f"DEMO-{i:02}", holder=ent, area=str(8 + i), far=0.5 + i / 20)
    text = load([zone_a, zone_b])
    assert "低效用地改造" in text
    assert CandidateRule.objects.filter(zone=zone_a).count() == 2
    cases = list(RedevelopmentCase.objects.filter(zone=zone_a))
    assert 2 <= len(cases) <= 4
    for case in cases:
        parcels = list(case.parcels.all())
        assert case.extent == ("contiguous" if len(parcels) > 1 else "single")
        expected = {CaseStatus.DONE: "redeveloped", CaseStatus.STOPPED: "inefficient"}.get(case.status, "redeveloping")
        assert {p.status for p in parcels} == {expected}
        assert ParcelEvent.objects.filter(parcel__in=parcels, to_status="redeveloping").count() == len(parcels)
        if case.status == CaseStatus.DONE:
            assert case.far_after and case.completed_on >= case.opened_on
        assert case.status == CaseStatus.STOPPED or Milestone.objects.filter(case=case).count() == 6
    # Zone B has no candidates (no evaluation): rules but no cases. A second run adds nothing.
    assert not RedevelopmentCase.objects.filter(zone=zone_b).exists()
    before = RedevelopmentCase.objects.count()
    load([zone_a, zone_b], seed=2)
    assert RedevelopmentCase.objects.count() == before


def test_demo_adopts_parcels_already_redeveloping(zone_a):
    parcels = [f.parcel(zone_a, f"R-{i}", status="redeveloping", area="30", far=0.7) for i in range(8)]
    load([zone_a])
    cases = set()
    for p in parcels:
        case = RedevelopmentCase.objects.get(parcels=p)
        cases.add(case.pk)
        assert case.far_before == Decimal("0.70")
        status = Parcel.objects.get(pk=p.pk).status
        assert (case.status, status) in ((CaseStatus.ACTIVE, "redeveloping"), (CaseStatus.DONE, "redeveloped"))
        assert case.extent == ("contiguous" if case.parcels.count() > 1 else "single")
    assert len(cases) < len(parcels)  # grouped (seeded)
