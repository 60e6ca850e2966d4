from zoneops.core.urls import feature_urls

app_name = "peers"
urlpatterns = [] + feature_urls("peers")
