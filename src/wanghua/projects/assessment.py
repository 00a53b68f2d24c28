"""双考核: departments (区直部门) and towns/streets (镇街) scored for a month, a quarter or a year.

Every indicator is measured from the records of the subject's projects, leads and applications, scored on
0–100 and weighted by the configured points; the result keeps each step so the page can show how every score
was reached. One grouped query per indicator and period, whatever the number of projects. It only reads: the
weights are set by services.set_weights."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from wanghua.org.models import Region, RegionLevel, Unit, UnitKind

from .models import (
    STARTED_STAGES,
    Application,
    ApplicationStatus,
    AssessedKind,
    AssessmentIndicator,
    IssueStatus,
    Lead,
    LeadStage,
    Metric,
    MonthlyReport,
    Project,
    ProjectIssue,
    ReportStatus,
)

# Whose record counts for whom: a department answers for the projects it is competent for, the issues it owns,
# its applications and its leads; a town or street for what lies in it.
OWNER: dict[str, dict[Metric, str]] = {
    AssessedKind.DEPARTMENT: {Metric.START_RATE: "competent_unit", Metric.FAI_PLAN: "competent_unit",
                              Metric.REPORT_TIMELINESS: "project__competent_unit", Metric.ISSUES_ON_TIME: "owner_unit",
                              Metric.FUNDS_WON: "unit", Metric.DEALS_SIGNED: "unit"},
    AssessedKind.TOWN: {Metric.START_RATE: "town", Metric.FAI_PLAN: "town", Metric.REPORT_TIMELINESS: "project__town",
                        Metric.ISSUES_ON_TIME: "project__town", Metric.FUNDS_WON: "town", Metric.DEALS_SIGNED: "town"},
}
RELATIVE = (Metric.FUNDS_WON, Metric.DEALS_SIGNED)  # scored against the best in the ranking
POINT, CENT = Decimal("0.1"), Decimal("0.01")


# --- periods --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    key: str  # 2026, 2026-Q2, 2026-05
    first: date  # first month
    last: date  # last month (first day)

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    @property
    def end(self) -> date:
        """The day after the period."""
        return date(self.last.year + self.last.month // 12, self.last.month % 12 + 1, 1)


def parse_period(key: str) -> Period:
    """'2026' (year), '2026-Q2' (quarter) or '2026-05' (month)."""
    key = (key or "").strip().upper()
    if (match := re.match(r"(\d{4})", key)) and not 2000 <= int(match[1]) <= 2100:  # before any date is built
        raise ValidationError(_("The year must lie between 2000 and 2100."))
    if match := re.fullmatch(r"(\d{4})", key):
        year = int(match[1])
        first, last = date(year, 1, 1), date(year, 12, 1)
    elif match := re.fullmatch(r"(\d{4})-Q([1-4])", key):
        year, quarter = int(match[1]), int(match[2])
        first, last = date(year, quarter * 3 - 2, 1), date(year, quarter * 3, 1)
    elif match := re.fullmatch(r"(\d{4})-(\d{2})", key):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValidationError(_("“%(key)s” is not a month.") % {"key": key})
        first = last = date(year, month, 1)
    else:
        raise ValidationError(_("A period is a year (2026), a quarter (2026-Q2) or a month (2026-05)."))
    return Period(key, first, last)


def recent_periods(today: date) -> list[str]:
    """The periods one usually asks for: this year and last, this year's quarters and months so far."""
    year = today.year
    quarters = [f"{year}-Q{q}" for q in range(1, (today.month - 1) // 3 + 2)]
    months = [f"{year}-{m:02d}" for m in range(1, today.month + 1)]
    return [str(year), str(year - 1), *quarters, *months]


# --- measurements ---------------------------------------------------------------------------------------

@dataclass
class Measure:
    """numerator / denominator of one indicator for one subject, and how it was scored."""

    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    score: Decimal | None = None  # None: nothing was due, the indicator does not count
    weight: Decimal = Decimal(0)
    explanation: str = ""

    @property
    def points(self) -> Decimal | None:
        if self.score is None:
            return None
        return (self.score * self.weight / 100).quantize(POINT, ROUND_HALF_UP)


@dataclass
class Standing:
    subject_id: int
    name: str
    measures: dict[str, Measure] = field(default_factory=dict)
    total: Decimal | None = None  # None: nothing applied to the subject in the period
    counted_weight: Decimal = Decimal(0)
    rank: int | None = None


def _grouped(queryset, owner: str, **aggregates) -> dict[int, dict]:
    return {row.pop("owner"): row for row in queryset.annotate(owner=F(owner)).values("owner")
            .annotate(**aggregates).order_by()}


def _measure_start_rate(owner: str, period: Period) -> dict[int, tuple]:
    """Projects planned to start up to the period's end this year, and how many of them have started."""
    planned = Project.objects.filter(planned_start__gte=date(period.first.year, 1, 1), planned_start__lt=period.end)
    rows = _grouped(planned, owner, due=Count("pk"),
                    started=Count("pk", filter=Q(stage__in=STARTED_STAGES, started_on__lt=period.end)))
    return {k: (v["started"], v["due"]) for k, v in rows.items()}


def _measure_fai_plan(owner: str, period: Period) -> dict[int, tuple]:
    """Approved FAI of the period against the months' share of the projects' annual plans."""
    reports = MonthlyReport.objects.filter(status=ReportStatus.APPROVED, month__gte=period.first,
                                           month__lte=period.last)
    done = _grouped(reports, f"project__{owner}", fai=Sum("fai"))
    active = Project.objects.filter(stage__in=STARTED_STAGES)
    plans = _grouped(active, owner, plan=Sum("annual_plan"))
    share = Decimal(period.months) / 12
    return {k: (done.get(k, {}).get("fai") or Decimal(0), (plans.get(k, {}).get("plan") or 0) * share)
            for k in set(done) | set(plans)}


def _measure_report_timeliness(owner: str, period: Period) -> dict[int, tuple]:
    reports = MonthlyReport.objects.filter(month__gte=period.first, month__lte=period.last)
    rows = _grouped(reports, owner, all=Count("pk"), on_time=Count("pk", filter=Q(late=False)))
    return {k: (v["on_time"], v["all"]) for k, v in rows.items()}


def _measure_issues_on_time(owner: str, period: Period) -> dict[int, tuple]:
    """Issues due in the period, and those resolved by their deadline."""
    due = ProjectIssue.objects.filter(deadline__gte=period.first, deadline__lt=period.end)
    resolved = Q(status__in=[IssueStatus.RESOLVED, IssueStatus.CONFIRMED], resolved_at__date__lte=F("deadline"))
    rows = _grouped(due, owner, due=Count("pk"), on_time=Count("pk", filter=resolved))
    return {k: (v["on_time"], v["due"]) for k, v in rows.items()}


def _measure_funds_won(owner: str, period: Period) -> dict[int, tuple]:
    won = Application.objects.filter(status=ApplicationStatus.WON, decided_on__gte=period.first,
                                     decided_on__lt=period.end)
    return {k: (v["won"], None) for k, v in _grouped(won, owner, won=Sum("won")).items()}


def _measure_deals_signed(owner: str, period: Period) -> dict[int, tuple]:
    signed = Lead.objects.filter(stage__in=[LeadStage.SIGNED, LeadStage.LANDED], signed_on__gte=period.first,
                                 signed_on__lt=period.end)
    return {k: (v["amount"], None) for k, v in _grouped(signed, owner, amount=Sum("amount")).items()}


MEASURES = {
    Metric.START_RATE: _measure_start_rate, Metric.FAI_PLAN: _measure_fai_plan,
    Metric.REPORT_TIMELINESS: _measure_report_timeliness, Metric.ISSUES_ON_TIME: _measure_issues_on_time,
    Metric.FUNDS_WON: _measure_funds_won, Metric.DEALS_SIGNED: _measure_deals_signed,
}


def subjects(kind: str) -> dict[int, str]:
    """The assessed: every active department (and the zone's committee), or every town and street."""
    if kind == AssessedKind.DEPARTMENT:
        units = Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True).order_by("path")
        return {u.pk: u.short_name or u.name for u in units}
    return dict(Region.objects.filter(level=RegionLevel.STREET).order_by("path").values_list("pk", "name"))


def _score(metric: str, numerator: Decimal, denominator: Decimal | None, best: Decimal) -> tuple[Decimal | None, str]:
    """0–100, or None when nothing was due: the indicator then does not count for this subject."""
    if metric in RELATIVE:
        if not best:
            return None, _("nobody scored this period: not counted")
        score = (Decimal(100) * numerator / best).quantize(POINT, ROUND_HALF_UP)
        best_label = _("the best in the ranking")
        return score, f"{numerator:,.2f} ÷ {best:,.2f}（{best_label}）× 100 = {score}"
    if not denominator:
        return None, _("nothing due this period: not counted")
    ratio = min(Decimal(1), numerator / denominator)
    score = (100 * ratio).quantize(POINT, ROUND_HALF_UP)
    return score, f"min(1, {numerator:,.2f} ÷ {denominator:,.2f}) × 100 = {score}"


def _measure_all(kind: str, period: Period, weights: dict, standings: dict[int, Standing]) -> None:
    for metric, weight in weights.items():
        values = MEASURES[metric](OWNER[kind][metric], period)
        best = max((Decimal(v[0]) for k, v in values.items() if k in standings), default=Decimal(0))
        for pk, standing in standings.items():
            numerator, denominator = values.get(pk, (0, None if metric in RELATIVE else 0))
            numerator = Decimal(numerator).quantize(CENT, ROUND_HALF_UP)
            denominator = None if denominator is None else Decimal(denominator).quantize(CENT, ROUND_HALF_UP)
            score, explanation = _score(metric, numerator, denominator, best)
            standing.measures[metric] = Measure(numerator, denominator or Decimal(0), score, weight, explanation)


def assess(kind: str, period: Period) -> list[Standing]:
    """The ranking: subjects ordered by weighted score (ties share a rank), each with its measures. The
    total is the weighted average over the indicators that apply to the subject; one to which none applies
    (no projects, leads or applications in the period) is listed last, unranked."""
    if kind not in AssessedKind.values:
        raise ValidationError(_("Unknown kind of assessed subject."))
    weights = {i.metric: i.weight for i in AssessmentIndicator.objects.filter(kind=kind, active=True, weight__gt=0)}
    standings = {pk: Standing(pk, name) for pk, name in subjects(kind).items()}
    _measure_all(kind, period, weights, standings)
    for standing in standings.values():
        counted = [m for m in standing.measures.values() if m.score is not None]
        substantive = any(m.denominator or m.numerator for m in counted)
        if counted and substantive:
            weight = sum((m.weight for m in counted), Decimal(0))
            standing.total = (sum(m.score * m.weight for m in counted) / weight).quantize(POINT, ROUND_HALF_UP)  # type: ignore[operator, misc]  # counted: scored
            standing.counted_weight = weight
    ranked = sorted(standings.values(), key=lambda s: (s.total is None, -(s.total or 0), s.name))
    for position, standing in enumerate(ranked):
        if standing.total is None:
            break
        previous = ranked[position - 1] if position else None
        standing.rank = previous.rank if previous and previous.total == standing.total else position + 1
    return ranked


def active_metrics(kind: str) -> list[AssessmentIndicator]:
    return list(AssessmentIndicator.objects.filter(kind=kind, active=True, weight__gt=0))
