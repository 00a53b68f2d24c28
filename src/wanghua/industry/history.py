"""Months of a line's history without a row per sample: what the demo (and the benchmarks) put before the last
hours the simulator sends through the ingest pipeline.

`generate` walks the period once, at minute resolution, with the simulator's own fault list and rules: faults at
random (exponential gaps), most of them stopping the line — hot for a few minutes, cold (the furnace cools
down) for long ones — plus a weekly planned maintenance stop (定修); heats every `HEAT_EVERY` in the line's own
heat series, grades from the line's product family. It writes what the ingest pipeline would have left behind:
the stops (classified by the pipeline's `classify`, located at the fault's equipment, most with the operator's
reason), the alarm journal (activations after the definitions' on-delays, returns to normal after the
off-delays, the operator's acknowledgements), the heats, the minute rollups of the counters and the hour
rollups of every number tag — so that KPIs over 30 days (OEE, stop Pareto, MTBF) read the same records they
read for live data. It ends in the line's live snapshot, from which the simulator goes on."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import (
    AlarmDefinition,
    AlarmEvent,
    AlarmKind,
    Heat,
    LineStatus,
    LiveSnapshot,
    ProductionLine,
    Stop,
    Tag,
    TagKind,
    TagRole,
)
from .simulator import BLUEPRINT, FAULTS, family_of, heat_number, heat_prefix
from .telemetry import partitions, rollups
from .telemetry.pipeline import classify

MINUTE = timedelta(minutes=1)
FAULT_EVERY = timedelta(hours=4)  # a fault every 4 h on average: about four stops a day
HEAT_EVERY = timedelta(minutes=25)  # as the simulator changes heats
SAMPLES_PER_MINUTE = 6  # the demo's gateways report every 10 s
RATE = 4.0  # pieces a minute at full speed, as the simulator makes them
SCRAP = 0.004
MAINTENANCE = (timedelta(days=7), timedelta(hours=8))  # 定修: one day shift a week
# Tags the line keeps up while stopped (the furnace stays hot, the hydraulics and the water keep running).
KEPT_UP = {"furnace_t1", "furnace_t2", "furnace_t3", "exit_temp", "hyd_pressure", "water_flow", "hyd_oil_temp",
           "saw_wear"}
FURNACE = ("furnace_t1", "furnace_t2", "furnace_t3", "exit_temp")
COOLING = 0.08 * 60  # ℃ a minute the furnace loses in a cold stop (the simulator's 0.08 ℃/s), at most 420 ℃
DETAILS = {"finish_current": "精轧主电机过流跳闸，检查电机和轧辊", "hyd_pressure": "液压站压力低，更换泄漏密封",
           "straightener_state": "矫直机故障，处理卡钢", "saw_state": "定尺锯故障，更换锯片",
           "water_flow": "冷却水流量低，清理过滤器"}


@dataclass
class _Stop:
    start: datetime
    end: datetime
    tag: str | None  # the fault's tag; None: planned
    value: object = None
    by_fault: bool = False
    cold: bool = False


@dataclass
class Generated:
    stops: int = 0
    alarm_events: int = 0
    heats: int = 0
    minute_rollups: int = 0
    hour_rollups: int = 0
    snapshot: LiveSnapshot | None = field(default=None, repr=False)


def _trips(definition: AlarmDefinition, value: object) -> bool:
    if definition.kind == AlarmKind.STATE:
        return value == definition.state
    if not isinstance(value, int | float) or definition.limit is None:
        return False
    return value > definition.limit if definition.kind in (AlarmKind.HI, AlarmKind.HIHI) else value < definition.limit


def _timeline(rng: random.Random, start: datetime, end: datetime, fault_every: timedelta,
              ) -> tuple[list[_Stop], list[_Stop]]:
    """The stops (faults that stop the line, and the weekly 定修 from 08:30 local time) and the faults that only
    alarm, none reaching past `end`."""
    stopping: list[_Stop] = []
    alarms_only: list[_Stop] = []
    maintenance = timezone.localtime(start + timedelta(days=rng.randint(1, 6))).replace(
        hour=8, minute=30, second=0, microsecond=0)
    free = start  # the end of the last stop or fault
    ts = start + timedelta(seconds=rng.expovariate(1 / fault_every.total_seconds()))
    while ts < end:
        if maintenance <= ts:
            begins = max(maintenance, free)
            stop = _Stop(begins, begins + MAINTENANCE[1] + timedelta(minutes=rng.randint(-40, 40)), None)
            if stop.end < end:
                stopping.append(stop)
            free = stop.end
            ts = max(ts, stop.end + timedelta(minutes=30))
            maintenance += MAINTENANCE[0]
            continue
        tag, value, status = rng.choice(FAULTS)
        cold = status is not None and rng.random() < 0.2
        minutes = rng.uniform(95, 150) if cold else rng.uniform(2, 15)
        fault = _Stop(ts, ts + timedelta(minutes=minutes), tag, value, by_fault=status == LineStatus.FAULT,
                      cold=cold)
        if fault.end >= end:
            break
        (stopping if status is not None else alarms_only).append(fault)
        free = fault.end
        ts = fault.end + timedelta(seconds=rng.expovariate(1 / fault_every.total_seconds()))
    return sorted(stopping, key=lambda s: s.start), alarms_only


def generate(line: ProductionLine, start: datetime, end: datetime, *, seed: int = 1,
             fault_every: timedelta = FAULT_EVERY, operator=None, reasons_until: datetime | None = None) -> Generated:
    """The line's history over [start, end), written in bulk; ends with the line's live snapshot (running, the
    counters, the heat and grade), from which `simulators_for` goes on. Stops before `reasons_until` (default:
    a day before `end`) carry the operator's reason, nine in ten."""
    rng = random.Random(seed)
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    reasons_until = reasons_until or end - timedelta(days=1)
    tags = {tag.code: tag for tag in Tag.objects.filter(line=line).select_related("equipment")}
    definitions: dict[str, list[AlarmDefinition]] = {}
    for definition in AlarmDefinition.objects.filter(tag__line=line).select_related("tag"):
        definitions.setdefault(definition.tag.code, []).append(definition)
    stops, alarm_only = _timeline(rng, start, end, fault_every)
    result = Generated()
    with transaction.atomic():
        result.stops = _write_stops(line, stops, tags, rng, operator, reasons_until)
        result.alarm_events = _write_alarms(line, stops, alarm_only, definitions, rng, operator)
        result.snapshot, result.heats, minutes, hours = _production(line, start, end, stops, alarm_only, tags, rng)
        partitions.ensure_span(partitions.MINUTES, start, end)
        rollups.load(minutes, hours)
        result.minute_rollups, result.hour_rollups = len(minutes), len(hours)
    return result


def _write_stops(line: ProductionLine, stops: list[_Stop], tags: dict[str, Tag], rng: random.Random, operator,
                 reasons_until: datetime) -> int:
    nominal = next(spec.nominal for spec in BLUEPRINT if spec.code == "furnace_t1")
    rows = []
    for s in stops:
        minutes = (s.end - s.start).total_seconds() / 60
        cooled = min(COOLING * minutes, 420) if s.cold or s.tag is None else min(COOLING * minutes * 0.05, 60)
        tag = tags.get(s.tag) if s.tag else None
        stop = Stop(line=line, started_at=s.start, ended_at=s.end, by_fault=s.by_fault, planned=s.tag is None,
                    location=tag.equipment if tag else None, min_temperature=round(nominal - cooled, 1))
        stop.kind = classify(line, stop)  # the pipeline's rule: cold when long, or when the furnace cooled down
        if s.start < reasons_until and rng.random() < 0.9:
            stop.reason = ("计划检修：周定修" if s.tag is None
                           else f"设备故障：{DETAILS.get(s.tag, tag.name if tag else '')}")
            stop.reason_by = operator
        rows.append(stop)
    Stop.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _write_alarms(line: ProductionLine, stops: list[_Stop], alarm_only: list[_Stop],
                  definitions: dict[str, list[AlarmDefinition]], rng: random.Random, operator) -> int:
    """What the evaluator journals: the fault's tag past its limits, and the NDT coupling water that falls off
    whenever the line stands (its low alarm is the line's standing bad actor); each acknowledged by the operator."""
    events: list[AlarmEvent] = []

    def raise_(definition: AlarmDefinition, since: datetime, until: datetime, value: object) -> None:
        at = since + timedelta(seconds=definition.on_delay)
        if at >= until:
            return
        common = {"definition": definition, "line": line, "equipment_id": definition.tag.equipment_id,
                  "priority": definition.priority}
        events.extend([
            AlarmEvent(at=at, kind=AlarmEvent.Kind.ACTIVATED, value=str(value), **common),
            AlarmEvent(at=at + timedelta(seconds=rng.uniform(20, 600)), kind=AlarmEvent.Kind.ACKNOWLEDGED,
                       user=operator, **common),
            AlarmEvent(at=until + timedelta(seconds=definition.off_delay), kind=AlarmEvent.Kind.CLEARED, **common)])

    for s, stopping in [*((s, True) for s in stops), *((s, False) for s in alarm_only)]:
        if s.tag:
            for definition in definitions.get(s.tag, []):
                if _trips(definition, s.value):
                    raise_(definition, s.start, s.end, s.value)
        if stopping and s.tag != "ndt_coupling":
            for definition in definitions.get("ndt_coupling", []):
                if _trips(definition, 0.0):
                    raise_(definition, s.start, s.end, 0.0)
    for event in events:
        event.epoch = int(event.at.timestamp())  # what save() sets; bulk_create does not call it
    events.sort(key=lambda e: (e.at, e.kind != AlarmEvent.Kind.ACTIVATED))
    AlarmEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


@dataclass
class _Hour:
    """One hour of the line, minute by minute: what every tag's hour rollup is computed from."""

    start: datetime
    minutes: int = 0
    running: float = 0.0  # running minutes
    stood: bool = False  # stood still at some point
    moved: bool = False  # ran at some point
    drops: list[float] = field(default_factory=list)  # how far the furnace had cooled, each minute
    saw: list[float] = field(default_factory=list)
    defects: tuple[int, int] = (0, 0)  # the defect count at the start and the end
    faults: dict[str, float] = field(default_factory=dict)  # a fault's tag and value during the hour


def _production(line: ProductionLine, start: datetime, end: datetime, stops: list[_Stop], alarm_only: list[_Stop],
                tags: dict[str, Tag], rng: random.Random):
    """Minute by minute: pieces made while running, heats and grades; the counters' minute rollups, and per hour
    every number tag's hour rollup."""
    family, prefix = family_of(line), heat_prefix(line.code)
    count_id, good_id = tags["count"].pk, tags["good"].pk
    minutes: list[tuple] = []
    hours: list[tuple] = []
    count = good = 0
    number, grade = 0, family.first
    heats: list[Heat] = []
    heat: Heat | None = None
    heat_ends = start
    pace = 1.0
    index = fault_index = 0  # the next stop, the next fault
    faults = sorted(alarm_only + [s for s in stops if s.tag], key=lambda s: s.start)
    saw, drop, n = 35.0, 0.0, SAMPLES_PER_MINUTE
    hour = _Hour(rollups.hour_of(start))
    first = 0  # where the hour's minute rows begin
    ts = start
    while ts < end:
        if ts >= heat_ends:
            number += 1
            if number % 4 == 0:
                grade = family.pick(rng)
                pace = rng.uniform(0.85, 0.98)
            if heat is not None:
                heat.ended_at = ts
            heat = Heat(line=line, number=heat_number(prefix, ts, number), grade=grade[0], spec=grade[1],
                        started_at=ts)
            heats.append(heat)
            heat_ends = ts + HEAT_EVERY
        following = ts + MINUTE
        while index < len(stops) and stops[index].end <= ts:
            index += 1
        stopped, cold = 0.0, False
        if index < len(stops) and stops[index].start < following:
            s = stops[index]
            stopped = (min(s.end, following) - max(s.start, ts)).total_seconds()
            cold = s.cold or s.tag is None
        running = 1 - stopped / 60
        made = int(RATE * pace * running + rng.random())
        scrapped = sum(rng.random() < SCRAP for _ in range(made))
        low, low_good = count, good
        count, good = count + made, good + made - scrapped
        assert heat is not None  # the first minute starts a heat
        heat.pieces += made
        minutes.append((count_id, ts, n, n * (low + count) / 2, float(low), float(count), float(count)))
        minutes.append((good_id, ts, n, n * (low_good + good) / 2, float(low_good), float(good), float(good)))
        drop = min(drop + COOLING * stopped / 60, 420) if cold else max(drop - 30.0, 0.0)
        saw = 20.0 if saw >= 92 else saw + 0.0005 * 60
        while fault_index < len(faults) and faults[fault_index].end <= ts:
            fault_index += 1
        if fault_index < len(faults) and faults[fault_index].start < following:
            fault = faults[fault_index]
            if isinstance(fault.value, int | float) and fault.tag:
                hour.faults[fault.tag] = float(fault.value)
        if not hour.minutes:
            hour.defects = (low - low_good, count - good)
        hour.minutes += 1
        hour.running += running
        hour.stood |= running < 1
        hour.moved |= running > 0
        hour.drops.append(drop)
        hour.saw.append(saw)
        hour.defects = (hour.defects[0], count - good)
        ts = following
        if rollups.hour_of(ts) != hour.start or ts >= end:
            hours.extend(_hour_rows(hour, minutes[first:], tags, (count_id, good_id)))
            first = len(minutes)
            hour = _Hour(rollups.hour_of(ts))
    Heat.objects.bulk_create(heats, batch_size=1000)
    last = heats[-1]
    snapshot = LiveSnapshot.objects.create(
        line=line, status=LineStatus.RUNNING, grade=last.grade, heat=last.number, spec=last.spec, count=count,
        good=good, speed=next(s.nominal for s in BLUEPRINT if s.code == "speed"), values={"count": count, "good": good},
        watermark=end - timedelta(seconds=1), updated_at=end)
    return snapshot, len(heats), minutes, hours


NUMBERS = [spec for spec in BLUEPRINT if spec.kind == TagKind.NUMBER and spec.role not in (TagRole.COUNT, TagRole.GOOD)]


def _hour_rows(hour: _Hour, minutes: list[tuple], tags: dict[str, Tag], counters: tuple[int, int]) -> list[tuple]:
    rows = []
    for tag_id in counters:  # summed from their minute rollups, as the job worker sums them
        own = [m for m in minutes if m[0] == tag_id]
        rows.append((tag_id, hour.start, sum(m[2] for m in own), sum(m[3] for m in own), min(m[4] for m in own),
                     max(m[5] for m in own)))
    n = hour.minutes * SAMPLES_PER_MINUTE
    share = hour.running / hour.minutes
    for spec in NUMBERS:
        tag = tags.get(spec.code)
        if tag is None:
            continue
        spread = 2.5 * spec.noise
        if spec.code == "saw_wear":
            mean, low, high = sum(hour.saw) / len(hour.saw), min(hour.saw), max(hour.saw)
        elif spec.code in FURNACE:
            mean = spec.nominal - sum(hour.drops) / len(hour.drops)
            low, high = spec.nominal - max(hour.drops) - 9, spec.nominal - min(hour.drops) + 9
        elif spec.code == "ndt_defects":
            low, high = float(hour.defects[0]), float(hour.defects[1])
            mean = (low + high) / 2
        elif spec.code in KEPT_UP:
            mean, low, high = spec.nominal, spec.nominal - spread, spec.nominal + spread
        else:  # what stands still with the line
            mean = spec.nominal * share
            low = 0.0 if hour.stood else spec.nominal - spread
            high = spec.nominal + spread if hour.moved else 0.0
        if spec.code in hour.faults:
            low, high = min(low, hour.faults[spec.code]), max(high, hour.faults[spec.code])
        rows.append((tag.pk, hour.start, n, n * mean, round(low, 3), round(high, 3)))
    return rows
