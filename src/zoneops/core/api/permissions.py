from rest_framework import permissions

from ..scoping import can, zone_ids_for


class ZoneRolePermission(permissions.BasePermission):
    """Reads need a view role in the object's zone, writes a change role (admin role for zones)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        ids = zone_ids_for(request.user, getattr(view, "write_action", "change"))
        return ids is None or bool(ids)

    def has_object_permission(self, request, view, obj):
        zone_id = obj.pk if obj._meta.model_name == "zone" else obj.zone_id
        if request.method in permissions.SAFE_METHODS:
            return can(request.user, zone_id)
        return can(request.user, zone_id, getattr(view, "write_action", "change"))
