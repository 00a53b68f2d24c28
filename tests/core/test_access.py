"""visible_to / can: one access path, scoped by region subtree, unit subtree or ownership."""

import pytest
from django.core.exceptions import PermissionDenied

from wanghua.core.access import can, require, scope_filter
from wanghua.core.models import Role
from wanghua.org.models import Person, Region, RoleAssignment, Unit


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_community_grant_sees_its_subtree_only(world, make_user):
    secretary = make_user("sec1", "secretary", region=world.community1)
    assert names(Region.objects.visible_to(secretary, "view")) == {"甲社区", "甲社区第1网格"}
    assert names(Person.objects.visible_to(secretary, "view")) == {"张甲"}


def test_street_grant_covers_all_communities_below(world, make_user):
    street = make_user("st1", "street", region=world.street1)
    assert names(Region.objects.visible_to(street, "view")) == {"一街道", "甲社区", "乙社区", "甲社区第1网格"}
    assert names(Unit.objects.visible_to(street, "view")) == {"一号钢厂"}


def test_district_root_and_all_scope_see_everything(world, make_user):
    root_street = make_user("rootstaff", "street", region=world.district)
    leader = make_user("leader", "leader", region=world.district)
    total = Region.objects.count()
    assert Region.objects.visible_to(root_street, "view").count() == total
    assert Region.objects.visible_to(leader, "view").count() == total
    assert scope_filter(Region, leader, "view") is not None and not scope_filter(Region, leader, "view")


def test_unit_grant_covers_unit_subtree(world, make_user):
    official = make_user("gov1", "department", unit=world.gov)
    assert names(Unit.objects.visible_to(official, "view")) == {"测试区政府", "城管局"}


def test_node_scope_excludes_children(world, make_user):
    node_role = Role.objects.create(code="node-viewer", name_zh="仅本级", name_en="Node only", data_scope="node",
                                    permissions=["org.view_region"])
    user = make_user("node1")
    RoleAssignment.objects.create(user=user, role=node_role, region=world.street1)
    assert names(Region.objects.visible_to(user, "view")) == {"一街道"}


def test_self_scope_sees_own_records(world, make_user):
    resident = make_user("res1", "resident", region=world.community1)
    assert not Person.objects.visible_to(resident, "view").exists()
    world.person1.user = resident
    world.person1.save()
    assert names(Person.objects.visible_to(resident, "view")) == {"张甲"}
    assert can(resident, "view", world.person1)
    assert not can(resident, "change", world.person1)


def test_action_must_be_granted(world, make_user):
    agent = make_user("agent1", "agent", region=world.community1)
    assert Person.objects.visible_to(agent, "view").exists()
    assert not Person.objects.visible_to(agent, "change").exists()
    with pytest.raises(PermissionDenied):
        require(agent, "change", world.person1)


def test_anonymous_inactive_and_roleless_see_nothing(world, make_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    nobody = make_user("nobody")
    inactive = make_user("inactive", "leader", region=world.district, is_active=False)
    for user in (AnonymousUser(), nobody, inactive):
        assert not Region.objects.visible_to(user, "view").exists()
        assert not can(user, "view", world.district)


def test_superuser_sees_and_may_do_everything(world, make_user):
    root = make_user("root", is_superuser=True)
    assert Person.objects.visible_to(root, "delete").count() == Person.objects.count()
    assert can(root, "delete", world.person3)


def test_can_agrees_with_visible_to_for_every_object(world, make_user):
    users = [make_user("a", "secretary", region=world.community1), make_user("b", "street", region=world.street2),
             make_user("c", "department", unit=world.dept), make_user("d", "leader", region=world.district)]
    for user in users:
        for model in (Region, Unit, Person):
            for action in ("view", "change", "add", "delete"):
                visible = set(model.objects.visible_to(user, action).values_list("pk", flat=True))
                allowed = {obj.pk for obj in model.objects.all() if can(user, action, obj)}
                assert visible == allowed, (user.username, model.__name__, action)


def test_can_checks_unsaved_objects_by_their_target_scope(world, make_user):
    secretary = make_user("sec1", "secretary", region=world.community1)
    assert can(secretary, "add", Person(name="新人", region=world.community1))
    assert not can(secretary, "add", Person(name="新人", region=world.community3))


def test_grants_load_in_one_query(world, make_user, django_assert_num_queries):
    secretary = make_user("sec1", "secretary", region=world.community1)
    with django_assert_num_queries(2):  # grants, then the scoped list itself
        list(Person.objects.visible_to(secretary, "view"))
    with django_assert_num_queries(1):  # grants are cached on the user object
        list(Person.objects.visible_to(secretary, "view"))



@pytest.mark.django_db
def test_a_remembered_permission_is_forgotten_with_the_grants(make_user, roles, world):
    from wanghua.core.access import forget_grants, has_perm_anywhere
    from wanghua.org.models import RoleAssignment

    user = make_user("perm-memo")
    assert has_perm_anywhere(user, "services.view_errand") is False
    RoleAssignment.objects.create(user=user, role=roles["street"], region=world.street1)
    assert has_perm_anywhere(user, "services.view_errand") is False  # the answer this user object remembers
    forget_grants(user)
    assert has_perm_anywhere(user, "services.view_errand") is True
