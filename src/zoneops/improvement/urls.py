from zoneops.core.urls import feature_urls

app_name = "improvement"
urlpatterns = feature_urls("improvement")
