"""The home page: 一核一带三区 cards from the stored indicator values, for the viewer's scope."""

from dataclasses import replace

import pytest

from wanghua.core import indicators
from wanghua.dashboard import queries, services
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


def test_a_role_without_a_board_gets_its_shortcuts_and_no_chart(world, make_user, client_for):
    from wanghua.core.menu import quick_actions
    from wanghua.core.models import Notice

    agent = make_user("agent", "agent", region=world.community1)
    Notice.objects.create(title="停水通知", body="明日停水")
    page = client_for(agent).get("/")
    text = page.content.decode()
    shortcuts = quick_actions(agent)
    assert shortcuts and page.context["scope"] is None
    assert 'id="shortcuts"' in text and all(f'href="{link.url}"' in text for link in shortcuts)
    assert "停水通知" in text  # the notices
    assert 'class="chart"' not in text and "echarts" not in text and "charts.js" not in text
    assert "zone-card" not in text


def test_a_board_role_gets_its_shortcuts_above_the_board(world, make_user, client_for):
    from wanghua.core.menu import quick_actions

    street = make_user("st", "street", region=world.street1)
    text = client_for(street).get("/").content.decode()
    assert all(f'href="{link.url}"' in text for link in quick_actions(street))
    assert 'id="chart-communities"' in text


@pytest.mark.usefixtures("refreshed_board")
class TestOnARefreshedBoard:
    """The overview after one refresh of the module's world (shared by the class, rolled back after it)."""

    def test_cards_follow_the_viewer_scope(self, world, make_user, client_for):
        street = make_user("st", "street", region=world.street2)
        cards = client_for(street).get("/").context["cards"]()
        core = next(c for c in cards if c.zone.code == "core")
        figures = {f.key: f for f in core.figures}
        assert figures["org.communities"].value == 1  # only 丙社区
        assert f"under={world.street2.pk}" in figures["org.communities"].url

    def test_a_drill_down_the_viewer_cannot_open_is_plain_text(self, world, make_user, client_for):
        """Board links come from the menu registry's link_for: a secretary sees the lines' figure, not a link to
        pages that would answer 403."""
        secretary = make_user("sec", "secretary", region=world.community1)
        page = client_for(secretary).get("/goals/")
        row = page.context["board"]()
        rows = {r.key: r for goal in row for r in goal.rows}
        assert rows["industry.failure_rate"].url == ""  # the lines' stops are the enterprises'
        assert rows["org.communities"].url.startswith("/org/regions/?")
        text = page.content.decode()
        failure = text[text.index('data-indicator="industry.failure_rate"'):]
        failure = failure[:failure.index("</tr>")]
        assert 'class="drill"' not in failure and "href=" not in failure
        communities = text[text.index('data-indicator="org.communities"'):]
        assert 'class="drill"' in communities[:communities.index("</tr>")]

    def test_a_department_sees_industry_figures_without_links(self, world, make_user, client_for):
        leader = make_user("leader", "leader", region=world.district)
        assert queries.headline_figures(queries.board_scope(leader))[0].url  # the leader opens the records
        department = make_user("d", "department", unit=world.dept)
        scope = queries.board_scope(department)
        figures = queries.headline_figures(replace(queries.DISTRICT, viewer=department))
        failure = next(h for h in figures if h.indicator.key == "industry.failure_rate")
        assert failure.url == ""  # a department may not open the lines' stops
        assert scope is not None and scope.unit == world.dept
