"""Line definitions for system administrators; telemetry and the journal are read-only here."""

from django.contrib import admin

from .models import AlarmDefinition, DeadLetter, Equipment, ProductionLine, Tag


class EquipmentInline(admin.TabularInline):
    model = Equipment
    extra = 0


@admin.register(ProductionLine)
class ProductionLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "enterprise", "capacity_tonnes", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [EquipmentInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["line", "code", "name", "kind", "role", "unit", "low", "high", "key"]
    list_filter = ["line", "kind", "role"]
    search_fields = ["code", "name"]


@admin.register(AlarmDefinition)
class AlarmDefinitionAdmin(admin.ModelAdmin):
    list_display = ["tag", "kind", "limit", "state", "priority", "deadband", "on_delay", "off_delay", "message"]
    list_filter = ["priority", "kind", "tag__line"]
    search_fields = ["message", "tag__code"]


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["received_at", "source", "topic", "line", "reason"]
    list_filter = ["source", "line"]
    search_fields = ["reason", "topic"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
