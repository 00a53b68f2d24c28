from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.headline, name="headline"),
    path("list/", views.ProjectListView.as_view(), name="projects"),
    path("map/", views.project_map, name="project_map"),
    path("map.json", views.project_map_data, name="project_map_data"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/stage/<slug:step>/", views.ProjectStageView.as_view(), name="project_stage"),
    path("<int:project_id>/reports/", views.ReportSubmitView.as_view(), name="report_submit"),
    path("reports/", views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/correct/", views.ReportCorrectView.as_view(), name="report_correct"),
    path("reports/<int:pk>/<slug:step>/", views.ReportReviewView.as_view(), name="report_review"),
    path("issues/", views.IssueListView.as_view(), name="issues"),
    path("<int:pk>/issues/", views.issue_raise, name="issue_raise"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("issues/<int:pk>/<slug:step>/", views.IssueStepView.as_view(), name="issue_step"),
    path("<int:pk>/services/", views.service_record, name="service_record"),
    path("applications/", views.ApplicationListView.as_view(), name="applications"),
    path("applications/new/", views.ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("applications/<int:pk>/<slug:step>/", views.ApplicationStepView.as_view(), name="application_step"),
    path("leads/", views.LeadListView.as_view(), name="leads"),
    path("leads/new/", views.LeadCreateView.as_view(), name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/<slug:step>/", views.LeadStageView.as_view(), name="lead_stage"),
    path("assessment/", views.assessment_ranking, name="assessment"),
    path("assessment/weights/", views.assessment_weights, name="assessment_weights"),
    path("ledger/import/", views.ledger_import, name="ledger_import"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
]
