"""An agent on a phone takes an errand from request to a balanced close and a follow-up."""

import pytest

from tests.stations.conftest import build_desk
from wanghua.stations.models import Errand, ErrandStatus

from .conftest import login

pytestmark = pytest.mark.browser


def test_agent_runs_an_errand_on_a_phone(live_world, live_server, phone, make_user):
    desk = build_desk(live_world, make_user)
    login(phone, live_server.url, "agent1")
    phone.goto(f"{live_server.url}/services/")
    phone.locator("#new-errand").click()
    phone.get_by_label("居民", exact=True).select_option(label="陈大娘")
    phone.get_by_label("类别", exact=True).select_option(label="生活费用代缴")
    phone.get_by_label("代办事项", exact=True).fill("代缴燃气费")
    phone.get_by_label("涉及代管居民钱款").check()
    phone.locator("#accept-errand").click()
    phone.wait_for_url("**/services/errands/*/")
    assert phone.locator("#errand-status").inner_text() == "受理"
    phone.locator("#step-start").click()
    phone.wait_for_selector("#step-complete")

    def record(kind: str, amount: str, receipt: str = "") -> None:
        phone.locator("#id_kind").select_option(label=kind)
        phone.locator("#id_amount").fill(amount)
        phone.locator("#id_receipt_no").fill(receipt)
        phone.locator("#ledger-add").click()
        phone.wait_for_load_state()

    record("收到居民钱款", "200")
    record("代为支付", "186.40", "RQ-0001")
    phone.get_by_placeholder("办理结果如何？").fill("已缴费")
    phone.locator("#step-complete").click()
    assert "收支未平衡" in phone.locator("#errand-error").inner_text()  # 13.60 still held
    record("退还余款", "13.60")
    assert phone.locator("#ledger-balance").inner_text() == "代管余额：0.00 元"
    phone.get_by_placeholder("办理结果如何？").fill("已缴费，余款已退")
    phone.locator("#step-complete").click()
    phone.wait_for_selector("#rate-5")
    phone.locator("#rate-5").click()
    phone.wait_for_selector("#errand-status")
    assert phone.locator("#errand-status").inner_text() == "已回访"
    errand = Errand.objects.get(description="代缴燃气费")
    assert errand.status == ErrandStatus.VISITED and errand.balance() == 0 and errand.satisfaction == 5
    assert errand.station == desk.station
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.goto(f"{live_server.url}/services/diary/")  # the day's diary lists it, with its money
    line = phone.locator("#diary-lines li").first
    assert "代缴燃气费" in line.inner_text() and "收 200.00 元" in line.inner_text()
    pdf = phone.request.get(live_server.url + phone.locator("#diary-pdf").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    phone.goto(f"{live_server.url}/services/statistics/")  # and the station statistics count it
    phone.wait_for_selector("#chart-station[data-chart-ready='1']")
    assert phone.locator("#summary .h4").first.inner_text() == "1"
