from django.urls import path

from zoneops.core.urls import feature_urls

from . import views

app_name = "improvement"
urlpatterns = feature_urls("improvement") + [
    path("candidates/", views.CandidateListView.as_view(), name="candidates"),
    path("policy-table/", views.PolicyTableView.as_view(), name="policy_table"),
    path("plans/<int:pk>/measures/", views.MeasureAddView.as_view(), name="measure_add"),
    path("plans/<int:pk>/notes/", views.NoteAddView.as_view(), name="note_add"),
    path("measures/<int:pk>/edit/", views.MeasureEditView.as_view(), name="measure_edit"),
    path("measures/<int:pk>/state/", views.MeasureStateView.as_view(), name="measure_state"),
    path("measures/<int:pk>/delete/", views.MeasureDeleteView.as_view(), name="measure_delete"),
    path("notes/<int:pk>/delete/", views.NoteDeleteView.as_view(), name="note_delete"),
]
