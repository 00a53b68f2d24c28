"""Shared state for several servers: the cache from WANGHUA_CACHE_URL (Redis) carries the public report's rate
limit across processes; WANGHUA_TRUSTED_PROXIES decides the client address for rate limits, lockout and the
login log; a machine with a bad token gets 401, not a CSRF refusal."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings

from wanghua.civic.models import Case, CaseCategory
from wanghua.core.clientip import client_ip, parse_proxies
from wanghua.core.models import LoginEvent
from wanghua.settings import cache_config

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 11


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# --- the client address ------------------------------------------------------------------------------------

def test_without_trusted_proxies_the_connection_address_counts(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request("127.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # A client that writes its own header in front of the proxy's entry gains nothing: the right-most
    # untrusted hop is the one the proxy saw.
    assert client_ip(request("127.0.0.1", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request("127.0.0.1", "203.0.113.9, 10.1.2.3")) == "203.0.113.9"  # two proxies deep
    assert client_ip(request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"  # not a proxy of ours
    assert client_ip(request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_ip(request("127.0.0.1")) == "127.0.0.1"


def test_a_wrong_proxy_entry_stops_the_start():
    assert parse_proxies("127.0.0.1, 10.0.0.0/8 ::1") == ["127.0.0.1", "10.0.0.0/8", "::1"]
    with pytest.raises(ValueError):
        parse_proxies("127.0.0.1,nginx")


@pytest.fixture
def staff(world, make_user):
    return make_user("st", "street", region=world.street1)


def test_lockout_and_login_log_key_on_the_client_behind_the_proxy(staff):
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        client = Client(REMOTE_ADDR="127.0.0.1")
        for _ in range(5):
            response = client.post("/accounts/login/", {"username": "st", "password": "wrong"},
                                   HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert response.status_code == 429
        assert set(LoginEvent.objects.values_list("ip", flat=True)) == {"203.0.113.5"}
        # Another resident behind the same nginx is not locked out by the first one's failures.
        other = client.post("/accounts/login/", {"username": "st", "password": "Pass-word-123"},
                            HTTP_X_FORWARDED_FOR="203.0.113.6")
        assert other.status_code == 302
        assert LoginEvent.objects.filter(success=True).get().ip == "203.0.113.6"


def test_without_trusted_proxies_a_forged_header_escapes_nothing(staff):
    client = Client(REMOTE_ADDR="127.0.0.1")
    for n in range(5):
        response = client.post("/accounts/login/", {"username": "st", "password": "wrong"},
                               HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert response.status_code == 429
    assert set(LoginEvent.objects.values_list("ip", flat=True)) == {"127.0.0.1"}


@pytest.fixture
def category(db):
    road = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    return CaseCategory.objects.create(code="road-occupation", name="占道经营", kind="event", parent=road,
                                       handle_hours=4)


def test_the_report_rate_limit_counts_per_client_behind_the_proxy(world, category):
    cache.clear()
    form = {"category": category.pk, "community": world.community1.pk, "address": "丹东路", "description": "占道"}
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        client = Client(REMOTE_ADDR="127.0.0.1")
        for _ in range(5):
            assert client.post("/civic/report/", form, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 302
        assert client.post("/civic/report/", form, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
        assert client.post("/civic/report/", form, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302
    assert Case.objects.count() == 6


# --- the API and bad tokens ----------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Bearer wh_not-a-real-token", "Bearer ", "Token abc", "Basic dXNlcjpwdw=="])
def test_a_write_with_a_bad_token_answers_401(db, header):
    response = Client(enforce_csrf_checks=True).post("/api/v1/civic/cases", {}, content_type="application/json",
                                                     HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, response.content
    assert "CSRF" not in response.content.decode()


def test_an_anonymous_write_answers_401(db):
    response = Client(enforce_csrf_checks=True).post("/api/v1/civic/cases", {}, content_type="application/json")
    assert response.status_code == 401


def test_a_browser_write_without_its_csrf_token_is_still_refused(world, make_user):
    user = make_user("command", "command", region=world.district)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/civic/cases", {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.content.decode()


# --- the cache setting ---------------------------------------------------------------------------------------

def test_cache_url_chooses_the_backend():
    assert cache_config("", "p")["BACKEND"].endswith("LocMemCache")
    redis = cache_config("redis://127.0.0.1:6379/1", "p")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1" and redis["KEY_PREFIX"] == "p"
    assert cache_config("file:///var/tmp/wh", "p")["LOCATION"] == "/var/tmp/wh"
    with pytest.raises(RuntimeError):
        cache_config("memcached://127.0.0.1", "p")
