from django.urls import path

from zoneops.core.urls import feature_urls

from . import views

app_name = "service"

MOVES = [("assign", "assign"), ("accept", "accept"), ("return", "return"), ("extension", "request_extension"),
         ("extension-decision", "decide_extension"), ("answer", "answer"), ("rate", "rate"), ("close", "close"),
         ("reopen", "reopen")]

urlpatterns = feature_urls("service") + [
    *[path(f"problems/<int:pk>/{slug}/", views.ProblemActionView.as_view(move=move), name=f"problem_{move}")
      for slug, move in MOVES],
    path("problems/<int:pk>/attach/", views.AttachView.as_view(), name="problem_attach"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("inbox/", views.inbox, name="inbox"),
    path("my-firms/", views.my_firms, name="my_firms"),
    path("not-visited/", views.not_visited, name="not_visited"),
    path("figures/", views.figures_page, name="figures"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("portal/submit/", views.portal_submit, name="portal_submit"),
    path("enterprises/<int:pk>/account/", views.EnterpriseAccountView.as_view(), name="enterprise_account"),
]
