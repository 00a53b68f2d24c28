"""Deny by default: every URL declares its access rule; one that does not is refused."""

import re

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from wanghua.core.rules import PUBLIC, access, rule_for


def walk(patterns, namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, (*namespaces, entry.namespace) if entry.namespace else namespaces)
        elif isinstance(entry, URLPattern):
            yield entry, namespaces


def test_every_url_declares_an_access_rule():
    undeclared = [str(p.pattern) for p, ns in walk(get_resolver().url_patterns) if rule_for(p.callback, ns) is None]
    assert undeclared == []


def test_public_urls_are_only_the_intended_ones():
    public = sorted(p.name for p, ns in walk(get_resolver().url_patterns) if rule_for(p.callback, ns) is PUBLIC)
    # verify (lab:verify): whoever holds a quality certificate checks it against the lab's record (unguessable token);
    # Open311 GeoReport v2: public reading as the specification has it, creating checks its api_key itself;
    # 随手拍: residents report without an account (rate-limited) and follow their case by an unguessable link
    # public_commitments: what the district promised and delivered, for everyone
    # 雷锋文化: a site's plaque page, its visit beacon and photos, the 好人榜 and its objections, the certificate check
    # the public case map (no personal data) and the nearby-duplicate check while a resident files
    assert public == ["discovery", "honour_roll", "login", "logout", "objection_file", "plaque", "plaque_visit",
                      "public_case", "public_commitments", "public_map", "public_map_data", "public_nearby",
                      "public_report", "request", "requests", "root", "service", "services", "set_language",
                      "site_photo", "token", "verify", "verify"]


@pytest.mark.django_db
def test_every_api_operation_requires_authentication(client, make_user):
    """Anonymous calls to every operation of the OpenAPI schema are refused with 401."""
    admin = make_user("schema-reader", is_superuser=True)
    schema_client = type(client)()
    schema_client.force_login(admin)
    schema = schema_client.get("/api/v1/openapi.json").json()
    answered = {}
    for route, operations in schema["paths"].items():
        url = re.sub(r"{[^}]+}", "1", route)
        for method in operations:
            response = getattr(client, method)(url, content_type="application/json")
            answered[f"{method.upper()} {route}"] = response.status_code
    assert len(answered) > 20
    assert {k: v for k, v in answered.items() if v != 401} == {}


def undeclared_view(request):
    from django.http import HttpResponse

    return HttpResponse("should never be served")


@access(PUBLIC)
def declared_view(request):
    from django.http import HttpResponse

    return HttpResponse("public")


urlpatterns = [path("undeclared/", undeclared_view), path("open/", declared_view), path("", include("wanghua.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_undeclared_view_is_refused(client):
    assert client.get("/undeclared/").status_code == 403
    assert client.get("/open/").status_code == 200
