"""Org endpoints: regions, zones, units, people, role assignments. Thin: parse, call services, shape."""

from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanghua.core.api import Pagination, RecordId, RevealOut, Text, filter_query, filtered, needs, patch_data
from wanghua.core.models import Role
from wanghua.core.rules import AuthenticatedHttpRequest

from . import services
from .filters import PersonFilter, RegionFilter, UnitFilter
from .models import Person, Region, RegionKind, RegionLevel, RoleAssignment, Unit, UnitKind, Zone

router = Router(tags=["org"])
_Scoped = TypeVar("_Scoped", bound=Model)

Code = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
Name = Field(..., min_length=1, max_length=100)

def _visible(model: type[_Scoped], request: AuthenticatedHttpRequest, pk: int, action: str = "view") -> _Scoped:
    scoped: QuerySet[_Scoped] = model.objects.visible_to(  # type: ignore[attr-defined]  # every scoped model's manager
        request.user, action)
    return get_object_or_404(scoped, pk=pk)

# --- regions --------------------------------------------------------------------------------------

class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: RegionLevel
    kind: RegionKind
    parent_id: int | None
    path: str
    depth: int
    zone_id: int | None
    population: int | None
    households: int | None

class RegionIn(Schema):
    code: Text = Code
    name: Text = Name
    level: RegionLevel
    kind: RegionKind
    parent_id: RecordId | None = None
    zone_id: RecordId | None = None
    population: int | None = Field(None, ge=0, le=10_000_000)
    households: int | None = Field(None, ge=0, le=10_000_000)

class RegionPatch(Schema):
    code: Text | None = Field(None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: Text | None = Field(None, min_length=1, max_length=100)
    parent_id: RecordId | None = None
    zone_id: RecordId | None = None
    population: int | None = Field(None, ge=0, le=10_000_000)
    households: int | None = Field(None, ge=0, le=10_000_000)

def _region_fields(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "parent_id" in data:
        data["parent"] = _visible(Region, request, data.pop("parent_id")) if data["parent_id"] else None
        data.pop("parent_id", None)
    if "zone_id" in data:
        zone_id = data.pop("zone_id")
        data["zone"] = get_object_or_404(Zone, pk=zone_id) if zone_id else None
    return data

@router.get("/regions", response=list[RegionOut], summary="Regions visible to the caller")
@paginate(Pagination)
@needs("org.view_region")
def list_regions(request: AuthenticatedHttpRequest, filters: Query[filter_query(RegionFilter)]) -> QuerySet[Region]:  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, RegionFilter, Region.objects.visible_to(request.user, "view")).order_by("path")

@router.get("/regions/{region_id}", response=RegionOut)
@needs("org.view_region")
def get_region(request: AuthenticatedHttpRequest, region_id: RecordId) -> Region:
    return _visible(Region, request, region_id)

@router.post("/regions", response={201: RegionOut})
@needs("org.add_region")
def create_region(request: AuthenticatedHttpRequest, body: RegionIn) -> Status[Any]:
    return Status(201, services.create_region(request.user, **_region_fields(request, body.dict())))

@router.patch("/regions/{region_id}", response=RegionOut)
@needs("org.change_region")
def update_region(request: AuthenticatedHttpRequest, region_id: RecordId, body: RegionPatch) -> Region:
    data = _region_fields(request, patch_data(body))
    return services.update_region(request.user, region_id, **data)

@router.delete("/regions/{region_id}", response={204: None})
@needs("org.delete_region")
def delete_region(request: AuthenticatedHttpRequest, region_id: RecordId) -> Status[Any]:
    services.delete_region(request.user, region_id)
    return Status(204, None)

# --- zones ----------------------------------------------------------------------------------------

class ZoneOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    description: str
    area_km2: float | None
    geojson: dict[str, Any] | None

@router.get("/zones", response=list[ZoneOut])
@needs("org.view_zone")
def list_zones(request: AuthenticatedHttpRequest) -> QuerySet[Zone]:
    return Zone.objects.visible_to(request.user, "view")

@router.get("/zones/{zone_id}", response=ZoneOut)
@needs("org.view_zone")
def get_zone(request: AuthenticatedHttpRequest, zone_id: RecordId) -> Zone:
    return _visible(Zone, request, zone_id)

# --- units ----------------------------------------------------------------------------------------

class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: UnitKind
    parent_id: int | None
    region_id: int
    zone_id: int | None
    path: str
    active: bool

class UnitIn(Schema):
    code: Text = Code
    name: Text = Name
    short_name: Text = Field("", max_length=50)
    kind: UnitKind
    parent_id: RecordId | None = None
    region_id: RecordId
    zone_id: RecordId | None = None
    address: Text = Field("", max_length=200)
    phone: Text = Field("", max_length=30)

class UnitPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=100)
    short_name: Text | None = Field(None, max_length=50)
    kind: UnitKind | None = None
    region_id: RecordId | None = None
    zone_id: RecordId | None = None
    address: Text | None = Field(None, max_length=200)
    phone: Text | None = Field(None, max_length=30)
    active: bool | None = None

def _unit_fields(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("parent_id") is not None:
        data["parent"] = _visible(Unit, request, data["parent_id"])
    data.pop("parent_id", None)
    if data.get("region_id") is not None:
        data["region"] = _visible(Region, request, data["region_id"])
    data.pop("region_id", None)
    if "zone_id" in data:
        zone_id = data.pop("zone_id")
        data["zone"] = get_object_or_404(Zone, pk=zone_id) if zone_id else None
    return data

@router.get("/units", response=list[UnitOut])
@paginate(Pagination)
@needs("org.view_unit")
def list_units(request: AuthenticatedHttpRequest, filters: Query[filter_query(UnitFilter)]) -> QuerySet[Unit]:  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, UnitFilter, Unit.objects.visible_to(request.user, "view")).order_by("path")

@router.get("/units/{unit_id}", response=UnitOut)
@needs("org.view_unit")
def get_unit(request: AuthenticatedHttpRequest, unit_id: RecordId) -> Unit:
    return _visible(Unit, request, unit_id)

@router.post("/units", response={201: UnitOut})
@needs("org.add_unit")
def create_unit(request: AuthenticatedHttpRequest, body: UnitIn) -> Status[Any]:
    return Status(201, services.create_unit(request.user, **_unit_fields(request, body.dict())))

@router.patch("/units/{unit_id}", response=UnitOut)
@needs("org.change_unit")
def update_unit(request: AuthenticatedHttpRequest, unit_id: RecordId, body: UnitPatch) -> Unit:
    return services.update_unit(request.user, unit_id, **_unit_fields(request, patch_data(body)))

@router.delete("/units/{unit_id}", response={204: None})
@needs("org.delete_unit")
def delete_unit(request: AuthenticatedHttpRequest, unit_id: RecordId) -> Status[Any]:
    services.delete_unit(request.user, unit_id)
    return Status(204, None)

# --- people ---------------------------------------------------------------------------------------

class PersonOut(Schema):
    id: int
    name: str
    gender: str
    id_number: Text = Field(..., alias="id_number_masked", description="Masked; POST …/reveal for the full value")
    phone: Text = Field(..., alias="phone_masked")
    title: str
    unit_id: int | None
    region_id: int | None
    party_member: bool

class PersonIn(Schema):
    name: Text = Field(..., min_length=1, max_length=50)
    gender: Person.Gender | None = None
    id_number: Text = Field("", max_length=18)
    phone: Text = Field("", max_length=20)
    title: Text = Field("", max_length=50)
    unit_id: RecordId | None = None
    region_id: RecordId | None = None
    party_member: bool = False

class PersonPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=50)
    gender: Person.Gender | None = None
    id_number: Text | None = Field(None, max_length=18)
    phone: Text | None = Field(None, max_length=20)
    title: Text | None = Field(None, max_length=50)
    unit_id: RecordId | None = None
    region_id: RecordId | None = None
    party_member: bool | None = None

class RevealIn(Schema):
    field: Text = Field(..., pattern="^(id_number|phone)$")


def _person_fields(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "gender" in data:
        data["gender"] = data["gender"] or ""
    if "unit_id" in data:
        unit_id = data.pop("unit_id")
        data["unit"] = _visible(Unit, request, unit_id) if unit_id else None
    if "region_id" in data:
        region_id = data.pop("region_id")
        data["region"] = _visible(Region, request, region_id) if region_id else None
    return data

@router.get("/people", response=list[PersonOut])
@paginate(Pagination)
@needs("org.view_person")
def list_people(request: AuthenticatedHttpRequest, filters: Query[filter_query(PersonFilter)]) -> QuerySet[Person]:  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, PersonFilter, Person.objects.visible_to(request.user, "view")).order_by("name", "id")

@router.get("/people/{person_id}", response=PersonOut)
@needs("org.view_person")
def get_person(request: AuthenticatedHttpRequest, person_id: RecordId) -> Person:
    return _visible(Person, request, person_id)

@router.post("/people", response={201: PersonOut})
@needs("org.add_person")
def create_person(request: AuthenticatedHttpRequest, body: PersonIn) -> Status[Any]:
    return Status(201, services.create_person(request.user, **_person_fields(request, body.dict())))

@router.patch("/people/{person_id}", response=PersonOut)
@needs("org.change_person")
def update_person(request: AuthenticatedHttpRequest, person_id: RecordId, body: PersonPatch) -> Person:
    return services.update_person(request.user, person_id,
                                  **_person_fields(request, patch_data(body)))

@router.delete("/people/{person_id}", response={204: None})
@needs("org.delete_person")
def delete_person(request: AuthenticatedHttpRequest, person_id: RecordId) -> Status[Any]:
    services.delete_person(request.user, person_id)
    return Status(204, None)

@router.post("/people/{person_id}/reveal", response=RevealOut,
             summary="Full value of a masked field (logged as a personal-data view)")
@needs("org.reveal_person")
def reveal_person(request: AuthenticatedHttpRequest, person_id: RecordId, body: RevealIn) -> dict[str, str]:
    return {"field": body.field, "value": services.reveal_person_field(request.user, person_id, body.field)}

# --- role assignments -----------------------------------------------------------------------------

class AssignmentOut(Schema):
    id: int
    user_id: int
    username: Text = Field(..., alias="user.username")
    role: Text = Field(..., alias="role.code")
    region_id: int | None
    unit_id: int | None
    data_scope: str = Field("", description="The assignment's own data scope; empty: the role's")
    custom_region_ids: list[int] = []
    custom_unit_ids: list[int] = []

    @staticmethod
    def resolve_custom_region_ids(obj: RoleAssignment) -> list[int]:
        return sorted(r.pk for r in obj.regions.all())

    @staticmethod
    def resolve_custom_unit_ids(obj: RoleAssignment) -> list[int]:
        return sorted(u.pk for u in obj.units.all())

class AssignmentIn(Schema):
    username: Text = Field(..., min_length=1, max_length=150)
    role: Text = Field(..., min_length=1, max_length=40)
    region_id: RecordId | None = None
    unit_id: RecordId | None = None
    data_scope: Text = Field("", max_length=10, description="custom (自定义): the regions and units below")
    custom_region_ids: list[RecordId] = Field([], max_length=500)
    custom_unit_ids: list[RecordId] = Field([], max_length=500)

@router.get("/assignments", response=list[AssignmentOut])
@paginate(Pagination)
@needs("org.view_roleassignment")
def list_assignments(request: AuthenticatedHttpRequest) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.visible_to(request.user, "view").select_related("user", "role").prefetch_related(
        "regions", "units")

@router.post("/assignments", response={201: AssignmentOut})
@needs("org.add_roleassignment")
def grant(request: AuthenticatedHttpRequest, body: AssignmentIn) -> Status[Any]:
    user = get_object_or_404(get_user_model(), username=body.username)
    role = get_object_or_404(Role, code=body.role)
    region = _visible(Region, request, body.region_id) if body.region_id else None
    unit = _visible(Unit, request, body.unit_id) if body.unit_id else None
    regions = [_visible(Region, request, pk) for pk in dict.fromkeys(body.custom_region_ids)]
    units = [_visible(Unit, request, pk) for pk in dict.fromkeys(body.custom_unit_ids)]
    return Status(201, services.grant_role(request.user, user, role, region=region, unit=unit,
                                           data_scope=body.data_scope, regions=regions, units=units))

@router.delete("/assignments/{assignment_id}", response={204: None})
@needs("org.delete_roleassignment")
def revoke(request: AuthenticatedHttpRequest, assignment_id: RecordId) -> Status[Any]:
    services.revoke_role(request.user, assignment_id)
    return Status(204, None)
