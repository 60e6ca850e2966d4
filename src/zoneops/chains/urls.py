from zoneops.core.urls import feature_urls

app_name = "chains"
urlpatterns = feature_urls("chains")
