import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Zone


class ZoneFilterSet(django_filters.FilterSet):
    """Base filterset: a zone filter limited to the user's zones, and `q` over `search_fields`."""

    search_fields = ()

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.none(), label=_("开发区"))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        self.filters["zone"].queryset = Zone.objects.restrict(user)

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        cond = Q()
        for f in self.search_fields:
            # Credit codes are stored upper-case.
            cond |= Q(**{f: value.upper() if f.startswith("uscc") else value})
        return queryset.filter(cond)
