"""The indicator registry. Each app declares its indicators in `<app>/indicators.py`; the
dashboard reads them from here. Values are computed from records, never typed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Goal(models.TextChoices):
    """六望花."""

    INNOVATION = "innovation", _("Innovative Wanghua")
    CIVILITY = "civility", _("Civil Wanghua")
    GREEN = "green", _("Green Wanghua")
    RULE_OF_LAW = "law", _("Law-based Wanghua")
    WELLBEING = "wellbeing", _("Happy Wanghua")
    STRENGTH = "strength", _("Strong Wanghua")


@dataclass(frozen=True)
class Indicator:
    key: str
    name: Any
    goal: Goal
    unit: Any
    compute: Callable[..., int | Decimal | float]  # compute(region=None) -> value
    zone: str | None = None  # zone code whose card shows it
    description: Any = ""

    def value(self, region=None) -> int | Decimal | float:
        return self.compute(region=region)


REGISTRY: dict[str, Indicator] = {}


def register(key: str, *, name, goal: Goal, unit, zone: str | None = None, description=""):
    """Decorator: register `compute(region=None)` as indicator `key`."""

    def wrap(compute: Callable[..., Any]) -> Callable[..., Any]:
        if key in REGISTRY:
            raise ValueError(f"indicator {key} registered twice")
        REGISTRY[key] = Indicator(key, name, goal, unit, compute, zone, description)
        return compute

    return wrap


def for_zone(zone_code: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.zone == zone_code]


def for_goal(goal: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.goal == goal]
