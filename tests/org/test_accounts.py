"""用户管理 in the app: accounts are created, edited, disabled, reset and given roles only within one's own scope,
every change is audited, and bad input gets a Chinese error that changes nothing."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from wanghua.core.models import AuditEntry, User
from wanghua.core.testing import body_text
from wanghua.org import services
from wanghua.org.models import Person, RoleAssignment

NEW_PASSWORD = re.compile(r'id="new-password">[^<]*<strong[^>]*>([^<]+)</strong>')


@pytest.fixture
def street1(make_user, world):
    admin = make_user("street1-admin", "street", region=world.street1)
    Person.objects.create(name="一街管理员", region=world.street1, user=admin)
    return admin


def account_in(make_user, region, username, role=None, role_region=None):
    account = make_user(username, role, region=role_region or region)
    Person.objects.create(name=username, region=region, user=account)
    return account


def logs_in(username: str, password: str) -> bool:
    """Through the real login page (the lockout backend needs a request)."""
    return Client().post("/accounts/login/", {"username": username, "password": password}).status_code == 302


def fingerprint(user_id):
    return (list(User.objects.filter(pk=user_id).values("display_name", "is_active", "password", "email")),
            list(RoleAssignment.objects.filter(user_id=user_id).values_list("role__code", "region_id")),
            Person.objects.filter(user_id=user_id).values_list("region_id", flat=True).first())


def test_a_street_admin_creates_an_account_of_their_street_and_sees_its_password_once(world, street1, client_for):
    client = client_for(street1)
    answer = client.post("/org/users/new/", {"username": "newbie", "display_name": "新人",
                                             "region": world.community1.pk, "phone": "13900001234"})
    assert answer.status_code == 200
    password = NEW_PASSWORD.search(answer.content.decode()).group(1)
    validate_password(password)  # the generated one meets every validator
    account = User.objects.get(username="newbie")
    assert account.check_password(password) and account.person.region == world.community1
    assert "只显示这一次" in answer.content.decode()
    assert password not in client.get(f"/org/users/{account.pk}/").content.decode()  # never again
    entry = AuditEntry.objects.get(object_id=str(account.pk), content_type__model="user", action="create")
    assert entry.label == "account:create" and entry.actor == street1


def test_creating_outside_ones_scope_or_with_bad_input_is_refused_in_chinese(world, street1, client_for):
    client = client_for(street1)
    before = User.objects.count()
    outside = client.post("/org/users/new/", {"username": "other", "region": world.community3.pk})
    assert outside.status_code == 400 and "选择一个有效的选项" in outside.content.decode()
    for data, chinese in (({"username": "bad name!", "region": world.community1.pk}, "请输入合法的用户名"),
                          ({"username": "street1-admin", "region": world.community1.pk}, "用户名已被占用"),
                          ({"username": "weak", "region": world.community1.pk, "password": "12345"},
                           "密码太短，至少需要 10 个字符"),
                          ({"username": "nohome"}, "请选择该账号所属的区划或单位")):
        answer = client.post("/org/users/new/", data)
        assert answer.status_code == 400 and chinese in answer.content.decode(), data
    assert User.objects.count() == before
    with pytest.raises(ValidationError):
        services.create_account(street1, username="svc-out", region=world.community3)


def test_the_list_and_export_show_only_accounts_of_ones_scope(world, street1, make_user, client_for):
    account_in(make_user, world.community1, "mine-1")
    account_in(make_user, world.community3, "theirs-3")
    client = client_for(street1)
    for url in ("/org/users/", "/org/users/?format=xlsx", "/org/users/?q=mine"):
        text = body_text(client.get(url))
        assert "mine-1" in text and "theirs-3" not in text, url
    assert client.get("/org/users/?region=99999999").status_code == 400


def test_another_streets_account_is_not_found_and_nothing_changes(world, street1, make_user, client_for, roles):
    theirs = account_in(make_user, world.community3, "theirs", "agent")
    client = client_for(street1)
    before = fingerprint(theirs.pk)
    for method, url, data in (
            ("get", f"/org/users/{theirs.pk}/", {}),
            ("get", f"/org/users/{theirs.pk}/edit/", {}),
            ("post", f"/org/users/{theirs.pk}/edit/", {"display_name": "x", "region": world.community1.pk}),
            ("post", f"/org/users/{theirs.pk}/active/", {"active": "0"}),
            ("post", f"/org/users/{theirs.pk}/password/", {}),
            ("post", f"/org/users/{theirs.pk}/roles/", {"role": roles["agent"].pk, "region": world.community1.pk}),
            ("post", f"/org/users/{theirs.pk}/roles/{theirs.role_assignments.get().pk}/revoke/", {})):
        answer = getattr(client, method)(url, data)
        assert answer.status_code == 404, url
        assert "不在您的工作范围内" in answer.content.decode(), url
    assert fingerprint(theirs.pk) == before
    with pytest.raises(User.DoesNotExist):
        services.reset_account_password(street1, theirs.pk)


def test_an_account_wider_than_the_manager_is_shown_but_not_changed(world, street1, make_user, client_for):
    """A district leader whose person sits in street 1: street 1 sees the account, cannot take it over."""
    leader = account_in(make_user, world.community1, "wide-leader", "leader", role_region=world.district)
    client = client_for(street1)
    page = client.get(f"/org/users/{leader.pk}/")
    assert page.status_code == 200 and "超出您的权限" in page.content.decode()
    before = fingerprint(leader.pk)
    for url, data in ((f"/org/users/{leader.pk}/password/", {}), (f"/org/users/{leader.pk}/active/", {"active": "0"}),
                      (f"/org/users/{leader.pk}/edit/", {"display_name": "x", "region": world.community1.pk})):
        answer = client.post(url, data)
        assert answer.status_code == 403, url
    assert fingerprint(leader.pk) == before
    with pytest.raises(PermissionDenied):
        services.set_account_active(street1, leader.pk, False)


def test_nobody_disables_themselves(world, street1, client_for):
    answer = client_for(street1).post(f"/org/users/{street1.pk}/active/", {"active": "0"})
    assert answer.status_code == 400 and "不能停用自己的账号" in answer.content.decode()
    street1.refresh_from_db()
    assert street1.is_active


def test_disable_and_enable_are_audited_and_stop_the_login(world, street1, make_user, client_for):
    account = account_in(make_user, world.community1, "to-disable", "agent", role_region=world.community1)
    session = client_for(account)
    assert session.get("/").status_code == 200
    client = client_for(street1)
    assert client.post(f"/org/users/{account.pk}/active/", {"active": "0"}).status_code == 302
    assert session.get("/").status_code == 302  # the open session ends with its next request
    assert not logs_in("to-disable", "Pass-word-123")
    assert client.post(f"/org/users/{account.pk}/active/", {"active": "1"}).status_code == 302
    labels = list(AuditEntry.objects.filter(object_id=str(account.pk), content_type__model="user")
                  .order_by("pk").values_list("label", flat=True))
    assert labels[-2:] == ["account:disable", "account:enable"]


def test_reset_password_sets_or_generates_one_shown_once(world, street1, make_user, client_for):
    account = account_in(make_user, world.community1, "forgetful")
    client = client_for(street1)
    weak = client.post(f"/org/users/{account.pk}/password/", {"password": "password"})
    assert weak.status_code == 400 and "这个密码太常见了" in weak.content.decode()
    generated = client.post(f"/org/users/{account.pk}/password/", {})
    password = NEW_PASSWORD.search(generated.content.decode()).group(1)
    assert logs_in("forgetful", password)
    chosen = client.post(f"/org/users/{account.pk}/password/", {"password": "Longer-pass-2026"})
    assert chosen.status_code == 200 and logs_in("forgetful", "Longer-pass-2026")
    entries = AuditEntry.objects.filter(object_id=str(account.pk), content_type__model="user",
                                        label="account:password")
    assert entries.count() == 2 and all("pbkdf2" not in str(e.after) and "md5" not in str(e.after) for e in entries)
    own = client.post(f"/org/users/{street1.pk}/password/", {})
    assert own.status_code == 400


def test_roles_are_granted_within_ones_own_rights_with_a_custom_scope(world, street1, make_user, client_for, roles):
    account = account_in(make_user, world.community1, "gets-roles")
    client = client_for(street1)
    wider = client.post(f"/org/users/{account.pk}/roles/", {"role": roles["leader"].pk, "region": world.street1.pk})
    assert wider.status_code == 400  # not offered: a leader's rights are beyond a street's
    outside = client.post(f"/org/users/{account.pk}/roles/", {
        "role": roles["agent"].pk, "region": world.community1.pk, "data_scope": "custom",
        "regions": [world.community3.pk]})
    assert outside.status_code == 400
    assert not RoleAssignment.objects.filter(user=account).exists()
    granted = client.post(f"/org/users/{account.pk}/roles/", {
        "role": roles["agent"].pk, "region": world.community1.pk, "data_scope": "custom",
        "regions": [world.community1.pk, world.community2.pk]})
    assert granted.status_code == 302
    assignment = RoleAssignment.objects.get(user=account)
    assert assignment.data_scope == "custom" and {r.name for r in assignment.regions.all()} == {"甲社区", "乙社区"}
    page = client.get(f"/org/users/{account.pk}/").content.decode()
    assert "自定义区划/单位" in page and "乙社区" in page
    assert AuditEntry.objects.filter(content_type__model="roleassignment", object_id=str(assignment.pk)).exists()
    assert client.post(f"/org/users/{account.pk}/roles/{assignment.pk}/revoke/").status_code == 302
    assert not RoleAssignment.objects.filter(user=account).exists()


def test_editing_moves_an_account_only_within_scope(world, street1, make_user, client_for):
    account = account_in(make_user, world.community1, "mover")
    client = client_for(street1)
    assert client.post(f"/org/users/{account.pk}/edit/", {"display_name": "搬家", "region": world.community3.pk}
                       ).status_code == 400
    assert client.post(f"/org/users/{account.pk}/edit/", {"display_name": "搬家", "region": world.community2.pk}
                       ).status_code == 302
    account.refresh_from_db()
    assert account.display_name == "搬家" and account.person.region == world.community2
