import django_filters
from django.utils.translation import gettext_lazy as _

from wanghua.org.filters import UnderRegionFilter
from wanghua.org.models import Unit, UnitKind

from .models import Activity, CampaignAction, Case, CaseCategory, CaseSource, CaseStatus, Commitment, overdue_q

HANDLING_KINDS = [UnitKind.DEPARTMENT, UnitKind.STREET_GOV, UnitKind.GOVERNMENT]


class CaseFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(field_name="number", lookup_expr="startswith", label=_("case number"))
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=_("status"))
    source = django_filters.ChoiceFilter(choices=CaseSource.choices, label=_("source"))
    category = django_filters.ModelChoiceFilter(  # a 小类 reads "大类 · 小类": the parents in the same query
        queryset=CaseCategory.objects.filter(parent__isnull=False).select_related("parent"), label=_("category"))
    region = UnderRegionFilter(lookup="community")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    action = django_filters.ModelChoiceFilter(queryset=CampaignAction.objects.all(), label=_("campaign action"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.filter(kind__in=HANDLING_KINDS),
                                            label=_("handling unit"))
    year = django_filters.NumberFilter(field_name="reported_at", lookup_expr="year", label=_("reported in"),
                                       min_value=2000, max_value=2100)
    reported_from = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="gte",
                                                     label=_("reported from"))
    reported_to = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="lt",
                                                   label=_("reported before"))

    class Meta:
        model = Case
        fields = ["number", "status", "source", "category", "region", "overdue", "action", "unit", "year",
                  "reported_from", "reported_to"]

    def filter_overdue(self, queryset, name, value):
        """超期: past the 立案 deadline while waiting to be accepted, or past the handling deadline."""
        from django.utils import timezone

        late = overdue_q(timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Name"))
    region = UnderRegionFilter(lookup="community")

    class Meta:
        model = Activity
        fields = ["q", "region"]


class CommitmentFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label=_("year"), min_value=2000, max_value=2100)
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Name"))
    region = UnderRegionFilter()

    class Meta:
        model = Commitment
        fields = ["year", "q", "region"]
