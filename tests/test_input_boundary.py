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
