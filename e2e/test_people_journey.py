"""Phone journeys of the proxy service's people: the agent finds or registers a resident at the intake and voids
a wrong ledger line; the resident logs in and finds 我的 — their errands, reports and volunteer hours."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.stations.conftest import build_desk
from wanghua.civic.models import Activity, Case, CaseCategory, SignUp
from wanghua.civic.services.cases import report_case
from wanghua.org.models import Person, Unit, UnitKind
from wanghua.stations import services
from wanghua.stations.models import Errand, LedgerEntry, Resident

from .conftest import login

pytestmark = pytest.mark.browser


def fits(phone) -> bool:
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_agent_finds_adds_a_resident_and_voids_a_wrong_line(live_world, live_server, phone, make_user):
    desk = build_desk(live_world, make_user)
    login(phone, live_server.url, "agent1")
    phone.goto(f"{live_server.url}/services/errands/new/")
    phone.locator("#who").fill("1111")  # the last digits of 陈大娘's phone
    phone.locator("#find-resident").click()
    match = phone.locator("#resident-matches a").first
    assert "陈大娘" in match.inner_text() and "135****1111" in match.inner_text()
    phone.locator("#who").fill("赵奶奶")  # nobody yet: the quick add opens, prefilled
    phone.locator("#find-resident").click()
    phone.wait_for_selector("#no-match")
    assert phone.locator("#quick-add").get_attribute("open") is not None
    assert phone.locator("#id_new-name").input_value() == "赵奶奶"
    phone.locator("#id_new-phone").fill("13900002222")
    phone.locator("#quick-add-save").click()
    phone.wait_for_url("**/services/errands/new/?resident=*")
    resident = Resident.objects.get(name="赵奶奶")
    assert resident.station == desk.station
    assert phone.get_by_label("居民", exact=True).input_value() == str(resident.pk)
    phone.get_by_label("类别", exact=True).select_option(label="生活费用代缴")
    phone.get_by_label("代办事项", exact=True).fill("代缴水费")
    phone.get_by_label("涉及代管居民钱款").check()
    phone.locator("#accept-errand").click()
    phone.wait_for_url("**/services/errands/*/")
    phone.locator("#step-start").click()
    phone.wait_for_selector("#step-complete")
    phone.locator("#id_kind").select_option(label="收到居民钱款")
    phone.locator("#id_amount").fill("1000")  # meant 100
    phone.locator("#ledger-add").click()
    phone.wait_for_load_state()
    assert phone.locator("#ledger-balance").inner_text() == "代管余额：1000.00 元"
    wrong = LedgerEntry.objects.get(errand__resident=resident)
    phone.locator(f"#void-{wrong.pk}").click()
    phone.get_by_placeholder("错在哪里？").fill("多打了一个零")
    phone.locator(f"#void-confirm-{wrong.pk}").click()
    phone.wait_for_selector(f"#ledger-{wrong.pk} .badge")
    assert phone.locator("#ledger-balance").inner_text() == "代管余额：0.00 元"
    assert "已作废" in phone.locator(f"#ledger-{wrong.pk}").inner_text()
    assert "多打了一个零" in phone.locator("#ledger").inner_text()
    phone.locator("#id_amount").fill("100")
    phone.locator("#ledger-add").click()
    phone.wait_for_load_state()
    assert phone.locator("#ledger-balance").inner_text() == "代管余额：100.00 元"
    errand = Errand.objects.get(resident=resident)
    assert errand.balance() == Decimal("100.00") and errand.ledger.count() == 3  # nothing deleted
    assert fits(phone)
    phone.goto(f"{live_server.url}/services/statistics/")  # the pie's names in a legend, none cut at the edge
    phone.wait_for_selector("#chart-category[data-chart-ready='1']")
    assert phone.locator("#chart-category").get_attribute("data-chart-layout") == "legend"


def test_resident_sees_their_own_records_on_a_phone(live_world, live_server, phone, make_user):
    world = live_world
    desk = build_desk(world, make_user)
    user = make_user("chen", "resident", region=world.community1)
    person = Person.objects.create(name="陈大娘", region=world.community1, user=user)
    Resident.objects.filter(pk=desk.resident.pk).update(user=user)
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="代买降压药")
    services.start_errand(desk.agent, errand.pk)
    services.complete_errand(desk.agent, errand.pk, outcome="药已送到家")
    services.accept_errand(desk.other_agent, resident=desk.other_resident, category="shopping", description="别人的")
    parent = CaseCategory.objects.create(code="j1", name="市容环境", kind="event")
    category = CaseCategory.objects.create(code="j101", name="占道经营", kind="event", parent=parent)
    case = report_case(None, source="resident", category=category, description="小区门口占道",
                       community=world.community1)
    Case.objects.filter(pk=case.pk).update(reported_by=user)
    team = Unit.objects.create(code="vt-j", name="雷锋志愿服务队", kind=UnitKind.VOLUNTEER_TEAM,
                               region=world.community1)
    starts = timezone.now() - timedelta(days=2)
    activity = Activity.objects.create(team=team, title="助老送餐", community=world.community1, place="社区食堂",
                                       starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5)
    SignUp.objects.create(activity=activity, person=person, checked_in_at=starts,
                          checked_out_at=starts + timedelta(hours=2), hours=Decimal("2.00"))
    login(phone, live_server.url, "chen")
    assert phone.locator("h1").first.inner_text() == "我的"
    errands = phone.locator("#mine-errands")
    assert "代买降压药" in errands.inner_text() and "药已送到家" in errands.inner_text()
    assert "办结" in errands.inner_text() and "别人的" not in phone.content()
    reports = phone.locator("#mine-reports")
    assert "小区门口占道" in reports.inner_text() and "已上报" in reports.inner_text()
    hours = phone.locator("#mine-hours")
    assert "助老送餐" in hours.inner_text() and "累计 2.0 小时" in hours.inner_text()
    assert fits(phone)
    reports.locator("a").first.click()  # the report opens its follow page
    phone.wait_for_url(f"**/civic/follow/{case.public_token}/")
    assert case.number in phone.content()
