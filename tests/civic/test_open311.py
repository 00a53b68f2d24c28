"""Open311 GeoReport v2: an independent client (the `georeport` package) reads the services, their definitions
and the requests back in JSON and XML; requests are created by plain form-encoded POSTs written from the
specification; every error is the specification's."""

from io import BytesIO
from xml.etree import ElementTree

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from georeport import GeoReport
from PIL import Image

from wanghua.civic.models import Case, CaseCategory, CasePhoto
from wanghua.core.services import create_token

SQUARE = {"type": "Polygon", "coordinates": [[[123.80, 41.84], [123.82, 41.84], [123.82, 41.86], [123.80, 41.86],
                                               [123.80, 41.84]]]}


@pytest.fixture
def city(world, make_user):
    world.community1.geojson = SQUARE
    world.community1.save()
    main = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    CaseCategory.objects.create(code="road-occupation", name="占道经营", kind="event", parent=main)
    CaseCategory.objects.create(code="parking", name="乱停乱放", kind="event", parent=main, attributes=[
        {"code": "vehicle", "description": "车辆类型", "datatype": "singlevaluelist", "required": True,
         "values": [{"key": "car", "name": "机动车"}, {"key": "bike", "name": "非机动车"}]}])
    return {"key": create_token(make_user("app", "grid", region=world.grid1), "12345 app")}


def post(client, key, **fields):
    return client.post("/open311/v2/requests.json", {"api_key": key, **fields})


def test_services_and_a_request_read_back_by_an_independent_client(city, live_server, world):
    root = f"{live_server.url}/open311/v2"
    created = requests.post(f"{root}/requests.json", data={
        "api_key": city["key"], "service_code": "parking", "lat": "41.85", "long": "123.81",
        "attribute[vehicle]": "car", "description": "小区门口车辆乱停", "first_name": "大娘", "last_name": "陈",
        "phone": "13500001111"}, timeout=10)
    assert created.status_code == 201
    answer = created.json()[0]
    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        services = client.get_service_list()
        assert {s["service_code"] for s in services} == {"road-occupation", "parking"}
        definition = client.get_service_definition("parking")
        attributes = definition["attributes"] if fmt == "json" else [definition["attributes"]["attribute"]]
        assert attributes[0]["code"] == "vehicle" and str(attributes[0]["required"]).lower() == "true"
        read = client.get_service_request(answer["service_request_id"])
        assert (read["status"], read["service_code"], read["description"]) == ("open", "parking", "小区门口车辆乱停")
        assert "13500001111" not in str(read)  # who reported is never public
        listed = client.get_service_requests(status="open")
        listed = listed if isinstance(listed, list) else [listed]
        assert answer["service_request_id"] in {r["service_request_id"] for r in listed}
        token = requests.get(f"{root}/tokens/{answer['token']}.{fmt}", timeout=10)
        assert token.status_code == 200 and answer["service_request_id"] in token.text
    case = Case.objects.get(number=answer["service_request_id"])
    assert (case.community, case.source, case.details) == (world.community1, "resident", {"vehicle": "car"})
    assert case.reporter_name == "陈 大娘"


def test_discovery_and_xml_shape(city, client):
    discovery = client.get("/open311/v2/discovery.xml")
    root = ElementTree.fromstring(discovery.content)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format").text == "text/xml"
    assert client.get("/open311/v2/discovery.json").json()["endpoints"][0]["url"].endswith("/open311/v2")
    services = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)
    assert services.tag == "services" and len(services.findall("service")) == 2


def error_of(response) -> tuple[int, str]:
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == response.status_code
    return response.status_code, body[0]["description"]


def test_errors_are_the_specifications_and_nothing_is_half_saved(city, client):
    key = city["key"]
    assert error_of(post(client, "wrong", service_code="parking", lat="41.85", long="123.81"))[0] == 403
    assert error_of(post(client, key, service_code="nope", lat="41.85", long="123.81"))[0] == 400
    assert error_of(post(client, key, service_code="road-occupation"))[0] == 400  # no location
    assert error_of(post(client, key, service_code="road-occupation", lat="41.85"))[0] == 400
    assert error_of(post(client, key, service_code="road-occupation", lat="1", long="2"))[0] == 400  # not here
    assert error_of(post(client, key, service_code="road-occupation", lat="41.85", long="123.81",
                         description="长" * 4001))[0] == 400
    assert error_of(post(client, key, service_code="parking", lat="41.85", long="123.81"))[0] == 400  # attribute
    assert error_of(post(client, key, service_code="parking", lat="41.85", long="123.81",
                         **{"attribute[vehicle]": "truck"}))[0] == 400
    not_a_photo = SimpleUploadedFile("p.jpg", b"GIF89a not really", content_type="image/jpeg")
    assert error_of(post(client, key, service_code="road-occupation", lat="41.85", long="123.81",
                         media=not_a_photo))[0] == 400
    huge = SimpleUploadedFile("p.jpg", b"\xff" * (5 * 1024 * 1024 + 1), content_type="image/jpeg")
    assert error_of(post(client, key, service_code="road-occupation", lat="41.85", long="123.81", media=huge))[0] == 400
    assert not Case.objects.exists()
    assert error_of(client.get("/open311/v2/requests.json?start_date=yesterday"))[0] == 400
    assert error_of(client.get("/open311/v2/requests.json?start_date=2026-11-02T00:00:00Z"
                               "&end_date=2026-11-01T00:00:00Z"))[0] == 400
    assert error_of(client.get("/open311/v2/requests.json?page_size=5000"))[0] == 400
    assert error_of(client.get("/open311/v2/requests/404.json"))[0] == 404
    assert error_of(client.get("/open311/v2/services/nope.json"))[0] == 404
    assert error_of(client.get("/open311/v2/tokens/nope.json"))[0] == 404
    assert client.get("/open311/v2/services.csv").status_code == 404
    xml_error = ElementTree.fromstring(client.get("/open311/v2/requests/404.xml").content)
    assert xml_error.tag == "errors" and xml_error.find("error/code").text == "404"


def test_photo_address_and_paging(city, client, world):
    image = BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "JPEG")
    made = post(client, city["key"], service_code="road-occupation",
                address_string=f"{world.community1.name}丹东路12号",
                media=SimpleUploadedFile("p.jpg", image.getvalue(), content_type="image/jpeg"))
    assert made.status_code == 201
    case = Case.objects.get(number=made.json()[0]["service_request_id"])
    assert case.community == world.community1 and CasePhoto.objects.get(case=case).image_format == "jpg"
    by_id = post(client, city["key"], service_code="road-occupation", address_id=world.community2.code)
    assert by_id.status_code == 201
    page = client.get("/open311/v2/requests.json?page_size=1&page=2").json()
    assert [r["service_request_id"] for r in page] == [case.number]  # newest first: the second is the photo one
