"""The permission matrix for every org page, export and API route:
anonymous / no role / out of scope / in scope."""

import pytest

from wanghua.core.models import AuditEntry
from wanghua.core.testing import (
    API_DETAIL,
    API_LIST,
    PAGE_CHANGE,
    PAGE_DETAIL,
    PAGE_LIST,
    Case,
    run_case,
)
from wanghua.org.models import Person, Region, Unit


def fingerprint():
    return (AuditEntry.objects.count(), list(Person.objects.order_by("pk").values()),
            list(Region.objects.order_by("pk").values()), list(Unit.objects.order_by("pk").values()))


def person_cases(w):
    p = w.person1.pk
    body = {"name": "张甲改", "region": w.community1.pk, "phone": "13912345678"}
    return [
        Case("person list", "get", "/org/people/", PAGE_LIST, marker="张甲"),
        Case("person export", "get", "/org/people/?format=xlsx", PAGE_LIST, marker="张甲"),
        Case("person detail", "get", f"/org/people/{p}/", PAGE_DETAIL),
        Case("person edit form", "get", f"/org/people/{p}/edit/", PAGE_DETAIL),
        Case("person create", "post", "/org/people/new/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
             data={"name": "新居民", "region": w.community1.pk}, state=None),
        Case("person update", "post", f"/org/people/{p}/edit/", PAGE_CHANGE, data=body, state=fingerprint),
        Case("person reveal", "post", f"/org/people/{p}/reveal/phone/", PAGE_DETAIL, marker="13912345678"),
        Case("api person list", "get", "/api/v1/org/people", API_LIST, marker="张甲"),
        Case("api person detail", "get", f"/api/v1/org/people/{p}", API_DETAIL),
        Case("api person create", "post", "/api/v1/org/people",
             {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201},
             data={"name": "接口新人", "region_id": w.community1.pk}, as_json=True),
        Case("api person update", "patch", f"/api/v1/org/people/{p}", API_DETAIL, data={"title": "楼长"},
             as_json=True, state=fingerprint),
        Case("api person reveal", "post", f"/api/v1/org/people/{p}/reveal", API_DETAIL, data={"field": "phone"},
             as_json=True, marker="13912345678"),
    ]


def person_delete_cases(w):
    p = w.person1.pk
    return [
        Case("person delete form", "get", f"/org/people/{p}/delete/", PAGE_DETAIL),
        Case("person delete", "post", f"/org/people/{p}/delete/", PAGE_CHANGE, state=fingerprint),
    ]


def api_person_delete_cases(w):
    return [Case("api person delete", "delete", f"/api/v1/org/people/{w.person1.pk}",
                 {**API_DETAIL, "in_scope": 204}, state=fingerprint)]


def region_cases(w):
    c = w.community1.pk
    grid = {"code": "T0101G9", "name": "新网格", "level": "grid", "kind": "网格", "parent": c}
    return [
        Case("region list", "get", "/org/regions/", PAGE_LIST, marker="甲社区"),
        Case("region export", "get", "/org/regions/?format=xlsx", PAGE_LIST, marker="甲社区"),
        Case("region tree", "get", "/org/regions/tree/", PAGE_LIST, marker="一街道"),
        Case("region detail", "get", f"/org/regions/{c}/", PAGE_DETAIL),
        Case("region children", "get", f"/org/regions/{c}/children/", PAGE_DETAIL),
        Case("region create", "post", "/org/regions/new/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302}, data=grid),
        Case("region update", "post", f"/org/regions/{c}/edit/", PAGE_CHANGE,
             data={"code": "T0101", "name": "甲社区（新）", "level": "community", "kind": "社区",
                   "parent": w.street1.pk}, state=fingerprint),
        Case("api region list", "get", "/api/v1/org/regions", API_LIST, marker="甲社区"),
        Case("api region detail", "get", f"/api/v1/org/regions/{c}", API_DETAIL),
        Case("api region create", "post", "/api/v1/org/regions",
             {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201},
             data={**{k: v for k, v in grid.items() if k != "parent"}, "code": "T0101G8", "parent_id": c},
             as_json=True),
        Case("api region update", "patch", f"/api/v1/org/regions/{c}", API_DETAIL, data={"population": 4321},
             as_json=True, state=fingerprint),
    ]


def unit_cases(w):
    e = w.enterprise1.pk
    return [
        Case("unit list", "get", "/org/units/", PAGE_LIST, marker="一号钢厂"),
        Case("unit export", "get", "/org/units/?format=xlsx", PAGE_LIST, marker="一号钢厂"),
        Case("unit detail", "get", f"/org/units/{e}/", PAGE_DETAIL),
        Case("unit update", "post", f"/org/units/{e}/edit/", PAGE_CHANGE,
             data={"code": "ent1", "name": "一号钢厂", "short_name": "一钢", "kind": "enterprise",
                   "region": w.street1.pk, "active": "on"}, state=fingerprint),
        Case("api unit list", "get", "/api/v1/org/units", API_LIST, marker="一号钢厂"),
        Case("api unit detail", "get", f"/api/v1/org/units/{e}", API_DETAIL),
        Case("api unit update", "patch", f"/api/v1/org/units/{e}", API_DETAIL, data={"phone": "024-5555"},
             as_json=True, state=fingerprint),
    ]


def assignment_cases(w):
    return [
        Case("assignment list", "get", "/org/assignments/", PAGE_LIST, marker="in_scope_user"),
        Case("assignment export", "get", "/org/assignments/?format=xlsx", PAGE_LIST, marker="in_scope_user"),
        Case("api assignment list", "get", "/api/v1/org/assignments", API_LIST, marker="in_scope_user"),
    ]


@pytest.fixture
def matrix(world, make_user, client_for):
    """Street staff of street 1 are in scope; street staff of street 2 are not."""

    def build(in_scope_region, out_scope_region, role="street"):
        return {
            "anonymous": client_for(None),
            "no_role": client_for(make_user("no_role_user")),
            "out_of_scope": client_for(make_user("out_scope_user", role, region=out_scope_region)),
            "in_scope": client_for(make_user("in_scope_user", role, region=in_scope_region)),
        }

    return build


@pytest.mark.parametrize("cases", [person_cases, person_delete_cases, api_person_delete_cases, region_cases,
                                   unit_cases, assignment_cases])
def test_org_matrix(world, matrix, cases):
    clients = matrix(world.street1, world.street2)
    failures = [failure for case in cases(world) for failure in run_case(clients, case)]
    assert failures == []


def test_community_secretary_matrix(world, matrix):
    """The same routes hold one level down: a community secretary and a neighbouring one."""
    clients = matrix(world.community1, world.community2, role="secretary")
    failures = [failure for case in person_cases(world) for failure in run_case(clients, case)]
    assert failures == []
