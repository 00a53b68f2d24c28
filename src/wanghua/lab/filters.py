import django_filters
from django.utils.translation import gettext_lazy as _

from .models import LabOrder, Verdict


class LabOrderFilter(django_filters.FilterSet):
    heat = django_filters.CharFilter(lookup_expr="icontains", label=_("Heat number"))
    grade = django_filters.CharFilter(label=_("Steel grade"))
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label=_("verdict"))
    since = django_filters.DateFilter(field_name="sampled_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="sampled_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = LabOrder
        fields = ["heat", "grade", "verdict", "since", "until"]
