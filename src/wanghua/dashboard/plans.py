"""What people enter on the boards: yearly targets of the indicators, and external statistics with their
source. Each change is audited; a refresh on demand is logged as a run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit, indicators
from wanghua.core.access import has_perm_anywhere, require

from . import refresh
from .models import ExternalStatistic, IndicatorTarget, RefreshRun


@transaction.atomic
def set_targets(actor, year: int, values: dict[str, Decimal | None], region=None) -> int:
    """The year's targets for the district (or one region): a value sets it, None clears it. Returns the
    number of targets changed."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Choose a year between 2000 and 2100.")})
    unknown = set(values) - set(indicators.REGISTRY)
    if unknown:
        raise ValidationError(_("Unknown indicators: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    existing = {t.key: t for t in IndicatorTarget.objects.filter(year=year, region=region)}
    changed = 0
    with audit.acting_as(actor), audit.labelled("indicator:targets"):
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
def add_statistic(actor, **fields: Any) -> ExternalStatistic:
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


def refresh_now(actor) -> RefreshRun:
    if not has_perm_anywhere(actor, "dashboard.refresh_indicators"):
        raise PermissionDenied
    return refresh.refresh(trigger="demand", user=actor)


def month_of(text: str | None) -> date | None:
    """"2026-06" as the first day of that month; None for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None
