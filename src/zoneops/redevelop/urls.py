from django.urls import path

from zoneops.core.urls import feature_urls

from . import views

app_name = "redevelop"
urlpatterns = [
    path("candidates/", views.CandidateListView.as_view(), name="candidates"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("cases/<int:pk>/start/", views.CaseStartView.as_view(), name="case_start"),
    path("cases/<int:pk>/complete/", views.CaseCompleteView.as_view(), name="case_complete"),
    path("cases/<int:pk>/stop/", views.CaseStopView.as_view(), name="case_stop"),
    path("cases/<int:pk>/milestones/", views.MilestoneAddView.as_view(), name="milestone_add"),
    path("milestones/<int:pk>/done/", views.MilestoneDoneView.as_view(), name="milestone_done"),
    path("milestones/<int:pk>/delete/", views.MilestoneDeleteView.as_view(), name="milestone_delete"),
] + feature_urls("redevelop")
