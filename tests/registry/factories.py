"""Small builders for registry records in tests."""
from decimal import Decimal

from stdnum.cn import uscc as stdnum_uscc

from zoneops.registry.models import Enterprise, EnterpriseYear, Parcel

from ..conftest import VALID_USCC


def make_uscc(i, region="331004"):
    """A valid credit code, distinct for each i (any number of them)."""
    base = f"91{region}{i:09d}"
    return base + stdnum_uscc.calc_check_digit(base)


def enterprise(zone, i=0, **kw):
    kw.setdefault("name", f"{zone.name}测试企业{i}有限公司")
    kw.setdefault("uscc", VALID_USCC[i] if i < len(VALID_USCC) else make_uscc(i))
    return Enterprise.objects.create(zone=zone, **kw)


def parcel(zone, code="P-001", holder=None, area="12.5", **kw):
    return Parcel.objects.create(zone=zone, code=code, holder=holder, area_mu=Decimal(area), **kw)


def figures(ent, year=2023, **kw):
    kw.setdefault("revenue", Decimal("12000"))
    kw.setdefault("tax", Decimal("600"))
    return EnterpriseYear.objects.create(zone=ent.zone, enterprise=ent, year=year, **kw)
