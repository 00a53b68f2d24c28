"""The maps' data: the command centre's case points (filtered), the public case map without personal data, the
resident's pin (the community follows from it) and the nearby-duplicate check while filing (我也遇到)."""

from decimal import Decimal

import pytest
from django.test import Client

from wanghua.civic.models import Case, CaseCategory
from wanghua.civic.services import cases as services

SQUARE = {"type": "Polygon", "coordinates": [[[123.8, 41.8], [123.81, 41.8], [123.81, 41.81], [123.8, 41.81],
                                              [123.8, 41.8]]]}


@pytest.fixture
def mapped(world, centre):
    world.community1.geojson = SQUARE
    world.community1.save()
    world.street1.geojson = SQUARE
    world.street1.save()
    return world


def _report(centre, community, lat="41.805", lon="123.805", category=None, **extra):
    return services.report_case(centre["command"], source="grid", category=category or centre["sub"],
                                description="门前占道经营，联系人王秀英13912345678", community=community,
                                lat=Decimal(lat), lon=Decimal(lon), reporter_name="王秀英",
                                reporter_phone="13912345678", **extra)


def test_case_map_points_filter_by_category_and_status_and_link_to_the_case(mapped, centre, client_for):
    other_main = CaseCategory.objects.create(code="env", name="环境卫生", kind="event")
    litter = CaseCategory.objects.create(code="litter", name="垃圾乱堆", kind="event", parent=other_main)
    case = _report(centre, mapped.community1)
    _report(centre, mapped.community1, lat="41.806", category=litter)
    client = client_for(centre["command"])
    data = client.get("/civic/cases/map.json").json()
    assert len(data["points"]) == 2 and data["features"][0]["properties"]["cases"] == 2
    only = client.get(f"/civic/cases/map.json?category={centre['main'].pk}").json()["points"]
    assert [(p["number"], p["url"], p["category"], p["status"]) for p in only] == [
        (case.number, f"/civic/cases/{case.pk}/", "街面秩序", "reported")]
    assert client.get("/civic/cases/map.json?status=closed").json()["points"] == []
    assert client.get("/civic/cases/map.json?start=2000-01-01&end=2000-12-31").json()["points"] == []
    page = client.get("/civic/cases/map/?category=x&status=nonsense").content.decode()
    assert 'data-point-map' in page and 'id="heat-toggle"' in page


def test_the_public_case_map_shows_where_and_how_far_but_nobody(mapped, centre):
    case = _report(centre, mapped.community1, lat="41.805123", lon="123.805678")
    body = Client().get("/civic/map.json")
    assert body.status_code == 200
    text = body.content.decode()
    assert "王秀英" not in text and "13912345678" not in text and "门前" not in text
    assert case.public_token not in text and case.number not in text
    (point,) = body.json()["points"]
    assert point == {"lon": 123.8057, "lat": 41.8051, "category": "街面秩序", "subcategory": "占道经营",
                     "status": "received", "status_label": "已受理", "community": mapped.community1.name,
                     "reported": point["reported"]}
    assert [f["properties"]["label"] for f in body.json()["outline"]["features"]] == [mapped.street1.name]
    assert Client().get("/civic/map.json?points=0").json()["points"] == []
    assert 'data-point-map' in Client().get("/civic/map/").content.decode()


def test_a_pin_places_the_report_and_finds_its_community(mapped, centre):
    client = Client()
    page = client.post("/civic/report/", {"category": centre["sub"].pk, "lat": "41.8031", "lon": "123.8042",
                                          "address": "和平路12号", "description": "井盖缺失"})
    assert page.status_code == 302
    case = Case.objects.get(description="井盖缺失")
    assert (case.community, case.lat, case.lon) == (mapped.community1, Decimal("41.803100"), Decimal("123.804200"))
    outside = client.post("/civic/report/", {"category": centre["sub"].pk, "lat": "40.0", "lon": "120.0",
                                             "address": "和平路", "description": "界外"})
    assert outside.status_code == 400 and "不在本区范围内" in outside.content.decode()
    half = client.post("/civic/report/", {"category": centre["sub"].pk, "lat": "41.80", "address": "和平路",
                                          "description": "半个坐标"})
    assert half.status_code == 400 and not Case.objects.filter(description__in=["界外", "半个坐标"]).exists()
    form = client.get("/civic/report/").content.decode()
    assert 'id="pin-map"' in form and 'id="use-gps"' in form and 'name="same_as"' in form


def test_nearby_open_cases_of_the_same_kind_are_offered_while_filing(mapped, centre):
    existing = _report(centre, mapped.community1, lat="41.80500", lon="123.80500")
    client = Client()
    near = client.get(f"/civic/report/nearby.json?category={centre['sub'].pk}&lat=41.80520&lon=123.80510").json()
    assert [c["number"] for c in near["cases"]] == [existing.number]
    assert "王秀英" not in str(near) and "门前" not in str(near)
    far = client.get(f"/civic/report/nearby.json?category={centre['sub'].pk}&lat=41.8090&lon=123.8090").json()
    assert far == {"cases": []}
    for bad in ("category=x&lat=1&lon=2", f"category={centre['sub'].pk}&lat=abc&lon=1",
                f"category={centre['sub'].pk}&lat=91&lon=1", f"category={centre['sub'].pk}&lat=NaN&lon=1",
                f"category={centre['sub'].pk}&lat=41.8&lon=sNaN", f"category={centre['sub'].pk}&lat=-Infinity&lon=1",
                ""):
        response = client.get(f"/civic/report/nearby.json?{bad}")
        assert response.status_code == 200 and response.json() == {"cases": []}
    page = client.post("/civic/report/", {"category": centre["sub"].pk, "lat": "41.80520", "lon": "123.80510",
                                          "address": "和平路12号", "description": "同一处占道",
                                          "same_as": existing.number})
    assert page.status_code == 302
    joined = Case.objects.get(description="同一处占道")
    note = joined.events.get(step="report").note
    assert existing.number in note and "我也遇到" in note
