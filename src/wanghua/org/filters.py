from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wanghua.core.models import Role

from .models import Person, Region, RegionLevel, RoleAssignment, Unit, UnitKind, Zone


def _visible_regions(request: HttpRequest | None) -> QuerySet[Region]:
    if request is None:
        return Region.objects.none()
    # A select needs names, not outlines (parsing a hundred polygons per request showed in the lists' profile).
    return Region.objects.visible_to(request.user, "view").exclude(level=RegionLevel.GRID).defer("geojson")


class UnderRegionFilter(django_filters.ModelChoiceFilter):
    """Everything whose region lies in the chosen region's subtree."""

    def __init__(self, *args: Any, lookup: str = "region", **kwargs: Any) -> None:
        self.lookup = lookup
        kwargs.setdefault("queryset", _visible_regions)
        kwargs.setdefault("label", _("Region"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Region | None) -> QuerySet[Any]:
        path_field = f"{self.lookup}__path" if self.lookup else "path"
        return qs.filter(**{f"{path_field}__startswith": value.path}) if value else qs


class RegionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    parent = django_filters.ModelChoiceFilter(queryset=_visible_regions, label=_("Parent"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    under = UnderRegionFilter(lookup="", label=_("Within"))
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all(), label=_("Zone"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent", "under", "zone"]

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value))


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    region = UnderRegionFilter()
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all(), label=_("Zone"))

    class Meta:
        model = Unit
        fields = ["q", "kind", "region", "zone"]

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code__icontains=value))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    region = UnderRegionFilter()
    unit = django_filters.ModelChoiceFilter(
        queryset=lambda request: Unit.objects.visible_to(request.user, "view") if request else Unit.objects.none(),  # type: ignore[arg-type]  # django-filter also takes a callable of the request
        label=_("Unit"))
    party_member = django_filters.BooleanFilter(label=_("Party member"))

    class Meta:
        model = Person
        fields = ["q", "region", "unit", "party_member"]


class AssignmentFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(field_name="user__username", lookup_expr="icontains",
                                         label=_("Username"))
    role = django_filters.CharFilter(field_name="role__code", label=_("Role code"))

    class Meta:
        model = RoleAssignment
        fields = ["username", "role"]


class AccountFilter(django_filters.FilterSet):
    """用户管理's list, its export and any API list of accounts."""

    q = django_filters.CharFilter(method="search", label=_("Username or name"))
    region = UnderRegionFilter(lookup="person__region")
    role = django_filters.ModelChoiceFilter(field_name="role_assignments__role", queryset=Role.objects.all(),
                                            label=_("Role"), distinct=True)
    is_active = django_filters.BooleanFilter(label=_("Enabled"))

    class Meta:
        model = get_user_model()
        fields = ["q", "region", "role", "is_active"]

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(Q(username__icontains=value) | Q(display_name__icontains=value))
