from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/chart.json", views.home_chart, name="home_chart"),
    path("zones/<slug:code>/", views.zone, name="zone"),
    path("goals/", views.goals, name="goals"),
]
