from django.urls import path

from . import views

app_name = "industry"

urlpatterns = [
    path("", views.LinesView.as_view(), name="lines"),
    path("lines/<slug:code>/", views.line_live, name="line_live"),
    path("lines/<slug:code>/sparklines.json", views.line_sparklines, name="line_sparklines"),
    path("lines/<slug:code>/qr/", views.qr_sheet, name="qr_sheet"),
    path("lines/<slug:code>/analysis/", views.line_analysis, name="line_analysis"),
    path("lines/<slug:code>/setup/", views.line_setup, name="line_setup"),
    path("lines/<slug:code>/<slug:location>/", views.line_live, name="equipment_live"),
    path("lines/<slug:code>/<slug:location>/sparklines.json", views.line_sparklines, name="equipment_sparklines"),
    path("alarms/", views.AlarmJournalView.as_view(), name="alarm_journal"),
    path("alarms/current/", views.CurrentAlarmsView.as_view(), name="current_alarms"),
    path("alarms/<int:pk>/<slug:action>/", views.alarm_action, name="alarm_action"),
    path("setup/lines/<int:pk>/edit/", views.LineEditView.as_view(), name="line_edit"),
    path("setup/tags/<int:pk>/edit/", views.TagEditView.as_view(), name="tag_edit"),
    path("setup/alarms/new/", views.AlarmCreateView.as_view(), name="alarm_create"),
    path("setup/alarms/<int:pk>/edit/", views.AlarmEditView.as_view(), name="alarm_edit"),
    path("stops/", views.StopListView.as_view(), name="stops"),
    path("stops/<int:pk>/reason/", views.stop_reason, name="stop_reason"),
]
