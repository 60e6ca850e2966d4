"""Demo rankings: the scheme "开发区高质量发展赛马" (4 dimensions, 12 items over the standard
catalogue), its results for the last 12 months, and each zone's summary of `last_year`."""
from django.utils import timezone

from zoneops.figures.models import Indicator

from . import engine, services, summary
from .models import AnnualSummary, RankingDimension, RankingItem, RankingScheme

NAME = "开发区高质量发展赛马"
# (dimension, weight, [(indicator code, measure, normalisation, direction)])
DESIGN = [
    ("经济规模", 30, [("fixed_investment", "value", "rank", ""), ("industrial_output", "value", "minmax", ""),
                     ("fiscal_revenue", "value", "rank", "")]),
    ("发展质量", 25, [("high_tech_value_added", "value", "minmax", ""), ("rd_ratio", "value", "rank", ""),
                     ("energy_intensity", "value", "rank", "lower")]),
    ("综合效益", 25, [("tax_revenue", "progress", "target", ""), ("above_scale_firms", "value", "rank", ""),
                     ("problem_close_rate", "value", "minmax", "")]),
    ("增量增速", 20, [("fixed_investment", "yoy", "rank", ""), ("industrial_value_added", "yoy", "rank", ""),
                     ("trade_total", "yoy", "minmax", "")]),
]


def make_scheme():
    scheme, created = RankingScheme.objects.get_or_create(name=NAME, defaults={
        "granularity": engine.MONTH, "bottom_places": 1, "description":
        "参照全省开发区综合评价办法，按经济规模、发展质量、综合效益、增量增速四个维度逐月赛马，末位开发区约谈督促。"})
    if not created:
        return scheme
    indicators = {i.code: i for i in Indicator.objects.all()}
    for n, (name, weight, items) in enumerate(DESIGN):
        dim = RankingDimension.objects.create(scheme=scheme, name=name, weight=weight, sort_order=n)
        RankingItem.objects.bulk_create([
            RankingItem(dimension=dim, indicator=indicators[code], measure=measure, normalisation=method,
                        direction=direction, sort_order=m)
            for m, (code, measure, method, direction) in enumerate(items) if code in indicators])
    return scheme


def load_demo(zones, *, seed, last_year, stdout=None):
    if not zones:
        return
    scheme = make_scheme()
    today = timezone.localdate()
    year, month = engine.previous_period(today.year, today.month)
    periods = []
    for _ in range(12):
        periods.append((year, month))
        year, month = engine.previous_period(year, month)
    for y, m in reversed(periods):  # oldest first: each month's movement compares with the one before
        try:
            services.compute(scheme, y, m)
        except services.RankingError:
            return
    made = 0
    for zone in zones:
        if AnnualSummary.objects.filter(zone=zone, year=last_year).exists():
            continue
        obj = AnnualSummary(zone=zone, year=last_year)
        summary.apply(obj, summary.generate(zone, last_year))
        obj.save()
        made += 1
    if stdout is not None:
        stdout.write(f"  赛马：方案“{scheme.name}”，{len(periods)} 期排名；年度总结 {made} 份")
