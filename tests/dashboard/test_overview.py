"""The home page: 一核一带三区 cards from the stored indicator values, for the viewer's scope."""

from wanghua.core import indicators
from wanghua.dashboard import services
from wanghua.org.models import Zone


def test_registry_holds_org_indicators():
    assert {"org.communities", "org.belt_enterprises", "org.tayu_cooperatives"} <= set(indicators.REGISTRY)
    assert all(i.goal in indicators.Goal.values for i in indicators.REGISTRY.values())


def test_zone_cards_read_the_stored_values(world, make_user, client_for):
    leader = make_user("leader", "leader", region=world.district)
    before = client_for(leader).get("/")
    core = next(c for c in before.context["cards"]() if c.zone.code == "core")
    assert {f.key: f.value for f in core.figures}["org.communities"] is None  # nothing stored yet
    services.refresh_indicators()
    page = client_for(leader).get("/")  # a refresh moves the cached cards on
    cards = {card.zone.code: {f.key: f.value for f in card.figures} for card in page.context["cards"]()}
    assert cards["core"]["org.communities"] == 3  # 甲, 乙, 丙
    assert 'data-indicator="org.communities"><a class="drill" href="/org/regions/?' in page.content.decode()
    assert ">3</a>" in page.content.decode()


def test_cards_follow_the_viewer_scope(world, make_user, client_for):
    services.refresh_indicators()
    street = make_user("st", "street", region=world.street2)
    cards = client_for(street).get("/").context["cards"]()
    core = next(c for c in cards if c.zone.code == "core")
    figures = {f.key: f for f in core.figures}
    assert figures["org.communities"].value == 1  # only 丙社区
    assert f"under={world.street2.pk}" in figures["org.communities"].url


def test_chart_and_map_data(world, make_user, client_for):
    world.street1.geojson = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    world.street1.save()
    client = client_for(make_user("leader", "leader", region=world.district))
    chart = client.get("/overview/chart.json").json()
    assert chart == {"names": ["一街道", "二街道"], "counts": [2, 1]}
    features = client.get("/overview/map.json").json()["features"]
    assert [(f["properties"]["label"], f["properties"]["zone"]) for f in features] == [("一街道", "core")]


def test_zone_page(world, make_user, client_for):
    client = client_for(make_user("leader", "leader", region=world.district))
    assert client.get("/zones/core/").status_code == 200
    assert client.get("/zones/nowhere/").status_code == 404
    assert Zone.objects.count() == 1
