from django.urls import path

from zoneops.core.urls import feature_urls

from . import views

app_name = "projects"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("figures/", views.figures, name="figures"),
    path("officers/", views.officers, name="officers"),
    path("projects/<int:pk>/move/", views.ProjectMoveView.as_view(), name="project_move"),
    path("projects/<int:pk>/problem/", views.ProjectProblemView.as_view(), name="project_problem"),
    path("dispatch-meetings/<int:pk>/agenda/", views.MeetingAgendaView.as_view(), name="meeting_agenda"),
    path("dispatch-meetings/<int:pk>/report.docx", views.MeetingReportView.as_view(fmt="docx"),
         name="meeting_docx"),
    path("dispatch-meetings/<int:pk>/report.xlsx", views.MeetingReportView.as_view(fmt="xlsx"),
         name="meeting_xlsx"),
    path("dispatch-items/<int:pk>/record/", views.MeetingItemRecordView.as_view(), name="item_record"),
    path("dispatch-series/<int:pk>/next/", views.SeriesNextMeetingView.as_view(), name="series_next"),
] + feature_urls("projects")
