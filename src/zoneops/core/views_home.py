"""The zone home page: the counts the seed reports open with, and two charts."""
import json

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render

from .models import Zone

# Other apps add figures to the zone home: fn(zone, user) -> [{"label", "value", "url", "tone"}]
# ("tone": "", "warning" or "danger"). Keep each to one or two cheap aggregate queries.
HOME_CARDS = []


@login_required
def home(request):
    from .portal import ROLE_HOMES
    from .scoping import DEPARTMENT, is_portal_user, portal_enterprise_ids, zone_ids_for

    if is_portal_user(request.user):
        if portal_enterprise_ids(request.user):
            return redirect("portal")
        if zone_ids_for(request.user, DEPARTMENT) and DEPARTMENT in ROLE_HOMES:
            return redirect(ROLE_HOMES[DEPARTMENT])
    zones = Zone.objects.restrict(request.user).order_by("code")
    chosen = request.session.get("zone_id")
    zone = zones.filter(pk=chosen).first() if chosen else None
    zone = zone or zones.first()
    if zone is None:
        return render(request, "core/no_zone.html")
    return redirect("zone_home", pk=zone.pk)


def zone_figures(zone):
    """The dashboard figures of one zone (a few aggregate queries over the whole zone)."""
    from zoneops.registry.models import Enterprise, EnterpriseYear, IndustryCode, Parcel

    firms = Enterprise.objects.filter(zone=zone)
    counts = firms.aggregate(
        total=Count("id"), above=Count("id", filter=Q(scale="above")),
        high_tech=Count("id", filter=Q(is_high_tech=True)), rd=Count("id", filter=Q(has_rd_center=True)),
        listed=Count("id", filter=Q(is_listed=True)), specialized=Count("id", filter=Q(is_specialized=True)))
    land = Parcel.objects.filter(zone=zone).aggregate(s=Sum("area_mu"))["s"] or 0
    by_year = list(EnterpriseYear.objects.filter(zone=zone).values("year").order_by("year")
                   .annotate(revenue=Sum("revenue"), tax=Sum("tax")))
    by_division = list(firms.filter(scale="above").exclude(industry_division="")
                       .values("industry_division").annotate(n=Count("id")).order_by("-n")[:10])
    names = dict(IndustryCode.objects.filter(code__in=[d["industry_division"] for d in by_division])
                 .values_list("code", "name"))
    latest = by_year[-1] if by_year else None
    previous = by_year[-2] if len(by_year) > 1 else None

    def growth(key):
        if not latest or not previous or not previous[key]:
            return None
        return round(100 * (float(latest[key] or 0) / float(previous[key]) - 1), 1)

    return {
        "counts": counts, "land_mu": float(land),
        "latest": {"year": latest["year"], "revenue": float(latest["revenue"] or 0),
                   "tax": float(latest["tax"] or 0)} if latest else None,
        "revenue_growth": growth("revenue"), "tax_growth": growth("tax"),
        "chart": {
            "years": [str(r["year"]) for r in by_year],
            "revenue_yi": [round(float(r["revenue"] or 0) / 10000, 2) for r in by_year],
            "tax_yi": [round(float(r["tax"] or 0) / 10000, 2) for r in by_year],
            "divisions": [f"{d['industry_division']} {names.get(d['industry_division'], '')}" for d in by_division],
            "division_counts": [d["n"] for d in by_division],
        },
    }


def cached_zone_figures(zone):
    """Cached until the zone's data changes (every write bumps Zone.data_version)."""
    key = f"zone-figures:{zone.pk}:{zone.created.timestamp()}:{zone.data_version}"
    figures = cache.get(key)
    if figures is None:
        figures = zone_figures(zone)
        cache.set(key, figures)
    return figures


@login_required
def zone_home(request, pk):
    zones = Zone.objects.restrict(request.user).order_by("code")
    zone = get_object_or_404(zones, pk=pk)
    request.session["zone_id"] = zone.pk
    figures = cached_zone_figures(zone)
    latest = figures["latest"]
    shown = {  # as the seed reports write them: land in 亩, money in 亿元
        "land": f"{figures['land_mu']:,.0f}",
        "revenue_yi": f"{latest['revenue'] / 10000:,.2f}" if latest else None,
        "tax_yi": f"{latest['tax'] / 10000:,.2f}" if latest else None,
    }
    return render(request, "core/zone_home.html", {
        "zone": zone, "zones": zones, **figures, "shown": shown,
        "chart_json": json.dumps(figures["chart"], ensure_ascii=False),
        "extra_cards": [card for fn in HOME_CARDS for card in fn(zone, request.user)],
    })
