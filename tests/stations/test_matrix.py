"""The permission matrix for every services page, export and API route."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.stations.test_photos import png
from wanghua.core.testing import API_DETAIL, API_LIST, PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, MatrixCase, run_case
from wanghua.stations import services
from wanghua.stations.models import DiaryNote, Errand, ErrandAttachment, LedgerEntry, Resident, Station

API_CREATE = {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}
EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}


def prepare(desk):
    """Errands in each state a step starts from, all at the in-scope agent's station."""
    def accept(text):
        return services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description=text,
                                      handles_money=True)

    progress = [accept(f"办理中{i}") for i in range(4)]
    for errand in progress:
        services.start_errand(desk.agent, errand.pk)
    done = [accept(f"已办结{i}") for i in range(2)]
    for errand in done:
        services.start_errand(desk.agent, errand.pk)
        services.complete_errand(desk.agent, errand.pk, outcome="完成")
    return {"accepted": [accept(f"新受理{i}") for i in range(6)], "progress": progress, "done": done}


def status_of(errand):
    return lambda: Errand.objects.get(pk=errand.pk).status


def ledger_count():
    return LedgerEntry.objects.count()


def agent_cases(w, users):
    desk, e = users["desk"], users["errands"]
    r, s = desk.resident.pk, desk.station.pk
    new_errand = {"resident": r, "category": "shopping", "channel": "phone", "description": "买米"}
    return [
        MatrixCase("today", "get", "/services/", PAGE_LIST, marker="陈大娘"),
        MatrixCase("errand list", "get", "/services/errands/", PAGE_LIST, marker="新受理0"),
        MatrixCase("errand detail", "get", f"/services/errands/{e['accepted'][0].pk}/", PAGE_DETAIL),
        MatrixCase("errand form", "get", "/services/errands/new/", PAGE_LIST),
        MatrixCase("errand accept", "post", "/services/errands/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302}, data=new_errand,
                   state=lambda: Errand.objects.count()),
        MatrixCase("intake search", "get", "/services/errands/new/?who=大娘", PAGE_LIST, marker="陈大娘"),
        MatrixCase("intake new resident", "post", "/services/errands/new/resident/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"new-name": "快加居民", "new-station": s}, state=lambda: Resident.objects.count()),
        MatrixCase("errand start", "post", f"/services/errands/{e['accepted'][0].pk}/start/", PAGE_CHANGE,
                   state=status_of(e["accepted"][0])),
        MatrixCase("errand complete", "post", f"/services/errands/{e['progress'][0].pk}/complete/", PAGE_CHANGE,
                   data={"outcome": "已办好"}, state=status_of(e["progress"][0])),
        MatrixCase("errand follow-up", "post", f"/services/errands/{e['done'][0].pk}/follow-up/", PAGE_CHANGE,
                   data={"satisfaction": 5}, state=status_of(e["done"][0])),
        MatrixCase("errand cancel", "post", f"/services/errands/{e['accepted'][1].pk}/cancel/", PAGE_CHANGE,
                   data={"reason": "不需要了"}, state=status_of(e["accepted"][1])),
        MatrixCase("errand return", "post", f"/services/errands/{e['accepted'][2].pk}/return/", PAGE_CHANGE,
                   data={"reason": "需本人办理"}, state=status_of(e["accepted"][2])),
        MatrixCase("photo upload", "post", f"/services/errands/{e['progress'][1].pk}/photos/", PAGE_CHANGE,
                   data=fresh_photo, state=lambda: ErrandAttachment.objects.count()),
        MatrixCase("photo", "get", f"/services/photos/{users['attachment'].pk}/", PAGE_DETAIL),
        MatrixCase("api photo upload", "post", f"/api/v1/services/errands/{e['progress'][1].pk}/photos", API_CREATE,
                   data=fresh_photo, state=lambda: ErrandAttachment.objects.count()),
        MatrixCase("ledger add", "post", f"/services/errands/{e['progress'][1].pk}/ledger/", PAGE_CHANGE,
                   data={"kind": "received", "amount": "20"}, state=ledger_count),
        MatrixCase("ledger void", "post",
                   f"/services/errands/{e['progress'][1].pk}/ledger/{users['lines'][0].pk}/void/", PAGE_CHANGE,
                   data={"reason": "录错"}, state=ledger_count),
        MatrixCase("api ledger void", "post", f"/api/v1/services/ledger/{users['lines'][1].pk}/void", API_CREATE,
                   data={"reason": "录错"}, as_json=True, state=ledger_count),
        MatrixCase("diary month excel (own)", "get", f"/services/diary/{users['agent_id']}/{users['today']:%Y}-"
                   f"{users['today'].month}.xlsx", PAGE_DETAIL),
        MatrixCase("diary year excel (own)", "get", f"/services/diary/{users['agent_id']}/{users['today']:%Y}.xlsx",
                   PAGE_DETAIL),
        MatrixCase("resident list", "get", "/services/residents/", PAGE_LIST, marker="陈大娘"),
        MatrixCase("resident detail", "get", f"/services/residents/{r}/", PAGE_DETAIL),
        MatrixCase("resident reveal", "post", f"/services/residents/{r}/reveal/phone/", PAGE_DETAIL,
                   marker="13500001111"),
        MatrixCase("resident form", "get", "/services/residents/new/", PAGE_LIST),
        MatrixCase("resident register", "post", "/services/residents/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"name": "新居民", "station": s}),
        MatrixCase("diary", "get", f"/services/diary/?agent={users['agent_id']}", PAGE_DETAIL),
        MatrixCase("diary note", "post", f"/services/diary/?agent={users['agent_id']}",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302}, data={"text": "走访"},
                   state=lambda: DiaryNote.objects.count()),
        MatrixCase("diary day pdf", "get", f"/services/diary/{users['agent_id']}/{users['today']:%Y-%m-%d}.pdf".replace(
            "-0", "-"), PAGE_DETAIL),
        MatrixCase("diary month pdf", "get", f"/services/diary/{users['agent_id']}/{users['today']:%Y}-"
                   f"{users['today'].month}.pdf", PAGE_DETAIL),
        MatrixCase("statistics", "get", "/services/statistics/", PAGE_LIST),
        MatrixCase("cash report", "get", "/services/cash/", PAGE_LIST),
        MatrixCase("statistics data", "get", "/services/statistics/station.json", PAGE_LIST, marker="刘全国家"),
        MatrixCase("station list", "get", "/services/stations/", PAGE_LIST, marker="刘全国家"),
        MatrixCase("station detail", "get", f"/services/stations/{s}/", PAGE_DETAIL),
        MatrixCase("api stations", "get", "/api/v1/services/stations", API_LIST, marker="刘全国家"),
        MatrixCase("api station", "get", f"/api/v1/services/stations/{s}", API_DETAIL),
        MatrixCase("api residents", "get", "/api/v1/services/residents", API_LIST, marker="陈大娘"),
        MatrixCase("api resident", "get", f"/api/v1/services/residents/{r}", API_DETAIL),
        MatrixCase("api resident register", "post", "/api/v1/services/residents", API_CREATE,
                   data={"name": "接口居民", "station_id": s}, as_json=True),
        MatrixCase("api resident reveal", "post", f"/api/v1/services/residents/{r}/reveal", API_DETAIL,
                   data={"field": "phone"}, as_json=True, marker="13500001111"),
        MatrixCase("api errands", "get", "/api/v1/services/errands", API_LIST, marker="新受理0"),
        MatrixCase("api errand", "get", f"/api/v1/services/errands/{e['accepted'][3].pk}", API_DETAIL),
        MatrixCase("api errand accept", "post", "/api/v1/services/errands", API_CREATE,
                   data={"resident_id": r, "category": "shopping", "description": "买面"}, as_json=True),
        MatrixCase("api errand start", "post", f"/api/v1/services/errands/{e['accepted'][3].pk}/start", API_DETAIL,
                   state=status_of(e["accepted"][3])),
        MatrixCase("api errand complete", "post", f"/api/v1/services/errands/{e['progress'][2].pk}/complete",
                   API_DETAIL, data={"outcome": "完成"}, as_json=True, state=status_of(e["progress"][2])),
        MatrixCase("api errand follow-up", "post", f"/api/v1/services/errands/{e['done'][1].pk}/follow-up",
                   API_DETAIL, data={"satisfaction": 4}, as_json=True, state=status_of(e["done"][1])),
        MatrixCase("api errand cancel", "post", f"/api/v1/services/errands/{e['accepted'][4].pk}/cancel", API_DETAIL,
                   data={"reason": "不需要"}, as_json=True, state=status_of(e["accepted"][4])),
        MatrixCase("api errand return", "post", f"/api/v1/services/errands/{e['accepted'][5].pk}/return", API_DETAIL,
                   data={"reason": "退回"}, as_json=True, state=status_of(e["accepted"][5])),
        MatrixCase("api ledger", "get", f"/api/v1/services/errands/{e['progress'][3].pk}/ledger", API_DETAIL),
        MatrixCase("api ledger add", "post", f"/api/v1/services/errands/{e['progress'][3].pk}/ledger", API_CREATE,
                   data={"kind": "received", "amount": "12.50"}, as_json=True, state=ledger_count),
    ]


def secretary_cases(w, users):
    """Exports: community secretaries hold them; agents do not (they see the rows, not the spreadsheet)."""
    return [
        MatrixCase("errand export", "get", "/services/errands/?format=xlsx", EXPORT, marker="新受理0"),
        MatrixCase("resident export", "get", "/services/residents/?format=xlsx", EXPORT, marker="陈大娘"),
        MatrixCase("station export", "get", "/services/stations/?format=xlsx", EXPORT, marker="刘全国家"),
        MatrixCase("coverage", "get", "/services/coverage/", PAGE_LIST, marker="甲社区"),
        MatrixCase("station map", "get", "/services/stations/map/", PAGE_LIST),
        MatrixCase("station map data", "get", "/services/stations/map.json", PAGE_LIST),
        MatrixCase("station form", "get", "/services/stations/new/", PAGE_LIST),
        MatrixCase("station open", "post", "/services/stations/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"community": w.community1.pk, "code": "S9", "host_household": "新户家",
                   "service_hours": "08:00-17:00", "active": "on"}, state=lambda: Station.objects.count()),
        MatrixCase("station edit form", "get", f"/services/stations/{users['desk'].station.pk}/edit/", PAGE_DETAIL),
        MatrixCase("station edit", "post", f"/services/stations/{users['desk'].station.pk}/edit/", PAGE_CHANGE,
                   data={"host_household": "刘全国家", "service_hours": "07:00-18:00", "active": "on",
                   "agents": [users["agent_id"]]},
                   state=lambda: Station.objects.get(pk=users["desk"].station.pk).service_hours),
        MatrixCase("coverage export", "get", "/services/coverage/?format=xlsx", EXPORT, marker="甲社区"),
        MatrixCase("cash export", "get", "/services/cash/?format=xlsx", EXPORT),
        MatrixCase("diary month excel", "get", f"/services/diary/{users['agent_id']}/{users['today']:%Y}-"
                   f"{users['today'].month}.xlsx", PAGE_DETAIL),
        MatrixCase("diary year excel", "get", f"/services/diary/{users['agent_id']}/{users['today']:%Y}.xlsx",
                   PAGE_DETAIL),
    ]


def agent_clients(desk, make_user, client_for):
    return {"anonymous": Client(), "no_role": client_for(make_user("no_role_user")),
            "out_of_scope": client_for(desk.other_agent), "in_scope": client_for(desk.agent)}


def fresh_photo() -> dict:
    return {"image": SimpleUploadedFile("receipt.png", png(), "image/png")}


def matrix_users(desk):
    errands = prepare(desk)
    attachment = services.attach_photo(desk.agent, errands["progress"][1].pk, fresh_photo()["image"])
    lines = [services.record_money(desk.agent, errands["progress"][1].pk, kind="received", amount="5")
             for _ in range(2)]
    return {"desk": desk, "errands": errands, "agent_id": desk.station.agents.get().pk,
            "today": timezone.localdate(), "attachment": attachment, "lines": lines}


def test_agent_matrix(world, desk, make_user, client_for):
    users = matrix_users(desk)
    clients = agent_clients(desk, make_user, client_for)
    assert [f for case in agent_cases(world, users) for f in run_case(clients, case)] == []


def test_secretary_matrix(world, desk, matrix):
    users = matrix_users(desk)
    clients, _ = matrix(("secretary", {"region": world.community1}), ("secretary", {"region": world.community3}))
    assert [f for case in secretary_cases(world, users) for f in run_case(clients, case)] == []
