"""Django admin, for superusers: the province-wide ranking schemes (赛马方案). A scheme lists its
dimensions inline; a dimension's page lists its items inline (Django has no nested inlines)."""
from django.contrib import admin

from .models import RankingDimension, RankingItem, RankingScheme


class DimensionInline(admin.TabularInline):
    model = RankingDimension
    extra = 0
    show_change_link = True  # → the dimension's items


class ItemInline(admin.TabularInline):
    model = RankingItem
    extra = 0


@admin.register(RankingScheme)
class RankingSchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "granularity", "selection", "bottom_places", "active")
    search_fields = ("name",)
    filter_horizontal = ("zones",)
    inlines = [DimensionInline]


@admin.register(RankingDimension)
class RankingDimensionAdmin(admin.ModelAdmin):
    list_display = ("name", "scheme", "weight", "sort_order")
    list_filter = ("scheme",)
    list_select_related = ("scheme",)
    inlines = [ItemInline]


@admin.register(RankingItem)
class RankingItemAdmin(admin.ModelAdmin):
    list_display = ("indicator", "dimension", "weight", "measure", "normalisation", "direction")
    list_filter = ("dimension__scheme", "measure", "normalisation")
    list_select_related = ("indicator", "dimension")
