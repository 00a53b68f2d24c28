"""The indicator registry. Each app declares its indicators in `<app>/indicators.py`; the
dashboard reads them from here, stores their values per period and scope, and shows them.
Values are computed from records, never typed in.

An indicator is `compute(region=None)` (a region subtree, None for the whole district) and, when it
can also be counted for one unit (a department's projects, cases, commitments), `compute(unit=...)`.
It reads the clock through `now()` / `today()`, so the refresh can compute it as of a past month end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from wanghua.org.models import Region, Unit

_as_of: ContextVar[datetime | None] = ContextVar("indicator_as_of", default=None)
_memo: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("indicator_memo", default=None)


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
    compute: Callable[..., int | Decimal | float]  # compute(region=None[, unit=None]) -> value
    zone: str | None = None  # zone code whose card shows it
    description: Any = ""
    by_unit: bool = False  # compute(unit=u) counts one department's records
    accumulates: bool = False  # a year-to-date total: its target is prorated over the year
    lower_is_better: bool = False
    drill: Callable[..., str] | None = None  # drill(region=None, unit=None) -> URL of the records behind it

    def value(self, region: Region | None = None, unit: Unit | None = None) -> int | Decimal | float:
        return self.compute(unit=unit) if unit is not None else self.compute(region=region)

    def records_url(self, region: Region | None = None, unit: Unit | None = None) -> str:
        if self.drill is None:
            return ""
        return self.drill(unit=unit) if unit is not None else self.drill(region=region)


REGISTRY: dict[str, Indicator] = {}


def register(key: str, *, name: Any, goal: Goal, unit: Any, zone: str | None = None, description: Any = "",
             by_unit: bool = False, accumulates: bool = False, lower_is_better: bool = False,
             drill: Callable[..., str] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register `compute(region=None)` as indicator `key`."""

    def wrap(compute: Callable[..., Any]) -> Callable[..., Any]:
        if key in REGISTRY:
            raise ValueError(f"indicator {key} registered twice")
        REGISTRY[key] = Indicator(key, name, goal, unit, compute, zone, description, by_unit, accumulates,
                                  lower_is_better, drill)
        return compute

    return wrap


def name_of(key: str) -> str:
    """An indicator's name for its stored key (a key no longer registered is shown as stored)."""
    indicator = REGISTRY.get(key)
    return str(indicator.name) if indicator else key


def for_zone(zone_code: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.zone == zone_code]


def for_goal(goal: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.goal == goal]


def now() -> datetime:
    """The moment indicators are computed for: now, or the month end a refresh of history asks for."""
    return _as_of.get() or timezone.now()


def today() -> date:
    return timezone.localdate(now())


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Compute as of `moment`; within it, indicators that share a computation (the stop analysis behind
    downtime, hot and cold stops) do it once per scope through `shared`."""
    token, memo_token = _as_of.set(moment), _memo.set({})
    try:
        yield
    finally:
        _as_of.reset(token)
        _memo.reset(memo_token)


def shared(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def records(url_name: str, *, region: Region | None = None, unit: Unit | None = None,
            region_param: str | None = "region", unit_param: str | None = "unit", **params: Any) -> str:
    """The URL of a list page filtered to the records an indicator counts (its drill-down)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    if region is not None and region_param:
        params[region_param] = region.pk
    if unit is not None and unit_param:
        params[unit_param] = unit.pk
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(url_name) + (f"?{query}" if query else "")
