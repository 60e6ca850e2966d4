from zoneops.core.urls import feature_urls

app_name = "registry"
urlpatterns = feature_urls("registry")
