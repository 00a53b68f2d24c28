"""The dashboard API: the caller's board and history from the store, statistics pushed with their source."""

from datetime import date

from wanghua.dashboard import services
from wanghua.dashboard.models import ExternalStatistic


def test_board_and_history_for_the_callers_scope(world, make_user, client_for):
    services.refresh_indicators()
    street = client_for(make_user("st", "street", region=world.street2))
    board = street.get("/api/v1/dashboard/board").json()
    assert board["scope"] == "二街道" and len(board["goals"]) == 6
    rows = {i["key"]: i for g in board["goals"] for i in g["indicators"]}
    assert float(rows["org.communities"]["value"]) == 1
    assert rows["org.communities"]["records"].startswith("/org/regions/?")
    history = street.get("/api/v1/dashboard/indicators/org.communities/history").json()
    assert [float(p["value"]) for p in history] == [1]
    assert street.get("/api/v1/dashboard/indicators/no.such/history").status_code == 404
    assert street.get("/api/v1/dashboard/board?month=2026-13").status_code in (400, 422)


def test_statistics_pushed_with_their_source(world, make_user, client_for):
    leader = client_for(make_user("leader", "leader", region=world.district))
    body = {"key": "gdp_growth", "name": "地区生产总值增速", "goal": "strength", "unit": "%",
            "period": "2026-01-01", "value": "6.5", "source": "区统计局", "published_on": "2026-02-20"}
    made = leader.post("/api/v1/dashboard/statistics", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["period"] == "2026-01-01"
    again = leader.post("/api/v1/dashboard/statistics", body, content_type="application/json")
    assert again.status_code == 400 and again.json()["detail"]
    future = leader.post("/api/v1/dashboard/statistics", body | {"key": "x", "published_on": "2099-01-01"},
                         content_type="application/json")
    assert future.status_code in (400, 422)
    assert list(ExternalStatistic.objects.values_list("key", "period")) == [("gdp_growth", date(2026, 1, 1))]
    listed = leader.get("/api/v1/dashboard/statistics?year=2026&goal=strength").json()
    assert [row["key"] for row in listed["items"]] == ["gdp_growth"]
    assert leader.get("/api/v1/dashboard/statistics?year=2025").json()["items"] == []
    assert leader.get("/api/v1/dashboard/statistics?goal=none").status_code == 422  # the page's choices
    page = leader.get("/indicators/statistics/?year=2025").content.decode()
    assert "地区生产总值增速" not in page  # the page filters with the same FilterSet
