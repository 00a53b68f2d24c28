"""Standards for system administrators; results are append-only and never edited here."""

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import GradeLimit, Standard


class GradeLimitInline(ReadOnlyInline):
    model = GradeLimit


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    """Standards are data from lab/standards.py, written after every migrate: a revision is a new version there,
    and heats keep the version they were judged by. An edit here would change the limits behind decided heats
    and issued certificates, so they are only read."""

    list_display = ["code", "version", "title", "effective_on", "active"]
    list_filter = ["active"]
    inlines = [GradeLimitInline]
