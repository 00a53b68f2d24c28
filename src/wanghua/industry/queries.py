"""一带's read side: current alarms, and line KPIs over a period — alarm-system performance (ISA-18.2),
stops (Pareto, MTBF/MTTR, per shift, trend), equipment failure rate and OEE. Aggregation happens in the
database on integer epochs, so a million journal events cost one grouped scan per figure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Lag
from django.utils import timezone

from .models import (
    AlarmDefinition,
    AlarmEvent,
    AlarmState,
    LiveSnapshot,
    Priority,
    ProductionLine,
    Stop,
    Tag,
    TagRole,
)
from .shifts import shift_at
from .telemetry import rollups

FLOOD = 10  # activations in 10 minutes (ISA-18.2: more than 10 per 10 minutes per operator is a flood)
CHATTER = (3, 60)  # three activations of one alarm within 60 s
STALE = timedelta(hours=24)
PRIORITY_TARGET = {Priority.LOW: 80, Priority.MEDIUM: 15, Priority.HIGH: 5}


@dataclass
class AlarmKpis:
    activations: int
    per_10_min: float
    flood_percent: float
    peak_10_min: int
    stale: int
    chattering: list[dict]
    bad_actors: list[dict]
    priorities: list[dict]


@dataclass
class StopKpis:
    stops: int
    hot: int
    cold: int
    downtime_hours: float
    mtbf_hours: float | None
    mttr_minutes: float | None
    failure_rate_percent: float
    planned_stops: int = 0  # 计划停机, counted in none of the figures above
    planned_hours: float = 0.0
    pareto: list[dict] = field(default_factory=list)
    per_shift: list[dict] = field(default_factory=list)
    per_day: list[dict] = field(default_factory=list)


@dataclass
class Oee:
    availability: float
    performance: float
    quality: float
    output: int
    good: int
    reported: bool = True  # False: no count data in the period, so the figures say nothing

    @property
    def oee(self) -> float:
        return self.availability * self.performance * self.quality


def period_of(days: int = 7, until: datetime | None = None) -> tuple[datetime, datetime]:
    until = until or timezone.now()
    return until - timedelta(days=days), until


def alarm_kpis(lines, since: datetime, until: datetime) -> AlarmKpis:
    """Three grouped scans of the journal (per alarm, per 10 minutes, chattering by window), joined to
    the (small) definition table in Python rather than row by row in SQL."""
    start, end = int(since.timestamp()), int(until.timestamp())
    activations = AlarmEvent.objects.filter(line__in=lines, kind=AlarmEvent.Kind.ACTIVATED, epoch__gte=start,
                                            epoch__lt=end)
    per_alarm = dict(activations.values_list("definition_id").annotate(n=Count("pk")).order_by())
    definitions = {d.pk: d for d in AlarmDefinition.objects.filter(pk__in=per_alarm).select_related(
        "tag__equipment")}
    total = sum(per_alarm.values())
    periods = max(1, (end - start) // 600)
    buckets = list(activations.annotate(bucket=F("epoch") / 600).values("bucket").annotate(n=Count("pk"))
                   .values_list("n", flat=True).order_by())
    chatter = (activations.annotate(two_back=Window(Lag("epoch", 2), partition_by=[F("definition_id")],
                                                    order_by=F("epoch").asc()))
               .filter(two_back__isnull=False, two_back__gte=F("epoch") - CHATTER[1])
               .values_list("definition_id", flat=True))
    bursts = Counter(chatter)  # counted here: the database cannot group over a filtered window
    by_priority: Counter[Any] = Counter()
    for pk, n in per_alarm.items():
        by_priority[definitions[pk].priority] += n
    stale = AlarmState.objects.filter(line__in=lines, active=True, active_since__lt=until - STALE).count()

    def location(pk: int) -> str:
        equipment = definitions[pk].tag.equipment
        return equipment.location if equipment else ""

    return AlarmKpis(
        activations=total, per_10_min=round(total / periods, 2),
        flood_percent=round(100 * sum(1 for n in buckets if n > FLOOD) / periods, 2),
        peak_10_min=max(buckets, default=0), stale=stale,
        chattering=[{"id": pk, "message": definitions[pk].message, "bursts": n} for pk, n in bursts.most_common(10)],
        bad_actors=[{"id": pk, "message": definitions[pk].message, "location": location(pk), "activations": n}
                    for pk, n in sorted(per_alarm.items(), key=lambda item: (-item[1], item[0]))[:10]],
        priorities=[{"priority": p, "label": str(Priority(p).label), "activations": by_priority[p],
                     "percent": round(100 * by_priority[p] / total, 1) if total else 0.0,
                     "target": PRIORITY_TARGET[p]} for p in (Priority.LOW, Priority.MEDIUM, Priority.HIGH)])


def _overlap(stop: Stop, since: datetime, until: datetime, now: datetime) -> float:
    end = min(stop.ended_at or now, until)
    return max(0.0, (end - max(stop.started_at, since)).total_seconds())


def _stops_in(lines, since: datetime, until: datetime):
    return (Stop.objects.filter(line__in=lines, started_at__lt=until)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since)).select_related("location", "line"))


def stop_kpis(lines, since: datetime, until: datetime) -> StopKpis:
    """Stops, downtime, MTBF/MTTR, failure rate and the Pareto over the unplanned stops; planned stops (定修) only
    shorten the time the lines were meant to run."""
    now = timezone.now()
    every = list(_stops_in(lines, since, until))
    seconds = {s.pk: _overlap(s, since, until, now) for s in every}
    planned = [s for s in every if s.planned]
    planned_seconds = sum(seconds[s.pk] for s in planned)
    stops = [s for s in every if not s.planned]
    downtime = sum(seconds[s.pk] for s in stops)
    calendar = max(0.0, (until - since).total_seconds() * max(1, len(lines)) - planned_seconds)
    fault_seconds = sum(seconds[s.pk] for s in stops if s.by_fault)
    pareto: dict[tuple, float] = {}
    for s in stops:
        key = (s.location.location if s.location else "", s.location.name if s.location else "", s.kind)
        pareto[key] = pareto.get(key, 0.0) + seconds[s.pk]
    rows, running = [], 0.0
    for (location, name, kind), value in sorted(pareto.items(), key=lambda item: -item[1]):
        running += value
        rows.append({"location": location, "name": name, "kind": kind, "hours": round(value / 3600, 2),
                     "cumulative_percent": round(100 * running / downtime, 1) if downtime else 0.0})
    return StopKpis(
        stops=len(stops), hot=sum(s.kind == Stop.Kind.HOT for s in stops),
        cold=sum(s.kind == Stop.Kind.COLD for s in stops), downtime_hours=round(downtime / 3600, 2),
        mtbf_hours=round((calendar - downtime) / len(stops) / 3600, 2) if stops else None,
        mttr_minutes=round(downtime / len(stops) / 60, 1) if stops else None,
        failure_rate_percent=round(100 * fault_seconds / calendar, 3) if calendar else 0.0,
        planned_stops=len(planned), planned_hours=round(planned_seconds / 3600, 2), pareto=rows,
        per_shift=_per_shift(stops, seconds), per_day=_per_day(stops, seconds))


def _per_shift(stops: list[Stop], seconds: dict[int, float]) -> list[dict]:
    crews: dict[str, list[float]] = {}
    for s in stops:
        crew = shift_at(s.line, s.started_at).crew
        crews.setdefault(crew, []).append(seconds[s.pk])
    return [{"crew": crew, "stops": len(values), "hours": round(sum(values) / 3600, 2)}
            for crew, values in sorted(crews.items(), key=lambda item: "甲乙丙丁".find(item[0]))]


def _per_day(stops: list[Stop], seconds: dict[int, float]) -> list[dict]:
    days: dict[date, float] = {}
    for s in stops:
        day = timezone.localtime(s.started_at).date()
        days[day] = days.get(day, 0.0) + seconds[s.pk]
    return [{"day": day.isoformat(), "hours": round(value / 3600, 2)} for day, value in sorted(days.items())]


def _produced(line: ProductionLine, role: str, since: datetime, until: datetime) -> int | None:
    """Pieces counted in the period (None: the line reported no count then)."""
    low, high = rollups.span(line, Tag.objects.filter(line=line, role=role), since, until)  # hour + minute rollups
    return int(high - low) if high is not None and low is not None else None


def oee(line: ProductionLine, since: datetime, until: datetime) -> Oee:
    """Availability × performance × quality, from stops and the count and good-count tags."""
    planned, downtime = _lost(list(_stops_in([line], since, until)), since, until, timezone.now())
    return _oee_of(line, planned, downtime, _produced(line, TagRole.COUNT, since, until),
                   _produced(line, TagRole.GOOD, since, until))


def _lost(stops: list[Stop], since: datetime, until: datetime, now: datetime) -> tuple[float, float]:
    """The planned production time of [since, until) (the period less its planned stops) and the unplanned
    downtime in it, in seconds."""
    planned_stops = sum(_overlap(s, since, until, now) for s in stops if s.planned)
    downtime = sum(_overlap(s, since, until, now) for s in stops if not s.planned)
    return max(0.0, (until - since).total_seconds() - planned_stops), downtime


def oee_windows(line: ProductionLine, windows: list[tuple[datetime, datetime]]) -> list[Oee]:
    """oee() of each window, with one read of the stops and of each counter's hourly spans for them all (not
    three queries per window); a window that does not start and end on whole hours is computed on its own."""
    if not windows:
        return []
    since, until, now = min(w[0] for w in windows), max(w[1] for w in windows), timezone.now()
    stops = list(_stops_in([line], since, until))
    counted = {role: rollups.hourly_spans(line, Tag.objects.filter(line=line, role=role), since, until)
               for role in (TagRole.COUNT, TagRole.GOOD)}
    results = []
    for start, end in windows:
        if start != rollups.hour_of(start) or (end != rollups.hour_of(end) and end != until):
            results.append(oee(line, start, end))
            continue
        planned, downtime = _lost(stops, start, end, now)
        output, good = (_advance(counted[role], start, end) for role in (TagRole.COUNT, TagRole.GOOD))
        results.append(_oee_of(line, planned, downtime, output, good))
    return results


def _advance(spans: dict[datetime, tuple[float, float]], start: datetime, end: datetime) -> int | None:
    """What a counter advanced by in [start, end), from its hourly spans (as _produced())."""
    inside = [span for hour, span in spans.items() if start <= hour < end]
    if not inside:
        return None
    return int(max(high for _, high in inside) - min(low for low, _ in inside))


def _oee_of(line: ProductionLine, planned: float, downtime: float, output: int | None, good: int | None) -> Oee:
    """OEE from the planned production time and the unplanned downtime in it (seconds) and the pieces counted."""
    running = max(0.0, planned - downtime)
    if output is None:
        return Oee(0.0, 0.0, 0.0, 0, 0, reported=False)
    good = good or 0
    ideal = float(line.ideal_rate) * running / 60
    return Oee(availability=running / planned if planned else 0.0,
               performance=min(1.0, output / ideal) if ideal else 0.0,
               quality=min(1.0, good / output) if output else 0.0, output=output, good=good)


def oee_per_day(line: ProductionLine, days: int = 7) -> list[dict]:
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    now = timezone.now()
    starts = [datetime.combine(today - timedelta(days=offset), time.min, tzinfo=zone)
              for offset in range(days - 1, -1, -1)]
    windows = [(start, min(start + timedelta(days=1), now)) for start in starts]
    return [{"day": start.date().isoformat(), "reported": value.reported, "oee": round(100 * value.oee, 1),
             "availability": round(100 * value.availability, 1),
             "performance": round(100 * value.performance, 1), "quality": round(100 * value.quality, 2),
             "output": value.output}
            for start, value in zip(starts, oee_windows(line, windows), strict=True)]


def oee_per_shift(line: ProductionLine, shifts: int = 6) -> list[dict]:
    """The last `shifts` shifts, the current one last."""
    now = timezone.now()
    current = shift_at(line, now)
    worked = [shift_at(line, current.start - back * (current.end - current.start))
              for back in range(shifts - 1, -1, -1)]
    values = oee_windows(line, [(shift.start, min(shift.end, now)) for shift in worked])
    return [{"shift": str(shift), "start": shift.start.isoformat(), "reported": value.reported,
             "oee": round(100 * value.oee, 1), "output": value.output}
            for shift, value in zip(worked, values, strict=True)]


def current_q(now: datetime) -> Q:
    """Current alarms in SQL: active or unacknowledged, and neither shelved, suppressed nor out of service."""
    return ((Q(active=True) | Q(acked=False)) & Q(suppressed=False, out_of_service=False)
            & (Q(shelved_until__isnull=True) | Q(shelved_until__lte=now)))


def with_trip_value(qs):
    """Each alarm with `trip_value`: the reading its latest activation journalled (the value it tripped at),
    not the live value the evaluator keeps in `last_value`."""
    trips = (AlarmEvent.objects.filter(definition_id=OuterRef("definition_id"), kind=AlarmEvent.Kind.ACTIVATED)
             .order_by("-at", "-id").values("value")[:1])
    return qs.annotate(trip_value=Subquery(trips))


def current(qs, now: datetime | None = None) -> list[AlarmState]:
    """Alarms an operator must see: active or unacknowledged, not shelved, suppressed or out of service."""
    now = now or timezone.now()
    return list(with_trip_value(qs.filter(current_q(now))).select_related("definition__tag__equipment")
                .order_by("-active_since"))


class SetAside:
    """The alarms a production manager has taken out of the operators' list (ISA-18.2 §11), by how."""

    SHELVED, SUPPRESSED, OUT_OF_SERVICE = AlarmState.State.SHELVED, AlarmState.State.SUPPRESSED, \
        AlarmState.State.OUT_OF_SERVICE
    CHOICES = [(s.value, s.label) for s in (SHELVED, SUPPRESSED, OUT_OF_SERVICE)]

    @classmethod
    def q(cls, how: str, now: datetime) -> Q:
        if how == cls.OUT_OF_SERVICE:
            return Q(out_of_service=True)
        if how == cls.SUPPRESSED:
            return Q(suppressed=True, out_of_service=False)
        return Q(shelved_until__gt=now, suppressed=False, out_of_service=False)


def alarm_list(qs, set_aside: str = "", now: datetime | None = None):
    """The alarms list (page and API): the current alarms, or, asked for, those set aside (the FilterSet's
    `set_aside` picks which)."""
    qs = qs if set_aside else qs.filter(current_q(now or timezone.now()))
    return with_trip_value(qs).select_related("line", "definition__tag__equipment").order_by(
        F("active_since").desc(nulls_last=True), "definition_id")


def standing_q(now: datetime) -> Q:
    """Standing (stale) alarms: active for longer than STALE."""
    return Q(active=True, active_since__lt=now - STALE)


def live_snapshots(viewer=None, region=None):
    """The lines' live snapshots by line name: through the viewer's access rules when given, and only the
    lines of enterprises in `region`'s subtree when given (the big screen's one live read)."""
    snapshots = LiveSnapshot.objects.visible_to(viewer, "view") if viewer is not None else LiveSnapshot.objects.all()
    if region is not None:
        snapshots = snapshots.filter(line__enterprise__region__path__startswith=region.path)
    return snapshots.select_related("line").order_by("line__name")
