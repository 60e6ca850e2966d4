"""Demo figures: for every demo zone, monthly cumulative values of the reported indicators from
January of `last_year − 2` to the last complete month, with a seasonal profile (slow January and
February, a December spurt) and yearly growth of −5 … +30 %; the annual ones (R&D 占比, 能耗);
annual targets; and the derived indicators computed from the registry and projects.

Magnitudes follow the seed reports: 江山 固投 38.5 亿元 a year (385,000 万元), 工业投资 ≈ 77 % of it,
a zone's size scales with its number of firms.
"""
import random
from decimal import Decimal

from django.utils import timezone

from zoneops.core.models import Membership
from zoneops.registry.models import Enterprise

from . import services
from .models import Indicator, IndicatorValue, Target, ValueSource

# Share of the year's total reached in each month (sums to 1).
SEASON = [0.05, 0.04, 0.09, 0.08, 0.09, 0.11, 0.07, 0.08, 0.09, 0.09, 0.09, 0.12]
# Annual total of a zone of ~600 firms, 万元 (万美元, 万千瓦时 where the unit says so), for the
# independent series; parents come before the parts derived from them.
BASE = {"fixed_investment": 385000, "industrial_output": 2800000, "fiscal_revenue": 310000, "trade_total": 950000,
        "fdi_actual": 8200, "retail_sales": 150000, "industrial_power": 125000}
# A part of another series (工业投资 ⊂ 固投, 出口 ⊂ 进出口 …): (parent, share range), so that a part
# never exceeds its whole. Listed parents first.
PARTS = {"industrial_investment": ("fixed_investment", 0.62, 0.80),
         "manufacturing_investment": ("industrial_investment", 0.80, 0.92),
         "industrial_value_added": ("industrial_output", 0.20, 0.26),
         "industrial_profit": ("industrial_output", 0.05, 0.08),
         "high_tech_value_added": ("industrial_value_added", 0.50, 0.70),
         "public_budget_revenue": ("fiscal_revenue", 0.52, 0.62),
         "tax_revenue": ("fiscal_revenue", 0.78, 0.90),
         "exports": ("trade_total", 0.62, 0.85)}


def _q(x, places="0.01"):
    return Decimal(str(x)).quantize(Decimal(places))


def load_demo(zones, *, seed, last_year, stdout=None):
    from .catalogue import load_catalogue

    load_catalogue(Indicator)  # a flushed test database may have lost the migration's rows
    rng = random.Random(f"figures-{seed}")
    today = timezone.localdate()
    end = services.default_period(today)
    first_year = last_year - 2
    indicators = {i.code: i for i in Indicator.objects.all()}
    written = 0
    for zone in zones:
        firms = Enterprise.objects.filter(zone=zone).count()
        size = max(0.3, min(3.0, firms / 600 or 1))
        author = (Membership.objects.filter(zone=zone, role__in=["staff", "admin"]).order_by("role", "pk")
                  .values_list("user_id", flat=True).first())
        values, targets = [], []
        cums, goals = {}, {}  # (code, year, month) → cumulative; (code, year) → target
        for code in [*BASE, *PARTS]:
            ind = indicators.get(code)
            if ind is None:
                continue
            parent, low, high = PARTS.get(code, (None, 0, 0))
            total = BASE.get(code, 0) * size * rng.uniform(0.7, 1.3)
            for year in range(first_year, end[0] + 1):
                if parent is None:
                    # The target: last year's total and the growth the zone commits to (8–15 %).
                    goals[(code, year)] = total * rng.uniform(1.08, 1.15)
                    total *= 1 + rng.uniform(-0.05, 0.30)
                else:
                    share = rng.uniform(low, high)
                    goals[(code, year)] = goals[(parent, year)] * share
                targets.append(Target(zone=zone, indicator=ind, year=year, value=_q(goals[(code, year)], "1"),
                                      note="年初下达"))
                cum = 0.0
                for month in range(1, 13):
                    if (year, month) > end:
                        break
                    if parent is None:
                        cum += total * SEASON[month - 1] * rng.uniform(0.85, 1.15)
                    else:
                        cum = cums[(parent, year, month)] * share * rng.uniform(0.97, 1.03)
                    cums[(code, year, month)] = cum
                    values.append(IndicatorValue(zone=zone, indicator=ind, year=year, month=month, value=_q(cum),
                                                 source=ValueSource.ENTERED if month % 3 else ValueSource.IMPORTED,
                                                 entered_by_id=author))
        rd = rng.uniform(2.5, 5.0)
        energy = rng.uniform(0.3, 0.6)
        for year in range(first_year, end[0]):
            rd += rng.uniform(-0.2, 0.6)
            energy *= rng.uniform(0.9, 1.02)
            for code, value, target in (("rd_ratio", _q(rd), _q(rd + 0.5)), ("energy_intensity", _q(energy, "0.001"),
                                                                               _q(energy * 0.97, "0.001"))):
                if code in indicators:
                    values.append(IndicatorValue(zone=zone, indicator=indicators[code], year=year, month=12,
                                                 value=value, source=ValueSource.ENTERED, entered_by_id=author))
                    targets.append(Target(zone=zone, indicator=indicators[code], year=year, value=target))
        IndicatorValue.objects.bulk_create(values, batch_size=2000)
        written += len(values)
        for year in range(first_year, end[0] + 1):
            services.compute_derived(zone, year, today=today)
        # Targets of derived indicators: a little above what the zone reached (or will reach).
        reached = services.period_table([zone.pk], end[0], end[1])[zone.pk]
        for code in ("above_scale_firms", "high_tech_firms", "projects_signed", "projects_signed_investment",
                     "projects_started"):
            value = reached.get(code, {}).get("value")
            if code in indicators and value:
                factor = 1.1 if code.endswith("firms") else 12 / end[1] * rng.uniform(0.9, 1.3)
                targets.append(Target(zone=zone, indicator=indicators[code], year=end[0],
                                      value=_q(float(value) * factor, "1") or Decimal(1), note="年初下达"))
        Target.objects.bulk_create(targets, batch_size=2000, ignore_conflicts=True)
    if stdout is not None:
        stdout.write(f"指标：{len(zones)} 个开发区，{written} 条填报数值（{first_year}–{end[0]}-{end[1]:02d}）及年度目标、"
                     f"系统计算指标")
