"""Industry API: scoped reads, alarm actions, stops, and the HTTP ingest endpoint for gateways."""

import json

from wanghua.core.services import create_token
from wanghua.industry.models import AlarmState, DeadLetter, Sample, Stop


def test_reads_are_scoped_to_the_operators_enterprise(plant, make_user, world, client_for):
    plant.send({"ts": plant.at(0), "values": {"status": "running", "heat": "H1", "finish_current": 950}})
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    assert [line["code"] for line in client.get("/api/v1/industry/lines").json()["items"]] == ["FT-BAR1"]
    detail = client.get("/api/v1/industry/lines/FT-BAR1").json()
    assert len(detail["equipment"]) == 10 and any(t["code"] == "speed" for t in detail["tags"])
    live = client.get("/api/v1/industry/lines/FT-BAR1/live").json()
    assert live["heat"] == "H1" and live["crew"] in "甲乙丙丁" and live["alarms"][0]["state"] == "unacked"
    assert client.get("/api/v1/industry/lines/AL-1/live").status_code == 404
    history = client.get("/api/v1/industry/lines/FT-BAR1/history", {"tag": "finish_current", "resolution": "raw",
                                                                   "since": plant.at(-1), "until": plant.at(1)})
    assert history.json() == [{"ts": history.json()[0]["ts"], "value": 950.0, "text": "", "low": None, "high": None}]
    assert client.get("/api/v1/industry/lines/FT-BAR1/history", {"tag": "nope"}).status_code == 404


def test_alarm_actions_and_stop_reason(plant, make_user, world, client_for):
    plant.send({"ts": plant.at(0), "values": {"status": "running", "finish_current": 950}},
               {"ts": plant.at(5), "values": {"status": "fault"}},
               {"ts": plant.at(300), "values": {"status": "running"}})
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    alarm_id = client.get("/api/v1/industry/alarms").json()[0]["id"]
    acked = client.post(f"/api/v1/industry/alarms/{alarm_id}/acknowledge", {}, content_type="application/json")
    assert acked.status_code == 200 and acked.json()["acked"] is True
    again = client.post(f"/api/v1/industry/alarms/{alarm_id}/acknowledge", {}, content_type="application/json")
    assert again.status_code == 400 and "已" in again.json()["detail"]
    registered = client.post(f"/api/v1/industry/alarms/{alarm_id}/register", {"cause": "卡钢", "action": "处理"},
                             content_type="application/json")
    assert registered.status_code == 200
    assert client.post(f"/api/v1/industry/alarms/{alarm_id}/shelve", {"minutes": 5, "note": "x"},
                       content_type="application/json").status_code == 403
    kinds = [e["kind"] for e in client.get("/api/v1/industry/alarm-events").json()["items"]]
    assert kinds[:2] == ["registered", "acked"]
    stop = client.get("/api/v1/industry/stops").json()["items"][0]
    assert stop["location"] == "L04" and stop["kind"] == "hot"
    assert client.post(f"/api/v1/industry/stops/{stop['id']}/reason", {"reason": "卡钢停机"},
                       content_type="application/json").json()["reason"] == "卡钢停机"
    assert Stop.objects.get().reason_by.username == "op"
    assert AlarmState.objects.get(pk=alarm_id).acked


def test_http_ingest_with_a_gateway_token(plant, make_user, world, client_for):
    gateway = make_user("gw", "plant_manager", unit=world.enterprise1)
    key = create_token(gateway, "gateway")
    body = [{"line": "FT-BAR1", "ts": plant.at(1), "values": {"speed": 2.2, "status": "running"}},
            {"line": "FT-BAR1", "ts": plant.at(2), "values": {"speed": "x"}},
            {"line": "AL-1", "ts": plant.at(1), "values": {"speed": 1}}]
    response = client_for(None).post("/api/v1/industry/ingest", json.dumps(body), content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["samples"] == 2 and response.json()["dead_letters"] == 2
    assert "not one this sender may write" in " ".join(response.json()["reasons"])
    assert Sample.objects.count() == 2 and DeadLetter.objects.filter(source="http").count() == 2
    broken = client_for(None).post("/api/v1/industry/ingest", "{oops", content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {key}")
    assert broken.status_code == 200 and broken.json()["dead_letters"] == 1
    operator = client_for(make_user("op", "operator", unit=world.enterprise1))
    refused = operator.post("/api/v1/industry/ingest", json.dumps(body), content_type="application/json")
    assert refused.status_code == 403


def test_times_no_database_stores_are_refused(plant, make_user, world, client_for):
    # The journal's filter is the page's (days): a time is refused by the schema (422) or the FilterSet (400).
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    for until in ("0266-04-23T03:32:59-21:31", "1900-01-01T00:00:00+08:00"):
        response = client.get("/api/v1/industry/alarm-events", {"until": until})
        assert response.status_code in (400, 422), until
