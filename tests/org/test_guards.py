"""The district model's guards, each pinned by its own message with nothing written: a later check (`require`,
the model's clean, a database constraint) that also refuses, with another message or not at all, must not hide
a guard's removal. Found unpinned by scripts/guard_mutants.py."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tests.refusals import field_refusal, refusal
from wanghua.core.models import Role
from wanghua.org import services
from wanghua.org.models import Person, Region, RegionKind, RegionLevel, RoleAssignment

NOT_ALLOWED = "You do not have permission to do this."


@pytest.fixture
def street_admin(make_user, world):
    admin = make_user("street1-admin", "street", region=world.street1)
    Person.objects.create(name="一街管理员", region=world.street1, user=admin)
    return admin


def denied(call, message: str) -> None:
    """`call` raises PermissionDenied with `message` (an English msgid) as its own message."""
    with pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == str(_(message))


# --- the region tree -------------------------------------------------------------------------------------------

ROOTS_ONLY = "Only district-wide administrators can create or move a top-level region."


def test_only_a_district_wide_administrator_makes_a_top_level_region(street_admin, world):
    """A street's staff neither create a new district nor turn a region of their street into one (a new root
    would make their local grant district-wide); the tree is unchanged."""
    before = Region.objects.count()
    denied(lambda: services.create_region(street_admin, code="T99", name="新区", level=RegionLevel.DISTRICT,
                                          kind=RegionKind.DISTRICT), ROOTS_ONLY)
    denied(lambda: services.update_region(street_admin, world.grid1.pk, parent=None, level=RegionLevel.DISTRICT,
                                          kind=RegionKind.DISTRICT), ROOTS_ONLY)
    assert Region.objects.count() == before
    assert list(Region.objects.filter(parent__isnull=True).values_list("pk", flat=True)) == [world.district.pk]
    grid = Region.objects.get(pk=world.grid1.pk)
    assert (grid.parent_id, grid.level) == (world.community1.pk, RegionLevel.GRID)


# --- granting and revoking roles -------------------------------------------------------------------------------

def test_a_role_is_granted_over_exactly_one_of_a_region_or_a_unit(make_user, roles, world):
    """grant_role: neither a region nor a unit, or both at once, is refused with its own message (not as a grant
    too wide, nor by the database's constraint); no assignment is written."""
    admin = make_user("root", is_superuser=True)
    street = make_user("street1-admin", "street", region=world.street1)
    newcomer = make_user("newcomer")
    one_scope = "Choose either a region or a unit as the scope of the role."
    for actor in (admin, street):
        refusal(lambda actor=actor: services.grant_role(actor, newcomer, roles["agent"]), one_scope)
        refusal(lambda actor=actor: services.grant_role(actor, newcomer, roles["agent"], region=world.community1,
                                                        unit=world.enterprise1), one_scope)
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_the_same_role_is_not_granted_twice_over_the_same_scope(street_admin, make_user, roles, world):
    """grant_role: holding the role over that region or unit already is refused with the guard's message (a
    ValidationError, not the database's unique constraint, which lets a second unit grant through); the first
    assignment stays the only one."""
    newcomer = make_user("newcomer")
    services.grant_role(street_admin, newcomer, roles["agent"], region=world.community1)
    services.grant_role(street_admin, newcomer, roles["agent"], unit=world.enterprise1)
    twice = "This user already holds this role in this scope."
    refusal(lambda: services.grant_role(street_admin, newcomer, roles["agent"], region=world.community1), twice)
    refusal(lambda: services.grant_role(street_admin, newcomer, roles["agent"], unit=world.enterprise1), twice)
    held = list(RoleAssignment.objects.filter(user=newcomer).values_list("region_id", "unit_id"))
    assert len(held) == 2 and set(held) == {(world.community1.pk, None), (None, world.enterprise1.pk)}


def test_nobody_revokes_a_role_wider_than_their_own(street_admin, make_user, roles, world):
    """revoke_role: a street's staff see and may delete the assignments in their street, but not one of a role
    wider than theirs (a district leader's, held at a community of the street); it stays."""
    leader = make_user("leader", "leader", region=world.community1)
    assignment = RoleAssignment.objects.get(user=leader)
    denied(lambda: services.revoke_role(street_admin, assignment.pk), "You cannot revoke a role wider than your own.")
    assert RoleAssignment.objects.filter(pk=assignment.pk, role=roles["leader"]).exists()


# --- accounts --------------------------------------------------------------------------------------------------

def test_an_account_is_not_moved_outside_ones_own_scope(street_admin, make_user, world):
    """update_account: a street's staff cannot move an account of their street to another street; its person
    stays where it was."""
    account = make_user("mine")
    Person.objects.create(name="mine", region=world.community1, user=account)
    field_refusal(lambda: services.update_account(street_admin, account.pk, region=world.community3), "region",
                  "You can only place accounts inside your own scope.")
    assert Person.objects.get(user=account).region_id == world.community1.pk


def test_an_assignment_is_revoked_through_its_own_account_only(street_admin, make_user, roles, world):
    """revoke_account_role: an assignment of another account (even one the actor manages) is 'not found' when
    asked through this account; it stays."""
    account = make_user("mine")
    Person.objects.create(name="mine", region=world.community1, user=account)
    other = make_user("other", "agent", region=world.community1)
    theirs = RoleAssignment.objects.get(user=other)
    with pytest.raises(RoleAssignment.DoesNotExist) as refused:
        services.revoke_account_role(street_admin, account.pk, theirs.pk)
    assert str(refused.value) == _("%(model)s not found.") % {"model": RoleAssignment._meta.verbose_name}
    assert RoleAssignment.objects.filter(pk=theirs.pk).exists()


# --- roles (角色管理) -------------------------------------------------------------------------------------------

def test_only_holders_of_the_role_rights_create_or_edit_roles(street_admin, make_user):
    """create_role/update_role: a street's staff, without core.add_role or core.change_role, can make or edit no
    role, not even one within their own rights; nothing is written."""
    custom = services.create_role(make_user("root", is_superuser=True), code="helper", name_zh="帮手",
                                  permissions=["org.view_region"])
    before = Role.objects.count()
    denied(lambda: services.create_role(street_admin, code="mine", name_zh="我的", permissions=["org.view_region"]),
           NOT_ALLOWED)
    denied(lambda: services.update_role(street_admin, custom.pk, name_zh="改名"), NOT_ALLOWED)
    assert Role.objects.count() == before
    assert Role.objects.get(pk=custom.pk).name_zh == "帮手"


def test_editing_a_role_that_does_not_exist_is_not_found(make_user):
    """update_role: an unknown role is 'not found', not a crash; no role is written."""
    before = Role.objects.count()
    with pytest.raises(Role.DoesNotExist) as refused:
        services.update_role(make_user("root", is_superuser=True), 999_999, name_zh="改名")
    assert str(refused.value) == _("%(model)s not found.") % {"model": Role._meta.verbose_name}
    assert Role.objects.count() == before


def test_an_edited_role_holds_only_rights_of_the_catalogue(make_user):
    """update_role: a right that is not in the catalogue is refused on the permissions field; the role keeps
    its rights."""
    admin = make_user("root", is_superuser=True)
    custom = services.create_role(admin, code="helper", name_zh="帮手", permissions=["org.view_region"])
    field_refusal(lambda: services.update_role(admin, custom.pk, permissions=["nothing.at_all"]), "permissions",
                  "Choose rights from the list.")
    assert Role.objects.get(pk=custom.pk).permissions == ["org.view_region"]
