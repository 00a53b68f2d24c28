"""登录日志 and 在线用户 name the browser and device instead of showing the raw user-agent."""

from wanghua.core.devices import describe

ANDROID = ("Mozilla/5.0 (Linux; Android 13; V2307A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 "
           "Mobile Safari/537.36")


def test_a_user_agent_reads_as_browser_system_and_device():
    assert describe(ANDROID) == "Chrome Mobile 116 · Android 13 · V2307A"
    assert describe("") == "" and describe("curl/8.5.0") == "curl 8.5"


def test_the_login_log_shows_the_device_not_the_string(world, make_user, client_for, client):
    make_user("ua-user", "street", region=world.street1)
    client.post("/accounts/login/", {"username": "ua-user", "password": "Pass-word-123"}, HTTP_USER_AGENT=ANDROID)
    admin = client_for(make_user("ua-admin", is_superuser=True))
    html = admin.get("/system/logins/").content.decode()
    assert "Chrome Mobile 116 · Android 13 · V2307A" in html and "AppleWebKit" not in html
