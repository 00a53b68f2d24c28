from django.urls import path

from . import views
from .models import ErrandStep

app_name = "services"

urlpatterns = [
    path("", views.today, name="today"),
    path("errands/", views.ErrandListView.as_view(), name="errands"),
    path("errands/new/", views.ErrandCreateView.as_view(), name="errand_create"),
    path("errands/new/resident/", views.intake_resident, name="intake_resident"),
    path("errands/<int:pk>/", views.errand_detail, name="errand_detail"),
    path("errands/<int:pk>/ledger/", views.ledger_add, name="ledger_add"),
    path("errands/<int:pk>/ledger/<int:entry_id>/void/", views.ledger_void, name="ledger_void"),
    path("errands/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    # 回访 keeps its published address (errands/<pk>/follow-up/); the step itself is `visit`.
    path("errands/<int:pk>/follow-up/", views.ErrandStepView.as_view(), {"step": ErrandStep.VISIT},
         name="errand_visit"),
    path("errands/<int:pk>/<slug:step>/", views.ErrandStepView.as_view(), name="errand_step"),
    path("residents/", views.ResidentListView.as_view(), name="residents"),
    path("residents/new/", views.ResidentCreateView.as_view(), name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/<slug:by>.json", views.statistics_data, name="statistics_data"),
    path("diary/", views.diary, name="diary"),
    path("diary/<int:agent_id>/<int:year>-<int:month>-<int:day>.pdf", views.diary_pdf, name="diary_day_pdf"),
    path("diary/<int:agent_id>/<int:year>-<int:month>.pdf", views.diary_pdf, name="diary_month_pdf"),
    path("diary/<int:agent_id>/<int:year>-<int:month>.xlsx", views.diary_xlsx, name="diary_month_xlsx"),
    path("diary/<int:agent_id>/<int:year>.xlsx", views.diary_xlsx, name="diary_year_xlsx"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("cash/", views.cash_report, name="cash"),
    path("stations/", views.StationListView.as_view(), name="stations"),
    path("stations/map/", views.station_map, name="station_map"),
    path("stations/map.json", views.station_map_data, name="station_map_data"),
    path("stations/new/", views.StationCreateView.as_view(), name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/edit/", views.StationUpdateView.as_view(), name="station_update"),
]
