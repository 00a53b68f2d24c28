"""Case KPIs per unit and per region, as the command centre reports them:

* 立案率 — cases accepted ÷ cases reported (merged duplicates are not counted as reported);
* 按期处置率 — cases handled by their deadline ÷ cases handled;
* 结案率 — cases closed ÷ cases accepted;
* 返工率 — cases sent back at least once ÷ cases handled;
* average handling time — hours from 立案 to 结案 of the closed cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum

from .models import CaseStatus

TENTH = Decimal("0.1")


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(TENTH, ROUND_HALF_UP) if whole else None


@dataclass
class CaseKpis:
    key: object
    reported: int
    accepted: int
    handled: int
    handled_on_time: int
    closed: int
    reworked: int
    average_hours: Decimal | None

    @property
    def acceptance_rate(self) -> Decimal | None:
        return _rate(self.accepted, self.reported)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.handled_on_time, self.handled)

    @property
    def closure_rate(self) -> Decimal | None:
        return _rate(self.closed, self.accepted)

    @property
    def rework_rate(self) -> Decimal | None:
        return _rate(self.reworked, self.handled)


# The counts every KPI is made of; the tallies keep the same counts (civic/tally.py).
COUNTS = {
    "reported": Count("pk"),
    "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
    "handled": Count("pk", filter=Q(handled_at__isnull=False)),
    "handled_on_time": Count("pk", filter=Q(handled_at__isnull=False, handled_at__lte=F("due_at"))),
    "closed": Count("pk", filter=Q(status=CaseStatus.CLOSED)),
    "reworked": Count("pk", filter=Q(handled_at__isnull=False, reworks__gt=0)),
}
TIME_TO_CLOSE = ExpressionWrapper(F("closed_at") - F("accepted_at"), output_field=DurationField())
AGGREGATES = {**COUNTS, "average": Avg(TIME_TO_CLOSE, filter=Q(status=CaseStatus.CLOSED))}


def _row(key, values: dict) -> CaseKpis:
    average = values.pop("average")
    hours = None if average is None else (Decimal(average.total_seconds()) / 3600).quantize(TENTH, ROUND_HALF_UP)
    return CaseKpis(key=key, average_hours=hours, **values)


def case_kpis(cases, start: datetime, end: datetime, by: str | None = None) -> list[CaseKpis]:
    """KPIs of the cases reported in [start, end), overall (by=None) or grouped by a lookup such as
    "unit__name" or "community__parent__name"."""
    scope = cases.filter(reported_at__gte=start, reported_at__lt=end).exclude(status=CaseStatus.MERGED)
    if by is None:
        return [_row(None, scope.aggregate(**AGGREGATES))]
    rows = scope.values(by).annotate(**AGGREGATES).order_by(by)
    return [_row(row.pop(by), row) for row in rows]




SUMS = {name: Sum(name) for name in ("reported", "accepted", "handled", "handled_on_time", "closed", "reworked",
                                     "closed_seconds")}


def _tallied_row(key, values: dict) -> CaseKpis:
    counts = {name: values[name] or 0 for name in SUMS if name != "closed_seconds"}
    seconds = values["closed_seconds"] or 0
    hours = (Decimal(seconds) / 3600 / counts["closed"]).quantize(TENTH, ROUND_HALF_UP) if counts["closed"] else None
    return CaseKpis(key=key, average_hours=hours, **counts)


def tallied_kpis(tallies, first_month, last_month, by: str | None = None) -> list[CaseKpis]:
    """The same KPIs read from the case tallies of whole months [first_month, last_month] (the board's
    usual question), without touching the cases."""
    scope = tallies.filter(month__gte=first_month, month__lte=last_month)
    if by is None:
        return [_tallied_row(None, scope.aggregate(**SUMS))]
    rows = scope.values(by).annotate(**SUMS).order_by(by)
    return [_tallied_row(row.pop(by), row) for row in rows]
