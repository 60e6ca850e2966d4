from zoneops.core.urls import feature_urls

app_name = "figures"
urlpatterns = [] + feature_urls("figures")
