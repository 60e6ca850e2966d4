import django_filters
from django.db.models import Q
from django.db.models.query import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceField

from .models import Zone


ALL = _("全部")
YES_NO_VALUES = {"1": True, "true": True, "0": False, "false": False}


class YesNoField(ChoiceField):
    """Offers 是/否 but also accepts true/false (links such as the zone home page's, API clients)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().lower() if isinstance(value, str) else value

    def valid_value(self, value):
        return value in YES_NO_VALUES or super().valid_value(value)


class YesNoFilter(django_filters.ChoiceFilter):
    """全部 / 是 / 否 for a boolean field (also accepts true/false in links and the API)."""

    field_class = YesNoField
    VALUES = YES_NO_VALUES

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", (("1", _("是")), ("0", _("否"))))
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in self.VALUES:
            return qs.filter(**{self.field_name: self.VALUES[value]})
        return qs


class ZoneFilterSet(django_filters.FilterSet):
    """Base filterset: a zone filter limited to the user's zones, and `q` over `search_fields`.

    Every other choice of zone-scoped records (e.g. import batches) is limited to the user's zones
    too, so that a filter's options never list another zone's records."""

    search_fields = ()

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.none(), label=_("开发区"), empty_label=ALL)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        if "zone" in self.filters:
            self.filters["zone"].queryset = Zone.objects.restrict(user)
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            if isinstance(qs, QuerySet) and hasattr(qs, "restrict"):
                f.queryset = qs.restrict(user)
            if isinstance(f, django_filters.ChoiceFilter) and "empty_label" not in f.extra:
                f.extra["empty_label"] = ALL

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        cond = Q()
        for f in self.search_fields:
            # Credit codes are stored upper-case.
            cond |= Q(**{f: value.upper() if "uscc" in f else value})
        return queryset.filter(cond)
