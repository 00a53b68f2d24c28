"""The home page: 一核一带三区 cards filled through the indicator registry, for the viewer's scope."""

from wanghua.core import indicators
from wanghua.org.models import Zone


def test_registry_holds_org_indicators():
    assert {"org.communities", "org.belt_enterprises", "org.tayu_cooperatives"} <= set(indicators.REGISTRY)
    assert all(i.goal in indicators.Goal.values for i in indicators.REGISTRY.values())


def test_zone_cards_compute_from_records(world, make_user, client_for):
    leader = make_user("leader", "leader", region=world.district)
    page = client_for(leader).get("/")
    cards = {card.zone.code: {f.key: f.value for f in card.figures} for card in page.context["cards"]}
    assert cards["core"]["org.communities"] == 3  # 甲, 乙, 丙


def test_cards_follow_the_viewer_scope(world, make_user, client_for):
    street = make_user("st", "street", region=world.street2)
    cards = client_for(street).get("/").context["cards"]
    core = next(c for c in cards if c.zone.code == "core")
    assert {f.key: f.value for f in core.figures}["org.communities"] == 1  # only 丙社区


def test_chart_data_and_goal_board(world, make_user, client_for):
    client = client_for(make_user("leader", "leader", region=world.district))
    chart = client.get("/overview/chart.json").json()
    assert chart == {"names": ["一街道", "二街道"], "counts": [2, 1]}
    board = client.get("/goals/").context["board"]
    assert len(board) == 6 and any(f.key == "org.communities" for row in board for f in row["indicators"])


def test_zone_page(world, make_user, client_for):
    client = client_for(make_user("leader", "leader", region=world.district))
    assert client.get("/zones/core/").status_code == 200
    assert client.get("/zones/nowhere/").status_code == 404
    assert Zone.objects.count() == 1
