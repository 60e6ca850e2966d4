"""URLs of the parcel map and the boundary import (their own module: see land/urls.py)."""
from django.urls import path

from . import map_views

urlpatterns = [
    path("map/", map_views.map_page, name="map"),
    path("map/data.geojson", map_views.map_data, name="map_data"),
    path("map/import/", map_views.ImportUploadView.as_view(), name="map_import"),
    path("map/import/<int:pk>/", map_views.ImportPreviewView.as_view(), name="map_import_preview"),
    path("map/import/<int:pk>/commit/", map_views.ImportCommitView.as_view(), name="map_import_commit"),
]
