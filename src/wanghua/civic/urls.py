from django.urls import path

from . import views

app_name = "civic"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="cases"),
    path("cases/report/", views.CaseReportView.as_view(), name="case_report"),
    path("cases/verify/", views.VerifyTaskListView.as_view(), name="verify_tasks"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:step>/", views.CaseStepView.as_view(), name="case_step"),
    path("cases/photos/<int:photo_id>/", views.case_photo, name="case_photo"),
    path("cases/board/", views.case_board, name="case_board"),
    path("cases/map/", views.case_map, name="case_map"),
    path("cases/map.json", views.case_map_data, name="case_map_data"),
    path("activities/", views.ActivityListView.as_view(), name="activities"),
    path("activities/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/<slug:step>/", views.activity_step, name="activity_step"),
    path("volunteering/", views.my_record, name="my_record"),
    path("commitments/", views.CommitmentListView.as_view(), name="commitments"),
    path("commitments/new/", views.CommitmentCreateView.as_view(), name="commitment_create"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/progress/", views.commitment_progress, name="commitment_progress"),
    path("commitments/photos/<int:photo_id>/", views.progress_photo, name="progress_photo"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("actions/", views.action_board, name="actions"),
    path("actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:pk>/edit/", views.ActionEditView.as_view(), name="action_edit"),
    path("categories/", views.categories, name="categories"),
    path("categories/new/", views.CategoryCreateView.as_view(), name="category_create"),
    path("categories/<int:pk>/edit/", views.CategoryEditView.as_view(), name="category_edit"),
    path("promises/", views.public_commitments, name="public_commitments"),
    path("report/", views.public_report, name="public_report"),
    path("report/nearby.json", views.public_nearby, name="public_nearby"),
    path("map/", views.public_map, name="public_map"),
    path("map.json", views.public_map_data, name="public_map_data"),
    path("follow/<str:token>/", views.public_case, name="public_case"),
]
