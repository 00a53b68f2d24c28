"""Standards for system administrators; results are append-only and never edited here."""

from django.contrib import admin

from .models import GradeLimit, Standard


class GradeLimitInline(admin.TabularInline):
    model = GradeLimit
    extra = 0


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    """A revised standard is added as a new version; heats keep the version they were judged by."""

    list_display = ["code", "version", "title", "effective_on", "active"]
    list_filter = ["active"]
    inlines = [GradeLimitInline]
