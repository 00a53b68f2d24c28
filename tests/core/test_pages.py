"""The UI shell: login with throttling, password change, lists with filters and Excel export,
friendly error pages, online users and the login log."""

from io import BytesIO

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook

from wanghua.core.models import LoginEvent


@pytest.fixture
def staff(world, make_user):
    return make_user("st", "street", region=world.street1)


def test_login_logs_and_redirects_home(staff):
    client = Client()
    response = client.post("/accounts/login/", {"username": "st", "password": "Pass-word-123"},
                           HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    assert response.status_code == 302 and response["Location"] == "/"
    event = LoginEvent.objects.get(success=True, event="login")
    assert event.username == "st" and event.ip == "127.0.0.1" and "iPhone" in event.user_agent
    assert client.get("/").status_code == 200


def test_anonymous_pages_redirect_to_login(db):
    response = Client().get("/org/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_login_throttling_locks_after_five_failures(staff):
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "st", "password": "wrong"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    locked = client.post("/accounts/login/", {"username": "st", "password": "Pass-word-123"})
    assert locked.status_code == 429  # even the right password waits out the cool-off
    assert LoginEvent.objects.filter(username="st", success=False).count() >= 5


def test_wrong_password_gets_a_form_error(staff):
    response = Client().post("/accounts/login/", {"username": "st", "password": "wrong"})
    assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()


def test_password_change(argon2_passwords, staff, client_for):
    client = client_for(staff)
    weak = client.post("/accounts/password/", {"old_password": "Pass-word-123", "new_password1": "123",
                                               "new_password2": "123"})
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    ok = client.post("/accounts/password/", {"old_password": "Pass-word-123", "new_password1": "Qiang-mima-2026",
                                             "new_password2": "Qiang-mima-2026"})
    assert ok.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("Qiang-mima-2026") and staff.password.startswith("argon2")


def test_list_filters_and_pagination(world, staff, client_for):
    client = client_for(staff)
    page = client.get("/org/regions/", {"level": "community"})
    body = page.content.decode()
    assert page.status_code == 200 and "甲社区" in body and "乙社区" in body and "一街道</a>" not in body
    bad = client.get("/org/regions/", {"level": "planet"})
    assert bad.status_code == 400 and "选择一个有效的选项" in bad.content.decode()
    assert client.get("/org/regions/", {"page": 99}).status_code == 404


def test_excel_export_honours_filters_and_visibility(world, staff, client_for):
    response = client_for(staff).get("/org/people/", {"format": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名/名称", "性别", "身份证号")
    assert [r[0] for r in rows[1:]] == ["张甲"]  # 李丙 lives outside street 1
    assert rows[1][2] == "2104**********1236"  # exports are masked too
    assert "attachment" in response["Content-Disposition"]


def test_export_needs_export_permission(world, make_user, client_for):
    agent = make_user("agent", "agent", region=world.community1)
    client = client_for(agent)
    assert client.get("/org/people/").status_code == 200
    assert client.get("/org/people/", {"format": "xlsx"}).status_code == 403


@override_settings(DEBUG=False)
def test_friendly_error_pages(world, staff, client_for):
    client = client_for(staff)
    missing = client.get("/org/people/999999/")
    assert missing.status_code == 404 and "页面或记录不存在" in missing.content.decode()
    forbidden = client.get("/system/sessions/")
    assert forbidden.status_code == 403 and "您无权打开此页面" in forbidden.content.decode()


def test_form_errors_are_400_and_change_nothing(world, staff, client_for):
    response = client_for(staff).post(f"/org/people/{world.person1.pk}/edit/",
                                      {"name": "", "region": world.community1.pk, "id_number": "123"})
    assert response.status_code == 400
    world.person1.refresh_from_db()
    assert world.person1.name == "张甲"


def test_online_users_and_forced_logout(world, make_user, client_for):
    admin = make_user("admin", is_superuser=True)
    victim = Client()
    make_user("victim", "street", region=world.street1)
    victim.post("/accounts/login/", {"username": "victim", "password": "Pass-word-123"})
    assert victim.get("/org/people/").status_code == 200
    admin_client = client_for(admin)
    page = admin_client.get("/system/sessions/")
    sessions = [s for s in page.context["sessions"] if s.username == "victim"]
    assert len(sessions) == 1 and sessions[0].ip == "127.0.0.1"
    assert admin_client.post(f"/system/sessions/{sessions[0].key_prefix}/end/").status_code == 302
    assert victim.get("/org/people/").status_code == 302


def test_login_log_page(world, make_user, client_for, staff):
    Client().post("/accounts/login/", {"username": "st", "password": "wrong"})
    leader = make_user("leader", "leader", region=world.district)
    page = client_for(leader).get("/system/logins/", {"success": "false"})
    assert page.status_code == 200 and "st" in page.content.decode()


def test_org_pages_render(world, staff, client_for):
    client = client_for(staff)
    for url in ["/", "/goals/", "/zones/core/", "/org/regions/tree/", f"/org/regions/{world.street1.pk}/children/",
                f"/org/regions/{world.community1.pk}/", f"/org/units/{world.enterprise1.pk}/", "/org/units/",
                "/org/assignments/", "/org/roles/", "/accounts/tokens/", "/org/people/new/", "/overview/chart.json"]:
        assert client.get(url).status_code == 200, url
