"""Malformed or hostile input gets a 4xx with a message, never a 500, and changes nothing."""

import pytest

from wanghua.core.models import AuditEntry

HUGE = "99999999999999999999999"

PAGE_URLS = [
    f"/org/people/{HUGE}/", f"/org/regions/?under={HUGE}", f"/org/people/?region={HUGE}", "/org/people/?unit=-1",
    "/org/regions/?q=%00", f"/system/audit/1/{HUGE}/", f"/system/audit/user/{HUGE}/", f"/org/people/?page={HUGE}",
    f"/system/audit/?content_type={HUGE}", "/system/audit/?since=2026-13-45", "/org/regions/?level=%3Cscript%3E",
]
API_URLS = [
    f"/api/v1/org/people/{HUGE}", f"/api/v1/org/regions?parent={HUGE}", f"/api/v1/org/regions?page={HUGE}",
    "/api/v1/org/regions?page_size=100000", "/api/v1/org/units?q=%00", "/api/v1/org/people/-5",
    "/api/v1/org/regions?under=abc",
]


@pytest.fixture
def root_client(world, make_user, client_for):
    client = client_for(make_user("root", is_superuser=True))
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", PAGE_URLS + API_URLS)
def test_hostile_query_is_a_client_error(root_client, url):
    assert 400 <= root_client.get(url).status_code < 500


@pytest.mark.parametrize("body", [
    {"name": "坏\x00人", "region_id": 1},
    {"name": "x" * 51, "region_id": 1},
    {"name": "无区划"},
    {"name": "坏号", "region_id": 1, "id_number": "12345"},
    {"name": "坏ID", "region_id": int(HUGE)},
    {"name": ["list"], "region_id": 1},
])
def test_hostile_json_body_is_refused_and_changes_nothing(root_client, world, body):
    body = {**body, "region_id": world.community1.pk} if body.get("region_id") == 1 else body
    before = AuditEntry.objects.count()
    response = root_client.post("/api/v1/org/people", body, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.json()["detail"]
    assert AuditEntry.objects.count() == before


def test_oversized_body_is_refused(root_client):
    response = root_client.post("/api/v1/org/people", "x" * (6 * 1024 * 1024), content_type="application/json")
    assert 400 <= response.status_code < 500


def test_nul_in_a_form_is_a_form_error(root_client, world):
    response = root_client.post("/org/people/new/", {"name": "坏\x00人", "region": world.community1.pk})
    assert response.status_code == 400


@pytest.mark.parametrize("url_name,body", [
    ("units", {"address": None, "name": None, "phone": None}),
    ("regions", {"name": None, "code": None}),
    ("people", {"name": None, "phone": None, "title": None}),
])
def test_patch_with_nulls_keeps_text_fields(root_client, world, url_name, body):
    target = {"units": world.enterprise1, "regions": world.community1, "people": world.person1}[url_name]
    response = root_client.patch(f"/api/v1/org/{url_name}/{target.pk}", body, content_type="application/json")
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.name
