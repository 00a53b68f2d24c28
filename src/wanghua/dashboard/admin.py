"""Read-only in the admin site: stored values are written by the refresh, targets and statistics by
dashboard.services (ranges, sources, the refresh log), which the pages and the API call."""

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin

from .models import ExternalStatistic, IndicatorTarget, RefreshRun


@admin.register(ExternalStatistic)
class ExternalStatisticAdmin(ReadOnlyAdmin):
    list_display = ["period", "key", "name", "value", "unit", "source"]


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "period", "trigger", "values", "seconds"]


admin.site.register(IndicatorTarget, ReadOnlyAdmin)
