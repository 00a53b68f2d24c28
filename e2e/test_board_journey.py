"""The boards in a real browser: the 六望花 board drills down to its records, and the big screen renders at
1920×1080, rotates its panels and takes new values without a reload."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from PIL import Image

from wanghua.dashboard import services
from wanghua.org.models import Unit, UnitKind

from .conftest import login

pytestmark = pytest.mark.browser
TEAMS_SHOWN = "() => document.querySelector(`.fig[data-key='civic.volunteer_teams'] b`).textContent === '1'"


def outline(n: int) -> dict:
    return {"type": "Polygon", "coordinates": [[[n, 0], [n + 1, 0], [n + 1, 1], [n, 1], [n, 0]]]}


def test_board_drills_down_to_its_records(live_world, live_server, page, make_user):
    leader = make_user("leader", "leader", region=live_world.district)
    services.set_targets(leader, timezone.localdate().year, {"org.communities": Decimal(4)})
    services.refresh_indicators()
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/goals/")
    page.wait_for_selector("#chart-flower[data-chart-ready='1']")
    row = page.locator("tr[data-indicator='org.communities']")
    assert row.get_attribute("data-status") == "red"  # 3 of a target of 4
    assert row.locator(".value").inner_text() == "3"
    row.locator("a.drill").click()
    page.wait_for_url("**/org/regions/?**")
    for name in ("甲社区", "乙社区", "丙社区"):
        assert page.get_by_role("link", name=name, exact=True).is_visible()


def test_big_screen_at_1920_by_1080(live_world, live_server, browser, make_user, tmp_path):
    make_user("leader", "leader", region=live_world.district)
    for n, street in enumerate((live_world.street1, live_world.street2)):
        street.geojson = outline(n)
        street.save()
    services.refresh_indicators()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    screen = context.new_page()
    screen.set_default_timeout(30000)
    login(screen, live_server.url, "leader")
    screen.goto(f"{live_server.url}/screen/?rotate=2&poll=2")
    screen.wait_for_selector("#stage[data-ready='1']")
    screen.wait_for_selector("#district-map[data-chart-ready='1']")
    assert screen.locator("#district-map").get_attribute("data-features") == "2"
    assert screen.locator(".fig[data-key='services.stations'] b").inner_text() == "0"
    box = screen.locator("#stage").bounding_box()
    assert (box["width"], box["height"]) == (1920, 1080)  # the stage fills the screen exactly
    panel = screen.locator("#panel-civic").bounding_box()
    assert panel["y"] + panel["height"] <= 1080 and panel["x"] + panel["width"] <= 1920
    shot = screen.screenshot(path=str(tmp_path / "screen.png"))
    image = Image.open(BytesIO(shot))
    assert image.size == (1920, 1080)
    colours = image.convert("RGB").resize((192, 108)).getcolors(maxcolors=192 * 108)
    assert len(colours) > 200  # drawn, not a blank page
    screen.wait_for_function("() => document.getElementById('stage').dataset.slide === '1'")  # rotated to the goals
    # New records and a refresh reach the screen through polling, without a reload.
    teams = screen.locator(".fig[data-key='civic.volunteer_teams'] b")
    assert teams.inner_text() == "0"
    Unit.objects.create(code="vt-1", name="甲社区志愿服务队", kind=UnitKind.VOLUNTEER_TEAM,
                        region=live_world.community1)
    services.refresh_indicators()
    screen.wait_for_function(TEAMS_SHOWN)
    assert int(screen.locator("#stage").get_attribute("data-polls")) >= 1
    context.close()
