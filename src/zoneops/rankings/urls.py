from zoneops.core.urls import feature_urls

app_name = "rankings"
urlpatterns = [] + feature_urls("rankings")
