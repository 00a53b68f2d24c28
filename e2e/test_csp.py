"""The Content-Security-Policy in a real browser: the pages that had inline scripts and handlers work under it,
and the fixtures' violation check does see a violation (so a clean journey means something)."""

import pytest

from .conftest import login

pytestmark = pytest.mark.browser


def test_the_fixtures_catch_a_violation(live_world, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.ran = 1";
                              document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None  # the inline script did not run
    assert any("script-src" in v for v in page.csp_violations), page.csp_violations
    page.csp_violations.clear()  # seen on purpose: not this test's failure


def test_former_inline_behaviours_work_under_the_policy(live_world, live_server, page, make_user):
    make_user("leader", "leader", region=live_world.district)
    response = page.goto(f"{live_server.url}/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/org/regions/tree/")  # the tree's toggle icon was an onclick
    toggle = page.locator("li[data-region='T00'] > button.toggle")
    toggle.click()
    page.wait_for_selector("li[data-region='T01']")
    assert "bi-dash-square" in toggle.locator("i").get_attribute("class")
    with page.expect_navigation():
        page.locator("select[name='language']").select_option("en")  # submitted on change: an onchange before
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_admin_site_and_the_api_docs_keep_to_the_policy(live_world, live_server, page, make_user):
    make_user("root", is_superuser=True, is_staff=True)
    login(page, live_server.url, "root")
    for path in ("/admin/", "/admin/org/region/", f"/admin/org/region/{live_world.district.pk}/change/",
                 "/admin/core/auditentry/", "/api/v1/docs"):
        page.goto(f"{live_server.url}{path}")  # waits for "load": every script and style has been applied
    # Swagger UI draws the spec it fetched (networkidle, waited for before, never came on a loaded CI machine).
    page.wait_for_selector("#swagger-ui .info")
    # The fixture fails this test if any of these pages met a violation.
