"""The parcel map: menu entry and the API action /api/parcels/geojson/ (apart from
registrations.py, which is the lifecycle's)."""
from django.utils.translation import gettext_lazy as _
from rest_framework.decorators import action

from zoneops.core.api.views import ZoneScopedViewSet
from zoneops.core.context_processors import add_menu
from zoneops.core.features import for_model
from zoneops.registry.models import Parcel

add_menu(_("土地要素"), [(_("地块地图"), "land:map")], before=_("数据"))


class ParcelGeoJSONMixin:
    @action(detail=False, methods=["get"], url_path="geojson")
    def geojson(self, request, *args, **kwargs):
        """The zone's parcels as a GeoJSON FeatureCollection (the map's data): `zone` (required when
        you have several zones; default your first), `colour=status|class|far` and the parcel
        list's filters. Answers 404 for a zone you may not view."""
        from .map_views import geojson_response

        return geojson_response(request, request.query_params)


# Wrap whatever viewset the parcel feature has by now (the lifecycle may add its own actions).
_feature = for_model(Parcel)
_base = getattr(_feature, "api_viewset", None) or ZoneScopedViewSet
if not issubclass(_base, ParcelGeoJSONMixin):
    _feature.api_viewset = type("ParcelMapViewSet", (ParcelGeoJSONMixin, _base), {})
