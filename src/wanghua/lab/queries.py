"""Lab figures from the records (read side): turnaround (and how much the robot shortened it), trends of strength
per grade against the limits, SPC (X̄-R charts, Cpk) and the indicators."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from statistics import mean

from .models import GradeLimit, LabOrder, TestKind, TestResult, Verdict

# Shewhart constants for subgroups of two (the two tensile specimens of a heat).
A2, D4, D2 = 1.880, 3.267, 1.128


@dataclass
class Turnaround:
    robot_since: datetime | None
    before_hours: float | None
    after_hours: float | None
    by_month: list[dict]
    by_test: list[dict]

    @property
    def change_percent(self) -> float | None:
        if not self.before_hours or self.after_hours is None:
            return None
        return round(100 * (self.after_hours - self.before_hours) / self.before_hours, 1)


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def turnaround(orders) -> Turnaround:
    """Sampling → verdict per heat, by month and per test type; before and after the first robot result."""
    first_robot = (TestResult.objects.filter(specimen__order__in=orders, source="instrument")
                   .order_by("recorded_at").values_list("recorded_at", flat=True).first())
    decided = list(orders.filter(decided_at__isnull=False).values_list("sampled_at", "decided_at"))
    months: dict[str, list[float]] = defaultdict(list)
    before: list[float] = []
    after: list[float] = []
    for sampled, done in decided:
        months[f"{sampled:%Y-%m}"].append(_hours(sampled, done))
        (after if first_robot and sampled >= first_robot else before).append(_hours(sampled, done))
    tests: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"before": [], "after": []})
    rows = TestResult.objects.filter(specimen__order__in=orders, revision=1, specimen__retest=False).values_list(
        "specimen__kind", "specimen__order__sampled_at", "recorded_at")
    for kind, sampled, recorded in rows:
        tests[kind]["after" if first_robot and sampled >= first_robot else "before"].append(_hours(sampled, recorded))
    return Turnaround(
        robot_since=first_robot, before_hours=round(mean(before), 2) if before else None,
        after_hours=round(mean(after), 2) if after else None,
        by_month=[{"month": m, "hours": round(mean(v), 2), "heats": len(v)} for m, v in sorted(months.items())],
        by_test=[{"kind": str(TestKind(k).label), "before": round(mean(v["before"]), 2) if v["before"] else None,
                  "after": round(mean(v["after"]), 2) if v["after"] else None} for k, v in sorted(tests.items())])


@dataclass
class Spc:
    grade: str
    field: str
    heats: list[dict]  # {heat, sampled, mean, range, values}
    centre: float | None
    mean_range: float | None
    ucl: float | None
    lcl: float | None
    range_ucl: float | None
    lower_spec: float | None
    upper_spec: float | None
    cpk: float | None


def spc(orders, grade: str, field: str = "yield_strength") -> Spc:
    """X̄-R over heats (subgroups of the two original tensile specimens, latest revision) and Cpk against the
    grade's limits (ReL: min and, for E grades, 1.30 × min; Rm: min)."""
    limits = GradeLimit.objects.filter(grade=grade, standard__active=True).order_by("-standard__effective_on").first()
    rows = (TestResult.objects.filter(specimen__order__in=orders.filter(grade=grade), specimen__kind=TestKind.TENSILE,
                                      specimen__retest=False)
            .order_by("specimen__order__sampled_at", "specimen_id", "revision")
            .values_list("specimen__order__heat", "specimen__order__sampled_at", "specimen_id", field))
    latest: dict[int, tuple] = {}
    for heat, sampled, specimen, value in rows:
        latest[specimen] = (heat, sampled, value)
    groups: dict[str, dict] = {}
    for heat, sampled, value in latest.values():
        if value is not None:
            groups.setdefault(heat, {"heat": heat, "sampled": sampled, "values": []})["values"].append(float(value))
    heats = [{**g, "mean": round(mean(g["values"]), 2), "range": round(max(g["values"]) - min(g["values"]), 2)}
             for g in groups.values() if len(g["values"]) >= 2]
    lower = float(limits.yield_min if field == "yield_strength" else limits.tensile_min) if limits else None
    upper = (float(limits.yield_min * limits.yield_overstrength_max) if limits and field == "yield_strength"
             and limits.yield_overstrength_max else None)
    if not heats:
        return Spc(grade, field, [], None, None, None, None, None, lower, upper, None)
    centre, mean_range = mean(h["mean"] for h in heats), mean(h["range"] for h in heats)
    sigma = mean_range / D2 if mean_range else None
    cpk = None
    if sigma:
        sides = [(centre - lower) / (3 * sigma)] if lower is not None else []
        sides += [(upper - centre) / (3 * sigma)] if upper is not None else []
        cpk = round(min(sides), 2) if sides else None
    return Spc(grade, field, heats, round(centre, 2), round(mean_range, 2), round(centre + A2 * mean_range, 2),
               round(centre - A2 * mean_range, 2), round(D4 * mean_range, 2), lower, upper, cpk)


def pass_rate(orders) -> Decimal:
    decided = orders.filter(verdict__in=(Verdict.PASS, Verdict.FAIL))
    total = decided.count()
    return (Decimal(100) * decided.filter(verdict=Verdict.PASS).count() / total).quantize(Decimal("0.1")) \
        if total else Decimal("0.0")


def grades_of(orders) -> list[str]:
    return sorted(set(orders.values_list("grade", flat=True)))


__all__ = ["LabOrder", "Spc", "Turnaround", "grades_of", "pass_rate", "spc", "turnaround"]
