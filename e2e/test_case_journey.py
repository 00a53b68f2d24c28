"""A 创城 case through every stage in a real browser: the grid inspector reports it on a phone, the command
centre accepts and dispatches it, the unit handles it, verification fails (返工), the unit handles it again, the
command centre closes it; the resident's follow-up link shows it closed."""

import pytest

from wanghua.civic.models import Case, CaseCategory

from .conftest import login

pytestmark = pytest.mark.browser


def test_case_through_every_stage_with_rework(live_world, live_server, page, phone, make_user):
    w = live_world
    main = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    CaseCategory.objects.create(code="road-occupation", name="占道经营", kind="event", parent=main, default_unit=w.dept)
    make_user("wangge", "grid", region=w.grid1)
    make_user("zhihui", "command", region=w.district)
    make_user("chengguan", "department", unit=w.dept)

    login(phone, live_server.url, "wangge")
    phone.goto(f"{live_server.url}/civic/cases/report/")
    phone.locator("select[name=category]").select_option(label="街面秩序 · 占道经营")
    phone.locator("select[name=community]").select_option(label=w.grid1.name)
    phone.locator("input[name=address]").fill("丹东路12号")
    phone.locator("textarea[name=description]").fill("早市摊贩占用人行道")
    phone.get_by_role("button", name="上报").click()
    phone.wait_for_selector("#status[data-status='reported']")
    case = Case.objects.get()

    def as_user(username):
        page.context.clear_cookies()
        login(page, live_server.url, username)
        page.goto(f"{live_server.url}/civic/cases/{case.pk}/")

    def status_is(value):
        page.wait_for_selector(f"#status[data-status='{value}']")

    as_user("zhihui")
    page.locator("#accept").click()
    status_is("accepted")
    page.locator("#dispatch").click()  # the category's usual unit is preselected
    status_is("dispatched")

    as_user("chengguan")
    page.locator("input[name=note]").fill("已劝离摊贩")
    page.locator("#handle").click()
    status_is("handled")

    as_user("zhihui")
    page.locator("input[name=note]").fill("摊贩又回来了")
    page.locator("#rework").click()
    status_is("dispatched")

    as_user("chengguan")
    page.locator("input[name=note]").fill("设置隔离栏，落实门前三包")
    page.locator("#handle").click()
    status_is("handled")

    as_user("zhihui")
    page.locator("#close").click()
    status_is("closed")
    steps = page.locator("#journal li").evaluate_all("items => items.map(i => i.dataset.step)")
    assert steps == ["report", "accept", "dispatch", "handle", "rework", "handle", "close"]

    w.community1.geojson = {"type": "Polygon", "coordinates": [[[123.8, 41.8], [123.81, 41.8], [123.81, 41.81],
                                                                 [123.8, 41.81], [123.8, 41.8]]]}
    w.community1.save()  # the grid's case counts for its community on the map
    page.goto(f"{live_server.url}/civic/cases/map/")
    page.wait_for_selector("#case-map[data-chart-ready='1'][data-features='1']")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/civic/follow/{case.public_token}/")
    assert page.locator("#public-status").get_attribute("data-status") == "closed"
