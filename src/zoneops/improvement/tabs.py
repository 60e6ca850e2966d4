"""The enterprise page's tab: the firm's class, the policies that apply to it, its plans."""
from zoneops.core.scoping import CHANGE, can

from . import services
from .models import ImprovementPlan


def enterprise_improvement(request, enterprise):
    info = services.class_of(enterprise)
    policy_class = info.policy_class if info is not None else ""
    plans = list(ImprovementPlan.objects.restrict(request.user).filter(enterprise=enterprise)
                 .select_related("owner").order_by("-created", "-id"))
    return {"firm_class": info, "policy_class": policy_class,
            "policies": services.policies_for(request.user, enterprise.zone_id, policy_class),
            "plans": plans, "can_plan": can(request.user, enterprise.zone_id, CHANGE)}
