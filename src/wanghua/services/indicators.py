"""Proxy-service indicators for the 一核 card and the 六望花 board, counted from the records."""

from decimal import Decimal

from django.db.models import Avg, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, register
from wanghua.org.models import Region, RegionLevel

from .models import Errand, ErrandStatus, Resident, Station

CLOSED = (ErrandStatus.DONE, ErrandStatus.VISITED)


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


@register("services.errands_closed", name=_("Errands handled"), goal=Goal.WELLBEING, unit=_("count"), zone="core")
def errands_closed(region=None) -> int:
    return _within(Errand.objects.filter(status__in=CLOSED), region).count()


@register("services.errands_this_year", name=_("Errands handled this year"), goal=Goal.WELLBEING,
          unit=_("count"))
def errands_this_year(region=None) -> int:
    year = timezone.localdate().year
    return _within(Errand.objects.filter(status__in=CLOSED, done_at__year=year), region).count()


@register("services.on_time_rate", name=_("Errands closed on time"), goal=Goal.WELLBEING, unit="%")
def on_time_rate(region=None) -> Decimal:
    closed = _within(Errand.objects.filter(status__in=CLOSED), region)
    return _percent(closed.filter(done_at__lte=F("due_at")).count(), closed.count())


@register("services.satisfaction", name=_("Average satisfaction"), goal=Goal.WELLBEING, unit=_("of 5"))
def satisfaction(region=None) -> Decimal:
    value = _within(Errand.objects.filter(satisfaction__isnull=False), region).aggregate(v=Avg("satisfaction"))["v"]
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else Decimal("0")


@register("services.residents_served", name=_("Residents served"), goal=Goal.WELLBEING, unit=_("people"))
def residents_served(region=None) -> int:
    return _within(Resident.objects.filter(errands__isnull=False), region).distinct().count()


@register("services.share_65_plus", name=_("Residents aged 65+"), goal=Goal.WELLBEING, unit="%")
def share_65_plus(region=None) -> Decimal:
    residents = _within(Resident.objects.all(), region)
    born_by = timezone.localdate().year - 65
    return _percent(residents.filter(Q(birth_year__lte=born_by)).count(), residents.count())
