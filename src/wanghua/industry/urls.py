from django.urls import path

from . import views

app_name = "industry"

urlpatterns = [
    path("", views.lines, name="lines"),
    path("lines/<slug:code>/", views.line_live, name="line_live"),
    path("lines/<slug:code>/sparklines.json", views.line_sparklines, name="line_sparklines"),
    path("lines/<slug:code>/qr/", views.qr_sheet, name="qr_sheet"),
    path("lines/<slug:code>/analysis/", views.line_analysis, name="line_analysis"),
    path("lines/<slug:code>/<slug:location>/", views.line_live, name="equipment_live"),
    path("lines/<slug:code>/<slug:location>/sparklines.json", views.line_sparklines, name="equipment_sparklines"),
    path("alarms/", views.AlarmJournalView.as_view(), name="alarm_journal"),
    path("alarms/current/", views.CurrentAlarmsView.as_view(), name="current_alarms"),
    path("alarms/<int:pk>/<slug:action>/", views.alarm_action, name="alarm_action"),
    path("stops/", views.StopListView.as_view(), name="stops"),
    path("stops/<int:pk>/reason/", views.stop_reason, name="stop_reason"),
]
