from zoneops.core.urls import feature_urls

app_name = "evaluation"
urlpatterns = feature_urls("evaluation")
