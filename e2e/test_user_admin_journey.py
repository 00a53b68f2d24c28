"""系统管理 › 用户管理 on a desktop: a street administrator creates an account of their street, gives it a role
whose data scope is custom (one chosen community), resets its password (confirming first), and the new user logs in
with that password and sees only the chosen community."""

import re

import pytest

from wanghua.core.models import User
from wanghua.org.models import Person

from .conftest import login

pytestmark = pytest.mark.browser


def test_street_admin_creates_a_custom_scoped_user_who_sees_only_that_scope(live_world, live_server, page, browser,
                                                                             make_user):
    w = live_world
    admin = make_user("street-admin", "street", region=w.street1)
    Person.objects.create(name="一街管理员", region=w.street1, user=admin)
    Person.objects.create(name="乙某", region=w.community2, phone="13900000002")
    login(page, live_server.url, "street-admin")

    page.get_by_role("button", name="系统").click()
    page.get_by_role("link", name="用户管理").click()
    page.wait_for_url("**/org/users/")
    page.locator("a[href='/org/users/new/']").click()
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("姓名/名称").fill("新办事员")
    page.get_by_label("区划", exact=True).select_option(label="甲社区")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("#new-password")
    assert "只显示这一次" in page.locator("#new-password").inner_text()
    clerk = User.objects.get(username="clerk")
    assert page.url.endswith("/org/users/new/") and clerk.person.region == w.community1

    page.goto(f"{live_server.url}/org/users/{clerk.pk}/")
    grant = page.locator("#grant-form")
    grant.get_by_label("角色").select_option(label="代办员")
    grant.get_by_label("区划", exact=True).select_option(label="一街道")
    grant.get_by_label("数据权限").select_option(label="自定义区划/单位")
    grant.get_by_label("自定义区划").select_option(label="甲社区")
    grant.get_by_role("button", name="授予").click()
    page.wait_for_url(f"**/org/users/{clerk.pk}/")
    roles = page.locator("table").first.inner_text()
    assert "代办员" in roles and "自定义区划/单位" in roles and "甲社区" in roles

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="重置密码").click()
    page.wait_for_selector("#new-password")
    assert asked and "确定重置该密码吗" in asked[0]
    password = page.locator("#new-password strong").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{14}", password)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    clerk_page = context.new_page()
    try:
        login(clerk_page, live_server.url, "clerk", password)
        clerk_page.goto(f"{live_server.url}/org/people/")
        listing = clerk_page.locator("main").inner_text()
        assert "张甲" in listing and "乙某" not in listing and "李丙" not in listing
        hidden = Person.objects.get(name="乙某")
        answer = clerk_page.goto(f"{live_server.url}/org/people/{hidden.pk}/")
        assert answer.status == 404
    finally:
        context.close()


def test_forced_logout_happens_only_once_confirmed(live_world, live_server, page, browser, make_user):
    make_user("sa", "sysadmin", region=live_world.district)
    make_user("victim", "street", region=live_world.street1)
    context = browser.new_context(locale="zh-CN")
    victim = context.new_page()
    try:
        login(victim, live_server.url, "victim")
        login(page, live_server.url, "sa")
        page.goto(f"{live_server.url}/system/sessions/")
        row = page.locator("tr", has_text="victim")
        page.once("dialog", lambda dialog: dialog.dismiss())
        row.get_by_role("button", name="强制退出").click()
        page.wait_for_timeout(300)
        assert victim.goto(f"{live_server.url}/org/people/").url.endswith("/org/people/")  # dismissed: still in
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.locator("tr", has_text="victim").get_by_role("button", name="强制退出").click()
        page.wait_for_url("**/system/sessions/")
        assert asked and "确定让 victim 立即退出登录吗" in asked[0]
        assert "/accounts/login/" in victim.goto(f"{live_server.url}/org/people/").url
    finally:
        context.close()
