"""The permission matrix for every industry page, export and API route: operators of one
enterprise against operators of another."""

from wanghua.core.testing import API_DETAIL, API_LIST, PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, MatrixCase, run_case
from wanghua.industry.models import AlarmDefinition, AlarmEvent, AlarmState, ProductionLine, Sample, Stop, Tag

EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
INGEST = {"anonymous": 401, "no_role": 403, "out_of_scope": 200, "in_scope": 200}  # foreign lines: dead letters
MARK = "精品汽车钢生产线"


def prepare(plant) -> dict:
    """Alarms in the states the actions start from, and a finished stop, on the in-scope line."""
    plant.send({"ts": plant.at(0), "values": {"status": "running", "finish_current": 950, "hyd_pressure": 11.0,
                                              "saw_state": "fault", "straightener_state": "fault"}},
               {"ts": plant.at(5), "values": {"status": "fault"}},
               {"ts": plant.at(400), "values": {"status": "running"}})

    def alarm(tag: str, kind: str) -> int:
        return AlarmDefinition.objects.get(tag__line=plant.line, tag__code=tag, kind=kind).pk

    return {"ack": alarm("finish_current", "HIHI"), "register": alarm("hyd_pressure", "LOLO"),
            "api_ack": alarm("saw_state", "STATE"), "api_register": alarm("straightener_state", "STATE"),
            "shelve": alarm("finish_current", "HI"), "stop": Stop.objects.get(line=plant.line).pk}


def events(pk: int):
    return lambda: AlarmEvent.objects.filter(definition_id=pk).count()


def operator_cases(w, users) -> list[MatrixCase]:
    ids = users["industry"]
    line = "/industry/lines/FT-BAR1"
    api = "/api/v1/industry"
    return [
        MatrixCase("lines", "get", "/industry/", PAGE_LIST, marker=MARK),
        MatrixCase("live line", "get", f"{line}/", PAGE_DETAIL),
        MatrixCase("live sparklines", "get", f"{line}/sparklines.json", PAGE_DETAIL),
        MatrixCase("qr sheet", "get", f"{line}/qr/", PAGE_DETAIL),
        MatrixCase("analysis", "get", f"{line}/analysis/", PAGE_DETAIL),
        MatrixCase("line setup", "get", f"{line}/setup/", PAGE_DETAIL),
        MatrixCase("live equipment", "get", f"{line}/L04/", PAGE_DETAIL),
        MatrixCase("equipment sparklines", "get", f"{line}/L04/sparklines.json", PAGE_DETAIL),
        MatrixCase("alarm journal", "get", "/industry/alarms/", PAGE_LIST, marker="精轧主电机严重过流"),
        MatrixCase("current alarms", "get", "/industry/alarms/current/", PAGE_LIST, marker="定尺锯故障"),
        MatrixCase("current alarms export", "get", "/industry/alarms/current/?format=xlsx", EXPORT,
                   marker="定尺锯故障"),
        MatrixCase("alarm journal export", "get", "/industry/alarms/?format=xlsx", EXPORT, marker="精轧主电机严重过流"),
        MatrixCase("alarm ack", "post", f"/industry/alarms/{ids['ack']}/ack/", PAGE_CHANGE, state=events(ids["ack"])),
        MatrixCase("alarm register", "post", f"/industry/alarms/{ids['register']}/register/", PAGE_CHANGE,
                   data={"cause": "泵故障", "action": "切换备用泵"}, state=events(ids["register"])),
        MatrixCase("stops", "get", "/industry/stops/", PAGE_LIST, marker=MARK),
        MatrixCase("stops export", "get", "/industry/stops/?format=xlsx", EXPORT,
                   marker=MARK),
        MatrixCase("stop reason", "post", f"/industry/stops/{ids['stop']}/reason/", PAGE_CHANGE,
                   data={"reason": "换辊", "location": "L03"},
                   state=lambda: Stop.objects.filter(pk=ids["stop"]).values_list("reason", "location__location")[0]),
        MatrixCase("unattributed stops", "get", "/industry/stops/?unattributed=false", PAGE_LIST, marker=MARK),
        MatrixCase("api lines", "get", f"{api}/lines", API_LIST, marker="FT-BAR1"),
        MatrixCase("api line", "get", f"{api}/lines/FT-BAR1", API_DETAIL),
        MatrixCase("api live", "get", f"{api}/lines/FT-BAR1/live", API_DETAIL),
        MatrixCase("api history", "get", f"{api}/lines/FT-BAR1/history?tag=speed", API_DETAIL),
        MatrixCase("api kpis", "get", f"{api}/lines/FT-BAR1/kpis?days=1", API_DETAIL),
        MatrixCase("api alarms", "get", f"{api}/alarms", API_LIST, marker="定尺锯故障"),
        MatrixCase("api alarm events", "get", f"{api}/alarm-events", API_LIST, marker="定尺锯故障"),
        MatrixCase("api alarm ack", "post", f"{api}/alarms/{ids['api_ack']}/acknowledge", API_DETAIL, as_json=True,
                   state=events(ids["api_ack"])),
        MatrixCase("api alarm register", "post", f"{api}/alarms/{ids['api_register']}/register", API_DETAIL,
                   data={"cause": "卡料", "action": "清理"}, as_json=True, state=events(ids["api_register"])),
        MatrixCase("api stops", "get", f"{api}/stops", API_LIST, marker="FT-BAR1"),
        MatrixCase("api stop reason", "post", f"{api}/stops/{ids['stop']}/reason", API_DETAIL,
                   data={"reason": "待料", "location": "L01"}, as_json=True,
                   state=lambda: Stop.objects.filter(pk=ids["stop"]).values_list("reason", "location__location")[0]),
        MatrixCase("api set-aside alarms", "get", f"{api}/alarms?set_aside=oos", API_LIST),
    ]


def manager_cases(w, users) -> list[MatrixCase]:
    ids, plant = users["industry"], users["plant"]
    api = "/api/v1/industry"
    body = {"line": "FT-BAR1", "ts": plant.at(1000), "values": {"speed": 2.0}}
    line, tag = plant.line, Tag.objects.get(line=plant.line, code="o2")
    alarm = AlarmDefinition.objects.get(tag=tag, kind="HI")
    settings = {"name": line.name, "capacity_tonnes": 12000, "ideal_rate": "4", "cold_after_minutes": 95,
                "min_stop_seconds": 60, "active": "on"}
    new_alarm = {"tag": tag.pk, "kind": "LO", "limit": 0.5, "priority": "low", "deadband": 0, "on_delay": 0,
                 "off_delay": 0, "message": "含氧量低"}
    return [
        MatrixCase("line edit form", "get", f"/industry/setup/lines/{line.pk}/edit/", PAGE_DETAIL),
        MatrixCase("line edit", "post", f"/industry/setup/lines/{line.pk}/edit/", PAGE_CHANGE, data=settings,
                   state=lambda: ProductionLine.objects.get(pk=line.pk).cold_after_minutes),
        MatrixCase("tag edit form", "get", f"/industry/setup/tags/{tag.pk}/edit/", PAGE_DETAIL),
        MatrixCase("tag edit", "post", f"/industry/setup/tags/{tag.pk}/edit/", PAGE_CHANGE,
                   data={"name": tag.name, "unit": "%", "low": 0, "high": 25, "key": ""},
                   state=lambda: Tag.objects.get(pk=tag.pk).high),
        MatrixCase("alarm form", "get", "/industry/setup/alarms/new/", PAGE_LIST),
        MatrixCase("alarm define", "post", "/industry/setup/alarms/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302}, data=new_alarm,
                   state=lambda: AlarmDefinition.objects.count()),
        MatrixCase("alarm edit form", "get", f"/industry/setup/alarms/{alarm.pk}/edit/", PAGE_DETAIL),
        MatrixCase("alarm edit", "post", f"/industry/setup/alarms/{alarm.pk}/edit/", PAGE_CHANGE,
                   data={"kind": "HI", "limit": 5.5, "priority": "low", "deadband": 0.3, "on_delay": 60,
                         "off_delay": 30,
                   "message": "烟气含氧量高"}, state=lambda: AlarmDefinition.objects.get(pk=alarm.pk).limit),
        MatrixCase("api tag patch", "patch", f"{api}/tags/{tag.pk}", API_DETAIL, data={"high": 30}, as_json=True,
                   state=lambda: Tag.objects.get(pk=tag.pk).high),
        MatrixCase("api alarm define", "post", f"{api}/alarm-definitions",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201},
                   data={"tag_id": tag.pk, "kind": "LOLO", "limit": 0.2, "message": "含氧量过低"}, as_json=True,
                   state=lambda: AlarmDefinition.objects.count()),
        MatrixCase("api alarm patch", "patch", f"{api}/alarm-definitions/{alarm.pk}", API_DETAIL,
                   data={"deadband": 0.4},
                   as_json=True, state=lambda: AlarmDefinition.objects.get(pk=alarm.pk).deadband),
        MatrixCase("api alarm shelve", "post", f"{api}/alarms/{ids['shelve']}/shelve", API_DETAIL,
                   data={"minutes": 30, "note": "传感器校准"}, as_json=True, state=events(ids["shelve"])),
        MatrixCase("api alarm unshelve", "post", f"{api}/alarms/{ids['shelve']}/unshelve", API_DETAIL, as_json=True,
                   state=events(ids["shelve"])),
        MatrixCase("alarm shelve page", "post", f"/industry/alarms/{ids['ack']}/shelve/", PAGE_CHANGE,
                   data={"minutes": 10, "note": "调试"}, state=events(ids["ack"])),
        MatrixCase("shelved alarms", "get", "/industry/alarms/current/?set_aside=shelved", PAGE_LIST,
                   marker="精轧主电机严重过流"),
        MatrixCase("standing alarms", "get", "/industry/alarms/current/?stale=false", PAGE_LIST, marker="定尺锯故障"),
        MatrixCase("alarm unshelve page", "post", f"/industry/alarms/{ids['ack']}/unshelve/", PAGE_CHANGE,
                   state=events(ids["ack"])),
        MatrixCase("alarm suppress page", "post", f"/industry/alarms/{ids['ack']}/suppress/", PAGE_CHANGE,
                   data={"note": "精轧机停用"}, state=events(ids["ack"])),
        MatrixCase("alarm unsuppress page", "post", f"/industry/alarms/{ids['ack']}/unsuppress/", PAGE_CHANGE,
                   state=events(ids["ack"])),
        MatrixCase("alarm out of service page", "post", f"/industry/alarms/{ids['ack']}/out-of-service/",
                   PAGE_CHANGE, data={"note": "检修"}, state=events(ids["ack"])),
        MatrixCase("alarm in service page", "post", f"/industry/alarms/{ids['ack']}/in-service/", PAGE_CHANGE,
                   state=events(ids["ack"])),
        MatrixCase("api ingest", "post", f"{api}/ingest", INGEST, data=body, as_json=True,
                   state=lambda: Sample.objects.count()),
    ]


def test_operator_matrix(plant, matrix, world):
    ids = prepare(plant)
    clients, _ = matrix(("operator", {"unit": world.enterprise1}), ("operator", {"unit": world.enterprise2}))
    assert [f for case in operator_cases(world, {"industry": ids}) for f in run_case(clients, case)] == []


def test_plant_manager_matrix(plant, matrix, world):
    ids = prepare(plant)
    clients, _ = matrix(("plant_manager", {"unit": world.enterprise1}),
                        ("plant_manager", {"unit": world.enterprise2}))
    users = {"industry": ids, "plant": plant}
    assert [f for case in manager_cases(world, users) for f in run_case(clients, case)] == []
    # Shelved, then brought back each way: the alarm ends in service, each step journalled by the manager.
    steps = AlarmEvent.objects.filter(definition_id=ids["ack"], user__isnull=False).order_by("id")
    assert list(steps.values_list("kind", flat=True)) == ["shelved", "unshelved", "suppressed", "unsuppressed", "oos",
                                                          "in_service"]
    state = AlarmState.objects.get(pk=ids["ack"])
    assert state.shelved_until is None and not state.suppressed and not state.out_of_service
