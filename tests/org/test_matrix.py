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
    MatrixCase,
    run_case,
)
from wanghua.org.models import Person, Region, RoleAssignment, Unit


def fingerprint():
    return (AuditEntry.objects.count(), list(Person.objects.order_by("pk").values()),
            list(Region.objects.order_by("pk").values()), list(Unit.objects.order_by("pk").values()))


def person_cases(w, users=None):
    p = w.person1.pk
    body = {"name": "张甲改", "region": w.community1.pk, "phone": "13912345678"}
    return [
        MatrixCase("person list", "get", "/org/people/", PAGE_LIST, marker="张甲"),
        MatrixCase("person export", "get", "/org/people/?format=xlsx", PAGE_LIST, marker="张甲"),
        MatrixCase("person detail", "get", f"/org/people/{p}/", PAGE_DETAIL),
        MatrixCase("person edit form", "get", f"/org/people/{p}/edit/", PAGE_DETAIL),
        MatrixCase("person create form", "get", "/org/people/new/", PAGE_LIST),
        MatrixCase("person create", "post", "/org/people/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"name": "新居民", "region": w.community1.pk}, state=None),
        MatrixCase("person update", "post", f"/org/people/{p}/edit/", PAGE_CHANGE, data=body, state=fingerprint),
        MatrixCase("person reveal", "post", f"/org/people/{p}/reveal/phone/", PAGE_DETAIL, marker="13912345678"),
        MatrixCase("api person list", "get", "/api/v1/org/people", API_LIST, marker="张甲"),
        MatrixCase("api person detail", "get", f"/api/v1/org/people/{p}", API_DETAIL),
        MatrixCase("api person create", "post", "/api/v1/org/people",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201},
                   data={"name": "接口新人", "region_id": w.community1.pk}, as_json=True),
        MatrixCase("api person update", "patch", f"/api/v1/org/people/{p}", API_DETAIL, data={"title": "楼长"},
                   as_json=True, state=fingerprint),
        MatrixCase("api person reveal", "post", f"/api/v1/org/people/{p}/reveal", API_DETAIL, data={"field": "phone"},
                   as_json=True, marker="13912345678"),
    ]


def person_delete_cases(w, users=None):
    p = w.person1.pk
    return [
        MatrixCase("person delete form", "get", f"/org/people/{p}/delete/", PAGE_DETAIL),
        MatrixCase("person delete", "post", f"/org/people/{p}/delete/", PAGE_CHANGE, state=fingerprint),
    ]


def api_person_delete_cases(w, users=None):
    return [MatrixCase("api person delete", "delete", f"/api/v1/org/people/{w.person1.pk}",
                       {**API_DETAIL, "in_scope": 204}, state=fingerprint)]


def region_cases(w, users=None):
    c = w.community1.pk
    grid = {"code": "T0101G9", "name": "新网格", "level": "grid", "kind": "网格", "parent": c}
    return [
        MatrixCase("region list", "get", "/org/regions/", PAGE_LIST, marker="甲社区"),
        MatrixCase("region export", "get", "/org/regions/?format=xlsx", PAGE_LIST, marker="甲社区"),
        MatrixCase("region tree", "get", "/org/regions/tree/", PAGE_LIST, marker="一街道"),
        MatrixCase("region detail", "get", f"/org/regions/{c}/", PAGE_DETAIL),
        MatrixCase("region create form", "get", "/org/regions/new/", PAGE_LIST),
        MatrixCase("region edit form", "get", f"/org/regions/{c}/edit/", PAGE_DETAIL),
        MatrixCase("region children", "get", f"/org/regions/{c}/children/", PAGE_DETAIL),
        MatrixCase("region create", "post", "/org/regions/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302}, data=grid),
        MatrixCase("region update", "post", f"/org/regions/{c}/edit/", PAGE_CHANGE,
                   data={"code": "T0101", "name": "甲社区（新）", "level": "community", "kind": "社区",
                   "parent": w.street1.pk}, state=fingerprint),
        MatrixCase("api region list", "get", "/api/v1/org/regions", API_LIST, marker="甲社区"),
        MatrixCase("api region detail", "get", f"/api/v1/org/regions/{c}", API_DETAIL),
        MatrixCase("api region create", "post", "/api/v1/org/regions",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201},
                   data={**{k: v for k, v in grid.items() if k != "parent"}, "code": "T0101G8", "parent_id": c},
                   as_json=True),
        MatrixCase("api region update", "patch", f"/api/v1/org/regions/{c}", API_DETAIL, data={"population": 4321},
                   as_json=True, state=fingerprint),
    ]


def unit_cases(w, users=None):
    e = w.enterprise1.pk
    return [
        MatrixCase("unit list", "get", "/org/units/", PAGE_LIST, marker="一号钢厂"),
        MatrixCase("unit export", "get", "/org/units/?format=xlsx", PAGE_LIST, marker="一号钢厂"),
        MatrixCase("unit detail", "get", f"/org/units/{e}/", PAGE_DETAIL),
        MatrixCase("unit create form", "get", "/org/units/new/", PAGE_LIST),
        MatrixCase("unit create", "post", "/org/units/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"code": "ent9", "name": "九号厂", "kind": "enterprise", "region": w.community1.pk,
                   "active": "on"}),
        MatrixCase("unit edit form", "get", f"/org/units/{e}/edit/", PAGE_DETAIL),
        MatrixCase("api unit create", "post", "/api/v1/org/units",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201},
                   data={"code": "ent8", "name": "八号厂", "kind": "enterprise", "region_id": w.community1.pk},
                   as_json=True),
        MatrixCase("unit update", "post", f"/org/units/{e}/edit/", PAGE_CHANGE,
                   data={"code": "ent1", "name": "一号钢厂", "short_name": "一钢", "kind": "enterprise",
                   "region": w.street1.pk, "active": "on"}, state=fingerprint),
        MatrixCase("api unit list", "get", "/api/v1/org/units", API_LIST, marker="一号钢厂"),
        MatrixCase("api unit detail", "get", f"/api/v1/org/units/{e}", API_DETAIL),
        MatrixCase("api unit update", "patch", f"/api/v1/org/units/{e}", API_DETAIL, data={"phone": "024-5555"},
                   as_json=True, state=fingerprint),
    ]


def assignment_cases(w, users=None):
    grant = {"username": "candidate", "role": "grid", "region_id": w.community1.pk}
    return [
        MatrixCase("assignment grant", "post", "/org/assignments/grant/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 302, "in_scope": 302},
                   data={"username": "candidate", "role": users["roles"]["agent"].pk, "region": w.community1.pk},
                   state=lambda: RoleAssignment.objects.filter(user__username="candidate").count()),
        MatrixCase("api assignment grant", "post", "/api/v1/org/assignments",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}, data=grant, as_json=True),
        MatrixCase("assignment list", "get", "/org/assignments/", PAGE_LIST, marker="in_scope_user"),
        MatrixCase("assignment export", "get", "/org/assignments/?format=xlsx", PAGE_LIST, marker="in_scope_user"),
        MatrixCase("api assignment list", "get", "/api/v1/org/assignments", API_LIST, marker="in_scope_user"),
    ]


def assignment_revoke_cases(w, users):
    target = users["revocable"].pk
    return [MatrixCase("assignment revoke", "post", f"/org/assignments/{target}/revoke/", PAGE_CHANGE,
                       state=lambda: RoleAssignment.objects.filter(pk=target).exists())]


def api_assignment_revoke_cases(w, users):
    target = users["revocable"].pk
    return [MatrixCase("api assignment revoke", "delete", f"/api/v1/org/assignments/{target}",
                       {**API_DETAIL, "in_scope": 204},
                       state=lambda: RoleAssignment.objects.filter(pk=target).exists())]


def admin_delete_cases(w, users):
    """Deleting regions and units is for system administrators; street staff lack the action."""
    forbidden = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 302}
    return [
        MatrixCase("region delete form", "get", f"/org/regions/{w.grid1.pk}/delete/", {**forbidden, "in_scope": 200}),
        MatrixCase("region delete", "post", f"/org/regions/{w.grid1.pk}/delete/", forbidden, state=fingerprint),
        MatrixCase("unit delete form", "get", f"/org/units/{w.enterprise2.pk}/delete/", {**forbidden, "in_scope": 200}),
        MatrixCase("unit delete", "post", f"/org/units/{w.enterprise2.pk}/delete/", forbidden, state=fingerprint),
    ]


def api_admin_delete_cases(w, users):
    api_forbidden = {"anonymous": 401, "no_role": 403, "out_of_scope": 403, "in_scope": 204}
    return [
        MatrixCase("api region delete", "delete", f"/api/v1/org/regions/{w.grid1.pk}", api_forbidden,
                   state=fingerprint),
        MatrixCase("api unit delete", "delete", f"/api/v1/org/units/{w.enterprise2.pk}", api_forbidden,
                   state=fingerprint),
    ]


def zone_cases(w, users):
    """Zones are reference data: every role with org.view_zone sees all of them."""
    everyone = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
    api_everyone = {"anonymous": 401, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
    return [
        MatrixCase("zone page", "get", "/zones/core/", everyone),
        MatrixCase("api zone list", "get", "/api/v1/org/zones", api_everyone),
        MatrixCase("api zone detail", "get", f"/api/v1/org/zones/{w.zone.pk}", api_everyone),
    ]


def account_cases(w, users):
    """用户管理: street 1 manages the accounts of street 1; street 2 does not even see them."""
    from wanghua.core.models import User

    account = User.objects.create_user("acct-target", password="Pass-word-123")
    Person.objects.create(name="账号人", region=w.community1, user=account)
    target = account.pk
    held = RoleAssignment.objects.create(user=account, role=users["roles"]["agent"], region=w.community1).pk

    def account_state():
        return list(User.objects.filter(pk=target).values("display_name", "is_active", "password")), list(
            RoleAssignment.objects.filter(user_id=target).values_list("pk", flat=True)), User.objects.count()

    create_form = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
    return [
        MatrixCase("account list", "get", "/org/users/", PAGE_LIST, marker="acct-target"),
        MatrixCase("account export", "get", "/org/users/?format=xlsx", PAGE_LIST, marker="acct-target"),
        MatrixCase("account detail", "get", f"/org/users/{target}/", PAGE_DETAIL),
        MatrixCase("account create form", "get", "/org/users/new/", create_form),
        MatrixCase("account create", "post", "/org/users/new/", {**create_form, "out_of_scope": 400},
                   data={"username": "matrix-new", "region": w.community1.pk}, state=account_state),
        MatrixCase("account edit form", "get", f"/org/users/{target}/edit/", PAGE_DETAIL),
        MatrixCase("account edit", "post", f"/org/users/{target}/edit/", PAGE_CHANGE,
                   data={"display_name": "改名", "region": w.community1.pk}, state=account_state),
        MatrixCase("account grant", "post", f"/org/users/{target}/roles/", PAGE_CHANGE,
                   data={"role": users["roles"]["grid"].pk, "region": w.grid1.pk}, state=account_state),
        MatrixCase("account revoke", "post", f"/org/users/{target}/roles/{held}/revoke/", PAGE_CHANGE,
                   state=account_state),
        MatrixCase("account password", "post", f"/org/users/{target}/password/", {**PAGE_DETAIL},
                   state=account_state),
        MatrixCase("account disable", "post", f"/org/users/{target}/active/", PAGE_CHANGE, data={"active": "0"},
                   state=account_state),
    ]


def role_editor_cases(w, users):
    """角色管理: everyone who keeps grants reads the roles; only system administrators make or edit them."""
    from wanghua.core.models import Role

    custom = Role.objects.create(code="matrix-role", name_zh="矩阵角色", name_en="Matrix", permissions=[])
    builtin = Role.objects.get(code="agent")
    readers = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
    editors = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 302}

    def roles_state():
        return list(Role.objects.order_by("pk").values())

    body = {"name_zh": "矩阵角色改", "data_scope": "subtree", "permissions": ["org.view_region"]}
    return [
        MatrixCase("roles page", "get", "/org/roles/", readers),
        MatrixCase("role create form", "get", "/org/roles/new/", {**editors, "in_scope": 200}),
        MatrixCase("role create", "post", "/org/roles/new/", editors, state=roles_state,
                   data={**body, "code": "matrix-new"}),
        MatrixCase("builtin role rights", "get", f"/org/roles/{builtin.pk}/", readers),
        MatrixCase("custom role edit", "post", f"/org/roles/{custom.pk}/", editors, state=roles_state, data=body),
    ]


SCOPED = [person_cases, person_delete_cases, api_person_delete_cases, region_cases, unit_cases, assignment_cases,
          assignment_revoke_cases, api_assignment_revoke_cases, zone_cases, account_cases]
ADMIN_ONLY = [admin_delete_cases, api_admin_delete_cases, role_editor_cases]


@pytest.mark.parametrize("cases", SCOPED)
def test_org_matrix(world, matrix, roles, make_user, cases):
    """Street staff of street 1 are in scope; street staff of street 2 are not."""
    clients, users = matrix(("street", {"region": world.street1}), ("street", {"region": world.street2}))
    make_user("candidate")
    users["roles"] = roles
    users["revocable"] = RoleAssignment.objects.create(user=make_user("revocable"), role=roles["agent"],
                                                       region=world.community2)
    failures = [failure for case in cases(world, users) for failure in run_case(clients, case)]
    assert failures == []


@pytest.mark.parametrize("cases", ADMIN_ONLY)
def test_admin_only_matrix(world, matrix, cases):
    clients, users = matrix(("sysadmin", {"region": world.district}), ("street", {"region": world.street1}))
    failures = [failure for case in cases(world, users) for failure in run_case(clients, case)]
    assert failures == []


def test_community_secretary_matrix(world, matrix):
    """The same routes hold one level down: a community secretary and a neighbouring one."""
    clients, _users = matrix(("secretary", {"region": world.community1}), ("secretary", {"region": world.community2}))
    failures = [failure for case in person_cases(world) for failure in run_case(clients, case)]
    assert failures == []
