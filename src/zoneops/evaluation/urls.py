from django.urls import path

from zoneops.core.urls import feature_urls

from . import views
from .models import Result, Run
from .views import feature_view

app_name = "evaluation"
urlpatterns = [
    path("runs/new/", views.RunCreateView.as_view(), name="run_new"),
    path("runs/<int:pk>/status/", feature_view(views.RunStatusView, Run), name="run_status"),
    path("runs/<int:pk>/ranking/", feature_view(views.RankingView, Run), name="run_ranking"),
    path("runs/<int:pk>/compare/", feature_view(views.CompareView, Run), name="run_compare"),
    path("runs/<int:pk>/publish/", feature_view(views.RunActionView, Run, action="publish"), name="run_publish"),
    path("runs/<int:pk>/finalize/", feature_view(views.RunActionView, Run, action="finalize"), name="run_finalize"),
    path("runs/<int:pk>/verify/", feature_view(views.RunActionView, Run, action="verify"), name="run_verify"),
    path("runs/<int:pk>/discard/", feature_view(views.RunActionView, Run, action="delete"), name="run_discard"),
    path("results/<int:pk>/adjust/", feature_view(views.ResultActionView, Result, action="adjust"),
         name="result_adjust"),
    path("results/<int:pk>/objection/", feature_view(views.ResultActionView, Result, action="object"),
         name="result_objection"),
    path("objections/<int:pk>/evidence/", views.EvidenceView.as_view(), name="objection_evidence"),
    path("portal/objection/", views.portal_objection, name="portal_objection"),
    path("rulesets/", views.ruleset_list, name="ruleset_list"),
    path("rulesets/new/", views.RulesetCreateView.as_view(), name="ruleset_new"),
    path("rulesets/<int:pk>/", views.RulesetView.as_view(), name="ruleset"),
    path("rulesets/<int:pk>/download/", views.RulesetDownloadView.as_view(), name="ruleset_download"),
    *feature_urls("evaluation"),
]
