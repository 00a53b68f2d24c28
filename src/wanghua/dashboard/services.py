"""What the overview shows: zone cards filled from the indicator registry, for the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from wanghua.core import indicators
from wanghua.core.access import grants_of
from wanghua.org.models import Region, RegionLevel, Zone


@dataclass
class Figure:
    key: str
    name: Any
    value: Any
    unit: Any


@dataclass
class ZoneCard:
    zone: Zone
    figures: list[Figure] = field(default_factory=list)


def scope_region(user) -> Region | None:
    """The region a viewer's boards are computed for: None (whole district) or their narrowest region."""
    if user.is_superuser:
        return None
    grants = grants_of(user)
    if any(g.covers_everything for g in grants):
        return None
    paths = sorted({g.region_path for g in grants if g.region_path}, key=len)
    return Region.objects.filter(path=paths[0]).first() if paths else None


def zone_cards(user) -> list[ZoneCard]:
    region = scope_region(user)
    cards = []
    for zone in Zone.objects.visible_to(user, "view"):
        figures = [Figure(i.key, i.name, i.value(region=region), i.unit) for i in indicators.for_zone(zone.code)]
        cards.append(ZoneCard(zone, figures))
    return cards


def communities_per_street(user) -> dict[str, list]:
    """Chart data: communities under each town/street visible to the user (two queries)."""
    streets = list(Region.objects.visible_to(user, "view").filter(level=RegionLevel.STREET)
                   .order_by("sort_order", "code"))
    counts = dict(Region.objects.filter(level=RegionLevel.COMMUNITY, parent__in=streets)
                  .values_list("parent").annotate(total=Count("pk")).values_list("parent", "total"))
    return {"names": [s.name for s in streets], "counts": [counts.get(s.pk, 0) for s in streets]}


def goal_board(region=None) -> list[dict]:
    return [{"goal": goal, "indicators": [Figure(i.key, i.name, i.value(region=region), i.unit)
                                          for i in indicators.for_goal(goal)]}
            for goal in indicators.Goal]
