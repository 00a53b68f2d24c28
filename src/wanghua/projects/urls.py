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
]
