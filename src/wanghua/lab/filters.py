"""One FilterSet per model: the list page, its Excel export and the API list use the same one."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Certificate, CertificateStatus, Delivery, LabOrder, Review, Verdict


class LabOrderFilter(django_filters.FilterSet):
    heat = django_filters.CharFilter(lookup_expr="icontains", label=_("Heat number"))
    grade = django_filters.CharFilter(label=_("Steel grade"))
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label=_("verdict"))
    review = django_filters.ChoiceFilter(choices=Review.choices, label=_("review"))
    since = django_filters.DateFilter(field_name="sampled_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="sampled_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = LabOrder
        fields = ["heat", "grade", "verdict", "review", "since", "until"]


class DeliveryFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(lookup_expr="icontains", label=_("customer"))
    contract = django_filters.CharFilter(lookup_expr="icontains", label=_("contract number"))
    grade = django_filters.CharFilter(label=_("Steel grade"))

    class Meta:
        model = Delivery
        fields = ["customer", "contract", "grade"]


class CertificateFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("certificate number"))
    status = django_filters.ChoiceFilter(choices=CertificateStatus.choices, label=_("status"))
    customer = django_filters.CharFilter(field_name="delivery__customer", lookup_expr="icontains",
                                         label=_("customer"))
    heat = django_filters.CharFilter(field_name="delivery__orders__heat", label=_("Heat number"), distinct=True)

    class Meta:
        model = Certificate
        fields = ["number", "status", "customer", "heat"]
