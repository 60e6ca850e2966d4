from decimal import Decimal

from zoneops.figures.models import Indicator, IndicatorValue, Target
from zoneops.rankings.models import RankingDimension, RankingItem, RankingScheme


def indicator(code, name=None, unit="万元", direction="higher", accumulation="cumulative"):
    """The catalogue's indicator (recreated as in the catalogue after a transactional test's flush)."""
    from zoneops.figures.catalogue import STANDARD

    std = {row[0]: row for row in STANDARD}.get(code)
    if std:
        _c, name, unit, _f, accumulation, direction = std[:6]
    return Indicator.objects.get_or_create(code=code, defaults={
        "name": name or code, "unit": unit, "direction": direction, "accumulation": accumulation})[0]


def value(zone, code, year, month, v, **kw):
    return IndicatorValue.objects.update_or_create(zone=zone, indicator=indicator(code, **kw), year=year, month=month,
                                                   defaults={"value": Decimal(str(v))})[0]


def target(zone, code, year, v):
    return Target.objects.update_or_create(zone=zone, indicator=indicator(code), year=year,
                                           defaults={"value": Decimal(str(v))})[0]


def scheme(name="测试赛马", items=(("经济规模", 60, [("fixed_investment", "value", "minmax", "")]),
                                  ("增量增速", 40, [("fixed_investment", "yoy", "rank", "")])), **kw):
    """items: [(dimension, weight, [(indicator code, measure, normalisation, direction)])]."""
    s = RankingScheme.objects.create(name=name, **kw)
    for n, (dname, weight, rows) in enumerate(items):
        d = RankingDimension.objects.create(scheme=s, name=dname, weight=weight, sort_order=n)
        for m, (code, measure, method, direction) in enumerate(rows):
            RankingItem.objects.create(dimension=d, indicator=indicator(code), measure=measure, normalisation=method,
                                       direction=direction, sort_order=m)
    return s
