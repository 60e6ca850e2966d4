from django.urls import path

from zoneops.core.urls import feature_urls

from . import map_urls, views

app_name = "land"
urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("parcels/<int:pk>/transition/", views.TransitionView.as_view(), name="parcel_transition"),
    path("parcels/<int:pk>/split/", views.SplitView.as_view(), name="parcel_split"),
    path("parcels/<int:pk>/merge/", views.MergeView.as_view(), name="parcel_merge"),
    *map_urls.urlpatterns,
] + feature_urls("land")
