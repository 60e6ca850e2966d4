from django.urls import path

from zoneops.core.urls import feature_urls

from . import views

app_name = "figures"
urlpatterns = [
    # /figures/ is the dashboard; the menu links /figures/dashboard/ so that only it is marked
    # active (the menu marks every entry whose URL prefixes the page's path).
    path("", views.dashboard, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("entry/", views.EntryView.as_view(), name="entry"),
    path("recompute/", views.recompute, name="recompute"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/add/", views.IndicatorEditView.as_view(), name="indicator_add"),
    path("indicators/<int:pk>/edit/", views.IndicatorEditView.as_view(), name="indicator_edit"),
] + feature_urls("figures")
