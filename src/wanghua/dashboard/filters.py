"""One FilterSet per listed model: the page, its Excel export and the API read the same filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal

from .models import ExternalStatistic, RefreshRun


class ExternalStatisticFilter(django_filters.FilterSet):
    goal = django_filters.ChoiceFilter(choices=Goal.choices, label=_("goal"))
    key = django_filters.CharFilter(lookup_expr="icontains", label=_("code"))
    year = django_filters.NumberFilter(field_name="period__year", min_value=1970, max_value=2100, label=_("Year"))

    class Meta:
        model = ExternalStatistic
        fields = ["goal", "key", "year"]


class RefreshRunFilter(django_filters.FilterSet):
    trigger = django_filters.CharFilter(label=_("trigger"))
    since = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("From"))

    class Meta:
        model = RefreshRun
        fields = ["trigger", "since"]
