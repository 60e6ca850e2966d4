from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("new/<slug:kind>/", views.start, name="new"),
]
