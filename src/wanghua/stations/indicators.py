"""Proxy-service indicators for the 一核 card and the 六望花 board, counted from the records."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, records, register, today
from wanghua.org.models import Region, RegionLevel

from .models import Errand, ErrandTally, Resident, Station
from .tally import CLOSED


def _within(qs, region, lookup="community"):
    return qs.filter(**{f"{lookup}__path__startswith": region.path}) if region is not None else qs


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


def _stations_list(region=None) -> str:
    return records("services:stations", region=region, active=True)


def _closed_errands(region=None) -> str:
    return records("services:errands", region=region, handled=True)


@register("services.stations", name=_("Proxy service stations"), goal=Goal.CIVILITY, unit=_("count"), zone="core",
          drill=_stations_list)
def stations(region=None) -> int:
    return _within(Station.objects.filter(active=True), region).count()


def _communities(region=None):
    # The district's own villages/communities: a 托管 street's (another body runs it) are not its to cover.
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY, parent__entrusted_to="")
    return communities.filter(path__startswith=region.path) if region is not None else communities


@register("services.coverage", name=_("Communities covered by stations"), goal=Goal.WELLBEING, unit="%",
          zone="core", drill=_stations_list)
def coverage(region=None) -> Decimal:
    communities = _communities(region)
    covered = communities.filter(stations__active=True).distinct().count()
    return _percent(covered, communities.count())


@register("services.communities_covered", name=_("Villages/communities with a station"), goal=Goal.WELLBEING,
          unit=_("count"), drill=_stations_list)
def communities_covered(region=None) -> int:
    return _communities(region).filter(stations__active=True).distinct().count()


def _tallies(region, **filters) -> dict:
    totals = _within(ErrandTally.objects.filter(**filters), region).aggregate(
        closed=Sum("closed"), on_time=Sum("on_time"), rated=Sum("satisfaction_count"),
        points=Sum("satisfaction_sum"))
    return {key: value or 0 for key, value in totals.items()}


@register("services.errands_closed", name=_("Errands handled"), goal=Goal.WELLBEING, unit=_("count"), zone="core",
          drill=_closed_errands)
def errands_closed(region=None) -> int:
    return _tallies(region)["closed"]


def _closed_this_year(region=None) -> str:
    return records("services:errands", region=region, handled=True,
                   since=today().replace(month=1, day=1).isoformat(), until=today().isoformat())


@register("services.errands_this_year", name=_("Errands handled this year"), goal=Goal.WELLBEING,
          unit=_("count"), accumulates=True, drill=_closed_this_year)
def errands_this_year(region=None) -> int:
    """Errands accepted this year and since closed (the tallies count by the month of acceptance)."""
    return _tallies(region, month__year=today().year, month__lte=today())["closed"]


def _busiest_agent(region=None) -> Mapping[str, Any] | None:
    errands = Errand.objects.filter(status__in=CLOSED)
    if region is not None:
        errands = errands.filter(community__path__startswith=region.path)
    return errands.values("agent").annotate(n=Count("pk")).order_by("-n", "agent").first()


def _busiest_agents_errands(region=None) -> str:
    busiest = _busiest_agent(region)
    return records("services:errands", handled=True, agent=busiest["agent"] if busiest else 0)


@register("services.busiest_agent", name=_("Errands handled by the busiest agent"), goal=Goal.CIVILITY,
          unit=_("count"), drill=_busiest_agents_errands,
          description=_("The article's model agent handled over 6,000 errands in seven years."))
def busiest_agent(region=None) -> int:
    busiest = _busiest_agent(region)
    return busiest["n"] if busiest else 0


@register("services.on_time_rate", name=_("Errands closed on time"), goal=Goal.WELLBEING, unit="%",
          drill=_closed_errands)
def on_time_rate(region=None) -> Decimal:
    totals = _tallies(region)
    return _percent(totals["on_time"], totals["closed"])


@register("services.satisfaction", name=_("Average satisfaction"), goal=Goal.WELLBEING, unit=_("of 5"),
          drill=_closed_errands)
def satisfaction(region=None) -> Decimal:
    totals = _tallies(region)
    if not totals["rated"]:
        return Decimal("0")
    return (Decimal(totals["points"]) / totals["rated"]).quantize(Decimal("0.01"))


@register("services.residents_served", name=_("Residents served"), goal=Goal.WELLBEING, unit=_("people"),
          drill=lambda region=None: records("services:residents", region=region))
def residents_served(region=None) -> int:
    return _within(Resident.objects.filter(first_served_on__isnull=False), region).count()


@register("services.share_65_plus", name=_("Residents aged 65+"), goal=Goal.WELLBEING, unit="%",
          drill=lambda region=None: records("services:residents", region=region))
def share_65_plus(region=None) -> Decimal:
    residents = _within(Resident.objects.all(), region)
    born_by = today().year - 65
    return _percent(residents.filter(Q(birth_year__lte=born_by)).count(), residents.count())
