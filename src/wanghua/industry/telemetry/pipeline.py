"""The ingest pipeline: decode → validate → live snapshot → alarms → stops → batched sample writes → commit.

Every transport (MQTT, the HTTP endpoint, the in-process simulator) hands a batch of raw messages to
`Pipeline.process`, which commits them in one transaction and only then returns; the MQTT worker
acknowledges after that. A bad message (or one bad value in it) becomes a dead letter with its
reason; it never stops the batch and never corrupts what is stored.

Idempotency: (tag, ts) is unique. A line's samples are taken in time order; the line's watermark is
its newest committed sample time. A value at or before the watermark is a redelivery when the same
value is already stored (skipped, counted as a duplicate), otherwise it is out of order or a
conflicting duplicate and becomes a dead letter.

Stops are detected here from the line status, classified hot or cold when they end, and located at the
equipment whose alarm was raised last before them.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from wanghua.core import audit

from ..models import DeadLetter, Heat, LineStatus, LiveSnapshot, ProductionLine, Sample, Stop, Tag, TagKind, TagRole
from . import partitions
from .decode import MAX_PAYLOAD, MAX_PIECES, Message, Reading, Rejected, decode, text_limit, typed, value_range
from .evaluator import Evaluator, forget_definitions
from .writer import SampleWriter

log = logging.getLogger("wanghua.ingest")

DEFINITIONS_TTL = 60.0  # seconds a worker trusts its cached line and tag definitions
STOPPED = (LineStatus.STOPPED, LineStatus.FAULT)
STATUSES = frozenset(LineStatus.values)


@dataclass
class BatchResult:
    messages: int = 0
    samples: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class LineDefinitions:
    line: ProductionLine
    tags: dict[str, Tag]


class Pipeline:
    """One per worker process. Caches definitions; `process` is the whole pipeline for one batch."""

    def __init__(self) -> None:
        self._definitions: dict[str, LineDefinitions] = {}
        self._loaded_at = 0.0
        self._signature: dict | None = None

    # --- definitions -------------------------------------------------------------------------
    def definitions(self, code: str) -> LineDefinitions | None:
        return self._definitions.get(code)

    def refresh(self) -> None:
        """Reload definitions when lines or tags were added or removed (one cheap query per batch),
        and at least every DEFINITIONS_TTL seconds so edited limits and roles are taken too."""
        signature = (ProductionLine.objects.aggregate(n=Count("pk"), top=Max("pk"))
                     | {f"tag_{k}": v for k, v in Tag.objects.aggregate(n=Count("pk"), top=Max("pk")).items()})
        if signature != self._signature or time.monotonic() - self._loaded_at > DEFINITIONS_TTL:
            self.reload()
            self._signature = signature

    def reload(self) -> None:
        lines = {line.pk: line for line in ProductionLine.objects.filter(active=True)}
        tags: dict[int, dict[str, Tag]] = defaultdict(dict)
        for tag in Tag.objects.filter(line__in=lines.keys()).select_related("equipment"):
            # What the hot path checks; anything else goes through _typed, which says what is wrong.
            tag.numeric = tag.kind == TagKind.NUMBER
            tag.longest = text_limit(tag)
            lowest, highest = value_range(tag)
            tag.lowest = max(tag.low, lowest) if tag.low is not None else lowest
            tag.highest = min(tag.high, highest) if tag.high is not None else highest
            tags[tag.line_id][tag.code] = tag
        self._definitions = {line.code: LineDefinitions(line, tags[pk]) for pk, line in lines.items()}
        forget_definitions()
        self._loaded_at = time.monotonic()

    def line_of(self, code: str) -> ProductionLine | None:
        definitions = self._definitions.get(code)
        return definitions.line if definitions else None

    # --- the pipeline --------------------------------------------------------------------------
    def process(self, messages: list[Message], allowed_lines: set[str] | None = None) -> BatchResult:
        """Take a batch; returns once it is committed (so the caller may acknowledge it).
        `allowed_lines` limits a sender (an HTTP gateway's token) to its own lines."""
        result = BatchResult(messages=len(messages))
        now = timezone.now()
        self.refresh()
        dead: list[DeadLetter] = []
        by_line: dict[int, list[Reading]] = defaultdict(list)
        for message in messages:
            try:
                reading = decode(message, now, self.line_of, allowed_lines)
            except Rejected as exc:
                dead.append(dead_letter(message, str(exc)))
                continue
            except Exception as exc:  # whatever a payload does to the decoder, it is that message's fault alone
                log.exception("decoding a message failed")
                dead.append(dead_letter(message, f"cannot decode: {type(exc).__name__}: {exc}"))
                continue
            by_line[reading.line.pk].append(reading)
        with transaction.atomic():
            for readings in by_line.values():
                self._take_line_safely(readings, dead, result)
            DeadLetter.objects.bulk_create(dead)
        result.dead_letters = len(dead)
        result.reasons = [d.reason for d in dead]
        return result

    def _take_line_safely(self, readings: list[Reading], dead: list[DeadLetter], result: BatchResult) -> None:
        """A line's readings in a savepoint of their own. Should anything fail in them (a value no column holds,
        a bug), the savepoint is rolled back and the line is taken again message by message, each in its own
        savepoint: the message that fails becomes a dead letter with the error, the others are kept, and the
        other lines of the batch never notice."""
        taken: list[DeadLetter] = []
        before = (result.samples, result.duplicates)
        try:
            with transaction.atomic():
                self._take_line_written(readings, taken, result)
            dead.extend(taken)
            return
        except Exception:
            result.samples, result.duplicates = before  # partitions made in the savepoint were never known
            log.exception("line %s: batch of %d failed; taking its messages one by one", readings[0].line.code,
                          len(readings))
        for reading in sorted(readings, key=lambda r: r.ts):
            own: list[DeadLetter] = []
            before = (result.samples, result.duplicates)
            try:
                with transaction.atomic():
                    self._take_line_written([reading], own, result)
            except Exception as exc:
                result.samples, result.duplicates = before
                own = [dead_letter(reading.message, f"cannot store: {type(exc).__name__}: {exc}", reading.line)]
            dead.extend(own)

    def _take_line_written(self, readings: list[Reading], dead: list[DeadLetter], result: BatchResult) -> None:
        writer = SampleWriter()
        try:
            self._take_line(readings, writer, dead, result)
        except BaseException as exc:
            writer.abort(exc)
            raise
        result.samples += writer.flush()

    def _take_line(self, readings: list[Reading], writer: SampleWriter, dead: list[DeadLetter],
                   result: BatchResult) -> None:
        line = readings[0].line
        definitions = self._definitions[line.code]
        # The snapshot row is the line's lock: two workers given the same line serialise here.
        snapshot, _created = LiveSnapshot.objects.select_for_update().get_or_create(line=line)
        readings.sort(key=lambda r: r.ts)
        stored = self._stored_before(readings, snapshot.watermark, definitions)
        # What this batch took at the current time: readings are in time order, so only a reading at the same time
        # as the one before can repeat a value of the batch (no dictionary entry per sample for the others).
        recent: dict[int, tuple[float | None, str]] = {}
        live = LineState(line, snapshot)
        tags, previous = definitions.tags, None
        oldest = retained_since(timezone.now())
        if readings[-1].ts >= oldest:  # from here the samples stream: what the line state usually reads comes first
            live.prefetch()
            writer.stream(max(readings[0].ts, oldest), readings[-1].ts)
        for reading in readings:
            if reading.ts < oldest:  # retention would remove it tonight (and its partition is gone)
                dead.append(dead_letter(reading.message, f"older than the sample retention: {reading.ts.isoformat()} "
                                        f"is before {oldest.isoformat()}", line))
                continue
            # Only a reading at or before what is already taken can repeat a stored or batched value.
            if reading.ts != previous:
                recent = {}
            checked = reading.ts == previous or (snapshot.watermark is not None and reading.ts <= snapshot.watermark)
            previous = reading.ts
            accepted: list[tuple[Tag, float | None, str]] = []
            for code, raw in reading.values.items():
                try:
                    tag = tags.get(code) if isinstance(code, str) else None
                    if tag is None:
                        raise Rejected(f"unknown tag {code!r} on line {line.code}")
                    kind = type(raw)  # the common case inline: a finite number within the tag's range (NaN fails)
                    value: float | None
                    if tag.numeric and (kind is float or kind is int) and tag.lowest <= raw <= tag.highest:  # type: ignore[operator]  # a number here
                        value, text = float(raw), ""  # type: ignore[arg-type]  # a number here
                    elif kind is str and not tag.numeric and len(raw) <= tag.longest and "\x00" not in raw:  # type: ignore[arg-type, operator]  # a text here
                        value, text = None, raw  # type: ignore[assignment]  # a text here
                    else:
                        value, text = typed(tag, raw)
                    if checked:
                        key = (tag.id, reading.ts)
                        known = recent.get(tag.id) or stored.get(key)
                        if known is not None:
                            if known != (value, text):
                                raise Rejected(f"conflicting duplicate for {code} at {reading.ts.isoformat()}")
                            result.duplicates += 1
                            continue
                        if snapshot.watermark is not None and reading.ts < snapshot.watermark:
                            raise Rejected(f"out of order: {code} at {reading.ts.isoformat()} is before "
                                           f"{snapshot.watermark.isoformat()}")
                except Rejected as exc:
                    dead.append(dead_letter(reading.message, str(exc), line))
                    continue
                recent[tag.id] = (value, text)
                accepted.append((tag, value, text))
            if accepted:
                writer.add(reading.ts, accepted)
                live.take(reading.ts, accepted)
        live.save()

    def _stored_before(self, readings: list[Reading], watermark: datetime | None,
                       definitions: LineDefinitions) -> dict[tuple[int, datetime], tuple[float | None, str]]:
        """Samples already stored for the readings at or before the watermark (possible redeliveries)."""
        if watermark is None:
            return {}
        old = [r for r in readings if r.ts <= watermark]
        if not old:
            return {}
        tags = definitions.tags
        tag_ids = {tags[c].pk for r in old for c in r.values if isinstance(c, str) and c in tags}
        rows = Sample.objects.filter(tag_id__in=tag_ids, ts__gte=old[0].ts, ts__lte=old[-1].ts)
        return {(t, ts): (value, text) for t, ts, value, text in rows.values_list("tag_id", "ts", "value", "text")}


class LineState:
    """The line's live state while a batch is applied: snapshot, heats, alarms and stops."""

    def __init__(self, line: ProductionLine, snapshot: LiveSnapshot) -> None:
        self.line = line
        self.snapshot = snapshot
        self.alarms = Evaluator(line)
        self.stops = StopDetector(line, snapshot.status)
        self.heat: Heat | None = None

    def prefetch(self) -> None:
        """What taking the readings usually reads, read before the samples stream: the alarm states (locked), the
        open stop and the current heat. Anything rarer (a heat change, a stop's cause) ends the open COPY for its
        query (SampleWriter's query guard)."""
        if self.alarms.by_tag:
            self.alarms.states()
        self.stops.open_stop()
        self.heat = Heat.objects.filter(line=self.line, number=self.snapshot.heat or "—").first()

    def take(self, ts: datetime, accepted: list[tuple[Tag, float | None, str]]) -> None:
        snapshot, alarmed, temperature = self.snapshot, self.alarms.by_tag, self.line.temperature_tag_id
        values = snapshot.values
        for tag, value, text in accepted:
            values[tag.code] = value if value is not None else text
            if tag.role:
                self._take_role(tag.role, ts, value, text)
            if tag.id in alarmed:
                self.alarms.take(tag, ts, value, text)
            if tag.id == temperature and value is not None:
                self.stops.temperature(value)
        self.stops.status(ts, snapshot.status, self.alarms)
        snapshot.watermark = ts

    def _take_role(self, role: str, ts: datetime, value: float | None, text: str) -> None:
        snapshot = self.snapshot
        if role == TagRole.STATUS:
            snapshot.status = text if text in STATUSES else LineStatus.UNKNOWN
        elif role == TagRole.SPEED:
            snapshot.speed = value
        elif role in (TagRole.COUNT, TagRole.GOOD) and value is not None:
            previous = snapshot.count if role == TagRole.COUNT else snapshot.good
            if role == TagRole.COUNT:
                snapshot.count = int(value)
                if value > previous:
                    heat = self._current_heat(ts)
                    heat.pieces = min(heat.pieces + int(value - previous), MAX_PIECES)  # the column's ceiling
            else:
                snapshot.good = int(value)
        elif role == TagRole.HEAT and text and text != snapshot.heat:
            self._change_heat(ts, text)
        elif role == TagRole.GRADE:
            snapshot.grade = text
        elif role == TagRole.SPEC:
            snapshot.spec = text

    def _current_heat(self, ts: datetime) -> Heat:
        if self.heat is None:
            number = self.snapshot.heat or "—"
            self.heat = Heat.objects.filter(line=self.line, number=number).first() or Heat(
                line=self.line, number=number, grade=self.snapshot.grade, spec=self.snapshot.spec, started_at=ts)
        return self.heat

    def _change_heat(self, ts: datetime, number: str) -> None:
        if self.snapshot.heat:
            current = self._current_heat(ts)
            current.ended_at = ts
            current.save()
        self.snapshot.heat = number
        self.heat = Heat.objects.filter(line=self.line, number=number).first() or Heat(
            line=self.line, number=number, grade=self.snapshot.grade, spec=self.snapshot.spec, started_at=ts)
        self.heat.save()

    def save(self) -> None:
        if self.heat is not None:
            self.heat.save()
        self.alarms.save()
        self.stops.save()
        self.snapshot.updated_at = timezone.now()
        self.snapshot.save()


def classify(line: ProductionLine, stop: Stop) -> str:
    """Cold when it lasted at least the line's threshold or the line cooled below its set point."""
    long = stop.seconds is not None and stop.seconds >= line.cold_after_minutes * 60
    cooled = (line.cold_below is not None and stop.min_temperature is not None
              and stop.min_temperature < line.cold_below)
    return Stop.Kind.COLD if long or cooled else Stop.Kind.HOT


class StopDetector:
    """Stop detection for one line during one ingest batch."""

    def __init__(self, line: ProductionLine, status: str) -> None:
        self.line = line
        self.previous = status
        self._open: Stop | bool | None = False  # False: not loaded yet
        self.changed: list[Stop] = []
        self.discarded: list[Stop] = []

    def open_stop(self) -> Stop | None:
        if self._open is False:
            self._open = Stop.objects.filter(line=self.line, ended_at__isnull=True).first()
        return self._open  # type: ignore[return-value]  # loaded: a Stop or None

    def temperature(self, value: float) -> None:
        stop = self.open_stop() if self.previous in STOPPED else None
        if stop is not None and (stop.min_temperature is None or value < stop.min_temperature):
            stop.min_temperature = value
            self._touch(stop)

    def status(self, ts: datetime, status: str, alarms) -> None:
        if status == self.previous:
            return
        stop = self.open_stop()
        if status in STOPPED and stop is None:
            self._open = Stop(line=self.line, started_at=ts, location_id=alarms.cause_before(ts),
                              by_fault=status == LineStatus.FAULT)
            self._touch(self._open)
        elif status == LineStatus.RUNNING and stop is not None:
            stop.ended_at = ts
            if stop.seconds < self.line.min_stop_seconds:  # type: ignore[operator]  # ended: it has its length
                self.discarded.append(stop)  # a hiccup, not a stop
            else:
                stop.kind = classify(self.line, stop)
                self._touch(stop)
            self._open = None
        self.previous = status

    def _touch(self, stop: Stop) -> None:
        if stop not in self.changed:
            self.changed.append(stop)

    def save(self) -> None:
        with audit.labelled(audit.Label.INGEST_STOPS):
            for stop in self.discarded:
                if stop.pk:
                    stop.delete()
            for stop in self.changed:
                if stop not in self.discarded:
                    stop.save()


def retained_since(now: datetime) -> datetime:
    """The oldest sample time kept (retention works in whole partitions, on both backends)."""
    return partitions.retention_boundary(partitions.SAMPLES, now - timedelta(days=settings.TELEMETRY_RAW_DAYS))


def dead_letter(message: Message, reason: str, line: ProductionLine | None = None) -> DeadLetter:
    payload = message.payload[:MAX_PAYLOAD].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return DeadLetter(source=message.source, topic=message.topic[:200], line=line, reason=reason[:300],
                      payload=payload)
