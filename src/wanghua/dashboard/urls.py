from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/chart.json", views.home_chart, name="home_chart"),
    path("overview/map.json", views.district_map, name="district_map"),
    path("zones/<slug:code>/", views.zone, name="zone"),
    path("goals/", views.goals, name="goals"),
    path("screen/", views.screen, name="screen"),
    path("screen/data.json", views.screen_data, name="screen_data"),
    path("reports/monthly/", views.monthly_report, name="monthly_report"),
    path("indicators/targets/", views.targets, name="targets"),
    path("indicators/statistics/", views.statistics, name="statistics"),
    path("indicators/statistics/new/", views.StatisticCreateView.as_view(), name="statistic_create"),
    path("indicators/refreshes/", views.refreshes, name="refreshes"),
    path("indicators/refreshes/now/", views.refresh_now, name="refresh_now"),
]
