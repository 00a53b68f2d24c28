"""The resident's report page (no account, rate-limited, with a photo) and its follow-up link; the KPI board."""

from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from wanghua.civic.models import Case, CasePhoto
from wanghua.civic.services import cases as services


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()  # the rate limit counts in the cache


def jpeg() -> SimpleUploadedFile:
    image = BytesIO()
    Image.new("RGB", (6, 6), "green").save(image, "JPEG")
    return SimpleUploadedFile("p.jpg", image.getvalue(), content_type="image/jpeg")


def test_resident_reports_without_an_account_and_follows_the_case(centre, world):
    client = Client()
    page = client.post("/civic/report/", {"category": centre["sub"].pk, "community": world.community1.pk,
                                          "address": "丹东路12号", "description": "商贩占道", "photo": jpeg(),
                                          "phone": "13500001111"})
    assert page.status_code == 302 and "/civic/follow/" in page["Location"]
    case = Case.objects.get()
    assert (case.source, case.reported_by, case.reporter_phone) == ("resident", None, "13500001111")
    assert CasePhoto.objects.filter(case=case).count() == 1
    follow = client.get(page["Location"]).content.decode()
    assert case.number in follow and "13500001111" not in follow
    services.accept_case(centre["command"], case.pk, accept=True)
    followed = client.get(page["Location"]).content.decode()
    assert "已立案" in followed and "· 上报</li>" in followed and "· 立案</li>" in followed
    assert "· report" not in followed and "· accept" not in followed  # the journal's steps by name, not code
    assert client.get("/civic/follow/not-a-token/").status_code == 404


def test_bad_reports_and_the_rate_limit(centre, world):
    client = Client()
    form = {"category": centre["sub"].pk, "community": world.community1.pk, "address": "丹东路", "description": "x"}
    not_image = SimpleUploadedFile("p.jpg", b"plain text", content_type="image/jpeg")
    assert client.post("/civic/report/", {**form, "photo": not_image}).status_code == 400
    assert client.post("/civic/report/", {**form, "description": "长" * 4001}).status_code == 400
    assert not Case.objects.exists()
    for _ in range(3):  # five posts in ten minutes, the two refused ones included
        assert client.post("/civic/report/", form).status_code == 302
    limited = client.post("/civic/report/", form)
    assert limited.status_code == 429 and "十分钟" in limited.content.decode()


def test_kpi_board_shows_and_exports(centre, world, client_for):
    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                                community=world.grid1)
    services.accept_case(centre["command"], case.pk, accept=True)
    client = client_for(centre["command"])
    html = client.get("/civic/cases/board/").content.decode()
    assert 'id="acceptance">100.0%' in html and 'id="chart-streets"' in html
    streets = html[html.index('id="by-street"'):]
    assert "一街道" in streets[:2000] and "甲社区" not in streets[:2000]  # a grid's case counts for its street
    assert "尚未派遣" in html[html.index('id="by-unit"'):][:2000]
    sheet = client.get("/civic/cases/board/?export=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")


def test_public_promises_and_action_tallies(centre, world, client_for):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from wanghua.civic.models import CampaignAction, Commitment
    from wanghua.civic.services import commitments

    year = timezone.localdate().year
    deadline = timezone.localdate() + timedelta(days=9)
    park = Commitment.objects.create(year=year, title="口袋公园3处", target=Decimal(3), target_unit="处",
                                     unit=world.dept, region=world.district, deadline=deadline)
    Commitment.objects.create(year=year, title="幼儿园学位360个", target=Decimal(360), target_unit="个",
                              unit=world.dept, region=world.district, deadline=deadline)
    commitments.report_progress(centre["unit"], park.pk, delivered=Decimal(3), note="建成")
    page = Client().get("/civic/promises/").content.decode()
    assert "口袋公园3处" in page and 'id="share">50.0%' in page and 'data-status="delivered"' in page
    action = CampaignAction.objects.create(code="occupation", name="占道经营整治行动", year=year)
    action.categories.add(centre["sub"])
    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                                community=world.grid1)
    services.accept_case(centre["command"], case.pk, accept=True)
    services.dispatch_case(centre["command"], case.pk, unit=world.dept)
    services.handle_case(centre["unit"], case.pk, note="已清理")
    services.verify_case(centre["command"], case.pk, passed=True)
    html = client_for(centre["command"]).get("/civic/actions/").content.decode()
    assert 'data-action="occupation"' in html and "data-put-right>1<" in html


def test_case_map_counts_grid_cases_for_their_community(centre, world, client_for):
    world.community1.geojson = {"type": "Polygon", "coordinates": [[[123.8, 41.8], [123.81, 41.8], [123.81, 41.81],
                                                                     [123.8, 41.81], [123.8, 41.8]]]}
    world.community1.save()
    for _ in range(2):
        services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                             community=world.grid1)
    data = client_for(centre["command"]).get("/civic/cases/map.json").json()
    assert [(f["properties"]["label"], f["properties"]["cases"]) for f in data["features"]] == [
        (world.community1.name, 2)]


def test_case_page_steps_reassign_and_refuse(centre, world, client_for):
    from wanghua.org.models import Unit, UnitKind

    case = services.report_case(centre["grid"], source="grid", category=centre["sub"], description="占道",
                                community=world.grid1)
    client = client_for(centre["command"])
    page = f"/civic/cases/{case.pk}/"
    assert client.post(f"{page}accept/", {"note": ""}).status_code == 302
    assert client.post(f"{page}dispatch/", {"unit": ""}).status_code == 400  # the form is refused, shown again
    assert client.post(f"{page}dispatch/", {"unit": world.dept.pk}).status_code == 302
    other = Unit.objects.create(code="dept-m", name="市场监管局", kind=UnitKind.DEPARTMENT, region=world.district)
    assert f"cases/{case.pk}/reassign/" in client.get(page).content.decode()
    client.post(f"{page}reassign/", {"unit": other.pk, "note": "属市场监管职责"})
    assert Case.objects.get(pk=case.pk).reassignments == 1
    assert client.post(f"{page}nope/").status_code == 404
    inspector = client_for(centre["grid"])  # sees the case, may not take the command centre's steps
    assert inspector.post(f"{page}reassign/", {"unit": world.dept.pk, "note": "x"}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == "dispatched"
