from decimal import Decimal

from zoneops.figures.catalogue import load_catalogue
from zoneops.figures.models import Indicator, IndicatorValue, Target


def indicator(code="fixed_investment"):
    if not Indicator.objects.exists():  # a transactional test may have flushed the catalogue
        load_catalogue(Indicator)
    return Indicator.objects.get(code=code)


def value(zone, code, year, month, v, **kw):
    return IndicatorValue.objects.create(zone=zone, indicator=indicator(code), year=year, month=month,
                                         value=Decimal(str(v)), **kw)


def target(zone, code, year, v, **kw):
    return Target.objects.create(zone=zone, indicator=indicator(code), year=year, value=Decimal(str(v)), **kw)
