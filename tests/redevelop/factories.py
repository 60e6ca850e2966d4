"""Builders for redevelopment tests: parcels with holders, evaluation results, rules, cases."""
import datetime
from decimal import Decimal

from zoneops.redevelop import services
from zoneops.redevelop.models import CandidateRule, Milestone, RedevelopmentCase
from zoneops.registry.models import Parcel

from ..improvement import helpers
from ..registry import factories as reg


def parcel(zone, code, *, holder=None, area="20", far=None, status="producing", **kw):
    return Parcel.objects.create(zone=zone, code=code, holder=holder, area_mu=Decimal(area), status=status,
                                 floor_area_ratio=None if far is None else Decimal(str(far)), **kw)


def firm(zone, i, *, cls="D", year=2024, tax=None, run=None, land=None, tax_per_mu=None):
    """An enterprise with a result of class `cls` in `run` (made when not given) and figures."""
    ent = reg.enterprise(zone, i)
    if run is None:
        run = helpers.run(zone, year, state="final")
    if cls is not None:
        helpers.result(run, ent, cls=cls, land=land, v_tax_per_mu=tax_per_mu)
    if tax is not None:
        reg.figures(ent, run.year, tax=Decimal(str(tax)))
    return ent


def rule(zone, **kw):
    kw.setdefault("classes", "D")
    kw.setdefault("name", f"{zone.name}规则{CandidateRule.objects.count()}")
    return CandidateRule.objects.create(zone=zone, **kw)


def case(zone, parcels, user=None, **kw):
    kw.setdefault("name", f"{zone.name}改造项目")
    kw.setdefault("approach", "government")
    return services.open_case(zone, parcels, user, **kw)


def plain_case(zone, i=0, **kw):
    """A case without parcels' transitions (for list tests): one producing parcel opened."""
    p = parcel(zone, f"{zone.code}-RP-{i:03}", area=str(10 + i), far=0.5)
    c = case(zone, [p], name=kw.pop("name", f"{zone.name}改造项目{i}"), **kw)
    return c


def milestone(c, title="完成拆除", **kw):
    kw.setdefault("planned_on", datetime.date.today())
    return Milestone.objects.create(zone_id=c.zone_id, case=c, title=title, **kw)
