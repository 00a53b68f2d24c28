"""Read-only in the admin site: lines, tags and alarm definitions change through industry.services (limit
ordering, deadbands, the live state), which the 设置 pages and the API call."""

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import AlarmDefinition, DeadLetter, Equipment, ProductionLine, Tag


class EquipmentInline(ReadOnlyInline):
    model = Equipment


@admin.register(ProductionLine)
class ProductionLineAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "enterprise", "capacity_tonnes", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [EquipmentInline]


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ["line", "code", "name", "kind", "role", "unit", "low", "high", "key"]
    list_filter = ["line", "kind", "role"]
    search_fields = ["code", "name"]


@admin.register(AlarmDefinition)
class AlarmDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["tag", "kind", "limit", "state", "priority", "deadband", "on_delay", "off_delay", "message"]
    list_filter = ["priority", "kind", "tag__line"]
    search_fields = ["message", "tag__code"]


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "source", "topic", "line", "reason"]
    list_filter = ["source", "line"]
    search_fields = ["reason", "topic"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
