"""Read-only in the admin site: cases, commitments and activities change only through their services (the
case table, working-hour deadlines, tallies), which the pages, Open311 and the API call."""

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin

from .models import Activity, Case, CaseCategory, Commitment


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "category", "status", "reported_at"]
    list_filter = ["status"]
    search_fields = ["number"]
    exclude = ["reporter_name", "reporter_phone", "public_token"]  # personal data stays masked


admin.site.register(CaseCategory, ReadOnlyAdmin)
admin.site.register(Commitment, ReadOnlyAdmin)
admin.site.register(Activity, ReadOnlyAdmin)
