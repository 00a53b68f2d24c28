"""The inputs of issue 16 that answered 500 or stored what later broke a page: each gets a 4xx with a
Chinese message (or is ignored as a filter error), and nothing stored breaks an export."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.civic.test_matrix import prepare_cases
from tests.projects.test_matrix import prepare_projects
from tests.stations.conftest import build_desk


def bomb_png(width: int = 40000, height: int = 40000) -> bytes:
    """A PNG whose header claims 1.6 billion pixels, in well under 1 KB (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    pixels = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def root(world, make_user, client_for):
    client = client_for(make_user("boundary-root", is_superuser=True))
    client.raise_request_exception = False
    return client


@pytest.fixture
def desk(world, make_user):
    return build_desk(world, make_user)


def test_bomb_png_is_small():
    assert len(bomb_png()) < 1024


@pytest.mark.parametrize("query", ["day=9999-12-31", "day=0001-01-01", "day=2026-02-30", "day=99999-01-01"])
def test_diary_day_out_of_range(root, desk, query):
    response = root.get(f"/services/diary/?agent={desk.station.agents.get().pk}&{query}")
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("path", ["9999-12.pdf", "0-1.pdf", "99999.xlsx", "0.xlsx", "9999-12-31.pdf", "2026-13.xlsx"])
def test_diary_files_out_of_range(root, desk, path):
    response = root.get(f"/services/diary/{desk.station.agents.get().pk}/{path}")
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("url", [
    "/civic/cases/board/?start=2026-02-30", "/civic/cases/board/?end=9999-12-31",
    "/civic/cases/board/?start=0001-01-01",
    "/civic/cases/map.json?start=2026-02-30", "/civic/cases/map.json?end=9999-12-31",
    "/civic/cases/?year=0", "/civic/cases/?year=1e10", "/civic/cases/?reported_from=9999-12-31T23:59:59",
    "/projects/list/?started_year=-1", "/projects/list/?started_year=1e10",
    "/projects/assessment/?period=0000", "/projects/assessment/?period=9999-12", "/projects/assessment/?period=0000-Q1",
    "/services/errands/?agent=99999999999999999999", "/services/errands/?since=0001-01-01",
    "/services/errands/?since=9999-12-31", "/services/statistics/?year=99999999999999999999",
])
def test_out_of_range_query_is_a_client_error(root, world, make_user, url):
    prepare_cases(world, make_user)
    response = root.get(url)
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize("period", ["0000", "9999-12", "0000-Q1", "1e10"])
def test_assessment_api_period_out_of_range(root, period):
    response = root.get(f"/api/v1/projects/assessment?kind=department&period={period}")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("on", ["2026-02-30", "9999-12-31", "0001-01-01"])
def test_lead_stage_with_a_bad_date(root, world, make_user, on):
    ids = prepare_projects(world, make_user)
    from wanghua.projects.models import Lead

    before = Lead.objects.get(pk=ids["lead"]).stage
    response = root.post(f"/projects/leads/{ids['lead']}/negotiation/", {"on": on})
    assert response.status_code < 500
    assert Lead.objects.get(pk=ids["lead"]).stage == before


# --- images ------------------------------------------------------------------------------------------

def test_bomb_photo_on_the_errand_page_and_api(root, desk):
    from wanghua.stations import services
    from wanghua.stations.models import ErrandAttachment

    errand = services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买药")
    page = root.post(f"/services/errands/{errand.pk}/photos/",
                     {"image": SimpleUploadedFile("b.png", bomb_png(), "image/png"), "caption": "票"})
    assert 400 <= page.status_code < 500 or page.status_code == 302
    api = root.post(f"/api/v1/services/errands/{errand.pk}/photos",
                    {"image": SimpleUploadedFile("b.png", bomb_png(), "image/png")})
    assert api.status_code == 400 and "像素" in api.json()["detail"]
    assert not ErrandAttachment.objects.exists()


def test_bomb_photo_on_open311(world, make_user, client):
    from tests.civic.test_open311 import SQUARE
    from wanghua.civic.models import Case, CaseCategory
    from wanghua.core.services import create_token

    world.community1.geojson = SQUARE
    world.community1.save()
    main = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    CaseCategory.objects.create(code="road-occupation", name="占道经营", kind="event", parent=main)
    key = create_token(make_user("app", "grid", region=world.grid1), "app")
    response = client.post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "road-occupation", "lat": "41.85", "long": "123.81", "description": "占道",
        "media": SimpleUploadedFile("b.png", bomb_png(), "image/png")})
    assert response.status_code == 400 and "像素" in response.json()[0]["description"]
    assert not Case.objects.exists()


# --- spreadsheets ------------------------------------------------------------------------------------

def billion_laughs_xlsx() -> bytes:
    """A ledger workbook whose sheet defines a billion-laughs entity (10⁹ "ha"s) and uses it in a cell."""
    import zipfile

    from openpyxl import Workbook

    from wanghua.projects.services.ledger import HEADERS

    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(["PMX", "BOMB"])
    plain = BytesIO()
    book.save(plain)
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ha">{entities}]>'
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (doctype + data.decode().replace("BOMB", "&l9;")).encode()
            target.writestr(item, data)
    return out.getvalue()


def test_billion_laughs_ledger_is_refused(world, make_user, client_for):
    prepare_projects(world, make_user)
    client = client_for(make_user("ledger-dept", "department", unit=world.dept))
    client.raise_request_exception = False
    response = client.post("/projects/ledger/import/",
                           {"ledger": SimpleUploadedFile("l.xlsx", billion_laughs_xlsx())})
    assert response.status_code == 400
    assert "Excel" in response.content.decode()


# --- text: control characters and lengths ------------------------------------------------------------

@pytest.fixture
def errand(desk):
    from wanghua.stations import services

    return services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买药")


@pytest.mark.parametrize("step,field,value", [
    ("cancel", "reason", "x" * 100_000),
    ("cancel", "reason", "家属\x01取消"),
    ("cancel", "reason", "家属\x00取消"),
    ("return", "reason", "退\x1b回"),
])
def test_step_pages_refuse_control_characters_and_overlong_text(desk, errand, client_for, step, field, value):
    from django.contrib.messages import get_messages

    from wanghua.stations.models import Errand

    client = client_for(desk.agent)
    response = client.post(f"/services/errands/{errand.pk}/{step}/", {field: value})
    assert response.status_code in (302, 400)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "字符" in text
    assert Errand.objects.get(pk=errand.pk).status == "accepted"


def test_multi_line_text_keeps_its_line_breaks(desk, errand, client_for):
    from wanghua.stations.models import Errand

    client_for(desk.agent).post(f"/services/errands/{errand.pk}/cancel/", {"reason": "家属\r\n自己去办了\t"})
    assert Errand.objects.get(pk=errand.pk).closing_reason == "家属\r\n自己去办了"  # stripped, kept inside


def test_api_refuses_control_characters(desk, client_for):
    from wanghua.stations.models import Errand

    client = client_for(desk.agent)
    response = client.post("/api/v1/services/errands", {"resident_id": desk.resident.pk, "category": "shopping",
                                                         "description": "买\x07药"}, content_type="application/json")
    assert response.status_code == 422 and "控制字符" in str(response.json())
    assert not Errand.objects.exists()


def test_alarm_registration_refuses_control_characters(world, make_user, client_for):
    from tests.industry.conftest import build_plant
    from tests.industry.test_matrix import prepare
    from wanghua.industry.models import AlarmEvent

    plant = build_plant(world)
    ids = prepare(plant)
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    before = AlarmEvent.objects.count()
    client.post(f"/industry/alarms/{ids['register']}/register/", {"cause": "泵\x0b故障", "action": "切换"})
    api = client.post(f"/api/v1/industry/alarms/{ids['api_register']}/register",
                      {"cause": "卡\x0c料", "action": "清理"}, content_type="application/json")
    assert 400 <= api.status_code < 500
    assert AlarmEvent.objects.count() == before


def test_open311_refuses_control_characters(world, make_user, client):
    from tests.civic.test_open311 import SQUARE
    from wanghua.civic.models import Case, CaseCategory
    from wanghua.core.services import create_token

    world.community1.geojson = SQUARE
    world.community1.save()
    main = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    CaseCategory.objects.create(code="road-occupation", name="占道经营", kind="event", parent=main)
    key = create_token(make_user("app", "grid", region=world.grid1), "app")
    response = client.post("/open311/v2/requests.xml", {"api_key": key, "service_code": "road-occupation",
                                                        "lat": "41.85", "long": "123.81", "description": "占\x02道"})
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    assert not Case.objects.exists()


def test_model_forms_show_the_problem_beside_the_field(world, make_user, client_for):
    client = client_for(make_user("people-admin", is_superuser=True))
    response = client.post("/org/people/new/", {"name": "张\x01三", "region": world.community1.pk})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_a_single_line_filter_refuses_a_line_break(root):
    assert root.get("/org/regions/?q=%E7%94%B2%0A%E4%B9%99").status_code == 400


# --- what is already stored still exports -------------------------------------------------------------

def test_stored_control_characters_still_export(desk, errand, root):
    from openpyxl import load_workbook

    from wanghua.stations import services
    from wanghua.stations.models import DiaryNote, Errand

    services.start_errand(desk.agent, errand.pk)
    services.complete_errand(desk.agent, errand.pk, outcome="已送达")
    Errand.objects.filter(pk=errand.pk).update(outcome="已\x01送达\x1b", description="买\x08药")
    agent = desk.station.agents.get()
    note = services.write_diary_note(desk.agent, desk.station, agent, errand.accepted_at.date(), "备注")
    DiaryNote.objects.filter(pk=note.pk).update(text="备\x02注")
    day = errand.accepted_at.date()
    for url in ("/services/errands/?format=xlsx", f"/services/diary/{agent.pk}/{day:%Y-%m}.xlsx",
                f"/services/diary/{agent.pk}/{day:%Y}.xlsx"):
        response = root.get(url)
        assert response.status_code == 200, url
        sheet = load_workbook(BytesIO(response.content)).active
        cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
        assert "买药" in cells or "备注" in cells


def test_stored_alarm_with_control_characters_still_exports(world, make_user, client_for):
    from tests.industry.conftest import build_plant
    from tests.industry.test_matrix import prepare
    from wanghua.industry import services
    from wanghua.industry.models import AlarmEvent

    plant = build_plant(world)
    ids = prepare(plant)
    operator = make_user("op", "operator", unit=world.enterprise1)
    event = services.register(operator, ids["register"], cause="泵故障", action="切换备用泵")
    AlarmEvent.objects.filter(pk=event.pk).update(cause="泵\x03故障")
    response = client_for(operator).get("/industry/alarms/?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_requests_xml_is_well_formed_whatever_is_stored(world, make_user, client):
    from xml.etree import ElementTree

    from wanghua.civic.models import Case

    ids = prepare_cases(world, make_user)
    Case.objects.filter(pk=ids["case"]).update(description="垃圾\x01堆放\x1f", address="工农路\x0b3号")
    response = client.get("/open311/v2/requests.xml")
    assert response.status_code == 200
    descriptions = [e.text for e in ElementTree.fromstring(response.content).iter("description")]
    assert "垃圾堆放" in descriptions


# --- dates in records --------------------------------------------------------------------------------

@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_diary_note_dated_year_1_is_refused(desk, client_for, day):
    from wanghua.stations.models import DiaryNote

    agent = desk.station.agents.get()
    response = client_for(desk.agent).post(f"/services/diary/?agent={agent.pk}&day={day}", {"text": "远古的备注"})
    assert response.status_code == 400
    assert not DiaryNote.objects.exists()


def test_the_diary_service_refuses_a_date_out_of_range(desk):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from wanghua.stations import services

    with pytest.raises(ValidationError, match="1900"):
        services.write_diary_note(desk.agent, desk.station, desk.station.agents.get(), dt.date(1, 1, 1), "备注")


# --- JSON bodies -------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [50_000, 40])
def test_deeply_nested_json_is_refused(desk, client_for, depth):
    from wanghua.stations.models import Errand

    nested = "[" * depth + "]" * depth
    body = f'{{"resident_id": {desk.resident.pk}, "category": "shopping", "description": "买药", "extra": {nested}}}'
    response = client_for(desk.agent).post("/api/v1/services/errands", body, content_type="application/json")
    assert response.status_code == 400 and "嵌套" in response.json()["detail"]
    assert not Errand.objects.exists()


def test_malformed_json_is_a_chinese_400(desk, client_for):
    response = client_for(desk.agent).post("/api/v1/services/errands", "{nope", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


def test_json_depth_is_measured_without_recursion():
    from wanghua.core.boundary import json_depth

    deep: list = []
    for _level in range(100_000):
        deep = [deep]
    assert json_depth(deep) == 100_001 and json_depth({"a": [1, {"b": 2}]}) == 3 and json_depth(5) == 0


# --- the shared pieces -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/services/errands?since=0001-01-01",
                                 "/api/v1/services/errands?until=9999-12-31"])
def test_api_filters_take_the_pages_date_range(root, url):
    response = root.get(url)
    assert response.status_code == 400 and "1900" in response.json()["detail"]


def test_a_number_beyond_its_column_is_refused_on_save(desk):
    from django.core.exceptions import ValidationError

    resident = desk.resident
    resident.birth_year = 70_000  # a PositiveSmallIntegerField holds 32,767 at most
    with pytest.raises(ValidationError) as refused:
        resident.save()
    assert "birth_year" in refused.value.message_dict


def test_printable_keeps_text_and_drops_controls():
    from wanghua.core.boundary import printable, text_problem

    assert printable("甲\x00乙\x1f丙\t丁\n戊\x7f\x85\ufffe") == "甲乙丙\t丁\n戊"
    assert text_problem("甲\t乙\r\n") is None and text_problem("甲\t乙", multi_line=False)


def test_a_bad_query_page_is_chinese(root, desk):
    response = root.get(f"/services/diary/?agent={desk.station.agents.get().pk}&day=0001-01-01")
    assert response.status_code == 400 and "年份须在 1900 至 2100 之间" in response.content.decode()
