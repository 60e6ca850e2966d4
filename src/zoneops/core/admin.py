"""Django admin, for superusers: zones, and memberships including the province-wide read role
(zone admins manage their own zone's members on the 成员与角色 page instead)."""
from django.contrib import admin

from .models import Membership, Zone


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "region_code", "approved_area_ha")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "zone", "role")
    list_filter = ("role", "zone")
    search_fields = ("user__username", "user__first_name", "zone__name")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "zone")
