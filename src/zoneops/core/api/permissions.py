from rest_framework import permissions

from ..scoping import can, may_create


class ZoneRolePermission(permissions.BasePermission):
    """Reads need a view role in the object's zone, writes a change role (admin role for zones).

    Creating needs a writable zone (the serializer then checks the record's own zone); creating a
    zone itself needs rights over every zone."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        action = getattr(view, "write_action", "change")
        feature = getattr(view, "feature", None)
        if request.method == "POST" and feature is not None:
            return may_create(request.user, feature.model, action)
        return may_create(request.user, None, action)

    def has_object_permission(self, request, view, obj):
        zone_id = obj.pk if getattr(obj, "zone_lookup", "zone_id") == "id" else obj.zone_id
        if request.method in permissions.SAFE_METHODS:
            return can(request.user, zone_id)
        return can(request.user, zone_id, getattr(view, "write_action", "change"))
