from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin

from .models import Person, Region, RoleAssignment, Unit, Zone


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "zone"]
    list_filter = ["level", "zone"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "sort_order"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
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
