"""Errand statistics per month, category, community and station, within the viewer's scope."""

from wanghua.stations import services


def test_statistics_follow_scope(desk, client_for, world, make_user):
    services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买菜")
    services.accept_errand(desk.other_agent, resident=desk.other_resident, category="documents", description="证件")
    mine = client_for(desk.agent)
    page = mine.get("/services/statistics/")
    assert page.status_code == 200 and page.context["summary"]["total"] == 1
    assert mine.get("/services/statistics/category.json").json() == {"names": ["日用品代买"], "counts": [1]}
    assert mine.get("/services/statistics/community.json").json()["names"] == ["一街道·甲社区"]
    assert mine.get("/services/statistics/station.json").json()["counts"] == [1]
    leader = client_for(make_user("leader", "leader", region=world.district))
    assert sum(leader.get("/services/statistics/month.json").json()["counts"]) == 2


def test_statistics_bad_input(desk, client_for, world):
    client = client_for(desk.agent)
    assert client.get("/services/statistics/planet.json").status_code == 404
    assert client.get("/services/statistics/?year=99999").status_code == 404
    assert client.get(f"/services/statistics/?region={world.community3.pk}").status_code == 404
