from django.urls import path

from zoneops.core.urls import feature_urls

from . import views

app_name = "chains"
urlpatterns = [
    path("templates/", views.TemplatesView.as_view(), name="templates"),
    path("templates/download/", views.TemplateDownloadView.as_view(), name="template_download"),
    path("import/", views.ChainImportView.as_view(), name="chain_import"),
    path("chains/<int:pk>/export.yaml", views.ChainExportView.as_view(), {"fmt": "yaml"}, name="chain_export_yaml"),
    path("chains/<int:pk>/export.xlsx", views.ChainExportView.as_view(), {"fmt": "xlsx"}, name="chain_export_xlsx"),
    path("chains/<int:pk>/tree/", views.TreeEditView.as_view(), name="tree_edit"),
    path("chains/<int:pk>/leaders/", views.LeaderToggleView.as_view(), name="leader_toggle"),
    path("chains/<int:pk>/remap/", views.RemapView.as_view(), name="remap"),
    path("segments/<int:pk>/firms/", views.SegmentFirmsView.as_view(), name="segment_firms"),
    path("segments/<int:pk>/add-firm/", views.SegmentAddFirmView.as_view(), name="segment_add_firm"),
    path("mappings/<int:pk>/decide/", views.MappingDecideView.as_view(), name="mapping_decide"),
    path("checklist/<int:pk>/", views.ChecklistItemView.as_view(), name="checklist_item"),
    path("checklist/<int:pk>/evidence/", views.EvidenceDownloadView.as_view(), name="evidence"),
    path("candidates/<int:pk>/status/", views.CandidateStatusView.as_view(), name="candidate_status"),
    path("candidates/<int:pk>/to-lead/", views.CandidateToLeadView.as_view(), name="candidate_to_lead"),
    path("candidates/remap/", views.CandidateRemapView.as_view(), name="candidate_remap"),
    *feature_urls("chains"),
]
