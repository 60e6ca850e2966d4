from zoneops.core.urls import feature_urls

from . import map_urls

app_name = "land"
urlpatterns = [*map_urls.urlpatterns] + feature_urls("land")
