from django.urls import path

from zoneops.core.urls import feature_urls

from . import views

app_name = "rankings"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.SchemeView.as_view(), name="scheme"),
    path("province/", views.province, name="province"),
    path("province/data/", views.province_data, name="province_data"),
    path("summaries/", views.summary_start, name="summary_start"),
    path("summaries/<int:pk>/", views.SummaryView.as_view(), name="summary"),
    path("summaries/<int:pk>/regenerate/", views.SummaryRegenerateView.as_view(), name="summary_regenerate"),
    path("summaries/<int:pk>/summary.docx", views.SummaryDocxView.as_view(), name="summary_docx"),
] + feature_urls("rankings")
