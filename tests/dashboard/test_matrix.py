"""The permission matrix for the boards (street 1 staff in scope, street 2 out of scope: each sees their own
street's board) and for what district leaders enter (targets, external statistics, refreshes)."""

from datetime import date

from django.utils import timezone

from wanghua.core.testing import MatrixCase, run_case
from wanghua.dashboard import services
from wanghua.dashboard.models import ExternalStatistic, IndicatorTarget, RefreshRun

LOGGED_IN = {"anonymous": 302, "no_role": 200, "out_of_scope": 200, "in_scope": 200}
HOLDERS_ONLY = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 200}
HOLDERS_CHANGE = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 302}


def board_cases(w, users):
    """Each viewer's boards show their own street: street 1's name never reaches street 2's staff."""
    for n, street in enumerate((w.street1, w.street2)):
        street.geojson = {"type": "Polygon", "coordinates": [[[n, 0], [n + 1, 0], [n + 1, 1], [n, 1], [n, 0]]]}
        street.save()
    services.refresh_indicators()
    return [
        MatrixCase("district map", "get", "/overview/map.json", LOGGED_IN, marker="一街道"),
        MatrixCase("six goals board", "get", "/goals/", LOGGED_IN, marker="一街道"),
        MatrixCase("another street's board", "get", f"/goals/?scope=r{w.street1.pk}", LOGGED_IN, marker="一街道"),
        MatrixCase("board export", "get", "/goals/?format=xlsx", LOGGED_IN),
        MatrixCase("big screen", "get", "/screen/", LOGGED_IN, marker="一街道"),
        MatrixCase("big screen data", "get", "/screen/data.json", LOGGED_IN, marker="一街道"),
        MatrixCase("monthly report", "get", "/reports/monthly/",
                   {"anonymous": 302, "no_role": 302, "out_of_scope": 200, "in_scope": 200}),  # no board: back
    ]


def planning_cases(w, users):
    year = timezone.localdate().year
    return [
        MatrixCase("indicator targets", "get", "/indicators/targets/", HOLDERS_ONLY),
        MatrixCase("set targets", "post", f"/indicators/targets/?year={year}", HOLDERS_CHANGE,
                   data={"year": year, "target-org.communities": "3"},
                   state=lambda: list(IndicatorTarget.objects.values_list("key", "value"))),
        MatrixCase("external statistics", "get", "/indicators/statistics/", HOLDERS_ONLY),
        MatrixCase("statistics export", "get", "/indicators/statistics/?format=xlsx", HOLDERS_ONLY),
        MatrixCase("statistic create", "post", "/indicators/statistics/new/", HOLDERS_CHANGE,
                   data={"key": "gdp_growth", "name": "地区生产总值增速", "goal": "strength", "unit": "%",
                   "period": date(year, 1, 1).isoformat(), "value": "6.5", "source": "区统计局",
                   "published_on": date(year, 2, 20).isoformat()},
                   state=lambda: ExternalStatistic.objects.count()),
        MatrixCase("refresh runs", "get", "/indicators/refreshes/", HOLDERS_ONLY),
        MatrixCase("refresh now", "post", "/indicators/refreshes/now/", HOLDERS_CHANGE,
                   state=lambda: RefreshRun.objects.count()),
    ]


def test_board_matrix(world, matrix):
    clients, users = matrix(("street", {"region": world.street1}), ("street", {"region": world.street2}))
    assert [f for case in board_cases(world, users) for f in run_case(clients, case)] == []


def test_planning_matrix(world, matrix):
    clients, users = matrix(("leader", {"region": world.district}), ("street", {"region": world.street1}))
    assert [f for case in planning_cases(world, users) for f in run_case(clients, case)] == []


API_LOGGED_IN = {"anonymous": 401, "no_role": 403, "out_of_scope": 200, "in_scope": 200}  # no role: no board


def dashboard_api_cases(w, users):
    services.refresh_indicators()
    year = timezone.localdate().year
    return [
        MatrixCase("api board", "get", "/api/v1/dashboard/board", API_LOGGED_IN, marker="一街道"),
        MatrixCase("api indicator history", "get", "/api/v1/dashboard/indicators/org.communities/history",
                   API_LOGGED_IN),
        MatrixCase("api statistics", "get", "/api/v1/dashboard/statistics?year=2026",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 403, "in_scope": 403}),  # street: no statistics
        MatrixCase("api statistic create", "post", "/api/v1/dashboard/statistics",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 403, "in_scope": 403}, as_json=True,
                   data={"key": "gdp_growth", "name": "地区生产总值增速", "goal": "strength", "unit": "%",
                   "period": date(year, 1, 1).isoformat(), "value": "6.5", "source": "区统计局",
                   "published_on": date(year, 2, 20).isoformat()},
                   state=lambda: ExternalStatistic.objects.count()),
    ]


def test_dashboard_api_matrix(world, matrix):
    clients, users = matrix(("street", {"region": world.street1}), ("street", {"region": world.street2}))
    assert [f for case in dashboard_api_cases(world, users) for f in run_case(clients, case)] == []
