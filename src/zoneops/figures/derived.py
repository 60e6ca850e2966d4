"""Derived indicators: each formula (Indicator.formula) computes, for many zones at once, the value
of one period from ZoneOps's own records → {zone_id: Decimal}. One query per formula.

- Firm counts (规上, 高新, 研发机构, 专精特新, 上市) read the registry as it is when computed: the
  registry keeps no history of these flags, so a past month recomputed today gets today's count
  (docs/figures.md). Firms moved out or deregistered are not counted.
- Revenue and tax sums read the annual figures (EnterpriseYear) of the year.
- Project and land figures are cumulative from 1 January to the end of the month.
- 诉求办结率: problems received from 1 January to the month's end, the share closed by then.
- Land (做地, 出让) needs the land app's ParcelEvent; without it the formula yields nothing.
"""
import calendar
import datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count, Sum

GONE = ("moved_out", "deregistered")


def _bounds(year, month):
    return datetime.date(year, 1, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def _grouped(qs, aggregate):
    return {z: (v if v is not None else Decimal(0)) for z, v in
            qs.order_by().values("zone_id").annotate(v=aggregate).values_list("zone_id", "v")}


def _firms(flag):
    def compute(zone_ids, year, month):
        from zoneops.registry.models import Enterprise

        qs = Enterprise.objects.filter(zone_id__in=zone_ids, **flag).exclude(status__in=GONE)
        found = _grouped(qs, Count("id"))
        return {z: Decimal(found.get(z, 0)) for z in zone_ids}
    compute.snapshot = True  # the same for every month of a computation (the registry as it is now)
    return compute


def _year_sum(field):
    def compute(zone_ids, year, month):
        from zoneops.registry.models import EnterpriseYear

        qs = EnterpriseYear.objects.filter(zone_id__in=zone_ids, year=year, **{f"{field}__isnull": False})
        return _grouped(qs, Sum(field))  # zones without any figure of the year: no value
    return compute


def _by_month(rows, zone_ids, months, year, total=False):
    """{month: {zone: cumulative}} from rows (zone_id, date, amount) of one year: the running
    count (or sum of amounts) from 1 January to each month's end."""
    per = {z: [Decimal(0)] * 13 for z in zone_ids}
    for zone_id, day, amount in rows:
        if day is not None and day.year == year and zone_id in per:
            per[zone_id][day.month] += (amount or Decimal(0)) if total else 1
    out = {}
    for z, counts in per.items():
        run = Decimal(0)
        for m in range(1, 13):
            run += counts[m]
            if m in months:
                out.setdefault(m, {})[z] = Decimal(run)
    return out


def _projects(date_field, amount=None):
    def rows(zone_ids, year, last):
        from zoneops.projects.models import Project

        start, end = _bounds(year, last)
        return Project.objects.filter(zone_id__in=zone_ids, **{f"{date_field}__range": (start, end)}).order_by(
            ).values_list("zone_id", date_field, amount or "id")

    def compute(zone_ids, year, month):
        return months(zone_ids, year, [month]).get(month, {})

    def months(zone_ids, year, wanted):
        """Every wanted month in one query."""
        return _by_month(rows(zone_ids, year, max(wanted)), zone_ids, set(wanted), year, total=amount is not None)

    compute.months = months
    return compute


def _land(to_status):
    def compute(zone_ids, year, month):
        if not apps.is_installed("zoneops.land"):
            return {}
        try:
            ParcelEvent = apps.get_model("land", "ParcelEvent")
            start, end = _bounds(year, month)
            qs = ParcelEvent.objects.filter(zone_id__in=zone_ids, to_status=to_status, on__range=(start, end))
            found = _grouped(qs, Sum("parcel__area_mu"))
        except (LookupError, FieldError):  # the land app's models are not there (yet)
            return {}
        return {z: Decimal(found.get(z, 0)) for z in zone_ids}
    return compute


def problem_close_rate(zone_ids, year, month):
    return _close_rates(zone_ids, year, [month]).get(month, {})


def _close_rates(zone_ids, year, wanted):
    """{month: {zone: %}}: problems received 1 January – month end, the share closed by then. One query."""
    from zoneops.service.models import Problem

    start, end = _bounds(year, max(wanted))
    rows = list(Problem.objects.filter(zone_id__in=zone_ids, received_on__range=(start, end)).order_by()
                .values_list("zone_id", "received_on", "closed_on"))
    out = {}
    for m in wanted:
        last = _bounds(year, m)[1]
        n, closed = {}, {}
        for zone_id, received, closed_on in rows:
            if received <= last:
                n[zone_id] = n.get(zone_id, 0) + 1
                if closed_on is not None and closed_on <= last:
                    closed[zone_id] = closed.get(zone_id, 0) + 1
        out[m] = {z: (Decimal(closed.get(z, 0)) * 100 / k).quantize(Decimal("0.01")) for z, k in n.items()}
    return out


problem_close_rate.months = _close_rates


FORMULAS = {
    "above_scale_firms": _firms({"scale": "above"}),
    "high_tech_firms": _firms({"is_high_tech": True}),
    "rd_centers": _firms({"has_rd_center": True}),
    "specialized_firms": _firms({"is_specialized": True}),
    "listed_firms": _firms({"is_listed": True}),
    "enterprise_revenue": _year_sum("revenue"),
    "enterprise_tax": _year_sum("tax"),
    "projects_signed": _projects("signed_on"),
    "projects_signed_investment": _projects("signed_on", "agreed_investment"),
    "projects_started": _projects("started_on"),
    "land_ready_mu": _land("ready"),
    "land_sold_mu": _land("sold"),
    "problem_close_rate": problem_close_rate,
}
