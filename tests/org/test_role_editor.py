"""角色管理: rights shown as named menu and button rights in Chinese; custom roles made and edited within one's own
rights; built-in roles read-only."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wanghua.core.access import has_perm_anywhere
from wanghua.core.models import AuditEntry, Role
from wanghua.core.roles import BUILTIN_ROLES, catalogue_codes, permission_catalogue
from wanghua.org import services
from wanghua.org.models import RoleAssignment

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def admin(make_user, world):
    return make_user("role-admin", "sysadmin", region=world.district)


def test_the_catalogue_names_every_right_in_chinese_grouped_by_module_and_menu():
    from django.utils import translation

    with translation.override("zh-hans"):
        catalogue = permission_catalogue()
        labels = [m.label for m in catalogue] + [menu.label for m in catalogue for menu in m.menus] + [
            right.label for m in catalogue for menu in m.menus for right in menu.rights]
    assert [label for label in labels if ENGLISH_WORD.search(label.replace("API", ""))] == []
    explicit = {p for spec in BUILTIN_ROLES for p in spec["permissions"] if "*" not in p}
    assert explicit <= catalogue_codes()
    errands = next(menu for m in catalogue for menu in m.menus if menu.label == "代办事项")
    assert "今日代办" in errands.menu_items and errands.rights[0].is_menu and errands.rights[0].label == "查看"


def test_every_builtin_role_is_described_in_chinese():
    """The 角色管理 page shows the stored description as it is: the built-in ones are written in Chinese."""
    described = {spec["code"]: spec["description"] for spec in BUILTIN_ROLES}
    assert all(described.values())
    assert {code: text for code, text in described.items() if ENGLISH_WORD.search(text)} == {}


def test_a_builtin_role_reads_as_checked_rights_and_cannot_be_changed(world, admin, client_for, roles):
    client = client_for(admin)
    page = client.get(f"/org/roles/{roles['agent'].pk}/").content.decode()
    assert "内置，只读" in page and 'value="services.add_errand" form="role-form" checked disabled' in page
    assert 'value="services.delete_errand" form="role-form" disabled' in page
    before = list(roles["agent"].permissions)
    refused = client.post(f"/org/roles/{roles['agent'].pk}/", {"name_zh": "改", "data_scope": "all",
                                                               "permissions": ["org.view_region"]})
    assert refused.status_code == 403
    assert Role.objects.get(code="agent").permissions == before
    with pytest.raises(PermissionDenied, match=r"只读|read-only"):
        services.update_role(admin, roles["agent"].pk, name_zh="改")


def test_an_administrator_makes_a_custom_role_that_grants_its_rights(world, admin, client_for, make_user):
    client = client_for(admin)
    made = client.post("/org/roles/new/", {"code": "inspector", "name_zh": "督查员", "data_scope": "subtree",
                                           "permissions": ["civic.view_case", "civic.export_case"]})
    assert made.status_code == 302
    role = Role.objects.get(code="inspector")
    assert role.permissions == ["civic.export_case", "civic.view_case"] and not role.builtin
    assert AuditEntry.objects.filter(content_type__model="role", object_id=str(role.pk), action="create").exists()
    holder = make_user("inspector-1")
    RoleAssignment.objects.create(user=holder, role=role, region=world.street1)
    assert has_perm_anywhere(holder, "civic.view_case") and not has_perm_anywhere(holder, "civic.add_case")
    edited = client.post(f"/org/roles/{role.pk}/", {"name_zh": "督查员", "data_scope": "subtree",
                                                    "permissions": ["civic.view_case", "civic.add_case"]})
    assert edited.status_code == 302
    holder = type(holder).objects.get(pk=holder.pk)
    assert has_perm_anywhere(holder, "civic.add_case") and not has_perm_anywhere(holder, "civic.export_case")


def test_bad_role_input_is_refused_in_chinese(world, admin, client_for):
    client = client_for(admin)
    for data, chinese in (({"code": "x1", "name_zh": "甲", "data_scope": "subtree", "permissions": ["nope.steal_all"]},
                           "有效的选项"),
                          ({"code": "agent", "name_zh": "甲", "data_scope": "subtree"}, "已有使用该编码的角色"),
                          ({"code": "x2", "name_zh": "甲", "data_scope": "galaxy"}, "有效的选项"),
                          ({"code": "坏 码", "name_zh": "甲", "data_scope": "subtree"}, "字母")):
        answer = client.post("/org/roles/new/", data)
        assert answer.status_code == 400 and chinese in answer.content.decode(), data
    assert not Role.objects.filter(code__in=["x1", "x2"]).exists()
    with pytest.raises(ValidationError):
        services.create_role(admin, code="x3", name_zh="甲", permissions=["services.*"])


def test_nobody_puts_rights_beyond_their_own_into_a_role(world, make_user, roles):
    keeper_role = Role.objects.create(code="keeper", name_zh="角色维护", name_en="Keeper", data_scope="subtree",
                                      permissions=["core.add_role", "core.change_role", "org.view_roleassignment",
                                                   "org.view_region"])
    keeper = make_user("keeper-1")
    RoleAssignment.objects.create(user=keeper, role=keeper_role, region=world.street1)
    with pytest.raises(ValidationError, match=r"超出|beyond"):
        services.create_role(keeper, code="wider", name_zh="更宽", permissions=["services.add_errand"])
    with pytest.raises(ValidationError):
        services.create_role(keeper, code="wider2", name_zh="更宽", data_scope="all", permissions=["org.view_region"])
    assert services.create_role(keeper, code="narrow", name_zh="窄", permissions=["org.view_region"]).pk
    assert not Role.objects.filter(code__in=["wider", "wider2"]).exists()
