"""Org indicators: the shape of the district, computed from the region and unit records."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, records, register

from .models import Region, RegionLevel, Unit, UnitKind


def _regions(region: Region | None) -> QuerySet[Region]:
    qs = Region.objects.all()
    return qs.filter(path__startswith=region.path) if region is not None else qs


def _units(region: Region | None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(active=True)
    return qs.filter(region__path__startswith=region.path) if region is not None else qs


@register("org.communities", name=_("Villages/communities"), goal=Goal.WELLBEING, unit=_("count"), zone="core",
          drill=lambda region=None: records("org:regions", region_param="under", region=region, level="community"))
def communities(region: Region | None = None) -> int:
    return _regions(region).filter(level=RegionLevel.COMMUNITY).count()


@register("org.belt_enterprises", name=_("Enterprises in the industrial belt"), goal=Goal.STRENGTH,
          unit=_("count"), zone="belt",
          drill=lambda region=None: records("org:units", region=region, kind="enterprise", zone=_zone("belt")))
def belt_enterprises(region: Region | None = None) -> int:
    return _units(region).filter(kind=UnitKind.ENTERPRISE, zone__code="belt").count()


@register("org.edz_enterprises", name=_("Enterprises in the development zone"), goal=Goal.INNOVATION,
          unit=_("count"), zone="edz",
          drill=lambda region=None: records("org:units", region=region, kind="enterprise", zone=_zone("edz")))
def edz_enterprises(region: Region | None = None) -> int:
    return _units(region).filter(kind=UnitKind.ENTERPRISE, zone__code="edz").count()


@register("org.west_regions", name=_("Communities in the services cluster"), goal=Goal.STRENGTH,
          unit=_("count"), zone="west",
          drill=lambda region=None: records("org:regions", region_param="under", region=region, level="community",
                                            zone=_zone("west")))
def west_regions(region: Region | None = None) -> int:
    return _regions(region).filter(level=RegionLevel.COMMUNITY, zone__code="west").count()


@register("org.tayu_cooperatives", name=_("Co-operatives in Tayu"), goal=Goal.GREEN, unit=_("count"),
          drill=lambda region=None: records("org:units", region=region, kind="cooperative"))
def tayu_cooperatives(region: Region | None = None) -> int:
    return _units(region).filter(kind=UnitKind.COOPERATIVE).count()


def _zone(code: str) -> int | None:
    from .models import Zone

    return Zone.objects.filter(code=code).values_list("pk", flat=True).first()
