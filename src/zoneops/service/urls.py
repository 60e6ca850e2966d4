from zoneops.core.urls import feature_urls

app_name = "service"
urlpatterns = feature_urls("service")
