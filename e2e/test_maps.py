"""The maps in a real browser, on the real district outline's areas (ECharts geo, no tiles): the overview names
the towns/streets with their figures; the command centre's case map clusters points, lays a heat layer and opens
a case on click; the public case map shows cases without anyone's details; a resident drops a pin (or uses the
phone's GPS), is warned of the same problem nearby and says 我也遇到."""

from decimal import Decimal

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from wanghua.civic.models import Case, CaseCategory
from wanghua.civic.services import cases
from wanghua.demo import geography

from .conftest import login

pytestmark = pytest.mark.browser
HEPING, TAYU = "210404004", "210404101"  # 和平街道, 塔峪镇: their schematic areas inside the real outline


def chart_option(page, selector: str):
    return page.evaluate(f"() => echarts.getInstanceByDom(document.querySelector('{selector}')).getOption()")


def series(option, series_id: str) -> list:
    return next(s for s in option["series"] if s.get("id") == series_id)["data"]


def pixel_of(page, selector: str, lon: float, lat: float, finder: str = "{geoIndex: 0}") -> tuple[float, float]:
    """Where a coordinate is drawn on the page (the chart's own projection), with the chart scrolled into view
    (a home with notices and counts above it puts the map below the fold)."""
    page.locator(selector).scroll_into_view_if_needed()
    x, y = page.evaluate(f"() => echarts.getInstanceByDom(document.querySelector('{selector}'))"
                         f".convertToPixel({finder}, [{lon}, {lat}])")
    box = page.locator(selector).bounding_box()
    return box["x"] + x, box["y"] + y


@pytest.fixture
def mapped(live_world):
    """The test world drawn on the real district: 一街道 over 和平街道's area, 二街道 over 塔峪镇's."""
    w = live_world
    areas = geography.street_areas()
    for street, community, code in ((w.street1, w.community1, HEPING), (w.street2, w.community3, TAYU)):
        street.geojson = community.geojson = geography.as_geojson(areas[code])
        street.save()
        community.save()
    main = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    sub = CaseCategory.objects.create(code="road-occupation", name="占道经营", kind="event", parent=main)
    w.sub = sub
    w.inside = {code: areas[code].representative_point() for code in (HEPING, TAYU)}
    return w


def _case(world, community, point, d_lon=0.0, note="早市摊贩占道"):
    return cases.report_case(None, source="resident", category=world.sub, description=note, community=community,
                             lat=Decimal(f"{point.y:.6f}"), lon=Decimal(f"{point.x + d_lon:.6f}"),
                             reporter_name="王秀英", reporter_phone="13912345678")


def test_the_overview_names_every_street_with_its_figures(mapped, live_server, page, make_user):
    make_user("leader", "leader", region=mapped.district)
    login(page, live_server.url, "leader")
    page.wait_for_selector("#district-map[data-chart-ready='1']")
    data = chart_option(page, "#district-map")["series"][0]["data"]
    assert sorted((d["label"], d["communities"]) for d in data) == [("一街道", 2), ("二街道", 1)]
    assert chart_option(page, "#district-map")["series"][0]["label"]["show"] is True
    x, y = pixel_of(page, "#district-map", mapped.inside[HEPING].x, mapped.inside[HEPING].y, "{seriesIndex: 0}")
    page.mouse.move(x, y)
    page.wait_for_selector("text=村（社区） 2")  # the hover shows the street's figures
    assert "示意" in page.content()


def test_the_case_map_clusters_heats_and_opens_a_case(mapped, live_server, page, make_user):
    make_user("zhihui", "command", region=mapped.district)
    for step in range(3):  # three reports a few metres apart: one cluster at the district's zoom
        _case(mapped, mapped.community1, mapped.inside[HEPING], d_lon=step * 0.00005)
    lone = _case(mapped, mapped.community3, mapped.inside[TAYU])
    login(page, live_server.url, "zhihui")
    page.goto(f"{live_server.url}/civic/cases/map/")
    page.wait_for_selector("#case-map[data-chart-ready='1'][data-points='4']")
    option = chart_option(page, "#case-map")
    assert [c["value"][2] for c in series(option, "clusters")] == [3]
    assert [p["point"]["number"] for p in series(option, "points")] == [lone.number]
    assert series(option, "heat") == []
    page.locator("#heat-toggle").check()
    page.wait_for_function("() => echarts.getInstanceByDom(document.querySelector('#case-map')).getOption()"
                           ".series.find((s) => s.id === 'heat').data.length === 4")
    page.locator("select[name=status]").select_option("closed")
    page.get_by_role("button", name="显示").click()
    page.wait_for_selector("#case-map[data-chart-ready='1'][data-points='0']")
    page.goto(f"{live_server.url}/civic/cases/map/")
    page.wait_for_selector("#case-map[data-chart-ready='1'][data-points='4']")
    page.mouse.click(*pixel_of(page, "#case-map", float(lone.lon), float(lone.lat)))
    page.wait_for_url(f"**/civic/cases/{lone.pk}/")


def test_the_public_case_map_shows_cases_but_nobody(mapped, live_server, page):
    _case(mapped, mapped.community1, mapped.inside[HEPING])
    page.goto(f"{live_server.url}/civic/map/")
    page.wait_for_selector("#public-map[data-chart-ready='1'][data-points='1']")
    (point,) = series(chart_option(page, "#public-map"), "points")
    assert (point["point"]["category"], point["point"]["status_label"]) == ("街面秩序", "已受理")
    assert "王秀英" not in str(point) and "早市" not in str(point)
    assert page.locator("#public-legend").inner_text().strip() == "已受理"


def test_a_resident_drops_a_pin_and_joins_the_same_problem(mapped, live_server, phone, tmp_path):
    spot = mapped.inside[HEPING]
    existing = _case(mapped, mapped.community1, spot)
    phone.goto(f"{live_server.url}/civic/report/")
    phone.wait_for_selector("#pin-map[data-chart-ready='1']")
    phone.locator("select[name=category]").select_option(label="街面秩序 · 占道经营")
    phone.evaluate(f"() => echarts.getInstanceByDom(document.querySelector('#pin-map'))"  # zoomed in, as a
                   f".setOption({{geo: {{center: [{spot.x}, {spot.y}], zoom: 30}}}})")  # resident pinches to it
    pinned = phone.locator("#pin-map[data-pinned='1']")
    for _ in range(3):  # a busy machine may still be drawing the zoom when the tap lands: tap again, as people do
        phone.mouse.click(*pixel_of(phone, "#pin-map", spot.x, spot.y))
        try:
            pinned.wait_for(timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    pinned.wait_for()
    lat, lon = (float(phone.locator(f"input[name={n}]").input_value()) for n in ("lat", "lon"))
    assert abs(lat - spot.y) < 0.0002 and abs(lon - spot.x) < 0.0002  # within ~20 m
    assert len(series(chart_option(phone, "#pin-map"), "pin")) == 1
    phone.wait_for_selector("#nearby-warning")
    assert "附近已有同类问题" in phone.locator("#nearby-warning").inner_text()
    phone.locator("#nearby-warning .me-too").click()
    assert phone.locator("input[name=same_as]").input_value() == existing.number
    phone.locator("input[name=address]").fill("和平路12号")
    phone.locator("textarea[name=description]").fill("人行道又被摊位占了")
    phone.screenshot(path=str(tmp_path / "pin-drop.png"), full_page=True)
    phone.locator("#send").click()
    phone.wait_for_url("**/civic/follow/**")
    joined = Case.objects.get(description="人行道又被摊位占了")
    assert joined.community == mapped.community1 and existing.number in joined.events.get(step="report").note


def test_the_phones_gps_places_the_pin(mapped, live_server, browser):
    spot = mapped.inside[TAYU]
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  geolocation={"latitude": spot.y, "longitude": spot.x}, permissions=["geolocation"])
    phone = context.new_page()
    phone.set_default_timeout(30000)
    phone.goto(f"{live_server.url}/civic/report/")
    phone.wait_for_selector("#pin-map[data-chart-ready='1']")
    phone.locator("#use-gps").click()
    phone.wait_for_selector("#pin-map[data-pinned='1']")
    assert float(phone.locator("input[name=lat]").input_value()) == pytest.approx(spot.y, abs=1e-6)
    assert float(phone.locator("input[name=lon]").input_value()) == pytest.approx(spot.x, abs=1e-6)
    context.close()
