"""Every write of the dashboard: the yearly targets of the indicators, external statistics with their source
(each change audited), and the indicator refresh — on demand, as the scheduled job of jobs.py (every 15 minutes
in the job worker) or from `wanghua refresh_indicators`; each refresh is logged as a run. The refresh engine itself
is `refresh.py`; the boards read in `queries.py`."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit, indicators
from wanghua.core.access import has_perm_anywhere, require
from wanghua.core.models import User
from wanghua.org.models import Region

from . import refresh
from .models import ExternalStatistic, IndicatorTarget, RefreshRun

log = logging.getLogger(__name__)


@transaction.atomic
def set_targets(actor: User, year: int, values: dict[str, Decimal | None], region: Region | None = None) -> int:
    """The year's targets for the district (or one region): a value sets it, None clears it. Returns the
    number of targets changed."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Choose a year between 2000 and 2100.")})
    unknown = set(values) - set(indicators.REGISTRY)
    if unknown:
        raise ValidationError(_("Unknown indicators: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    existing = {t.key: t for t in IndicatorTarget.objects.filter(year=year, region=region)}
    changed = 0
    with audit.acting_as(actor), audit.labelled(audit.Label.INDICATOR_TARGETS):
        for key, value in values.items():
            target = existing.get(key)
            if value is None:
                if target is not None:
                    require(actor, "delete", target)
                    target.delete()
                    changed += 1
                continue
            if value < 0:
                raise ValidationError({key: _("A target cannot be negative.")})
            if target is None:
                target = IndicatorTarget(key=key, year=year, region=region, value=value)
                require(actor, "add", target)
            elif target.value == value:
                continue
            else:
                require(actor, "change", target)
                target.value = value
            target.full_clean()
            target.save()
            changed += 1
    return changed


@transaction.atomic
def add_statistic(actor: User, **fields: Any) -> ExternalStatistic:
    """An external statistic for a month, with where it was published and when; one per code and month."""
    statistic = ExternalStatistic(entered_by=actor, **fields)
    require(actor, "add", statistic)
    statistic.period = statistic.period.replace(day=1) if statistic.period else statistic.period
    if statistic.published_on and statistic.published_on > timezone.localdate():
        raise ValidationError({"published_on": _("The publication date cannot be in the future.")})
    if statistic.period and statistic.published_on and statistic.published_on < statistic.period:
        raise ValidationError({"published_on": _("A figure is published after the month it is for.")})
    if not statistic.source.strip():
        raise ValidationError({"source": _("Name the source of the figure.")})
    statistic.full_clean()
    with audit.acting_as(actor):
        statistic.save()
    return statistic


def refresh_indicators(actor: User | None = None, *, moment: datetime | None = None, trigger: str | None = None,
                       scopes: list[refresh.Scope] | None = None) -> RefreshRun:
    """Compute and store every indicator for every scope (or `scopes`) as of `moment` (now by default).
    With an actor it is a refresh on demand and needs `dashboard.refresh_indicators`; without one it is a job
    (the schedule, the demo's history, a benchmark) named by `trigger`."""
    if actor is not None and not has_perm_anywhere(actor, "dashboard.refresh_indicators"):
        raise PermissionDenied
    trigger = trigger or ("demand" if actor is not None else "schedule")
    return refresh.refresh(moment, trigger=trigger, user=actor, scopes=scopes)
