"""Django admin, for superusers: the configurable cultivation pools (培育库)."""
from django.contrib import admin

from .models import CultivationPool


@admin.register(CultivationPool)
class CultivationPoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "description")
    search_fields = ("code", "name")
