"""The parcel page's tab: the redevelopment cases the parcel was in, with its figures at opening."""
from zoneops.core.scoping import CHANGE, can

from .models import CaseParcel, RedevelopmentCase


def parcel_cases(request, parcel):
    links = list(CaseParcel.objects.restrict(request.user).filter(parcel=parcel).select_related("case")
                 .order_by("-case__opened_on", "-id"))
    busy = any(link.case.is_open for link in links)
    return {"case_links": links, "can_open_case": can(request.user, parcel.zone_id, CHANGE) and not busy,
            "case_model": RedevelopmentCase}
