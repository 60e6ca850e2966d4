"""The feature registry: a zone-scoped model declares its table, filters, form, serializer and
import kind once, and gets list/detail/edit/delete/export pages, API endpoints and tests.

    register(Feature(model=Parcel, slug="parcels", table=ParcelTable, filterset=ParcelFilterSet,
                     form=ParcelForm, serializer=ParcelSerializer, import_kind="parcels"))
"""
from dataclasses import dataclass, field

from django.urls import reverse

REGISTRY = {}


@dataclass
class Tab:
    slug: str
    label: str
    template: str
    # context(request, obj) -> dict, for the tab's template
    context: object = None


@dataclass
class Feature:
    model: type
    slug: str  # URL segment, e.g. "enterprises"
    table: type
    filterset: type
    form: type = None
    serializer: type = None
    serializer_readonly: bool = False  # API offers list/detail only
    api_filterset: type = None  # defaults to `filterset`
    import_kind: str = None
    select_related: tuple = ()
    prefetch_related: tuple = ()
    detail_fields: tuple = ()  # overview tab; empty = every concrete field
    tabs: list = field(default_factory=list)
    write_action: str = "change"  # the role needed to edit: "change" (staff) or "admin"
    views: dict = field(default_factory=dict)  # overrides of the generic views, by action
    # run on the user's records before any view reads them: values that go stale with the date
    refresh: object = None

    @property
    def app_label(self):
        return self.model._meta.app_label

    @property
    def name(self):
        return self.model._meta.model_name

    @property
    def key(self):
        return f"{self.app_label}.{self.name}"

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    def url_name(self, action):
        return f"{self.app_label}:{self.name}_{action}"

    def url(self, action, *args):
        return reverse(self.url_name(action), args=args)

    def base_queryset(self, user, action="view"):
        qs = self.model.objects.restrict(user, action)
        if self.refresh:
            self.refresh(qs)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs


def register(feature):
    REGISTRY[feature.key] = feature
    return feature


def for_model(model):
    return REGISTRY[f"{model._meta.app_label}.{model._meta.model_name}"]


def for_app(app_label):
    return [f for f in REGISTRY.values() if f.app_label == app_label]
