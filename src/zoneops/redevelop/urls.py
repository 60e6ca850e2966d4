from zoneops.core.urls import feature_urls

app_name = "redevelop"
urlpatterns = [] + feature_urls("redevelop")
