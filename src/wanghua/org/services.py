"""Every change to the district model goes through here: guards, scope checks, audit labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import (
    can,
    covers,
    fetch_for_change,
    forget_grants,
    grants_of,
    holds_everything,
    require,
    role_within,
)
from wanghua.core.changes import apply_fields
from wanghua.core.models import Role, User
from wanghua.core.pii import reveal
from wanghua.core.scopes import DataScope

from .models import Person, Region, RegionLevel, RoleAssignment, TreeNode, Unit

ID_NUMBER_PATTERN = re.compile(r"^\d{17}[\dXx]$")
PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{5,20}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number_is_valid(value: str) -> bool:
    """GB 11643: 18 characters whose last is the ISO 7064 MOD 11-2 check of the first 17."""
    if not ID_NUMBER_PATTERN.match(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17].upper()


_Node = TypeVar("_Node", bound=TreeNode)
_P = ParamSpec("_P")
_R = TypeVar("_R")


# --- trees (their invariants live in TreeNode/Region.clean and save) ----------------------------------

def _save_tree_node(node: _Node) -> _Node:
    node.full_clean()
    node.save()
    return node


# What a page or the API may change of each record (anything else is refused by apply_fields).
REGION_FIELDS = {"code", "name", "level", "kind", "parent", "zone", "population", "households"}
UNIT_FIELDS = {"code", "name", "short_name", "kind", "parent", "region", "zone", "address", "phone", "active"}
PERSON_FIELDS = {"name", "gender", "id_number", "phone", "title", "unit", "region", "party_member"}


_locked = fetch_for_change


def _guard_roots(actor: User, region: Region) -> None:
    """Only those who hold the whole district may create or make a top-level region (a district):
    a new root would otherwise turn a local grant into a district-wide one."""
    if (region.parent_id is None or region.level == RegionLevel.DISTRICT) and not holds_everything(actor):
        raise PermissionDenied(_("Only district-wide administrators can create or move a top-level region."))


@transaction.atomic
def create_region(actor: User, **fields: Any) -> Region:
    region = Region(**fields)
    _guard_roots(actor, region)
    require(actor, "add", region.parent or region)
    with audit.acting_as(actor):
        return _save_tree_node(region)


@transaction.atomic
def update_region(actor: User, region_id: int, **fields: Any) -> Region:
    region = _locked(Region, actor, "change", region_id)
    apply_fields(region, fields, REGION_FIELDS)
    _guard_roots(actor, region)
    if region.parent is not None:
        require(actor, "change", region.parent)  # moving under a region outside one's scope is refused
    with audit.acting_as(actor):
        return _save_tree_node(region)


def _delete_checked(obj: models.Model) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except models.ProtectedError as exc:
        names = ", ".join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))
        raise ValidationError(_("It is still used by: %(names)s. Move or remove those first.")
                              % {"names": names}) from exc


@transaction.atomic
def delete_region(actor: User, region_id: int) -> None:
    region = _locked(Region, actor, "delete", region_id)
    with audit.acting_as(actor):
        _delete_checked(region)


@transaction.atomic
def create_unit(actor: User, **fields: Any) -> Unit:
    unit = Unit(**fields)
    require(actor, "add", unit)
    with audit.acting_as(actor):
        return _save_tree_node(unit)


@transaction.atomic
def update_unit(actor: User, unit_id: int, **fields: Any) -> Unit:
    unit = _locked(Unit, actor, "change", unit_id)
    old_parent_id = unit.parent_id
    apply_fields(unit, fields, UNIT_FIELDS)
    require(actor, "change", unit)  # the new region must be in scope too
    if unit.parent_id != old_parent_id and unit.parent is not None:
        require(actor, "change", unit.parent)  # and so must a new parent unit
    with audit.acting_as(actor):
        return _save_tree_node(unit)


@transaction.atomic
def delete_unit(actor: User, unit_id: int) -> None:
    unit = _locked(Unit, actor, "delete", unit_id)
    with audit.acting_as(actor):
        _delete_checked(unit)


# --- people ----------------------------------------------------------------------------------------

def _validate_person(actor: User, person: Person) -> None:
    errors = {}
    probed = None
    if person.id_number:
        person.id_number = person.id_number.strip().upper()
        if not id_number_is_valid(person.id_number):
            errors["id_number"] = _("This is not a valid 18-digit resident ID number.")
        elif duplicate := Person.objects.filter(id_number=person.id_number).exclude(pk=person.pk).first():
            errors["id_number"] = _("A person with this ID number is already registered.")
            if not Person.objects.visible_to(actor, "view").filter(pk=duplicate.pk).exists():
                probed = duplicate
    if person.phone and not PHONE_PATTERN.match(person.phone):
        errors["phone"] = _("Enter a valid phone number.")
    if person.region_id is None and person.unit_id is None:
        errors["region"] = _("Choose the region or the unit this person belongs to.")
    if errors:
        error = ValidationError(errors)
        error.probed = probed  # type: ignore[attr-defined]  # the form marks the fields it probed
        raise error
    person.full_clean()


def _traced(operation: Callable[Concatenate[User, _P], _R]) -> Callable[Concatenate[User, _P], _R]:
    """Run a person write; when its refusal revealed that an ID number exists outside the caller's
    scope, record who asked — after the rolled-back transaction, so the trace survives."""

    def run(actor: User, /, *args: _P.args, **fields: _P.kwargs) -> _R:
        try:
            return operation(actor, *args, **fields)
        except ValidationError as error:
            if (probed := getattr(error, "probed", None)) is not None:
                with audit.acting_as(actor):
                    audit.record("pii_view", probed, note="id_number duplicate check from outside scope")
            raise

    return run


@_traced
@transaction.atomic
def create_person(actor: User, /, **fields: Any) -> Person:
    person = Person(**fields)
    _validate_person(actor, person)
    require(actor, "add", person)
    with audit.acting_as(actor):
        person.save()
    return person


@_traced
@transaction.atomic
def update_person(actor: User, /, person_id: int, **fields: Any) -> Person:
    person = _locked(Person, actor, "change", person_id)
    apply_fields(person, fields, PERSON_FIELDS)
    _validate_person(actor, person)
    require(actor, "change", person)
    with audit.acting_as(actor):
        person.save()
    return person


@transaction.atomic
def delete_person(actor: User, person_id: int) -> None:
    person = _locked(Person, actor, "delete", person_id)
    with audit.acting_as(actor):
        _delete_checked(person)


def reveal_person_field(actor: User, person_id: int, field: str) -> str:
    """The full value of a masked field of a person; every full view is written to the audit trail."""
    return reveal(actor, Person, person_id, field)


# --- roles -----------------------------------------------------------------------------------------

def _grant_fits(actor: User, role: Role, target: RoleAssignment,
                chosen: tuple[list[Region], list[Unit]] | None = None) -> bool:
    """Whether one of the actor's grants covers handing on `role` over `target`'s scope: every right of the role
    and its data scope within the grant's, the anchor and every chosen region and unit (a custom scope)
    within the grant's reach. `chosen` is the custom scope's (regions, units) when the target is not yet saved."""
    if actor.is_superuser:
        return True
    scope = target.data_scope or role.data_scope
    if scope == DataScope.CUSTOM and chosen is None:
        chosen = (list(target.regions.all()), list(target.units.all())) if target.pk else ([], [])
    regions, units = chosen or ([], [])
    for grant in grants_of(actor):
        if not grant.allows("org.add_roleassignment") or not role_within(role.permissions, scope, grant):
            continue
        if grant.data_scope == DataScope.SELF:
            continue
        # A region grant also reaches the units located in the region (a secretary appoints at a station).
        anchor_ok = covers(grant, target, actor) or (
            grant.reaches(target.region, "region") if target.region is not None
            else target.unit is not None and grant.reaches(target.unit, "unit"))
        if anchor_ok and all(grant.reaches(r, "region") for r in regions) and all(
                grant.reaches(u, "unit") for u in units):
            return True
    return False


@transaction.atomic
def grant_role(actor: User, user: User, role: Role, *, region: Region | None = None, unit: Unit | None = None,
               data_scope: str = "", regions: list[Region] | tuple[Region, ...] = (),
               units: list[Unit] | tuple[Unit, ...] = ()) -> RoleAssignment:
    """Give `user` the role over a region or a unit. `data_scope` overrides the role's for this assignment;
    "custom" (自定义) reaches exactly `regions` and `units` (each with what lies below it)."""
    if (region is None) == (unit is None):
        raise ValidationError(_("Choose either a region or a unit as the scope of the role."))
    if data_scope and data_scope not in DataScope.values:
        raise ValidationError(_("Choose a data scope from the list."))
    custom = (data_scope or role.data_scope) == DataScope.CUSTOM
    if custom and not (regions or units):
        raise ValidationError(_("A custom data scope needs at least one region or unit."))
    if not custom and (regions or units):
        raise ValidationError(_("Regions and units are chosen only for a custom data scope."))
    assignment = RoleAssignment(user=user, role=role, region=region, unit=unit, granted_by=actor,
                                data_scope=data_scope)
    if not _grant_fits(actor, role, assignment, (list(regions), list(units))):
        raise PermissionDenied(_("You cannot grant a role or scope wider than your own."))
    if RoleAssignment.objects.filter(user=user, role=role, region=region, unit=unit).exists():
        raise ValidationError(_("This user already holds this role in this scope."))
    with audit.acting_as(actor):
        assignment.save()
        if custom:
            assignment.regions.set(regions)
            assignment.units.set(units)
    forget_grants(user)
    return assignment


@transaction.atomic
def revoke_role(actor: User, assignment_id: int) -> None:
    assignment = _locked(RoleAssignment, actor, "delete", assignment_id)
    if not _grant_fits(actor, assignment.role, assignment):
        raise PermissionDenied(_("You cannot revoke a role wider than your own."))
    with audit.acting_as(actor):
        assignment.delete()
    forget_grants(assignment.user)


def assignable_roles(actor: User) -> list[Role]:
    return [r for r in Role.objects.all() if actor.is_superuser or any(
        g.allows("org.add_roleassignment") and role_within(r.permissions, r.data_scope, g)
        for g in grants_of(actor))]



# --- accounts (用户管理) ----------------------------------------------------------------------------------------
# An account is placed where the person behind it is (their region or unit): a street's staff see and manage the
# accounts of their street. Managing one also needs that every role it holds is one the manager could grant, so
# nobody takes over (resets, disables) an account wider than their own.

PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def manages(actor: User, target: User) -> bool:
    """Whether `actor` may change the account `target` (edit, disable, reset its password, give it roles)."""
    if actor.is_superuser:
        return True
    if target.is_superuser or not can(actor, "change", target):
        return False
    held = RoleAssignment.objects.filter(user=target).select_related("role", "region", "unit")
    return all(_grant_fits(actor, a.role, a) for a in held)


def _managed_account(actor: User, user_id: int) -> User:
    """The account locked for a change: invisible is 'not found', visible but wider than the actor is refused."""
    account = fetch_for_change(get_user_model(), actor, "change", user_id)
    if not manages(actor, account):
        raise PermissionDenied(_("This account holds rights beyond yours; only a wider administrator can "
                                 "change it."))
    return account


def _home_errors(actor: User, action: str, region: Region | None, unit: Unit | None) -> dict[str, Any]:
    """Where a new or moved account is placed: a region or unit inside the actor's scope."""
    if region is None and unit is None:
        return {"region": _("Choose the region or the unit this account belongs to.")}
    probe = get_user_model()()
    probe.person = Person(region=region or (unit.region if unit else None), unit=unit)
    if not can(actor, action, probe):
        return {"region": _("You can only place accounts inside your own scope.")}
    return {}


def generate_password() -> str:
    """A password that meets every validator (14 characters of letters and digits without look-alikes)."""
    import secrets

    from django.contrib.auth.password_validation import validate_password

    while True:
        candidate = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(14))
        if any(c.isdigit() for c in candidate) and any(c.isupper() for c in candidate):
            try:
                validate_password(candidate)
            except ValidationError:
                continue
            return candidate


def _checked_password(password: str, user: User) -> str:
    from django.contrib.auth.password_validation import validate_password

    password = password or generate_password()
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    return password


@transaction.atomic
def create_account(actor: User, *, username: str, display_name: str = "", region: Region | None = None,
                   unit: Unit | None = None, phone: str = "", email: str = "", password: str = "") -> tuple[User, str]:
    """A new login and the person behind it, placed in the actor's scope. Returns (account, password): the
    password (generated when none is given) is shown once and never stored readable."""
    from django.contrib.auth.validators import UnicodeUsernameValidator

    User = get_user_model()
    username = (username or "").strip()
    errors = _home_errors(actor, "add", region, unit)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        errors["username"] = exc.messages
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This username is taken.")
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = _("Enter a valid phone number.")
    if errors:
        raise ValidationError(errors)
    account = User(username=username, display_name=display_name.strip(), email=email.strip())
    password = _checked_password(password, account)
    account.set_password(password)
    with audit.acting_as(actor), audit.labelled(audit.Label.ACCOUNT_CREATE):
        account.save()
        person = Person(name=account.display_name or username,
                        region=region or (unit.region if unit is not None else None), unit=unit,
                        phone=phone, user=account)
        person.full_clean()
        person.save()
    return account, password


@transaction.atomic
def update_account(actor: User, user_id: int, **fields: Any) -> User:
    """Edit an account's name and e-mail, and move it (its person) to another region or unit of the actor's."""
    account = _managed_account(actor, user_id)
    person = Person.objects.filter(user=account).first()
    if "region" in fields or "unit" in fields:
        region = fields.pop("region", person.region if person else None)
        unit = fields.pop("unit", person.unit if person else None)
        if errors := _home_errors(actor, "change", region, unit):
            raise ValidationError(errors)
        person = person or Person(user=account, name=account.display_name or account.username)
        person.region, person.unit = region or unit.region, unit
    apply_fields(account, fields, {"display_name", "email"})
    account.full_clean(exclude=["password", "username"])
    with audit.acting_as(actor):
        account.save()
        if person is not None:
            person.save()
    return account


@transaction.atomic
def set_account_active(actor: User, user_id: int, active: bool) -> User:
    """停用/启用. A disabled account cannot log in and its open sessions end with its next request."""
    if user_id == actor.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    account = _managed_account(actor, user_id)
    if account.is_active == active:
        return account
    account.is_active = active
    label = audit.Label.ACCOUNT_ENABLE if active else audit.Label.ACCOUNT_DISABLE
    with audit.acting_as(actor), audit.labelled(label):
        account.save()
    return account


@transaction.atomic
def reset_account_password(actor: User, user_id: int, password: str = "") -> str:
    """重置密码: set the given password or a generated one; returns it to be shown once. The account's sessions
    end (Django checks the password hash of every session)."""
    if user_id == actor.pk:
        raise ValidationError(_("Change your own password on the password page."))
    account = _managed_account(actor, user_id)
    password = _checked_password(password, account)
    account.set_password(password)
    with audit.acting_as(actor), audit.labelled(audit.Label.ACCOUNT_PASSWORD):
        account.save()
        # The hash itself is never in the trail (audit_exclude): the entry says that it was replaced.
        audit.record("update", account, {"password": "******"}, {"password": _("reset")})
    return password


@transaction.atomic
def grant_account_role(actor: User, user_id: int, role: Role, **scope: Any) -> RoleAssignment:
    """A role for an account the actor manages (the grant itself is checked by grant_role)."""
    return grant_role(actor, _managed_account(actor, user_id), role, **scope)


@transaction.atomic
def revoke_account_role(actor: User, user_id: int, assignment_id: int) -> None:
    _managed_account(actor, user_id)
    if not RoleAssignment.objects.filter(pk=assignment_id, user_id=user_id).exists():
        raise RoleAssignment.DoesNotExist(_("%(model)s not found.") % {"model": RoleAssignment._meta.verbose_name})
    revoke_role(actor, assignment_id)


# --- roles (角色管理) -----------------------------------------------------------------------------------------

ROLE_FIELDS = {"name_zh", "name_en", "description", "data_scope", "permissions"}


def _role_errors(actor: User, role: Role) -> dict[str, Any]:
    """A custom role holds only rights of the catalogue, each one the actor holds, and no wider data scope."""
    from wanghua.core.roles import catalogue_codes

    errors: dict[str, Any] = {}
    unknown = [code for code in role.permissions if code not in catalogue_codes()]
    if unknown:
        errors["permissions"] = _("Choose rights from the list.")
    elif not actor.is_superuser and not any(
            role_within(role.permissions, role.data_scope, g) for g in grants_of(actor)):
        errors["permissions"] = _("A role cannot hold rights or a data scope beyond your own.")
    if role.data_scope not in DataScope.values:
        errors["data_scope"] = _("Choose a data scope from the list.")
    if not (role.name_zh or "").strip():
        errors["name_zh"] = _("Give the role a name.")
    return errors


def _may_edit_roles(actor: User, action: str) -> None:
    if not (actor.is_superuser or any(g.allows(f"core.{action}_role") for g in grants_of(actor))):
        raise PermissionDenied(_("You do not have permission to do this."))


@transaction.atomic
def create_role(actor: User, *, code: str, name_zh: str, name_en: str = "", description: str = "",
                data_scope: str = DataScope.SUBTREE, permissions: list[str] | tuple[str, ...] = ()) -> Role:
    _may_edit_roles(actor, "add")
    role = Role(code=(code or "").strip(), name_zh=(name_zh or "").strip(), name_en=(name_en or "").strip(),
                description=description or "", data_scope=data_scope, permissions=sorted(set(permissions)),
                builtin=False)
    errors = _role_errors(actor, role)
    if role.code and Role.objects.filter(code=role.code).exists():
        errors["code"] = _("A role with this code exists.")
    if errors:
        raise ValidationError(errors)
    role.name_en = role.name_en or role.name_zh
    role.full_clean()
    with audit.acting_as(actor):
        role.save()
    return role


@transaction.atomic
def update_role(actor: User, role_id: int, **fields: Any) -> Role:
    """Edit a role made in the UI; the built-in roles are kept in code and stay read-only here."""
    _may_edit_roles(actor, "change")
    role = Role.objects.select_for_update().filter(pk=role_id).first()
    if role is None:
        raise Role.DoesNotExist(_("%(model)s not found.") % {"model": Role._meta.verbose_name})
    if role.builtin:
        raise PermissionDenied(_("Built-in roles are read-only."))
    if "permissions" in fields:
        fields["permissions"] = sorted(set(fields["permissions"]))
    apply_fields(role, fields, ROLE_FIELDS)
    role.name_en = (role.name_en or "").strip() or role.name_zh
    if errors := _role_errors(actor, role):
        raise ValidationError(errors)
    role.full_clean()
    with audit.acting_as(actor):
        role.save()
    for assignment in RoleAssignment.objects.filter(role=role).select_related("user"):
        forget_grants(assignment.user)
    return role
