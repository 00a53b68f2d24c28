"""Proxy-service indicators for the 一核 card and the 六望花 board, counted from the records."""

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, register
from wanghua.org.models import Region, RegionLevel

from .models import ErrandTally, Resident, Station


def _within(qs, region, lookup="community"):
    return qs.filter(**{f"{lookup}__path__startswith": region.path}) if region is not None else qs


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


@register("services.stations", name=_("Proxy service stations"), goal=Goal.CIVILITY, unit=_("count"), zone="core")
def stations(region=None) -> int:
    return _within(Station.objects.filter(active=True), region).count()


@register("services.coverage", name=_("Communities covered by stations"), goal=Goal.WELLBEING, unit="%",
          zone="core")
def coverage(region=None) -> Decimal:
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if region is not None:
        communities = communities.filter(path__startswith=region.path)
    covered = communities.filter(stations__active=True).distinct().count()
    return _percent(covered, communities.count())


def _tallies(region, **filters) -> dict:
    totals = _within(ErrandTally.objects.filter(**filters), region).aggregate(
        closed=Sum("closed"), on_time=Sum("on_time"), rated=Sum("satisfaction_count"),
        points=Sum("satisfaction_sum"))
    return {key: value or 0 for key, value in totals.items()}


@register("services.errands_closed", name=_("Errands handled"), goal=Goal.WELLBEING, unit=_("count"), zone="core")
def errands_closed(region=None) -> int:
    return _tallies(region)["closed"]


@register("services.errands_this_year", name=_("Errands handled this year"), goal=Goal.WELLBEING,
          unit=_("count"))
def errands_this_year(region=None) -> int:
    """Errands accepted this year and since closed (the tallies count by the month of acceptance)."""
    return _tallies(region, month__year=timezone.localdate().year)["closed"]


@register("services.on_time_rate", name=_("Errands closed on time"), goal=Goal.WELLBEING, unit="%")
def on_time_rate(region=None) -> Decimal:
    totals = _tallies(region)
    return _percent(totals["on_time"], totals["closed"])


@register("services.satisfaction", name=_("Average satisfaction"), goal=Goal.WELLBEING, unit=_("of 5"))
def satisfaction(region=None) -> Decimal:
    totals = _tallies(region)
    if not totals["rated"]:
        return Decimal("0")
    return (Decimal(totals["points"]) / totals["rated"]).quantize(Decimal("0.01"))


@register("services.residents_served", name=_("Residents served"), goal=Goal.WELLBEING, unit=_("people"))
def residents_served(region=None) -> int:
    return _within(Resident.objects.filter(first_served_on__isnull=False), region).count()


@register("services.share_65_plus", name=_("Residents aged 65+"), goal=Goal.WELLBEING, unit="%")
def share_65_plus(region=None) -> Decimal:
    residents = _within(Resident.objects.all(), region)
    born_by = timezone.localdate().year - 65
    return _percent(residents.filter(Q(birth_year__lte=born_by)).count(), residents.count())
