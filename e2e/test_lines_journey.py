"""一带 on the phone (issue 15): the operator acknowledges an alarm on its card and sees it change without a reload;
the production manager, from the home's counts, gives a stop its reason and cause location and shelves an alarm,
then brings it back."""

import json
import re

import pytest
from django.utils import timezone

from wanghua.industry.models import AlarmEvent, AlarmState, Stop
from wanghua.industry.simulator import install_line
from wanghua.industry.telemetry.decode import Message
from wanghua.industry.telemetry.pipeline import Pipeline

from .conftest import login
from .test_operator_journey import Feeder

pytestmark = pytest.mark.browser

TOPIC = "wanghua/v1/ent1/FT-BAR1/data"


def send(*values: tuple[float, dict]) -> None:
    """Readings `seconds` ago, through the ingest pipeline as the gateway sends them."""
    now = timezone.now()
    Pipeline().process([Message(json.dumps({"ts": (now - timezone.timedelta(seconds=ago)).isoformat(),
                                            "values": reading}).encode(), TOPIC) for ago, reading in values])


def home_count(phone, label: str) -> int:
    card = phone.locator("#todos a", has_text=label)
    return int(card.locator(".h4").inner_text())


def test_operator_acknowledges_on_the_card_and_it_changes_at_once(live_world, live_server, phone, make_user):
    install_line(live_world.enterprise1, "FT-BAR1", "精品汽车钢生产线")
    make_user("op", "operator", unit=live_world.enterprise1, display_name="周师傅")
    feeder = Feeder("FT-BAR1")
    feeder.extra = {"finish_current": 955}  # the finishing mill over its HIHI limit
    feeder.start()
    try:
        login(phone, live_server.url, "op")
        phone.goto(f"{live_server.url}/industry/lines/FT-BAR1/")
        alarm = phone.locator("#current-alarms [data-alarm]", has_text="精轧主电机严重过流")
        alarm.locator("button", has_text="确认").wait_for()
        assert alarm.locator(".alarm-state").inner_text().strip() == "未确认"
        assert alarm.locator(".alarm-trip-value").inner_text().strip() == "955"  # the value it tripped at
        phone.evaluate("window.__notReloaded = true")
        alarm.locator("button", has_text="确认").click()
        phone.wait_for_selector("#live-feedback .text-success")
        # The row reads 已确认 and has no 确认 button, with no reload.
        phone.wait_for_function("""() => {
            const row = [...document.querySelectorAll('#current-alarms [data-alarm]')]
              .find((el) => el.innerText.includes('精轧主电机严重过流'));
            return row && row.querySelector('.alarm-state').innerText.trim() === '已确认'
              && ![...row.querySelectorAll('button')].some((b) => b.innerText.trim() === '确认');
        }""", timeout=10000)
        assert phone.evaluate("window.__notReloaded") is True
        assert AlarmEvent.objects.filter(kind="acked", user__username="op").count() == 1
        # The sparklines read Beijing time whatever the phone's own zone (this browser runs in UTC).
        phone.wait_for_selector("#sparklines[data-ready='1']")
        assert phone.get_attribute("#sparklines", "data-time-zone") == "Asia/Shanghai"
        assert phone.evaluate("timeFormatter('Asia/Shanghai')(Date.UTC(2026, 0, 1, 2, 15))") == "10:15"
        assert phone.evaluate("[shortNumber(12345.6), shortNumber(1181.4), shortNumber(16.129)]") == ["12k", "1181",
                                                                                                     "16.13"]
        # The history names the person who acknowledged it.
        phone.goto(f"{live_server.url}/industry/alarms/?kind=acked")
        assert "周师傅" in phone.locator("table").inner_text()
    finally:
        feeder.stop.set()
        feeder.join(5)


def test_plant_manager_attributes_a_stop_and_shelves_an_alarm_on_the_phone(live_world, live_server, phone,
                                                                           make_user):
    install_line(live_world.enterprise1, "FT-BAR1", "精品汽车钢生产线")
    make_user("pm", "plant_manager", unit=live_world.enterprise1, display_name="何主管")
    # A fault stop of six minutes with no alarm to locate it, then an overcurrent that stays.
    send((900, {"status": "running"}), (890, {"status": "fault"}), (530, {"status": "running"}),
         (60, {"finish_current": 955, "status": "running"}))
    stop = Stop.objects.get()
    assert stop.location is None and stop.reason == ""
    base = live_server.url
    login(phone, base, "pm")

    # The home counts the stop nobody has attributed; the count opens it as a card with the reason control.
    assert home_count(phone, "未填原因或位置的停机") == 1
    phone.locator("#todos a", has_text="未填原因或位置的停机").click()
    card = phone.locator(f"[data-stop='{stop.pk}']")
    card.locator("summary", has_text="填写原因").click()
    card.locator("select[name=reason]").select_option("设备故障")
    card.locator("input[name=detail]").fill("精轧机卡钢")
    card.locator("select[name=location]").select_option("L04")
    card.locator("button", has_text="保存").click()
    phone.wait_for_selector(".alert-success, .alert", timeout=5000)
    stop.refresh_from_db()
    assert (stop.reason, stop.location.location, str(stop.reason_by)) == ("设备故障：精轧机卡钢", "L04", "何主管")
    phone.goto(f"{base}/industry/stops/")
    assert "L04 精轧机组" in phone.locator(f"[data-stop='{stop.pk}'] .stop-location").inner_text()
    phone.goto(f"{base}/")
    assert home_count(phone, "未填原因或位置的停机") == 0

    # Current alarms as cards: the manager shelves the overcurrent for an hour, with a reason.
    phone.goto(f"{base}/industry/alarms/current/")
    alarm = phone.locator("#alarm-cards [data-alarm]", has_text="精轧主电机严重过流")
    pk = alarm.get_attribute("data-alarm")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing cut off
    alarm.locator("summary", has_text="搁置 / 抑制 / 停用").click()
    shelve = alarm.locator("form.alarm-shelve")
    shelve.locator("select[name=minutes]").select_option("60")
    shelve.locator("input[name=note]").fill("传感器待校准")
    shelve.locator("button", has_text="搁置").click()
    phone.wait_for_selector(".alert-success")
    assert phone.locator(f"#alarm-cards [data-alarm='{pk}']").count() == 0
    assert AlarmState.objects.get(pk=pk).shelved_until is not None

    # The home counts it as shelved; the count opens the shelved list, where it is brought back.
    phone.goto(f"{base}/")
    assert home_count(phone, "已搁置的报警") == 1
    phone.locator("#todos a", has_text="已搁置的报警").click()
    shelved = phone.locator(f"[data-alarm='{pk}']")
    assert re.search(r"已搁置 · 至 \d\d-\d\d \d\d:\d\d", shelved.locator(".alarm-state").inner_text())
    shelved.locator("button", has_text="取消搁置").click()
    phone.wait_for_selector(".alert-success")
    phone.goto(f"{base}/industry/alarms/current/")
    assert phone.locator(f"#alarm-cards [data-alarm='{pk}']").count() == 1
    kinds = list(AlarmEvent.objects.filter(user__username="pm").order_by("id").values_list("kind", "note"))
    assert kinds == [("shelved", "传感器待校准 (60 min)"), ("unshelved", "")]
