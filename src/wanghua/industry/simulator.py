"""A realistic automotive-steel bar line (精品汽车钢生产线) for the demo, the tests and the benchmarks.

`BLUEPRINT` defines the line (equipment = alarm locations, tags, alarm limits); `install_line`
creates it in the database; `LineSimulator` produces its messages — grades and heats change,
crews rotate with the shift calendar, and faults drive a tag past its alarm limit and stop the
line, hot for short faults, cold (the furnace cools down) for long ones.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from wanghua.core import audit
from wanghua.org.models import Unit

from .models import (
    AlarmDefinition,
    AlarmKind,
    Equipment,
    Priority,
    ProductFamily,
    ProductionLine,
    Tag,
    TagKind,
    TagRole,
)

EQUIPMENT = [
    ("L01", "上料台架"), ("L02", "步进式加热炉"), ("L03", "粗轧机组"), ("L04", "精轧机组"), ("L05", "矫直机"),
    ("L06", "超声探伤仪"), ("L07", "定尺锯"), ("L08", "打包机"), ("L09", "液压站"), ("L10", "冷却水系统"),
]


@dataclass(frozen=True)
class TagSpec:
    code: str
    name: str
    location: str | None
    nominal: float = 0.0
    noise: float = 0.0
    unit: str = ""
    kind: str = TagKind.NUMBER
    role: str = ""
    low: float | None = None
    high: float | None = None
    key: bool = False
    alarms: tuple = ()  # (kind, limit or state, priority, deadband, on_delay, off_delay, message)


BLUEPRINT: list[TagSpec] = [
    TagSpec("status", "线状态", None, kind=TagKind.STATE, role=TagRole.STATUS),
    TagSpec("grade", "钢种", None, kind=TagKind.TEXT, role=TagRole.GRADE),
    TagSpec("heat", "炉号", None, kind=TagKind.TEXT, role=TagRole.HEAT),
    TagSpec("spec", "规格", None, kind=TagKind.TEXT, role=TagRole.SPEC),
    TagSpec("count", "加工支数", "L07", unit="支", role=TagRole.COUNT, low=0, key=True),
    TagSpec("good", "合格支数", "L06", unit="支", role=TagRole.GOOD, low=0),
    TagSpec("speed", "轧制速度", "L04", 2.4, 0.03, "m/s", role=TagRole.SPEED, low=0, high=20, key=True),
    TagSpec("furnace_t1", "加热段温度", "L02", 1180, 4, "℃", low=0, high=1600, key=True,
            alarms=(("HI", 1230, Priority.MEDIUM, 5, 10, 10, "加热段温度高"),
                    ("LO", 1100, Priority.LOW, 5, 30, 10, "加热段温度低"))),
    TagSpec("furnace_t2", "均热段温度", "L02", 1160, 3, "℃", low=0, high=1600,
            alarms=(("HIHI", 1260, Priority.HIGH, 5, 0, 10, "均热段温度过高"),)),
    TagSpec("furnace_t3", "预热段温度", "L02", 900, 6, "℃", low=0, high=1600),
    TagSpec("exit_temp", "出炉温度", "L02", 1120, 5, "℃", low=0, high=1600),
    TagSpec("gas_flow", "煤气流量", "L02", 5200, 60, "m³/h", low=0, high=20000),
    TagSpec("air_flow", "助燃空气流量", "L02", 14500, 120, "m³/h", low=0, high=50000),
    TagSpec("o2", "烟气含氧量", "L02", 2.5, 0.2, "%", low=0, high=21,
            alarms=(("HI", 5.0, Priority.LOW, 0.3, 60, 30, "烟气含氧量高"),)),
    TagSpec("rough_force", "粗轧轧制力", "L03", 5200, 80, "kN", low=0, high=20000),
    TagSpec("rough_current", "粗轧主电机电流", "L03", 820, 15, "A", low=0, high=3000,
            alarms=(("HI", 1000, Priority.MEDIUM, 20, 5, 5, "粗轧主电机过流"),)),
    TagSpec("finish_force", "精轧轧制力", "L04", 3100, 50, "kN", low=0, high=20000),
    TagSpec("finish_current", "精轧主电机电流", "L04", 640, 12, "A", low=0, high=3000, key=True,
            alarms=(("HI", 800, Priority.MEDIUM, 20, 5, 5, "精轧主电机过流"),
                    ("HIHI", 900, Priority.HIGH, 20, 0, 5, "精轧主电机严重过流"))),
    TagSpec("finish_temp", "终轧温度", "L04", 880, 6, "℃", low=0, high=1600),
    TagSpec("loop_height", "活套高度", "L04", 300, 8, "mm", low=0, high=1000),
    TagSpec("straightener_vib", "矫直机振动", "L05", 2.8, 0.2, "mm/s", low=0, high=100,
            alarms=(("HI", 7.1, Priority.LOW, 0.5, 10, 10, "矫直机振动大"),
                    ("HIHI", 11.2, Priority.HIGH, 0.5, 0, 10, "矫直机振动超限"))),
    TagSpec("straightener_state", "矫直机状态", "L05", kind=TagKind.STATE,
            alarms=(("STATE", "fault", Priority.HIGH, 0, 0, 0, "矫直机故障"),)),
    TagSpec("ndt_defects", "探伤缺陷数", "L06", unit="个", low=0),
    TagSpec("ndt_coupling", "探伤耦合水压", "L06", 0.25, 0.01, "MPa", low=0, high=5,
            alarms=(("LO", 0.15, Priority.LOW, 0.02, 10, 10, "探伤耦合水压低"),)),
    TagSpec("saw_state", "定尺锯状态", "L07", kind=TagKind.STATE,
            alarms=(("STATE", "fault", Priority.MEDIUM, 0, 0, 0, "定尺锯故障"),)),
    TagSpec("saw_wear", "锯片磨损", "L07", 35, 0.1, "%", low=0, high=100,
            alarms=(("HI", 90, Priority.LOW, 1, 0, 0, "锯片需更换"),)),
    TagSpec("bundle_weight", "捆重", "L08", 2.0, 0.05, "t", low=0, high=10),
    TagSpec("hyd_pressure", "液压系统压力", "L09", 16.0, 0.15, "MPa", low=0, high=40, key=True,
            alarms=(("LO", 14.0, Priority.MEDIUM, 0.3, 5, 10, "液压压力低"),
                    ("LOLO", 12.0, Priority.HIGH, 0.3, 0, 10, "液压压力过低"))),
    TagSpec("hyd_oil_temp", "液压油温", "L09", 45, 0.5, "℃", low=-20, high=150,
            alarms=(("HI", 60, Priority.LOW, 2, 30, 30, "液压油温高"),)),
    TagSpec("water_flow", "冷却水流量", "L10", 420, 6, "m³/h", low=0, high=2000,
            alarms=(("LO", 350, Priority.MEDIUM, 10, 10, 10, "冷却水流量低"),)),
    TagSpec("water_temp", "冷却水温度", "L10", 32, 0.4, "℃", low=-20, high=100),
    TagSpec("water_pressure", "冷却水压力", "L10", 0.6, 0.02, "MPa", low=0, high=5),
]



@dataclass(frozen=True)
class Family:
    """A line's product family: the grades it rolls (with their sizes, Φ mm) and how often each comes up."""

    grades: tuple[tuple[str, tuple[int, ...]], ...]
    weights: tuple[int, ...]

    def pick(self, rng: random.Random) -> tuple[str, str]:
        grade, sizes = rng.choices(self.grades, weights=self.weights)[0]
        return grade, f"Φ{rng.choice(sizes)}"

    @property
    def first(self) -> tuple[str, str]:
        grade, sizes = self.grades[0]
        return grade, f"Φ{sizes[0]}"


# 抚顺特钢's 精品汽车钢: SWRCH cold-heading wire rod, SCM (Cr-Mo) fastener steel, gear and crankshaft steel.
AUTO_STEEL = Family(grades=(("SWRCH35K", (10, 12, 14)), ("SWRCH22A", (8, 10, 12)), ("SCM435", (16, 18, 20)),
                            ("SCM440", (20, 22, 25)), ("20CrMnTiH", (30, 35)), ("42CrMoH", (50, 60)),
                            ("40Cr", (40, 45)), ("38MnVS6", (45, 50))),
                    weights=(4, 2, 3, 2, 2, 1, 1, 1))
# 抚顺新钢铁's bar line: hot-rolled ribbed bars (GB/T 1499.2), the grades its lab tests (demo/lab_demo.py).
REBAR = Family(grades=(("HRB400E", (12, 16, 20, 25, 28, 32)), ("HRB500E", (16, 20, 25, 32)), ("HRB400", (12, 14, 16))),
               weights=(6, 3, 1))
FAMILIES: dict[str, Family] = {ProductFamily.AUTO_STEEL: AUTO_STEEL, ProductFamily.REBAR: REBAR}


def family_of(line: ProductionLine) -> Family:
    return FAMILIES.get(line.product_family, AUTO_STEEL)


def heat_prefix(code: str) -> str:
    """A line's own heat series: the initials of its code's parts and its number ("FS-AUTO1" → "FA1",
    "XG-BAR1" → "XB1"), so that two lines never show the same heat number."""
    number = re.search(r"\d*$", code).group()  # type: ignore[union-attr]  # r"\d*$" always matches
    parts = [part for part in re.split(r"[-_]", code.upper()) if part[:1].isalpha()]
    return "".join(part[0] for part in parts) + number


def heat_number(prefix: str, ts: datetime, n: int) -> str:
    return f"{prefix}{ts:%y}{n:05d}"


# A fault: the tag pushed past its alarm limit, then the line stops (or only alarms, when stop is None).
FAULTS = [("finish_current", 960, "fault"), ("hyd_pressure", 11.0, "fault"), ("straightener_state", "fault", "fault"),
          ("saw_state", "fault", "stopped"), ("water_flow", 320, "fault"), ("straightener_vib", 12.5, None),
          ("o2", 6.0, None), ("ndt_coupling", 0.1, None)]


@transaction.atomic
def install_line(enterprise: Unit, code: str, name: str, *, capacity_tonnes: int = 12000,
                 shift_anchor: datetime | None = None, family: str = ProductFamily.AUTO_STEEL) -> ProductionLine:
    """Create a line from the blueprint, with its equipment, tags and alarm definitions; `family` is what it
    rolls (the grades the simulator draws from)."""
    with audit.labelled(audit.Label.INSTALL_LINE):
        line = ProductionLine.objects.create(
            enterprise=enterprise, code=code, name=name, capacity_tonnes=capacity_tonnes, ideal_rate=4,
            product_family=family,
            cold_after_minutes=90, cold_below=900, min_stop_seconds=60,
            **({"shift_anchor": shift_anchor} if shift_anchor else {}))
        places = {loc: Equipment.objects.create(line=line, location=loc, name=label, sort_order=i)
                  for i, (loc, label) in enumerate(EQUIPMENT)}
        for spec in BLUEPRINT:
            tag = Tag.objects.create(line=line, equipment=places.get(spec.location),  # type: ignore[arg-type]  # None: no place
                                     code=spec.code, name=spec.name,
                                     kind=spec.kind, role=spec.role, unit=spec.unit, low=spec.low, high=spec.high,
                                     key=spec.key)
            for kind, limit, priority, deadband, on_delay, off_delay, message in spec.alarms:
                AlarmDefinition.objects.create(
                    tag=tag, kind=kind, priority=priority, deadband=deadband, on_delay=on_delay, off_delay=off_delay,
                    message=message, **({"state": limit} if kind == AlarmKind.STATE else {"limit": limit}))
        line.temperature_tag = Tag.objects.get(line=line, code="furnace_t1")
        line.save(update_fields=["temperature_tag"])
    return line


@dataclass
class Fault:
    tag: str
    value: object
    stop: str | None
    until: datetime
    cold: bool = False


@dataclass
class LineSimulator:
    """One line's telemetry over simulated time: call `message(ts)` at each sampling instant."""

    code: str
    enterprise: str
    seed: int = 1
    family: Family = AUTO_STEEL
    heat_prefix: str = ""
    fault_every: timedelta = timedelta(minutes=40)
    heat_every: timedelta = timedelta(minutes=25)
    rng: random.Random = field(init=False)
    count: int = 0
    good: int = 0
    heat_number: int = 0
    grade: tuple[str, str] | None = None
    heat_started: datetime | None = None
    fault: Fault | None = None
    next_fault: datetime | None = None
    furnace_drop: float = 0.0
    saw_wear: float = 35.0
    last_ts: datetime | None = None
    _dt: float = 1.0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.grade = self.grade or self.family.first
        self.heat_prefix = self.heat_prefix or heat_prefix(self.code)

    @property
    def topic(self) -> str:
        return f"wanghua/v1/{self.enterprise}/{self.code}/data"

    def message(self, ts: datetime) -> bytes:
        return json.dumps({"ts": ts.isoformat(timespec="milliseconds"), "values": self.values(ts)},
                          ensure_ascii=False).encode()

    def values(self, ts: datetime) -> dict[str, object]:
        self._advance(ts)
        running = self.fault is None or self.fault.stop is None
        status = "running" if running else self.fault.stop  # type: ignore[union-attr]  # stopped: by a fault
        grade, size = self.grade or self.family.first
        values: dict[str, object] = {"status": status, "grade": grade, "spec": size,
                                     "heat": heat_number(self.heat_prefix, ts, self.heat_number)}
        for spec in BLUEPRINT:
            if spec.kind == TagKind.NUMBER and spec.role not in (TagRole.COUNT, TagRole.GOOD):
                values[spec.code] = round(self.rng.gauss(spec.nominal, spec.noise), 3) if running else 0.0
        values["speed"] = values["speed"] if running else 0.0
        for code in ("furnace_t1", "furnace_t2", "furnace_t3", "exit_temp"):  # the furnace stays hot unless cold
            nominal = next(s.nominal for s in BLUEPRINT if s.code == code)
            values[code] = round(self.rng.gauss(nominal, 3) - self.furnace_drop, 1)
        values["hyd_pressure"] = round(self.rng.gauss(16.0, 0.15), 2)
        values["water_flow"] = round(self.rng.gauss(420, 6), 1)
        values["hyd_oil_temp"] = round(self.rng.gauss(45, 0.5), 1)
        values["saw_wear"] = round(self.saw_wear, 2)
        values["straightener_state"] = "run" if running else "stop"
        values["saw_state"] = "run" if running else "stop"
        if self.fault is not None:
            values[self.fault.tag] = self.fault.value
        if running:  # about 4 pieces a minute, whatever the sampling step
            made = sum(self.rng.random() < 4 / 60 for _ in range(max(1, round(self._dt))))
            self.count += made
            self.good += sum(self.rng.random() > 0.004 for _ in range(made))
        values["count"], values["good"] = self.count, self.good
        values["ndt_defects"] = self.count - self.good
        return values

    def _advance(self, ts: datetime) -> None:
        self._dt = (ts - self.last_ts).total_seconds() if self.last_ts else 1.0
        self.last_ts = ts
        if self.heat_started is None or ts - self.heat_started >= self.heat_every:
            self.heat_number += 1
            self.heat_started = ts
            if self.heat_number % 4 == 0:
                self.grade = self.family.pick(self.rng)
        if self.next_fault is None:
            self.next_fault = ts + self._gap()
        if self.fault is not None and ts >= self.fault.until:
            self.fault = None
            self.next_fault = ts + self._gap()
        if self.fault is None and ts >= self.next_fault:
            tag, value, stop = self.rng.choice(FAULTS)
            cold = stop is not None and self.rng.random() < 0.2
            minutes = self.rng.uniform(95, 150) if cold else self.rng.uniform(2, 15)
            self.fault = Fault(tag, value, stop, ts + timedelta(minutes=minutes), cold)
        cooling = self.fault is not None and self.fault.cold
        step = self._dt
        self.furnace_drop = (min(self.furnace_drop + 0.08 * step, 420) if cooling
                             else max(self.furnace_drop - 0.5 * step, 0))
        self.saw_wear = 20.0 if self.saw_wear >= 92 else self.saw_wear + 0.0005 * step

    def _gap(self) -> timedelta:
        return timedelta(seconds=self.rng.expovariate(1 / self.fault_every.total_seconds()))


def simulators_for(lines, **options) -> list[LineSimulator]:
    """One simulator per line, seeded by its code, rolling the line's product family in the line's heat series,
    going on from the line's snapshot (counters, heat, grade)."""
    from .models import LiveSnapshot

    snapshots = {s.line_id: s for s in LiveSnapshot.objects.filter(line__in=[line.pk for line in lines])}
    simulators = []
    for line in lines:
        family = family_of(line)
        simulator = LineSimulator(line.code, line.enterprise.code, seed=sum(map(ord, line.code)), family=family,
                                  **options)
        snapshot = snapshots.get(line.pk)
        if snapshot is not None:
            simulator.count, simulator.good = snapshot.count, snapshot.good
            simulator.heat_number = int(snapshot.heat[-5:]) if snapshot.heat[-5:].isdigit() else 0
            if snapshot.grade in dict(family.grades):
                simulator.grade = (snapshot.grade, snapshot.spec)
        simulators.append(simulator)
    return simulators


def backfill(simulators: list[LineSimulator], start: datetime, end: datetime, *, step: float = 1.0,
             send: Callable[[list[tuple[str, bytes]]], None], batch: int = 600) -> int:
    """Simulated history from `start` to `end`, sent in batches; returns the number of messages."""
    pending: list[tuple[str, bytes]] = []
    sent, ts = 0, start
    while ts < end:
        pending.extend((sim.topic, sim.message(ts)) for sim in simulators)
        if len(pending) >= batch:
            send(pending)
            sent += len(pending)
            pending = []
        ts += timedelta(seconds=step)
    if pending:
        send(pending)
        sent += len(pending)
    return sent


def run_live(simulators: list[LineSimulator], *, send: Callable[[list[tuple[str, bytes]]], None],
             period: float = 1.0, stop: threading.Event | None = None, duration: float | None = None) -> int:
    """One message per line every `period` seconds of real time, until stopped."""
    stop = stop or threading.Event()
    began = time.monotonic()
    ticks = 0
    while not stop.is_set() and (duration is None or time.monotonic() - began < duration):
        now = timezone.now()
        send([(sim.topic, sim.message(now)) for sim in simulators])
        ticks += 1
        stop.wait(max(0.0, began + ticks * period - time.monotonic()))
    return ticks * len(simulators)


def local_sender(pipeline=None) -> Callable[[list[tuple[str, bytes]]], None]:
    """The in-process transport: straight into the ingest pipeline (the demo, the tests)."""
    from .telemetry.decode import Message
    from .telemetry.pipeline import Pipeline

    pipeline = pipeline or Pipeline()
    return lambda batch: pipeline.process([Message(payload, topic, "local") for topic, payload in batch])


def start_background(period: float = 1.0) -> threading.Thread:
    """`wanghua serve --simulate`: the demo lines move while the site is served."""
    from django.db import close_old_connections

    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            close_old_connections()
            try:
                lines = list(ProductionLine.objects.filter(active=True, tags__code="status").select_related(
                    "enterprise"))
                run_live(simulators_for(lines), send=local_sender(), period=period, stop=stop)
            except Exception:  # the demo must keep moving; the error is logged, the loop starts over
                logging.getLogger("wanghua.simulate").exception("simulator failed; restarting")
                stop.wait(5)

    thread = threading.Thread(target=loop, name="wanghua-simulator", daemon=True)
    thread.start()
    return thread
