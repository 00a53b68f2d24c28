"""The ingest pipeline: decode → validate → live snapshot → alarms → stops → batched sample writes → commit.

Every transport (MQTT, the HTTP endpoint, the in-process simulator) hands a batch of raw messages to
`Pipeline.process`, which commits them in one transaction and only then returns; the MQTT worker
acknowledges after that. A bad message (or one bad value in it) becomes a dead letter with its
reason; it never stops the batch and never corrupts what is stored.

Message (JSON, UTF-8), on topic ``wanghua/v1/<enterprise>/<line>/data`` or posted over HTTP with a
``"line"`` key::

    {"ts": "2026-11-29T08:00:00.250+08:00", "values": {"speed": 2.31, "status": "running", "heat": "H-1"}}

Idempotency: (tag, ts) is unique. A line's samples are taken in time order; the line's watermark is
its newest committed sample time. A value at or before the watermark is a redelivery when the same
value is already stored (skipped, counted as a duplicate), otherwise it is out of order or a
conflicting duplicate and becomes a dead letter.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import alarms, stops
from .models import DeadLetter, Heat, LineStatus, LiveSnapshot, ProductionLine, Sample, Tag, TagKind, TagRole

MAX_PAYLOAD = 64 * 1024
MAX_VALUES = 500
FUTURE_TOLERANCE = timedelta(minutes=5)
DEFINITIONS_TTL = 60.0  # seconds a worker trusts its cached line and tag definitions
TOPIC_PREFIX = "wanghua/v1/"


@dataclass
class Message:
    payload: bytes
    topic: str = ""
    source: str = "local"


@dataclass
class BatchResult:
    messages: int = 0
    samples: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class Reading:
    """A decoded, validated message of one line."""

    line: ProductionLine
    ts: datetime
    values: dict[str, object]
    message: Message


@dataclass
class LineDefinitions:
    line: ProductionLine
    tags: dict[str, Tag]


class Rejected(Exception):
    """A message or value the pipeline will not take; the text is the dead letter's reason."""


def line_code_of(topic: str) -> str | None:
    parts = topic.split("/")
    if len(parts) == 5 and topic.startswith(TOPIC_PREFIX) and parts[4] == "data":
        return parts[3]
    return None


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
            tag.lowest = tag.low if tag.low is not None else -sys.float_info.max
            tag.highest = tag.high if tag.high is not None else sys.float_info.max
            tags[tag.line_id][tag.code] = tag
        self._definitions = {line.code: LineDefinitions(line, tags[pk]) for pk, line in lines.items()}
        alarms.forget_definitions()
        self._loaded_at = time.monotonic()

    # --- decode and validate -----------------------------------------------------------------
    def decode(self, message: Message, now: datetime, allowed_lines: set[str] | None = None) -> Reading:
        if len(message.payload) > MAX_PAYLOAD:
            raise Rejected(f"payload of {len(message.payload)} bytes is over the {MAX_PAYLOAD}-byte limit")
        try:
            body = json.loads(message.payload)
        except (UnicodeDecodeError, ValueError) as exc:
            raise Rejected(f"not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise Rejected("the message must be a JSON object")
        code = line_code_of(message.topic) if message.topic else body.get("line")
        if not isinstance(code, str) or not code:
            raise Rejected("no line: use the topic wanghua/v1/<enterprise>/<line>/data or a \"line\" key")
        definitions = self.definitions(code)
        if definitions is None:
            raise Rejected(f"unknown line {code!r}")
        if allowed_lines is not None and code not in allowed_lines:
            raise Rejected(f"line {code!r} is not one this sender may write")
        ts = _timestamp(body.get("ts"))
        if ts > now + FUTURE_TOLERANCE:
            raise Rejected(f"timestamp {body.get('ts')} is in the future")
        values = body.get("values")
        if not isinstance(values, dict) or not values:
            raise Rejected("\"values\" must be a non-empty object of tag code → value")
        if len(values) > MAX_VALUES:
            raise Rejected(f"more than {MAX_VALUES} values in one message")
        return Reading(definitions.line, ts, values, message)

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
                reading = self.decode(message, now, allowed_lines)
            except Rejected as exc:
                dead.append(_dead_letter(message, str(exc)))
                continue
            by_line[reading.line.pk].append(reading)
        with transaction.atomic():
            writer = SampleWriter()
            for readings in by_line.values():
                self._take_line(readings, writer, dead, result)
            result.samples = writer.flush()
            DeadLetter.objects.bulk_create(dead)
        result.dead_letters = len(dead)
        result.reasons = [d.reason for d in dead]
        return result

    def _take_line(self, readings: list[Reading], writer: SampleWriter, dead: list[DeadLetter],
                   result: BatchResult) -> None:
        line = readings[0].line
        definitions = self._definitions[line.code]
        # The snapshot row is the line's lock: two workers given the same line serialise here.
        snapshot, _created = LiveSnapshot.objects.select_for_update().get_or_create(line=line)
        readings.sort(key=lambda r: r.ts)
        stored = self._stored_before(readings, snapshot.watermark, definitions)
        live = LineState(line, snapshot)
        tags, previous = definitions.tags, None
        for reading in readings:
            # Only a reading at or before what is already taken can repeat a stored or batched value.
            checked = reading.ts == previous or (snapshot.watermark is not None and reading.ts <= snapshot.watermark)
            previous = reading.ts
            accepted = []
            for code, raw in reading.values.items():
                try:
                    tag = tags.get(code) if isinstance(code, str) else None
                    if tag is None:
                        raise Rejected(f"unknown tag {code!r} on line {line.code}")
                    kind = type(raw)  # the common case inline: a finite number within the tag's range (NaN fails)
                    if tag.numeric and (kind is float or kind is int) and tag.lowest <= raw <= tag.highest:
                        value, text = float(raw), ""
                    else:
                        value, text = _typed(tag, raw)
                    if checked:
                        key = (tag.id, reading.ts)
                        if key in stored:
                            if stored[key] != (value, text):
                                raise Rejected(f"conflicting duplicate for {code} at {reading.ts.isoformat()}")
                            result.duplicates += 1
                            continue
                        if snapshot.watermark is not None and reading.ts < snapshot.watermark:
                            raise Rejected(f"out of order: {code} at {reading.ts.isoformat()} is before "
                                           f"{snapshot.watermark.isoformat()}")
                except Rejected as exc:
                    dead.append(_dead_letter(reading.message, str(exc), line))
                    continue
                stored[(tag.id, reading.ts)] = (value, text)
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
        self.alarms = alarms.Evaluator(line)
        self.stops = stops.Detector(line, snapshot.status)
        self.heat: Heat | None = None

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
            snapshot.status = text if text in LineStatus.values else LineStatus.UNKNOWN
        elif role == TagRole.SPEED:
            snapshot.speed = value
        elif role in (TagRole.COUNT, TagRole.GOOD) and value is not None:
            previous = snapshot.count if role == TagRole.COUNT else snapshot.good
            if role == TagRole.COUNT:
                snapshot.count = int(value)
                if value > previous:
                    self._current_heat(ts).pieces += int(value - previous)
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


class SampleWriter:
    """Collects accepted samples and writes them at the end of the batch: COPY on PostgreSQL, a
    multi-row insert on SQLite; both with ON CONFLICT DO NOTHING on the (tag, ts) key."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, datetime, float | None, str]] = []
        self.rollups: dict[tuple[int, datetime], list[float]] = {}

    def add(self, ts: datetime, accepted: list[tuple[Tag, float | None, str]]) -> None:
        minute = ts.replace(second=0, microsecond=0)
        rows, rollups = self.rows, self.rollups
        for tag, value, text in accepted:
            rows.append((tag.id, ts, value, text))
            if value is None:
                continue
            entry = rollups.get((tag.id, minute))
            if entry is None:
                rollups[(tag.id, minute)] = [1, value, value, value, value]
            else:
                entry[0] += 1
                entry[1] += value
                if value < entry[2]:
                    entry[2] = value
                if value > entry[3]:
                    entry[3] = value
                entry[4] = value

    def flush(self) -> int:
        if not self.rows:
            return 0
        if connection.vendor == "postgresql":
            _copy_samples(self.rows)
        else:
            _insert_samples(self.rows)
        _merge_rollups(self.rollups)
        return len(self.rows)


def _copy_samples(rows) -> None:
    """Straight into the table: the line lock and the watermark check make a conflict impossible here,
    and the (tag, ts) key would still refuse one (the batch would then be retried message by message)."""
    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY industry_sample (tag_id, ts, value, text) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_samples(rows) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO industry_sample (tag_id, ts, value, text) VALUES (%s, %s, %s, %s) "
                           "ON CONFLICT DO NOTHING", [(t, adapt(ts), v, x) for t, ts, v, x in rows])


def _merge_rollups(rollups: dict[tuple[int, datetime], list[float]]) -> None:
    if not rollups:
        return
    lesser, greater = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    adapt = connection.ops.adapt_datetimefield_value
    sql = ("INSERT INTO industry_minuterollup (tag_id, minute, n, total, low, high, last) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tag_id, minute) DO UPDATE SET "
           "n = industry_minuterollup.n + excluded.n, total = industry_minuterollup.total + excluded.total, "
           f"low = {lesser}(industry_minuterollup.low, excluded.low), "
           f"high = {greater}(industry_minuterollup.high, excluded.high), last = excluded.last")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(tag_id, adapt(minute), *entry) for (tag_id, minute), entry in rollups.items()])


def _timestamp(raw) -> datetime:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
        try:
            ts = datetime.fromtimestamp(raw, tz=timezone.get_current_timezone())
        except (OverflowError, OSError, ValueError):
            raise Rejected(f"timestamp {raw!r} is out of range") from None
        if ts.year < 1970:
            raise Rejected(f"timestamp {raw!r} is before 1970")
        return ts
    if not isinstance(raw, str):
        raise Rejected("\"ts\" must be an ISO 8601 time or Unix seconds")
    try:
        ts = parse_datetime(raw)
    except ValueError:
        ts = None
    if ts is None:
        raise Rejected(f"\"ts\" {raw[:40]!r} is not an ISO 8601 time")
    if timezone.is_aware(ts) and abs(ts.utcoffset()) > timedelta(hours=14):
        raise Rejected(f"\"ts\" {raw[:40]!r} has a time-zone offset beyond ±14:00")
    ts = ts if timezone.is_aware(ts) else timezone.make_aware(ts)
    if ts.year < 1970:
        raise Rejected(f"timestamp {raw[:40]!r} is before 1970")
    return ts


def _typed(tag: Tag, raw) -> tuple[float | None, str]:
    """The value as stored: a finite float within the tag's valid range, or a short text."""
    if tag.kind == TagKind.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            raise Rejected(f"{tag.code} needs a number, got {json.dumps(raw, ensure_ascii=False)[:40]}")
        value = float(raw)
        if (tag.low is not None and value < tag.low) or (tag.high is not None and value > tag.high):
            raise Rejected(f"{tag.code}={value} is outside its valid range {tag.low}…{tag.high}")
        return value, ""
    if isinstance(raw, bool):
        raw = "1" if raw else "0"
    if isinstance(raw, (int, float)) and math.isfinite(raw):
        raw = str(int(raw)) if float(raw).is_integer() else str(raw)
    if not isinstance(raw, str) or len(raw) > 60 or "\x00" in raw:
        raise Rejected(f"{tag.code} needs a short text, got {json.dumps(raw, ensure_ascii=False)[:40]}")
    return None, raw


def _dead_letter(message: Message, reason: str, line: ProductionLine | None = None) -> DeadLetter:
    payload = message.payload[:MAX_PAYLOAD].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return DeadLetter(source=message.source, topic=message.topic[:200], line=line, reason=reason[:300],
                      payload=payload)
