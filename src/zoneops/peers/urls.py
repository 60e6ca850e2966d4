from django.urls import path
from django.views.generic import RedirectView

from zoneops.core.urls import feature_urls

from . import views

app_name = "peers"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="peers:peerreport_list", permanent=False), name="index"),
    path("peer-reports/<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("compare/", views.compare, name="compare"),
] + feature_urls("peers")
