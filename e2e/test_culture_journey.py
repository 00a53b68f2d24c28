"""雷锋文化 in the browser: a visitor scans a plaque on a phone; a nomination goes from a resident through the
community, the street and the 文明办 to a 公示 that draws an objection, answered, and recognition; a volunteer
checks out, earns points and redeems them at the 积分超市 on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.culture.conftest import build_culture, served
from wanghua.civic.models import Activity, SignUp
from wanghua.culture import services
from wanghua.culture.models import Nomination, NominationStatus, PointsAccount, SiteVisit

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_visitor_scans_a_plaque_on_a_phone(live_world, live_server, phone, make_user):
    culture = build_culture(live_world, make_user)
    phone.goto(live_server.url + culture.site.plaque_url())
    phone.wait_for_selector("#plaque[data-visit='counted']")
    assert "雷锋营房旧址" in phone.locator("h1").inner_text()
    assert phone.locator("#visit-note").inner_text() == "感谢您的参观。"
    phone.reload()
    phone.wait_for_selector("#plaque[data-visit='seen']")  # the same phone, the same day: one visit
    assert SiteVisit.objects.filter(site=culture.site).count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _approve(page, base: str, username: str, nomination: Nomination) -> None:
    page.context.clear_cookies()
    login(page, base, username)
    page.goto(base + nomination.get_absolute_url())
    page.get_by_placeholder("审核意见（选填）").fill("同意")
    page.locator("#step-approve").click()
    page.wait_for_load_state()


def test_a_nomination_from_a_resident_to_recognition(live_world, live_server, page, phone, make_user):
    build_culture(live_world, make_user)  # the reviewers of 甲社区, 一街道 and the 文明办
    base = live_server.url
    login(page, base, "res1")
    page.goto(f"{base}/culture/nominations/new/")
    page.get_by_label("被推荐人", exact=True).fill("王热心")
    page.get_by_label("被推荐人所在村/社区").select_option(label="甲社区")
    page.get_by_label("类别").select_option(label="助人为乐")
    page.get_by_label("事迹日期").fill("2025-06-01")
    page.locator("#nomination-form button[type=submit]").click()
    assert "请填写先进事迹" in page.locator("#nomination-form").inner_text()  # no deed: refused, nothing stored
    assert Nomination.objects.count() == 0
    page.get_by_label("先进事迹").fill("连续十年照顾孤寡老人。")
    page.locator("#nomination-form button[type=submit]").click()
    page.wait_for_url("**/culture/nominations/*/")
    nomination = Nomination.objects.get()
    for username in ("sec1", "street1", "wmb"):
        _approve(page, base, username, nomination)
    assert page.locator("#status").inner_text() == "公示中"
    phone.goto(f"{base}/culture/honour/")  # anyone, without an account, objects during the 公示
    notice = phone.locator(f"#notice-{nomination.pk}")
    notice.get_by_placeholder("您的异议").fill("时间与事实不符")
    notice.get_by_role("button", name="提出异议").click()
    phone.wait_for_load_state()
    assert "异议已收到" in phone.locator("main").inner_text()
    page.reload()
    page.locator("#step-recognise").click()  # too early: the 公示 runs on
    assert "公示至" in page.locator("main").inner_text()
    page.get_by_placeholder("答复").fill("经核实，事迹属实")
    page.locator(".answer-button").click()
    page.wait_for_load_state()
    Nomination.objects.filter(pk=nomination.pk).update(publicity_ends=timezone.localdate() - timedelta(days=1))
    page.reload()
    page.locator("#step-recognise").click()
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "已认定"
    assert Nomination.objects.get().status == NominationStatus.RECOGNISED
    phone.goto(f"{base}/culture/honour/")
    assert "王热心" in phone.locator("#recognised").inner_text()


def test_a_volunteer_checks_out_earns_and_redeems_on_a_phone(live_world, live_server, phone, make_user):
    culture = build_culture(live_world, make_user)
    starts = timezone.now() - timedelta(hours=3)
    activity = Activity.objects.create(team=culture.team, title="学雷锋便民服务", community=live_world.community1,
                                       place="社区广场", starts_at=starts, ends_at=starts + timedelta(hours=4),
                                       capacity=10)
    SignUp.objects.create(activity=activity, person=culture.person, checked_in_at=starts)
    base = live_server.url
    login(phone, base, "volunteer1")
    phone.goto(f"{base}/civic/activities/{activity.pk}/")
    phone.locator("#check-out").click()
    phone.wait_for_selector("#served")
    phone.goto(f"{base}/culture/me/")
    assert phone.locator("#balance").inner_text() == "0"
    phone.locator("#collect").click()
    phone.wait_for_load_state()
    assert phone.locator("#balance").inner_text() == "30"  # 3 h × 10 分
    assert "学雷锋便民服务" in phone.locator("#entries").inner_text()
    phone.locator("#shelf .redeem[data-goods='洗衣液']").click()
    phone.wait_for_load_state()
    assert phone.locator("#balance").inner_text() == "0"
    phone.locator("#shelf .redeem[data-goods='洗衣液']").click()  # nothing left to spend: refused in Chinese
    assert "余额" in phone.locator("#error").inner_text()
    assert PointsAccount.objects.get(person=culture.person).balance == 0
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_culture_map_draws_the_sites_and_routes(live_world, live_server, page, make_user):
    from tests.culture.conftest import point_in
    from wanghua.culture import services

    culture = build_culture(live_world, make_user)
    longitude, latitude = point_in(live_world.community1, "3")
    second = services.create_site(culture.office, name="雷锋汇款银行旧址", address="新华路2号",
                                  community=live_world.community1, longitude=longitude, latitude=latitude,
                                  story="雷锋给灾区战友汇款的银行。", source="区志")
    services.create_route(culture.office, name="雷锋足迹研学路线", sites=[culture.site, second])
    login(page, live_server.url, "wmb")
    page.goto(f"{live_server.url}/culture/map/")
    page.wait_for_selector("#culture-map[data-chart-ready='1']")
    assert page.locator("#culture-map").get_attribute("data-sites-shown") == "2"
    assert page.locator("#culture-map canvas").count() >= 1


def test_a_volunteer_opens_their_certificate_on_a_phone_and_no_one_else_does(live_world, live_server, phone,
                                                                          make_user):
    culture = build_culture(live_world, make_user)
    served(culture.person, culture.team, live_world.community1, "2")
    certificate = services.issue_certificate(culture.volunteer)
    base = live_server.url
    login(phone, base, "volunteer1")
    phone.goto(f"{base}/culture/me/")
    href = phone.get_by_role("link", name=certificate.number).get_attribute("href")
    answer = phone.context.request.get(base + href)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    make_user("volunteer2", "volunteer", unit=culture.team)
    phone.context.clear_cookies()
    login(phone, base, "volunteer2")
    assert phone.context.request.get(base + href).status == 404
