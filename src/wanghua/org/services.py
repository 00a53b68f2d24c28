"""Every change to the district model goes through here: guards, scope checks, audit labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, forget_grants, grants_of, holds_everything, require, role_within
from wanghua.core.changes import apply_fields
from wanghua.core.models import Role, User
from wanghua.core.pii import reveal

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

def _grant_fits(actor: User, role: Role, target: RoleAssignment) -> bool:
    if actor.is_superuser:
        return True
    for grant in grants_of(actor):
        if not grant.allows("org.add_roleassignment") or not role_within(role.permissions, role.data_scope, grant):
            continue
        if grant.covers_everything:
            return True
        if target.region is not None and grant.region_path and target.region.path.startswith(grant.region_path):
            return True
        if target.unit is not None and grant.unit_path and target.unit.path.startswith(grant.unit_path):
            return True
    return False


@transaction.atomic
def grant_role(actor: User, user: User, role: Role, *, region: Region | None = None, unit: Unit | None = None
               ) -> RoleAssignment:
    if (region is None) == (unit is None):
        raise ValidationError(_("Choose either a region or a unit as the scope of the role."))
    assignment = RoleAssignment(user=user, role=role, region=region, unit=unit, granted_by=actor)
    if not _grant_fits(actor, role, assignment):
        raise PermissionDenied(_("You cannot grant a role or scope wider than your own."))
    if RoleAssignment.objects.filter(user=user, role=role, region=region, unit=unit).exists():
        raise ValidationError(_("This user already holds this role in this scope."))
    with audit.acting_as(actor):
        assignment.save()
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

