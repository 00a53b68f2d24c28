"""Read-only in the admin site: stations, residents and errands change only through their services (the
errand's table, the ledger's balance, the tallies), which the pages and the API call."""

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin

from .models import Errand, LedgerEntry, Resident, Station


@admin.register(Station)
class StationAdmin(ReadOnlyAdmin):
    list_display = ["unit", "community", "host_household", "active"]
    list_filter = ["active"]
    search_fields = ["unit__name", "host_household"]


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "community", "station"]
    search_fields = ["name"]
    exclude = ["id_number", "phone", "emergency_phone"]  # personal data is revealed only on its page, logged


@admin.register(Errand)
class ErrandAdmin(ReadOnlyAdmin):
    list_display = ["pk", "station", "category", "status", "accepted_at"]
    list_filter = ["status", "category"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["errand", "kind", "amount", "recorded_at"]
