"""One FilterSet per listed model: the list page, its Excel export and the API list use the same one."""

import django_filters
from django.utils.translation import gettext_lazy as _

from wanghua.org.filters import UnderRegionFilter

from .models import (
    DeedCategory,
    EntryKind,
    Goods,
    HeritageSite,
    Nomination,
    NominationStatus,
    PointsAccount,
    PointsEntry,
    Redemption,
    StudyRoute,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


class SiteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"), max_length=50)
    region = UnderRegionFilter(lookup="community")
    active = django_filters.BooleanFilter(label=_("Open to visitors"))

    class Meta:
        model = HeritageSite
        fields = ["q", "region", "active"]


class RouteFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(label=_("Published"))

    class Meta:
        model = StudyRoute
        fields = ["active"]


class NominationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=NominationStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=DeedCategory.choices, label=_("Category"))
    region = UnderRegionFilter(lookup="community")
    year = django_filters.NumberFilter(field_name="submitted_at", lookup_expr="year", label=_("Year"),
                                       min_value=FIRST_YEAR, max_value=LAST_YEAR)

    class Meta:
        model = Nomination
        fields = ["status", "category", "region", "year"]


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("Name"),
                                  max_length=50)
    region = UnderRegionFilter(lookup="community")

    class Meta:
        model = PointsAccount
        fields = ["q", "region"]


class EntryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("Kind"))
    region = UnderRegionFilter(lookup="account__community")
    year = django_filters.NumberFilter(field_name="recorded_at", lookup_expr="year", label=_("Year"),
                                       min_value=FIRST_YEAR, max_value=LAST_YEAR)

    class Meta:
        model = PointsEntry
        fields = ["kind", "region", "year"]


class GoodsFilter(django_filters.FilterSet):
    region = UnderRegionFilter(lookup="community")
    active = django_filters.BooleanFilter(label=_("On the shelf"))

    class Meta:
        model = Goods
        fields = ["region", "active"]


class RedemptionFilter(django_filters.FilterSet):
    region = UnderRegionFilter(lookup="goods__community")
    year = django_filters.NumberFilter(field_name="redeemed_at", lookup_expr="year", label=_("Year"),
                                       min_value=FIRST_YEAR, max_value=LAST_YEAR)

    class Meta:
        model = Redemption
        fields = ["region", "year"]
