from datetime import datetime, time

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.reference import choices
from wanghua.org.filters import UnderRegionFilter

from .models import OPEN_STATUSES, Errand, ErrandStatus, Resident, Station


def _visible_stations(request):
    if request is None:
        return Station.objects.none()
    return Station.objects.visible_to(request.user, "view").select_related("unit")


class ErrandFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ErrandStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=lambda: choices("errand_category"), label=_("Category"))
    region = UnderRegionFilter(lookup="community")
    station = django_filters.ModelChoiceFilter(queryset=_visible_stations, label=_("Station"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    since = django_filters.DateFilter(field_name="accepted_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="accepted_at", lookup_expr="date__lte", label=_("To"))
    handled = django_filters.BooleanFilter(method="filter_handled", label=_("Handled (办结 or 回访)"))
    agent = django_filters.NumberFilter(field_name="agent_id", widget=forms.HiddenInput,
                                        min_value=0, max_value=9_007_199_254_740_991)  # 0: no agent (an empty figure)
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only errands assigned to me"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Open and past due"))
    this_month = django_filters.BooleanFilter(method="filter_this_month", label=_("Accepted this month"))

    class Meta:
        model = Errand
        fields = ["status", "category", "region", "station", "since", "until", "handled", "agent", "mine",
                  "overdue", "this_month"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_this_month(self, queryset, name, value):
        if not value:
            return queryset
        first = datetime.combine(timezone.localdate().replace(day=1), time.min, tzinfo=timezone.get_current_timezone())
        return queryset.filter(accepted_at__gte=first)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(agent__user=self.request.user) if value and self.request else queryset

    def filter_handled(self, queryset, name, value):
        from .tally import CLOSED

        if value is None:
            return queryset
        return queryset.filter(status__in=CLOSED) if value else queryset.exclude(status__in=CLOSED)


class ResidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_name_or_phone", label=_("Name or phone"), max_length=50)
    region = UnderRegionFilter(lookup="community")
    station = django_filters.ModelChoiceFilter(queryset=_visible_stations, label=_("Station"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    empty_nest = django_filters.BooleanFilter(label=_("Empty-nest"))
    living_alone = django_filters.BooleanFilter(label=_("Living alone"))

    class Meta:
        model = Resident
        fields = ["q", "region", "station", "empty_nest", "living_alone"]

    def filter_name_or_phone(self, queryset, name, value):
        """A fragment of the name, or three or more digits of the phone (an agent hears either on a call)."""
        value = value.strip()
        if not value:
            return queryset
        matches = Q(name__icontains=value)
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) >= 3 and len(digits) == len(value.replace(" ", "").replace("-", "")):
            matches |= Q(phone__contains=digits)
        return queryset.filter(matches)


class StationFilter(django_filters.FilterSet):
    region = UnderRegionFilter(lookup="community")
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Station
        fields = ["region", "active"]
