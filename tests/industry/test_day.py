"""The operator's and the production manager's day (issue 15): the value an alarm tripped at, alarms set aside and
brought back, a stop's reason and cause location, the lists they pick from, and the homes that count their work."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wanghua.core.models import AuditEntry
from wanghua.core.reference import sync_builtin_dicts
from wanghua.industry import queries, services
from wanghua.industry.models import AlarmDefinition, AlarmEvent, AlarmState, Equipment, Stop


@pytest.fixture(autouse=True)
def dictionaries(db):
    sync_builtin_dicts()  # the 停机原因 and 报警原因 lists the pages offer


def alarm(plant, tag: str = "finish_current", kind: str = "HIHI") -> AlarmState:
    return AlarmState.objects.get(definition=AlarmDefinition.objects.get(tag__line=plant.line, tag__code=tag,
                                                                         kind=kind))


def finished_stop(plant) -> Stop:
    for second, status in ((0, "running"), (10, "fault"), (400, "running")):
        plant.send({"ts": plant.at(second), "values": {"status": status}})
    return Stop.objects.get(line=plant.line)


@pytest.fixture
def operator(make_user, world):
    return make_user("op", "operator", unit=world.enterprise1, display_name="周师傅")


@pytest.fixture
def manager(make_user, world):
    return make_user("pm", "plant_manager", unit=world.enterprise1, display_name="何主管")


# --- services and queries ---------------------------------------------------------------------------------

def test_an_alarm_shows_the_value_it_tripped_at_not_the_live_one(plant, operator):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}},
               {"ts": plant.at(1), "values": {"finish_current": 120}})  # back down: the live value moves on
    state = alarm(plant)
    assert state.last_value == "120"
    [current] = [a for a in queries.current(AlarmState.objects.visible_to(operator)) if a.pk == state.pk]
    assert current.trip_value == "955"
    listed = queries.alarm_list(AlarmState.objects.visible_to(operator)).get(pk=state.pk)
    assert listed.trip_value == "955"


def test_set_aside_alarms_are_listed_by_how_and_come_back(plant, manager):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955, "saw_state": "fault", "hyd_pressure": 11.0}})
    hihi, saw, lolo = alarm(plant), alarm(plant, "saw_state", "STATE"), alarm(plant, "hyd_pressure", "LOLO")
    services.shelve(manager, hihi.pk, minutes=60, note="传感器待校准")
    services.suppress(manager, saw.pk, note="定尺锯停用换锯片")
    services.remove_from_service(manager, lolo.pk, note="液压站检修")
    visible = AlarmState.objects.visible_to(manager)
    now = timezone.now()

    def listed(how: str) -> set[int]:
        return set(visible.filter(queries.SetAside.q(how, now)).values_list("pk", flat=True))

    assert (listed("shelved"), listed("suppressed"), listed("oos")) == ({hihi.pk}, {saw.pk}, {lolo.pk})
    assert not {hihi.pk, saw.pk, lolo.pk} & {a.pk for a in queries.alarm_list(visible)}
    services.unshelve(manager, hihi.pk)
    services.unsuppress(manager, saw.pk)
    services.return_to_service(manager, lolo.pk)
    # The shelved alarm was still evaluated: still active, it is current again; suppressing cleared the other two.
    assert hihi.pk in {a.pk for a in queries.alarm_list(visible)}
    assert listed("shelved") == listed("suppressed") == listed("oos") == set()
    kinds = list(AlarmEvent.objects.filter(user=manager).order_by("id").values_list("kind", flat=True))
    assert kinds == ["shelved", "suppressed", "oos", "unshelved", "unsuppressed", "in_service"]
    # The alarm journal is their audit trail: who, when, and the reason given.
    notes = list(AlarmEvent.objects.filter(user=manager).order_by("id").values_list("note", flat=True))[:3]
    assert notes == ["传感器待校准 (60 min)", "定尺锯停用换锯片", "液压站检修"]


def test_a_shelf_runs_out_by_itself(plant, manager):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}})
    state = services.shelve(manager, alarm(plant).pk, minutes=30, note="调试")
    assert state.state == AlarmState.State.SHELVED
    services.advance_alarm_timers(now=timezone.now() + timedelta(minutes=31))
    state = alarm(plant)
    assert state.shelved_until is None and state.state == AlarmState.State.UNACKED


def test_standing_alarms_are_those_active_for_over_a_day(plant, manager):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}})
    AlarmState.objects.filter(pk=alarm(plant).pk).update(active_since=timezone.now() - timedelta(hours=25))
    standing = AlarmState.objects.visible_to(manager).filter(queries.standing_q(timezone.now()))
    assert list(standing.values_list("pk", flat=True)) == [alarm(plant).pk]


def test_a_stop_gets_a_reason_and_a_cause_location_of_its_line(plant, operator):
    stop = finished_stop(plant)
    stop = services.give_stop_reason(operator, stop.pk, "设备故障", location="L04", detail="精轧机卡钢")
    stop.refresh_from_db()
    assert (stop.reason, stop.location.location, stop.reason_by) == ("设备故障：精轧机卡钢", "L04", operator)
    Equipment.objects.create(line=plant.other_line, location="X99", name="铝板线剪切机")
    for elsewhere in ("NOPE", "X99"):  # unknown, or equipment of another line
        with pytest.raises(ValidationError):
            services.give_stop_reason(operator, stop.pk, "设备故障", location=elsewhere)
    for hostile in ("L0\x004", "L" * 500):
        with pytest.raises(ValidationError):
            services.give_stop_reason(operator, stop.pk, "设备故障", location=hostile)
    services.give_stop_reason(operator, stop.pk, "工艺调整")  # no location given: the location stays
    stop.refresh_from_db()
    assert (stop.reason, stop.location.location) == ("工艺调整", "L04")
    services.give_stop_reason(operator, stop.pk, "工艺调整", location="")
    stop.refresh_from_db()
    assert stop.location is None
    assert AuditEntry.objects.filter(actor=operator, object_repr__contains=plant.line.name).exists()


def test_the_pareto_names_the_location_an_operator_gave(plant, operator):
    stop = finished_stop(plant)
    Stop.objects.filter(pk=stop.pk).update(location=None)
    since, until = queries.period_of(1)
    assert queries.stop_kpis([plant.line], since, until).pareto[0]["location"] == ""
    services.give_stop_reason(operator, stop.pk, "设备故障", location="L09")
    assert queries.stop_kpis([plant.line], since, until).pareto[0]["location"] == "L09"


def test_a_registration_takes_its_cause_from_the_list_with_a_detail(plant, operator):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}})
    event = services.register(operator, alarm(plant).pk, cause="设备故障", action="更换轴承", detail="主电机轴承")
    assert event.cause == "设备故障：主电机轴承"


# --- pages ------------------------------------------------------------------------------------------------

def test_current_alarms_are_cards_with_the_steps_of_each_role(plant, operator, manager, client_for):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}},
               {"ts": plant.at(1), "values": {"finish_current": 120}})
    state = alarm(plant)
    html = client_for(operator).get("/industry/alarms/current/").content.decode()
    card = html[html.index(f'data-alarm="{state.pk}"'):]
    card = card[:card.index('</div></div></div>')]
    assert f"/industry/alarms/{state.pk}/ack/" in card and "955" in card and "120" not in card
    assert 'name="cause"' in card and "设备故障" in card  # the cause list
    assert "/shelve/" not in card and "/suppress/" not in card  # the operator does not set alarms aside
    managed = client_for(manager).get("/industry/alarms/current/").content.decode()
    for action in ("ack", "shelve", "suppress", "out-of-service"):
        assert f"/industry/alarms/{state.pk}/{action}/" in managed, action
    assert "<table" not in managed  # cards, not a table cut off on the phone


def test_the_manager_shelves_from_the_card_and_unshelves_from_the_shelved_list(plant, manager, client_for):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}})
    state = alarm(plant)
    client = client_for(manager)
    back = "/industry/alarms/current/"
    response = client.post(f"/industry/alarms/{state.pk}/shelve/", {"minutes": "60", "note": "传感器待校准",
                                                                    "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert f'data-alarm="{state.pk}"' not in client.get(back).content.decode()
    shelved = client.get(f"{back}?set_aside=shelved").content.decode()
    assert f"/industry/alarms/{state.pk}/unshelve/" in shelved and "已搁置" in shelved
    client.post(f"/industry/alarms/{state.pk}/unshelve/", {"next": back})
    assert f'data-alarm="{state.pk}"' in client.get(back).content.decode()
    assert client.get(f"{back}?set_aside=nonsense").status_code == 400


def test_after_a_step_the_live_fragment_shows_the_new_state_at_once(plant, operator, client_for):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}})
    state = alarm(plant)
    client = client_for(operator)
    live = "/industry/lines/FT-BAR1/"
    before = client.get(live, HTTP_HX_REQUEST="true").content.decode()  # now cached for a second

    def shown_state(html: str) -> str:
        row = html[html.index(f'data-alarm="{state.pk}"'):]
        return re.search(r'class="alarm-state">\s*([^<]+)<', row).group(1).strip()

    assert shown_state(before) == "未确认"
    response = client.post(f"/industry/alarms/{state.pk}/ack/", HTTP_HX_REQUEST="true")
    assert response["HX-Trigger-After-Swap"] == "live-changed" and "text-success" in response.content.decode()
    assert shown_state(client.get(live, HTTP_HX_REQUEST="true").content.decode()) == "已确认"


def test_the_stops_page_gives_a_reason_and_location(plant, operator, client_for):
    stop = finished_stop(plant)
    client = client_for(operator)
    html = client.get("/industry/stops/?unattributed=true").content.decode()
    assert f'data-stop="{stop.pk}"' in html and "换辊换规格" in html and 'value="L04"' in html
    card = html[html.index(f'data-stop="{stop.pk}"'):]
    assert card.count('<option value="L') == plant.line.equipment.count()  # the line's own equipment
    client.post(f"/industry/stops/{stop.pk}/reason/", {"reason": "设备故障", "detail": "液压泵", "location": "L09",
                                                      "next": "/industry/stops/"})
    stop.refresh_from_db()
    assert (stop.reason, stop.location.location) == ("设备故障：液压泵", "L09")
    assert f'data-stop="{stop.pk}"' not in client.get("/industry/stops/?unattributed=true").content.decode()
    listing = client.get("/industry/stops/").content.decode()
    assert "周师傅" in listing and ">op<" not in listing  # the person, not the login


def test_the_history_names_people_and_discrete_values_read_as_words(plant, operator, client_for):
    plant.send({"ts": plant.at(0), "values": {"saw_state": "fault", "status": "run"}})
    services.acknowledge(operator, alarm(plant, "saw_state", "STATE").pk)
    client = client_for(operator)
    history = client.get("/industry/alarms/").content.decode()
    assert "周师傅" in history and "<td>op</td>" not in history and "<td>fault</td>" not in history
    live = client.get("/industry/lines/FT-BAR1/L07/").content.decode()
    assert ">fault<" not in live and "故障" in live
    events = client.get("/api/v1/industry/alarm-events").json()["items"]
    assert {e["user_name"] for e in events if e["user"]} == {"周师傅"}


def _home_counts(html: str) -> dict[str, str]:
    card = r'href="([^"]+)"><div class="card-body py-2"><div class="h4 mb-0[^"]*">(\d+)</div><div class="small">([^<]+)'
    return {label: (url, count) for url, count, label in re.findall(card, html)}


def test_the_homes_count_what_waits_and_open_it(plant, operator, manager, make_user, world, client_for):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955, "saw_state": "fault"}})
    services.shelve(manager, alarm(plant, "saw_state", "STATE").pk, minutes=60, note="换锯片")
    finished_stop(plant)
    mine = _home_counts(client_for(operator).get("/").content.decode())
    assert mine["我的生产线"] == ("/industry/", "1")
    assert mine["当前报警"][1] == str(len(queries.current(AlarmState.objects.visible_to(operator))))
    assert "已搁置的报警" not in mine  # the manager's
    theirs = _home_counts(client_for(manager).get("/").content.decode())
    assert theirs["已搁置的报警"] == ("/industry/alarms/current/?set_aside=shelved", "1")
    assert theirs["未填原因或位置的停机"] == ("/industry/stops/?unattributed=true", "1")
    assert "长期报警（超过 24 小时）" in theirs and "已停用的报警" in theirs
    assert "检验中的炉号" not in theirs  # the lab's counts are the lab's
    for url, count in theirs.values():  # each count opens the list it counts
        listing = client_for(manager).get(url)
        assert listing.status_code == 200
        if url.startswith("/industry/") and url != "/industry/":
            assert f"共 {count} 条记录" in listing.content.decode() or count == "0", url
    lab = _home_counts(client_for(make_user("lab1", "lab", unit=world.enterprise1)).get("/").content.decode())
    assert {"检验中的炉号", "送审中的炉号"} <= set(lab)


def test_the_lines_page_counts_each_lines_open_alarms(plant, operator, client_for):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 955, "saw_state": "fault"}})
    html = client_for(operator).get("/industry/").content.decode()
    card = html[html.index('data-line="FT-BAR1"'):]
    assert re.search(r'line-alarms text-danger">.*当前报警 2<', card[:card.index("</a>")], re.S)


def test_the_pareto_names_an_unattributed_stop_and_opens_the_stops_to_attribute(plant, operator, client_for):
    stop = finished_stop(plant)
    Stop.objects.filter(pk=stop.pk).update(location=None)
    html = client_for(operator).get("/industry/lines/FT-BAR1/analysis/?days=1").content.decode()
    assert f'href="/industry/stops/?line={plant.line.pk}&amp;unattributed=true">未填原因位置</a>' in html
    assert "未填原因位置" in html[html.index("data-pareto"):][:400]  # the chart's bar, not "—"


def test_the_alarm_cards_cost_no_query_per_alarm(plant, manager, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(manager)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/industry/alarms/current/").status_code == 200
        return len(captured)

    plant.send({"ts": plant.at(0), "values": {"finish_current": 955}})
    queries_for_page()  # the first page also reads its selects' choices, which are kept after (core.choices)
    few = queries_for_page()
    plant.send({"ts": plant.at(1), "values": {"finish_current": 955, "saw_state": "fault", "hyd_pressure": 11.0,
                                              "straightener_state": "fault", "o2": 9.0}})
    assert len(queries.current(AlarmState.objects.all())) >= 4
    assert queries_for_page() == few
