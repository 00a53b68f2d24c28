"""The API: tokens for machines (hashed, revocable), session auth with CSRF, JSON errors in the
caller's language, filters and pagination."""

from django.test import Client

from wanghua.core import services
from wanghua.core.models import ApiToken, hash_token
from wanghua.org.models import Person


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_created_in_ui_works_and_is_stored_hashed(world, make_user, client_for):
    street = make_user("st", "street", region=world.street1)
    page = client_for(street).post("/accounts/tokens/", {"name": "网关1"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=street)
    key = page.context["new_key"]
    assert key.startswith("wh_") and token.key_hash == hash_token(key) and key not in token.key_hash
    anonymous = Client()
    me = anonymous.get("/api/v1/me", **bearer(key))
    assert me.status_code == 200 and me.json()["username"] == "st"
    created = anonymous.post("/api/v1/org/people", {"name": "令牌新人", "region_id": world.community1.pk},
                             content_type="application/json", **bearer(key))
    assert created.status_code == 201  # no CSRF needed for token calls
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(world, make_user, client_for):
    street = make_user("st", "street", region=world.street1)
    key = services.create_token(street, "临时")
    token = ApiToken.objects.get(user=street)
    assert client_for(street).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().get("/api/v1/me", **bearer(key)).status_code == 401
    assert Client().get("/api/v1/me", **bearer("wh_not-a-token")).status_code == 401


def test_other_users_tokens_cannot_be_revoked(world, make_user, client_for):
    owner = make_user("owner")
    services.create_token(owner, "mine")
    token = ApiToken.objects.get(user=owner)
    assert client_for(make_user("thief")).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_session_writes_need_csrf(world, make_user):
    street = make_user("st", "street", region=world.street1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(street)
    response = client.post("/api/v1/org/people", {"name": "跨站", "region_id": world.community1.pk},
                           content_type="application/json")
    assert response.status_code == 403
    assert not Person.objects.filter(name="跨站").exists()


def test_errors_are_json_in_the_callers_language(world, make_user, client_for):
    client = client_for(make_user("st", "street", region=world.street1))
    zh = client.get("/api/v1/org/people/999999", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.get("/api/v1/org/people/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 404
    assert zh.json() == {"detail": "未找到。"} and en.json() == {"detail": "Not found."}
    assert Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"].startswith("需要身份验证")


def test_schema_and_domain_errors(world, make_user, client_for):
    client = client_for(make_user("root", is_superuser=True))
    bad_schema = client.post("/api/v1/org/regions", {"code": "", "name": "x"}, content_type="application/json",
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad_schema.status_code == 422 and bad_schema.json()["detail"] == "请求内容不符合接口定义。"
    assert isinstance(bad_schema.json()["errors"], list)
    bad_tree = client.post("/api/v1/org/regions", {"code": "X9", "name": "错社区", "level": "community",
                                                   "kind": "社区", "parent_id": world.community1.pk},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad_tree.status_code == 400 and "必须隶属于" in bad_tree.json()["detail"]
    not_json = client.post("/api/v1/org/regions", "{not json", content_type="application/json")
    assert 400 <= not_json.status_code < 500
    in_use = client.delete(f"/api/v1/org/regions/{world.community1.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert in_use.status_code == 400 and "still used" in in_use.json()["detail"]


def test_filters_and_pagination(world, make_user, client_for):
    client = client_for(make_user("leader", "leader", region=world.district))
    page = client.get("/api/v1/org/regions", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 7 and len(page["items"]) == 2
    under = client.get("/api/v1/org/regions", {"under": world.street1.pk}).json()
    assert {r["name"] for r in under["items"]} == {"一街道", "甲社区", "乙社区", "甲社区第1网格"}
    communities = client.get("/api/v1/org/regions", {"level": "community", "q": "甲"}).json()
    assert [r["name"] for r in communities["items"]] == ["甲社区"]
    people = client.get("/api/v1/org/people", {"region": world.street2.pk}).json()
    assert [p["name"] for p in people["items"]] == ["李丙"]
    assert client.get("/api/v1/org/regions", {"page": 0}).status_code == 422
    assert client.get("/api/v1/org/regions", {"level": "planet"}).status_code == 422


def test_openapi_is_published(client_for, make_user, db):
    schema = client_for(make_user("u")).get("/api/v1/openapi.json").json()
    assert "/api/v1/org/regions" in schema["paths"] and schema["info"]["version"] == "1"
