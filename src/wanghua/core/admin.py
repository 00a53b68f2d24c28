from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, AuditEntry, DictItem, DictType, LoginEvent, Notice, Role, User

if TYPE_CHECKING:  # the stubs' admin classes are generic; Django's own are not subscriptable at run time
    _UserAdmin = UserAdmin[User]
    _AnyAdmin = admin.ModelAdmin[Any]
    _RoleAdmin = admin.ModelAdmin[Role]
    _AnyInline = admin.TabularInline[Any, Any]
else:
    _UserAdmin = UserAdmin
    _AnyAdmin = _RoleAdmin = admin.ModelAdmin
    _AnyInline = admin.TabularInline


@admin.register(User)
class WanghuaUserAdmin(_UserAdmin):
    fieldsets = [*(UserAdmin.fieldsets or ()), ("望花", {"fields": ["display_name"]})]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]


class ReadOnlyAdmin(_AnyAdmin):
    """For records whose writes have rules in a service: the admin site shows them, the pages and API change
    them (through the service)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(_AnyInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Role)
class RoleAdmin(_RoleAdmin):
    """Roles of one's own may be defined here; the built-in ones are synced from core/roles.py after every
    migrate, so an edit here would be silently undone (and would change every holder's grants meanwhile)."""

    list_display = ["code", "name_zh", "name_en", "data_scope", "builtin"]

    def has_change_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        return super().has_change_permission(request, obj) and not (obj is not None and obj.builtin)

    def has_delete_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.builtin)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "actor_label", "action", "label", "content_type", "object_repr", "request_id"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "object_repr", "request_id"]
    exclude = ["before", "after"]  # shown through summary(), which masks personal data as the pages do
    readonly_fields = ["changes_shown"]

    @admin.display(description=_("Changes"))
    def changes_shown(self, entry: AuditEntry) -> str:
        return entry.summary()


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "username", "event", "success", "ip"]
    list_filter = ["success", "event"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are made and revoked by their owners under 账户 → API 令牌 (core.services)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]


class DictItemInline(ReadOnlyInline):
    model = DictItem


@admin.register(DictType)
class DictTypeAdmin(ReadOnlyAdmin):
    """字典管理 edits items on its own page (core.reference: values are unique, switched off, never deleted)."""

    list_display = ["code", "name", "builtin"]
    inlines = [DictItemInline]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """通知公告 are published and withdrawn on their page (core.reference.publish_notice)."""

    list_display = ["title", "kind", "published_at", "expires_at", "author"]
