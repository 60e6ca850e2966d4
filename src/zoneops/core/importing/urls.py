from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("new/<slug:kind>/", views.UploadView.as_view(), name="new"),
    path("template/<slug:kind>/", views.template, name="template"),
    path("batches/<int:pk>/", views.BatchView.as_view(), name="batch"),
    path("batches/<int:pk>/progress/", views.progress, name="progress"),
    path("batches/<int:pk>/commit/", views.commit, name="commit"),
    path("batches/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("batches/<int:pk>/report/", views.report, name="report"),
]
