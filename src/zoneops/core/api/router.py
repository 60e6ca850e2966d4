from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ..features import REGISTRY
from .views import ZoneScopedViewSet

# Endpoints that are not a feature's CRUD (a catalogue, computed figures): (prefix, viewset,
# basename), appended by apps in their ready(); registered after the features.
EXTRA_ROUTES = []


def viewset_for(feature):
    attrs = {"feature": feature, "serializer_class": feature.serializer,
             "filterset_class": feature.api_filterset or feature.filterset,
             "queryset": feature.model.objects.none(), "ordering_fields": "__all__"}
    if feature.serializer_readonly:
        attrs["http_method_names"] = ["get", "head", "options"]
    # A feature may bring its own viewset base (e.g. wider read rules for portal roles).
    base = getattr(feature, "api_viewset", None) or ZoneScopedViewSet
    return type(f"{feature.model.__name__}ViewSet", (base,), attrs)


def api_urls():
    """One router for every feature that declares a serializer."""
    router = DefaultRouter()
    for feature in REGISTRY.values():
        if feature.serializer is not None:
            router.register(feature.slug, viewset_for(feature), basename=feature.name)
    for prefix, viewset, basename in EXTRA_ROUTES:
        router.register(prefix, viewset, basename=basename)
    return [path("", include(router.urls))]
