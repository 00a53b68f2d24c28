import django_filters
from django.utils.translation import gettext_lazy as _

from .models import AlarmEvent, AlarmState, Priority, ProductionLine, Stop


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
    location = django_filters.CharFilter(field_name="location__location", label=_("Location code"))
    since = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label=_("To"))
    unexplained = django_filters.BooleanFilter(field_name="reason", lookup_expr="exact", method="filter_unexplained",
                                               label=_("Without a reason"))

    class Meta:
        model = Stop
        fields = ["line", "kind", "location", "since", "until", "unexplained"]

    def filter_unexplained(self, queryset, name, value):
        return queryset.filter(reason="") if value else queryset.exclude(reason="")


class CurrentAlarmFilter(django_filters.FilterSet):
    line = django_filters.ModelChoiceFilter(queryset=_visible_lines, label=_("Production line"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    priority = django_filters.ChoiceFilter(field_name="definition__priority", choices=Priority.choices,
                                           label=_("Priority"))
    unacknowledged = django_filters.BooleanFilter(field_name="acked", exclude=True, label=_("Unacknowledged"))

    class Meta:
        model = AlarmState
        fields = ["line", "priority", "unacknowledged"]
