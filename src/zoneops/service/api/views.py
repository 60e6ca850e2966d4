from rest_framework import permissions

from zoneops.core.api.permissions import ZoneRolePermission
from zoneops.core.api.views import ZoneScopedViewSet


class ProblemPermission(ZoneRolePermission):
    """Reading: the object came from Problem.objects.restrict(user), which already admits a
    department user's assigned problems and an enterprise user's own firm's; writing as for any
    zone-scoped record (zone staff)."""

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().has_object_permission(request, view, obj)


class ProblemViewSet(ZoneScopedViewSet):
    permission_classes = [ProblemPermission]
