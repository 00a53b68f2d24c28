from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.headline, name="headline"),
    path("list/", views.ProjectListView.as_view(), name="projects"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/stage/", views.project_stage, name="project_stage"),
    path("<int:pk>/reports/", views.report_submit, name="report_submit"),
    path("reports/<int:report_id>/review/", views.report_review, name="report_review"),
    path("issues/", views.IssueListView.as_view(), name="issues"),
    path("<int:pk>/issues/", views.issue_raise, name="issue_raise"),
    path("issues/<int:issue_id>/<slug:step>/", views.issue_step, name="issue_step"),
    path("<int:pk>/services/", views.service_record, name="service_record"),
    path("applications/", views.ApplicationListView.as_view(), name="applications"),
    path("applications/new/", views.ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/<slug:step>/", views.application_step, name="application_step"),
    path("leads/", views.LeadListView.as_view(), name="leads"),
    path("leads/new/", views.LeadCreateView.as_view(), name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/stage/", views.lead_stage, name="lead_stage"),
    path("assessment/", views.assessment_ranking, name="assessment"),
    path("assessment/weights/", views.assessment_weights, name="assessment_weights"),
    path("ledger/import/", views.ledger_import, name="ledger_import"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
]
