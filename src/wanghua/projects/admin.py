"""Read-only in the admin site: projects, reports and issues change only through their services (declared
tables, amounts, review), which the pages, the ledger import and the API call."""

from django.contrib import admin

from wanghua.core.admin import ReadOnlyAdmin

from .models import Application, Lead, MonthlyReport, Project, ProjectIssue


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "project_list", "stage", "total_investment"]
    list_filter = ["project_list", "stage"]
    search_fields = ["code", "name"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["project", "month", "fai", "status"]
    list_filter = ["status"]


@admin.register(ProjectIssue)
class ProjectIssueAdmin(ReadOnlyAdmin):
    list_display = ["project", "category", "status", "deadline"]
    list_filter = ["status"]


admin.site.register(Application, ReadOnlyAdmin)
admin.site.register(Lead, ReadOnlyAdmin)
