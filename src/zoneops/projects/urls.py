from zoneops.core.urls import feature_urls

app_name = "projects"
urlpatterns = feature_urls("projects")
