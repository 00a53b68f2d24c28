"""The main journeys of the foundation in a real browser: log in, find your way, browse the
region tree, export a list to Excel, switch language, log out."""


import pytest
from openpyxl import load_workbook

from .conftest import login

pytestmark = pytest.mark.browser


def test_login_navigation_and_logout(live_world, live_server, page, make_user):
    make_user("st", "street", region=live_world.street1)
    login(page, live_server.url, "st")
    assert page.get_by_role("heading", name="一核一带三区").is_visible()
    page.wait_for_selector("#chart-communities[data-chart-ready='1']")  # ECharts drew the chart
    page.get_by_role("button", name="组织机构").click()
    page.get_by_role("link", name="人员").click()
    page.wait_for_url("**/org/people/")
    assert page.get_by_role("link", name="张甲").is_visible()
    assert page.get_by_text("李丙").count() == 0  # outside street 1
    page.locator("#account-menu").click()
    page.locator("#logout").click()
    page.wait_for_url("**/accounts/login/")


def test_wrong_password_shows_a_chinese_error(live_world, live_server, page, make_user):
    make_user("st", "street", region=live_world.street1)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("st")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.locator(".alert-danger").inner_text().startswith("请输入一个正确的")


def test_region_tree_expands_on_demand(live_world, live_server, page, make_user):
    make_user("leader", "leader", region=live_world.district)
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/org/regions/tree/")
    district = page.locator("li[data-region='T00']")
    district.locator("> button.toggle").click()
    street = page.locator("li[data-region='T01']")
    street.wait_for()
    street.locator("> button.toggle").click()
    page.locator("li[data-region='T0101']").wait_for()
    page.get_by_role("link", name="甲社区", exact=True).click()
    page.wait_for_url(f"**/org/regions/{live_world.community1.pk}/")
    assert page.get_by_role("heading", name="甲社区").is_visible()


def test_excel_export_downloads_the_filtered_list(live_world, live_server, page, make_user, tmp_path):
    make_user("leader", "leader", region=live_world.district)
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/org/regions/?level=community")
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    names = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["丙社区", "乙社区", "甲社区"]


def test_pii_reveal_and_language_switch(live_world, live_server, page, make_user):
    make_user("sec", "secretary", region=live_world.community1)
    login(page, live_server.url, "sec")
    page.goto(f"{live_server.url}/org/people/{live_world.person1.pk}/")
    assert page.locator("#pii-phone").inner_text() == "139****5678"
    page.locator("#pii-phone + button").click()
    page.wait_for_function("() => document.querySelector('#pii-phone').innerText.includes('13912345678')")
    with page.expect_navigation():
        page.select_option(".language-switch select", "en")
    assert page.get_by_role("link", name="Edit").is_visible()
    assert page.get_by_text("Showing a full ID number or phone is recorded in the audit trail.").is_visible()


def test_phone_layout_collapses_the_menu(live_world, live_server, phone, make_user):
    make_user("agent", "agent", region=live_world.community1)
    login(phone, live_server.url, "agent")
    toggler = phone.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    assert phone.get_by_role("button", name="一核").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
