"""Project indicators for the 三区 zone cards and the 六望花 board, counted from the project records."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, register
from wanghua.org.models import Zone

from . import services
from .models import Project


def _projects(region=None):
    projects = Project.objects.all()
    return projects.filter(town__path__startswith=region.path) if region is not None else projects


def _headline(region=None) -> services.Headline:
    today = timezone.localdate()
    return services.headline(_projects(region), today.year, today.month)


def _programme(zone_code: str, region=None) -> services.ZoneProgramme | None:
    zone = Zone.objects.filter(code=zone_code).first()
    return services.zone_programme(_projects(region), zone, region) if zone else None


@register("projects.started", name=_("Projects started this year"), goal=Goal.STRENGTH, unit=_("count"))
def started(region=None) -> int:
    return _headline(region).started


@register("projects.investment", name=_("Total investment of this year's started projects"),
          goal=Goal.STRENGTH, unit=_("100m yuan"))
def investment(region=None) -> Decimal:
    return (_headline(region).started_investment / 10000).quantize(Decimal("0.01"))


@register("projects.fai", name=_("Fixed-asset investment completed this year"), goal=Goal.STRENGTH,
          unit=_("100m yuan"))
def fai(region=None) -> Decimal:
    return (_headline(region).fai / 10000).quantize(Decimal("0.01"))


@register("projects.fai_growth", name=_("Fixed-asset investment, year on year"), goal=Goal.STRENGTH, unit="%")
def fai_growth(region=None) -> Decimal:
    return _headline(region).growth_percent or Decimal("0.0")


@register("projects.pv_capacity", name=_("Photovoltaic capacity"), goal=Goal.GREEN, unit="MW", zone="edz")
def pv_capacity(region=None) -> Decimal:
    programme = _programme("edz", region)
    return programme.pv_capacity_mw if programme else Decimal(0)


@register("projects.coal_saved", name=_("Standard coal saved a year"), goal=Goal.GREEN, unit=_("10k tonnes"),
          zone="edz")
def coal_saved(region=None) -> Decimal:
    programme = _programme("edz", region)
    return (programme.coal_saved_t / 10000).quantize(Decimal("0.01")) if programme else Decimal(0)


@register("projects.idle_property", name=_("Idle property revived"), goal=Goal.STRENGTH, unit=_("10k m²"),
          zone="west")
def idle_property(region=None) -> Decimal:
    programme = _programme("west", region)
    return (programme.idle_property_m2 / 10000).quantize(Decimal("0.01")) if programme else Decimal(0)


@register("projects.cooperatives", name=_("Co-operatives"), goal=Goal.WELLBEING, unit=_("count"), zone="tayu")
def cooperatives(region=None) -> int:
    programme = _programme("tayu", region)
    return programme.cooperatives if programme else 0


@register("projects.crops", name=_("Crops grown by the co-operatives"), goal=Goal.WELLBEING, unit=_("kinds"),
          zone="tayu")
def crops(region=None) -> int:
    programme = _programme("tayu", region)
    return programme.crops if programme else 0
