"""Read-only in the admin site: the culture records change only through their services (the nomination table,
the points ledger's locks)."""

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin

from .models import Goods, HeritageSite, Nomination, PointsAccount, PointsEntry, Redemption, StudyRoute


@admin.register(HeritageSite)
class HeritageSiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "community", "active"]
    search_fields = ["name"]


@admin.register(StudyRoute)
class StudyRouteAdmin(ReadOnlyAdmin):
    list_display = ["name", "active"]


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ["nominee_name", "community", "category", "status", "submitted_at"]
    list_filter = ["status", "category"]
    exclude = ["nominee_phone"]


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ["person", "community", "balance", "earned", "redeemed"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "points", "balance_after", "recorded_at"]


@admin.register(Goods)
class GoodsAdmin(ReadOnlyAdmin):
    list_display = ["name", "community", "points", "stock", "active"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["account", "goods", "quantity", "points", "redeemed_at"]
