"""雷锋文化 indicators for the 一核 card and the 文明望花 board, counted from visits, nominations and points."""

from datetime import datetime, time
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.civic import queries as civic_queries
from wanghua.core.indicators import Goal, now, records, register, today
from wanghua.org.models import Region, RegionLevel

from .models import EntryKind, Nomination, NominationStatus, PointsEntry, SiteVisit


def _year_start() -> datetime:
    return datetime.combine(today().replace(month=1, day=1), time(0), timezone.get_current_timezone())


def _under(rows, lookup: str, region):
    return rows.filter(**{f"{lookup}__path__startswith": region.path}) if region is not None else rows


def _link(url_name: str, region_param: str = "region", **params):
    def url(region=None) -> str:
        return records(url_name, region=region, region_param=region_param, **params)

    return url


@register("culture.heritage_visits", name=_("Heritage site visits this year"), goal=Goal.CIVILITY, unit=_("visits"),
          zone="core", accumulates=True, drill=_link("culture:sites"))
def heritage_visits(region=None) -> int:
    rows = SiteVisit.objects.filter(day__gte=_year_start().date(), day__lte=today())
    return _under(rows, "site__community", region).count()


@register("culture.role_models", name=_("Role models recognised (身边榜样)"), goal=Goal.CIVILITY, unit=_("people"),
          zone="core", drill=_link("culture:nominations", status=NominationStatus.RECOGNISED))
def role_models(region=None) -> int:
    rows = Nomination.objects.filter(status=NominationStatus.RECOGNISED, recognised_on__lte=today())
    return _under(rows, "community", region).count()


def _entries(kind: str, region=None):
    rows = PointsEntry.objects.filter(kind=kind, recorded_at__gte=_year_start(), recorded_at__lte=now())
    return _under(rows, "account__community", region)


@register("culture.active_volunteers", name=_("Volunteers who earned points this year"), goal=Goal.CIVILITY,
          unit=_("people"), zone="core", drill=_link("culture:accounts"))
def active_volunteers(region=None) -> int:
    return _entries(EntryKind.EARNED, region).values("account").distinct().count()


@register("culture.points_earned", name=_("Volunteer points earned this year"), goal=Goal.CIVILITY, unit=_("points"),
          accumulates=True, drill=_link("culture:entries", kind=EntryKind.EARNED))
def points_earned(region=None) -> int:
    return _entries(EntryKind.EARNED, region).aggregate(total=Sum("points"))["total"] or 0


@register("culture.points_redeemed", name=_("Volunteer points redeemed this year"), goal=Goal.CIVILITY,
          unit=_("points"), accumulates=True, drill=_link("culture:entries", kind=EntryKind.REDEEMED))
def points_redeemed(region=None) -> int:
    return _entries(EntryKind.REDEEMED, region).aggregate(total=Sum("points"))["total"] or 0


def _population(region=None) -> int:
    """Residents of the communities under `region` (the whole district when None), as the regions record them."""
    rows = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if region is not None:
        rows = rows.filter(path__startswith=region.path)
    return rows.aggregate(total=Sum("population"))["total"] or 0


@register("culture.activities_per_10k", name=_("Volunteer activities per 10,000 residents this year"),
          goal=Goal.CIVILITY, unit=_("activities"), zone="core", accumulates=True,
          drill=_link("civic:activities"))
def activities_per_10k(region=None) -> Decimal:
    people = _population(region)
    if not people:
        return Decimal("0.0")
    held = civic_queries.activities_held(_year_start(), now(), region)
    return (Decimal(held) * 10000 / people).quantize(Decimal("0.1"))
