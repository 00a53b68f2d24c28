"""The operator's pages: live line, QR sheet, alarm actions, journal and stops lists."""

from io import BytesIO

from openpyxl import load_workbook

from tests.industry.conftest import simulate
from wanghua.industry.models import AlarmEvent, AlarmState, Stop


def test_live_page_fragment_and_sparklines(plant, make_user, world, client_for):
    plant.pipeline.process(simulate(plant, 90, offset=3 * 3600 - 90))  # the last 90 s up to now
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    page = client.get("/industry/lines/FT-BAR1/")
    html = page.content.decode()
    snapshot = plant.line.snapshot
    assert page.status_code == 200 and snapshot.heat in html and snapshot.grade in html and "班" in html
    fragment = client.get("/industry/lines/FT-BAR1/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and snapshot.heat in fragment
    other = client_for(make_user("op-b", "operator", unit=world.enterprise1))
    assert other.get("/industry/lines/FT-BAR1/", HTTP_HX_REQUEST="true").content.decode() == fragment
    assert "csrfmiddlewaretoken" not in fragment  # shared between operators: no per-user token inside
    series = client.get("/industry/lines/FT-BAR1/sparklines.json").json()
    assert set(series) >= {"speed", "furnace_t1", "hyd_pressure"} and len(series["speed"]) >= 1
    equipment = client.get("/industry/lines/FT-BAR1/L09/").content.decode()
    assert "液压系统压力" in equipment and "液压站" in equipment


def test_qr_sheet_has_a_code_per_equipment(plant, make_user, world, client_for):
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    html = client.get("/industry/lines/FT-BAR1/qr/").content.decode()
    assert html.count("<svg") == 1 + plant.line.equipment.count()
    assert 'data-url="http://testserver/industry/lines/FT-BAR1/L04/"' in html


def test_other_enterprise_sees_nothing(plant, make_user, world, client_for):
    client = client_for(make_user("op2", "operator", unit=world.enterprise2))
    assert client.get("/industry/lines/FT-BAR1/").status_code == 404
    assert client.get("/industry/lines/FT-BAR1/qr/").status_code == 404
    assert client.get("/industry/lines/AL-1/").status_code == 200


def test_acknowledge_and_register_from_the_phone(plant, make_user, world, client_for):
    plant.send({"ts": plant.at(0), "values": {"finish_current": 950}})
    state = AlarmState.objects.get(definition__kind="HIHI", definition__tag__code="finish_current")
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    assert f'data-alarm="{state.pk}"' in client.get("/industry/lines/FT-BAR1/").content.decode()
    response = client.post(f"/industry/alarms/{state.pk}/ack/", {"next": "/industry/lines/FT-BAR1/"})
    assert response.status_code == 302 and response["Location"] == "/industry/lines/FT-BAR1/"
    client.post(f"/industry/alarms/{state.pk}/register/", {"cause": "卡钢", "action": "清理后恢复"})
    assert list(AlarmEvent.objects.filter(user__isnull=False).order_by("id").values_list("kind", flat=True)) == [
        "acked", "registered"]
    assert client.post(f"/industry/alarms/{state.pk}/shelve/", {"minutes": 10, "note": "x"}).status_code == 403
    assert client.post(f"/industry/alarms/{state.pk}/explode/").status_code == 404
    sheet = client.get("/industry/alarms/?format=xlsx")
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert any("卡钢" in str(row) for row in rows)


def test_stop_reason_and_list(plant, make_user, world, client_for):
    for second, status in ((0, "running"), (10, "fault"), (400, "running")):
        plant.send({"ts": plant.at(second), "values": {"status": status}})
    stop = Stop.objects.get()
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    assert client.post(f"/industry/stops/{stop.pk}/reason/", {"reason": ""}).status_code == 302
    stop.refresh_from_db()
    assert stop.reason == ""
    client.post(f"/industry/stops/{stop.pk}/reason/", {"reason": "换辊"})
    stop.refresh_from_db()
    assert stop.reason == "换辊"
    assert "换辊" in client.get("/industry/stops/").content.decode()


def test_current_alarms_across_lines_leave_out_shelved_ones(plant, make_user, world, client_for):
    from wanghua.industry import services

    plant.send({"ts": plant.at(0), "values": {"finish_current": 950, "saw_state": "fault"}})
    saw = AlarmState.objects.get(definition__tag__code="saw_state")
    services.shelve(make_user("root", is_superuser=True), saw.pk, minutes=30, note="换锯片")
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    html = client.get("/industry/alarms/current/").content.decode()
    assert "精轧主电机严重过流" in html and "定尺锯故障" not in html and "未确认" in html
    high = client.get("/industry/alarms/current/?priority=low").content.decode()
    assert "精轧主电机严重过流" not in high


def test_a_discrete_value_reads_as_a_word_on_the_alarm_pages(plant, make_user, world, client_for):
    plant.send({"ts": plant.at(0), "values": {"saw_state": "fault"}})
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    for url in ("/industry/alarms/current/", f"/industry/lines/{plant.line.code}/", "/industry/alarms/"):
        html = client.get(url).content.decode()
        assert "定尺锯故障" in html, url
        assert ">fault<" not in html and "· fault ·" not in html, url
    assert "故障" in client.get("/industry/alarms/current/").content.decode()
