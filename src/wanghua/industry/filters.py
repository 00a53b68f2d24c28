import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AlarmEvent, AlarmState, Priority, ProductionLine, Stop
from .queries import SetAside, standing_q


def _visible_lines(request):
    return ProductionLine.objects.visible_to(request.user) if request else ProductionLine.objects.none()


class AlarmEventFilter(django_filters.FilterSet):
    line = django_filters.ModelChoiceFilter(queryset=_visible_lines, label=_("Production line"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    kind = django_filters.ChoiceFilter(choices=AlarmEvent.Kind.choices, label=_("Event"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    location = django_filters.CharFilter(field_name="equipment__location", label=_("Location code"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AlarmEvent
        fields = ["line", "kind", "priority", "location", "since", "until"]


class StopFilter(django_filters.FilterSet):
    line = django_filters.ModelChoiceFilter(queryset=_visible_lines, label=_("Production line"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    kind = django_filters.ChoiceFilter(choices=Stop.Kind.choices, label=_("Kind"))
    planned = django_filters.BooleanFilter(label=_("Planned stop"))
    location = django_filters.CharFilter(field_name="location__location", label=_("Location code"))
    since = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label=_("To"))
    unexplained = django_filters.BooleanFilter(field_name="reason", lookup_expr="exact", method="filter_unexplained",
                                               label=_("Without a reason"))
    # Not attributed: no reason, or an unplanned stop without a cause location, so the Pareto cannot place it.
    unattributed = django_filters.BooleanFilter(method="filter_unattributed", label=_("Without a reason or location"))

    class Meta:
        model = Stop
        fields = ["line", "kind", "planned", "location", "since", "until", "unexplained", "unattributed"]

    def filter_unexplained(self, queryset, name, value):
        return queryset.filter(reason="") if value else queryset.exclude(reason="")

    def filter_unattributed(self, queryset, name, value):
        missing = Q(reason="") | Q(location__isnull=True, planned=False)  # a planned stop has no cause location
        return queryset.filter(missing) if value else queryset.exclude(missing)


class CurrentAlarmFilter(django_filters.FilterSet):
    line = django_filters.ModelChoiceFilter(queryset=_visible_lines, label=_("Production line"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    priority = django_filters.ChoiceFilter(field_name="definition__priority", choices=Priority.choices,
                                           label=_("Priority"))
    unacknowledged = django_filters.BooleanFilter(field_name="acked", exclude=True, label=_("Unacknowledged"))
    # Standing: active for more than a day (ISA-18.2 stale alarms).
    stale = django_filters.BooleanFilter(method="filter_stale", label=_("Standing for over 24 h"))
    # Shelved, suppressed or out of service instead of the current alarms (queries.alarm_list).
    set_aside = django_filters.ChoiceFilter(choices=SetAside.CHOICES, method="filter_set_aside", label=_("Set aside"))

    class Meta:
        model = AlarmState
        fields = ["line", "priority", "unacknowledged", "stale", "set_aside"]

    def filter_stale(self, queryset, name, value):
        standing = standing_q(timezone.now())
        return queryset.filter(standing) if value else queryset.exclude(standing)

    def filter_set_aside(self, queryset, name, value):
        return queryset.filter(SetAside.q(value, timezone.now()))
