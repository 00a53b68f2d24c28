from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, AuditEntry, DictItem, DictType, LoginEvent, Notice, Role, User


@admin.register(User)
class WanghuaUserAdmin(UserAdmin):
    fieldsets = [*UserAdmin.fieldsets, ("望花", {"fields": ["display_name"]})]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "data_scope", "builtin"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "actor_label", "action", "label", "content_type", "object_repr", "request_id"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "object_repr", "request_id"]


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "username", "event", "success", "ip"]
    list_filter = ["success", "event"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix", "last_used_at"]


class DictItemInline(admin.TabularInline):
    model = DictItem
    extra = 1


@admin.register(DictType)
class DictTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "builtin"]
    inlines = [DictItemInline]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published_at", "expires_at", "author"]
