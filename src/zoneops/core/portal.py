"""The enterprise portal: what an enterprise user sees of their own firm, and nothing else.

Features add sections from their app's ready():

    PORTAL_SECTIONS.append(PortalSection("problems", _("我的诉求"), "service/portal_problems.html",
                                         context=lambda request, enterprise: {...}))

A section's context function gets the firm the user is bound to (never an id from the request)
and must query only that firm's records.
"""
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .scoping import portal_enterprise_ids


@dataclass
class PortalSection:
    slug: str
    label: str
    template: str
    context: object = None  # context(request, enterprise) -> dict
    order: int = 100


PORTAL_SECTIONS = []

# Where a portal-only user lands, by role: {"department": "service:inbox"}; set by the app.
ROLE_HOMES = {}


@login_required
def portal(request):
    from zoneops.registry.models import Enterprise

    firms = list(Enterprise.objects.filter(pk__in=portal_enterprise_ids(request.user)).select_related("zone")
                 .order_by("name"))
    blocks = []
    for firm in firms:
        sections = []
        for s in sorted(PORTAL_SECTIONS, key=lambda s: s.order):
            ctx = s.context(request, firm) if s.context else {}
            sections.append({"section": s, "context": ctx})
        blocks.append({"enterprise": firm, "sections": sections})
    return render(request, "core/portal.html", {"blocks": blocks})
