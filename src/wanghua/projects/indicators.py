"""Project indicators for the 三区 zone cards and the 六望花 board, counted from the project records."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, records, register, shared, today
from wanghua.org.models import Zone

from . import queries
from .models import Project


def _projects(region=None, unit=None):
    projects = Project.objects.all()
    if unit is not None:
        return projects.filter(competent_unit=unit)
    return projects.filter(town__path__startswith=region.path) if region is not None else projects


def _headline(region=None, unit=None) -> queries.Headline:
    day = today()
    key = ("projects.headline", region and region.pk, unit and unit.pk)
    return shared(key, lambda: queries.headline(_projects(region, unit), day.year, day.month))


def _programme(zone_code: str, region=None) -> queries.ZoneProgramme | None:
    def compute():
        zone = Zone.objects.filter(code=zone_code).first()
        return queries.zone_programme(_projects(region), zone, region) if zone else None

    return shared(("projects.programme", zone_code, region and region.pk), compute)


def _started(region=None, unit=None) -> str:
    return records("projects:projects", region=region, unit=unit, started_year=today().year)


def _reports(region=None, unit=None) -> str:
    return records("projects:headline", region_param=None, unit_param=None)


def _programme_projects(programme: str):
    return lambda region=None: records("projects:projects", region=region, programme=programme)


@register("projects.started", name=_("Projects started this year"), goal=Goal.STRENGTH, unit=_("count"),
          by_unit=True, accumulates=True, drill=_started, zone="edz")
def started(region=None, unit=None) -> int:
    return _headline(region, unit).started


@register("projects.investment", name=_("Total investment of this year's started projects"),
          goal=Goal.STRENGTH, unit=_("100m yuan"), by_unit=True, accumulates=True, drill=_started, zone="edz")
def investment(region=None, unit=None) -> Decimal:
    return (_headline(region, unit).started_investment / 10000).quantize(Decimal("0.01"))


@register("projects.fai", name=_("Fixed-asset investment completed this year"), goal=Goal.STRENGTH,
          unit=_("100m yuan"), by_unit=True, accumulates=True, drill=_reports)
def fai(region=None, unit=None) -> Decimal:
    return (_headline(region, unit).fai / 10000).quantize(Decimal("0.01"))


@register("projects.fai_growth", name=_("Fixed-asset investment, year on year"), goal=Goal.STRENGTH, unit="%",
          by_unit=True, drill=_reports)
def fai_growth(region=None, unit=None) -> Decimal:
    return _headline(region, unit).growth_percent or Decimal("0.0")


@register("projects.pv_capacity", name=_("Photovoltaic capacity"), goal=Goal.GREEN, unit="MW", zone="edz",
          drill=_programme_projects("pv"))
def pv_capacity(region=None) -> Decimal:
    programme = _programme("edz", region)
    return programme.pv_capacity_mw if programme else Decimal(0)


@register("projects.pv_generation", name=_("Photovoltaic generation a year"), goal=Goal.GREEN,
          unit=_("100m kWh"), zone="edz", drill=_programme_projects("pv"))
def pv_generation(region=None) -> Decimal:
    programme = _programme("edz", region)
    return (programme.pv_generation / 10000).quantize(Decimal("0.01")) if programme else Decimal(0)


@register("projects.waste_energy", name=_("Waste-to-energy investment"), goal=Goal.GREEN, unit=_("100m yuan"),
          drill=_programme_projects("waste_energy"))
def waste_energy(region=None) -> Decimal:
    programme = _programme("edz", region)
    return (programme.waste_energy_investment / 10000).quantize(Decimal("0.01")) if programme else Decimal(0)


@register("projects.coal_saved", name=_("Standard coal saved a year"), goal=Goal.GREEN, unit=_("10k tonnes"),
          zone="edz", drill=_programme_projects("pv"))
def coal_saved(region=None) -> Decimal:
    programme = _programme("edz", region)
    return (programme.coal_saved_t / 10000).quantize(Decimal("0.01")) if programme else Decimal(0)


@register("projects.idle_property", name=_("Idle property revived"), goal=Goal.STRENGTH, unit=_("10k m²"),
          zone="west", drill=_programme_projects("idle_property"))
def idle_property(region=None) -> Decimal:
    programme = _programme("west", region)
    return (programme.idle_property_m2 / 10000).quantize(Decimal("0.01")) if programme else Decimal(0)


@register("projects.cooperatives", name=_("Co-operatives"), goal=Goal.WELLBEING, unit=_("count"), zone="tayu",
          drill=lambda region=None: records("org:units", region=region, kind="cooperative"))
def cooperatives(region=None) -> int:
    programme = _programme("tayu", region)
    return programme.cooperatives if programme else 0


@register("projects.crops", name=_("Crops grown by the co-operatives"), goal=Goal.WELLBEING, unit=_("kinds"),
          zone="tayu", drill=lambda region=None: records("org:units", region=region, kind="cooperative"))
def crops(region=None) -> int:
    programme = _programme("tayu", region)
    return programme.crops if programme else 0
