import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from wanghua.org.filters import UnderRegionFilter
from wanghua.org.models import Unit, UnitKind, Zone

from .models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    IssueCategory,
    IssueStatus,
    Lead,
    LeadStage,
    MonthlyReport,
    Programme,
    Project,
    ProjectIssue,
    ProjectList,
    ReportStatus,
    Stage,
)

COMPETENT_KINDS = [UnitKind.DEPARTMENT, UnitKind.STREET_GOV, UnitKind.GOVERNMENT]


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    project_list = django_filters.ChoiceFilter(choices=ProjectList.choices, label=_("list"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("stage"))
    region = UnderRegionFilter(lookup="town")
    unit = django_filters.ModelChoiceFilter(field_name="competent_unit", label=_("competent unit (主管单位)"),
                                            queryset=Unit.objects.filter(kind__in=COMPETENT_KINDS))
    started_year = django_filters.NumberFilter(method="filter_started", label=_("started in"), min_value=1970,
                                               max_value=2100)
    programme = django_filters.ChoiceFilter(choices=Programme.choices, label=_("programme"))
    zone = django_filters.ChoiceFilter(field_name="zone__code", label=_("zone"),
                                       choices=lambda: list(Zone.objects.values_list("code", "name")))

    report_due = django_filters.BooleanFilter(method="filter_report_due", label=_("monthly report due"))

    class Meta:
        model = Project
        fields = ["q", "project_list", "stage", "region", "unit", "started_year", "programme", "zone", "report_due"]

    def filter_started(self, queryset, name, value):
        from .models import STARTED_STAGES

        return queryset.filter(stage__in=STARTED_STAGES, started_on__year=value) if value else queryset

    def filter_report_due(self, queryset, name, value):
        """Under construction, and last month's report not yet in."""
        from .queries import reports_missing

        missing = reports_missing(queryset)
        return missing if value else queryset.exclude(pk__in=missing.values("pk"))


class MonthlyReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="project__name", lookup_expr="icontains", label=_("project"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("status"))
    month = django_filters.DateFilter(field_name="month", label=_("month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                                      widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
    late = django_filters.BooleanFilter(field_name="late", label=_("late"))

    class Meta:
        model = MonthlyReport
        fields = ["q", "status", "month", "late"]


class IssueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IssueStatus.choices, label=_("status"))
    category = django_filters.ChoiceFilter(choices=IssueCategory.choices, label=_("category"))
    escalated = django_filters.BooleanFilter(field_name="escalated_at", lookup_expr="isnull", exclude=True,
                                             label=_("escalated to the leader"))

    class Meta:
        model = ProjectIssue
        fields = ["status", "category", "escalated"]


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=ApplicationKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label=_("status"))
    region = UnderRegionFilter(lookup="town")

    class Meta:
        model = Application
        fields = ["q", "kind", "status", "region"]


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    stage = django_filters.ChoiceFilter(choices=LeadStage.choices, label=_("stage"))
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all(), label=_("zone"))

    class Meta:
        model = Lead
        fields = ["q", "stage", "zone"]
