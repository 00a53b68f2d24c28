"""The API lists filter with the list pages' FilterSets: every parameter the API took still works."""

from wanghua.stations import services


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


def test_api_lists_use_the_page_filters(desk, world, make_user, client_for):
    leader = client_for(make_user("filter-leader", "leader", region=world.district))
    both = {desk.station.pk, desk.other_station.pk}
    assert ids(leader.get("/api/v1/services/stations")) == both
    assert ids(leader.get(f"/api/v1/services/stations?region={world.community1.pk}")) == {desk.station.pk}
    assert ids(leader.get("/api/v1/services/stations?active=false")) == set()
    assert ids(leader.get("/api/v1/services/stations?active=true")) == both
    assert ids(leader.get("/api/v1/services/stations?active=1")) == both  # API booleans may be 1/0
    assert ids(leader.get("/api/v1/services/stations?active=0")) == set()

    assert ids(leader.get("/api/v1/services/residents?q=大娘")) == {desk.resident.pk}
    assert ids(leader.get(f"/api/v1/services/residents?station={desk.other_station.pk}")) == {desk.other_resident.pk}

    mine = services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买米")
    other = services.accept_errand(desk.other_agent, resident=desk.other_resident, category="pay_bills",
                                   description="缴费")
    services.start_errand(desk.other_agent, other.pk)
    assert ids(leader.get("/api/v1/services/errands")) == {mine.pk, other.pk}
    assert ids(leader.get("/api/v1/services/errands?status=in_progress")) == {other.pk}
    assert ids(leader.get(f"/api/v1/services/errands?station={desk.station.pk}")) == {mine.pk}
    assert ids(leader.get("/api/v1/services/errands?category=pay_bills")) == {other.pk}
    assert ids(leader.get("/api/v1/services/errands?mine=true")) == set()
    agent = client_for(desk.agent)
    assert ids(agent.get("/api/v1/services/errands?mine=true")) == {mine.pk}
    assert leader.get("/api/v1/services/errands?status=lost").status_code in (400, 422)
