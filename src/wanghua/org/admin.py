from typing import TYPE_CHECKING

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin

from .models import Person, Region, RoleAssignment, Unit, Zone

if TYPE_CHECKING:  # the stubs' admin classes are generic; Django's own are not subscriptable at run time
    _RegionAdmin = admin.ModelAdmin[Region]
    _ZoneAdmin = admin.ModelAdmin[Zone]
    _UnitAdmin = admin.ModelAdmin[Unit]
else:
    _RegionAdmin = _ZoneAdmin = _UnitAdmin = admin.ModelAdmin


@admin.register(Region)
class RegionAdmin(_RegionAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "zone"]
    list_filter = ["level", "zone"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]


@admin.register(Zone)
class ZoneAdmin(_ZoneAdmin):
    list_display = ["code", "name", "kind", "sort_order"]


@admin.register(Unit)
class UnitAdmin(_UnitAdmin):
    list_display = ["code", "name", "kind", "region", "zone", "active"]
    list_filter = ["kind", "zone", "active"]
    search_fields = ["code", "name", "short_name"]
    readonly_fields = ["path", "depth"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """People change through org.services (ID number checksum and duplicates, phone format, scope), on the
    person pages and the API."""

    list_display = ["name", "title", "unit", "region"]
    search_fields = ["name"]
    exclude = ["id_number", "phone"]  # personal data is revealed (and logged) in the app, not here


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    """Grants are made on 角色分配 through org.services.grant_role (nobody grants wider than their own, and
    the grant cache is invalidated); here they are only read."""

    list_display = ["user", "role", "region", "unit", "granted_by", "created_at"]
    list_filter = ["role"]
