"""Decoding: a raw payload becomes a `Reading` of one line, or is `Rejected` with the dead letter's reason.

Message (JSON, UTF-8), on topic ``wanghua/v1/<enterprise>/<line>/data`` or posted over HTTP with a
``"line"`` key::

    {"ts": "2026-11-29T08:00:00.250+08:00", "values": {"speed": 2.31, "status": "running", "heat": "H-1"}}

Values are typed against their tag here too (`typed`), so the pipeline stores only what a tag may hold.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Heat, LiveSnapshot, ProductionLine, Sample, Tag, TagKind, TagRole

MAX_PAYLOAD = 64 * 1024
MAX_DEPTH = 8  # a message is an object of scalars (depth 2), an HTTP post an array of them (3)
MAX_COUNTER = 2**53  # counters are stored as integers; above this a float no longer holds every integer
MAX_PIECES = 2**31 - 1  # a heat's pieces column
# Any other number: no plant measures beyond ±10¹⁵ (a reading there is a gateway's fault), and within it a minute's
# sum in the rollups stays finite — ±1e308 would overflow it to Infinity, which no chart's JSON can carry.
MAX_MAGNITUDE = 1e15
MAX_VALUES = 500
FUTURE_TOLERANCE = timedelta(minutes=5)
TOPIC_PREFIX = "wanghua/v1/"


@dataclass
class Message:
    payload: bytes
    topic: str = ""
    source: str = "local"


@dataclass
class Reading:
    """A decoded, validated message of one line."""

    line: ProductionLine
    ts: datetime
    values: dict[str, object]
    message: Message


class Rejected(Exception):
    """A message or value the pipeline will not take; the text is the dead letter's reason."""


def line_code_of(topic: str) -> str | None:
    parts = topic.split("/")
    if len(parts) == 5 and topic.startswith(TOPIC_PREFIX) and parts[4] == "data":
        return parts[3]
    return None


def decode(message: Message, now: datetime, line_of: Callable[[str], ProductionLine | None],
           allowed_lines: set[str] | None = None) -> Reading:
    """The message as a reading of a known line (`line_of(code)`), or Rejected with the reason."""
    if len(message.payload) > MAX_PAYLOAD:
        raise Rejected(f"payload of {len(message.payload)} bytes is over the {MAX_PAYLOAD}-byte limit")
    body = load_json(message.payload)
    if not isinstance(body, dict):
        raise Rejected("the message must be a JSON object")
    code = line_code_of(message.topic) if message.topic else body.get("line")
    if not isinstance(code, str) or not code:
        raise Rejected("no line: use the topic wanghua/v1/<enterprise>/<line>/data or a \"line\" key")
    line = line_of(code)
    if line is None:
        raise Rejected(f"unknown line {code!r}")
    if allowed_lines is not None and code not in allowed_lines:
        raise Rejected(f"line {code!r} is not one this sender may write")
    ts = timestamp(body.get("ts"))
    if ts > now + FUTURE_TOLERANCE:
        raise Rejected(f"timestamp {body.get('ts')} is in the future")
    values = body.get("values")
    if not isinstance(values, dict) or not values:
        raise Rejected("\"values\" must be a non-empty object of tag code → value")
    if len(values) > MAX_VALUES:
        raise Rejected(f"more than {MAX_VALUES} values in one message")
    return Reading(line, ts, values, message)


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_DEPTH_STEP = [0] * 256
_DEPTH_STEP[ord("[")] = _DEPTH_STEP[ord("{")] = 1
_DEPTH_STEP[ord("]")] = _DEPTH_STEP[ord("}")] = -1


def nesting(payload: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings do not count). Regular
    expressions keep only the brackets and a running sum in C measures the depth, so a 5 MB body costs
    milliseconds rather than a Python loop over every byte."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", payload))
    return max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def load_json(payload: bytes, max_depth: int = MAX_DEPTH):
    """JSON with its nesting limited before it is parsed: a 50,000-deep array would exhaust the parser's
    recursion. Counting brackets first is C-fast; the exact scan runs only when there are many."""
    if payload.count(b"[") + payload.count(b"{") > max_depth and nesting(payload) > max_depth:
        raise Rejected(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Rejected(f"not JSON: {exc}"[:300]) from None


def finite(raw) -> bool:
    """A JSON number a float holds: not a bool, not NaN or ±Infinity, not an integer of 400 digits."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return False
    try:
        return math.isfinite(raw)
    except OverflowError:
        return False


def value_range(tag: Tag) -> tuple[float, float]:
    """What a numeric tag may store: counters (count, good pieces) are integers from 0 to MAX_COUNTER; every other
    number lies within ±MAX_MAGNITUDE."""
    if tag.role in (TagRole.COUNT, TagRole.GOOD):
        return 0.0, float(MAX_COUNTER)
    return -MAX_MAGNITUDE, MAX_MAGNITUDE


def timestamp(raw) -> datetime:
    if finite(raw):
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
        parsed = parse_datetime(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Rejected(f"\"ts\" {raw[:40]!r} is not an ISO 8601 time")
    ts = parsed
    if timezone.is_aware(ts) and abs(ts.utcoffset()) > timedelta(hours=14):  # type: ignore[arg-type]  # aware
        raise Rejected(f"\"ts\" {raw[:40]!r} has a time-zone offset beyond ±14:00")
    ts = ts if timezone.is_aware(ts) else timezone.make_aware(ts)
    if ts.year < 1970:
        raise Rejected(f"timestamp {raw[:40]!r} is before 1970")
    return ts


def typed(tag: Tag, raw) -> tuple[float | None, str]:
    """The value as stored: a finite float within the tag's valid range, or a short text."""
    if tag.kind == TagKind.NUMBER:
        if not finite(raw):
            raise Rejected(f"{tag.code} needs a number, got {json.dumps(raw, ensure_ascii=False)[:40]}")
        value = float(raw)
        if (tag.low is not None and value < tag.low) or (tag.high is not None and value > tag.high):
            raise Rejected(f"{tag.code}={value} is outside its valid range {tag.low}…{tag.high}")
        lowest, highest = value_range(tag)
        if not lowest <= value <= highest:
            raise Rejected(f"{tag.code}={value} is outside what it can store ({lowest:g}…{highest:g})")
        return value, ""
    if isinstance(raw, bool):
        raw = "1" if raw else "0"
    if finite(raw):
        raw = str(int(raw)) if float(raw).is_integer() else str(raw)
    if not isinstance(raw, str) or len(raw) > text_limit(tag) or "\x00" in raw:
        raise Rejected(f"{tag.code} needs a text of at most {text_limit(tag)} characters, "
                       f"got {json.dumps(raw, ensure_ascii=False)[:40]}")
    return None, raw


def text_limit(tag: Tag) -> int:
    """The longest text the tag's value may be: its sample's column, and for a heat number, grade or spec the
    live snapshot's and the heat's columns too, where ingest keeps it."""
    return _TEXT_LIMITS.get(tag.role, _TEXT_LIMITS[""])  # a role, or "" for none


def _longest(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length  # type: ignore[attr-defined]  # a CharField


_TEXT_LIMITS = {"": _longest(Sample, "text")} | {
    role: min(_longest(Sample, "text"), _longest(LiveSnapshot, role), _longest(Heat, heat_field))
    for role, heat_field in ((TagRole.HEAT, "number"), (TagRole.GRADE, "grade"), (TagRole.SPEC, "spec"))}
