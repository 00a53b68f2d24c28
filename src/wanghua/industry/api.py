"""Industry API: line definitions, live snapshot, history, alarms and their actions, stops, and the
HTTP ingest endpoint for gateways without MQTT. Thin: parse, call, shape."""

import json
from datetime import datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from wanghua.core.api import Moment, Pagination, RecordId, Text, filter_query, filtered, needs, patch_data
from wanghua.core.transitions import offers

from . import live, queries, services
from .filters import AlarmEventFilter, CurrentAlarmFilter, StopFilter
from .models import (
    ALARM_FLOW,
    AlarmEvent,
    AlarmKind,
    AlarmState,
    AlarmStep,
    LineStatus,
    MinuteRollup,
    Priority,
    ProductionLine,
    Sample,
    Stop,
    Tag,
)
from .telemetry import rollups
from .telemetry.decode import MAX_DEPTH, Message, Rejected, load_json
from .telemetry.pipeline import Pipeline

router = Router(tags=["industry"])
HISTORY_LIMIT = 10_000
Code = Field(..., pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def _line(request, code: str) -> ProductionLine:
    return get_object_or_404(ProductionLine.objects.visible_to(request.user).select_related("enterprise"), code=code)


class EquipmentOut(Schema):
    location: str
    name: str


class AlarmDefinitionOut(Schema):
    id: int
    tag: str = Field(..., alias="tag.code")
    kind: AlarmKind
    limit: float | None
    state: str
    priority: Priority
    deadband: float
    on_delay: int
    off_delay: int
    message: str


class TagOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    role: str
    unit: str
    low: float | None
    high: float | None
    key: bool
    location: str | None = Field(None, alias="equipment.location")
    alarms: list[AlarmDefinitionOut]

    @staticmethod
    def resolve_alarms(tag):
        return list(tag.alarms.all())


class LineOut(Schema):
    id: int
    code: str
    name: str
    enterprise: str = Field(..., alias="enterprise.name")
    capacity_tonnes: int
    cold_after_minutes: int
    cold_below: float | None
    active: bool


class LineDetailOut(LineOut):
    equipment: list[EquipmentOut]
    tags: list[TagOut]

    @staticmethod
    def resolve_equipment(line):
        return list(line.equipment.all())

    @staticmethod
    def resolve_tags(line):
        return list(line.tags.select_related("equipment", "line").prefetch_related("alarms"))


@router.get("/lines", response=list[LineOut])
@paginate(Pagination)
@needs("industry.view_productionline")
def list_lines(request):
    return ProductionLine.objects.visible_to(request.user).select_related("enterprise")


@router.get("/lines/{code}", response=LineDetailOut)
@needs("industry.view_productionline")
def get_line(request, code: str):
    return _line(request, code)


class AlarmOut(Schema):
    id: int = Field(..., alias="definition_id")
    message: str = Field(..., alias="definition.message")
    priority: Priority = Field(..., alias="definition.priority")
    tag: str = Field(..., alias="definition.tag.code")
    location: str | None = Field(None, alias="definition.tag.equipment.location")
    active: bool
    acked: bool
    active_since: datetime | None
    shelved_until: datetime | None
    last_value: str  # the live reading
    trip_value: str | None = None  # the reading the alarm tripped at (its latest activation)
    state: str  # the ISA-18.2 state now (AlarmState.state)


class LiveOut(Schema):
    line: str
    status: LineStatus
    grade: str
    heat: str
    spec: str
    shift: str
    crew: str
    count: int
    good: int
    speed: float | None
    updated_at: datetime | None
    stale: bool
    values: dict
    alarms: list[AlarmOut]


@router.get("/lines/{code}/live", response=LiveOut, summary="The line's live snapshot and current alarms")
@needs("industry.view_productionline")
def line_live(request, code: str):
    view = live.line_view(request.user, _line(request, code))
    s = view.snapshot
    return {"line": view.line.code, "status": s.status, "grade": s.grade, "heat": s.heat, "spec": s.spec,
            "shift": view.shift.name, "crew": view.shift.crew, "count": s.count, "good": s.good, "speed": s.speed,
            "updated_at": s.updated_at, "stale": view.stale, "values": s.values,
            "alarms": view.current_alarms}


class HistoryQuery(Schema):
    tag: Text = Field(..., max_length=40)
    since: Moment | None = None
    until: Moment | None = None
    resolution: str = Field("minute", pattern="^(raw|minute|hour)$")


class PointOut(Schema):
    ts: datetime
    value: float | None
    text: str = ""
    low: float | None = None
    high: float | None = None


@router.get("/lines/{code}/history", response=list[PointOut],
            summary="A tag's samples (raw), minute or hour rollups (mean, low, high); at most 10,000 points")
@needs("industry.view_sample")
def history(request, code: str, query: Query[HistoryQuery]):
    line = _line(request, code)
    tag = get_object_or_404(Tag, line=line, code=query.tag)
    until = query.until or timezone.now()
    since = query.since or until - timedelta(hours=8)
    if since >= until:
        raise HttpError(400, "since must be before until")
    if query.resolution == "raw":
        rows = Sample.objects.filter(tag=tag, ts__gte=since, ts__lt=until).order_by("ts")[:HISTORY_LIMIT]
        return [{"ts": r.ts, "value": r.value, "text": r.text} for r in rows]
    if query.resolution == "hour":
        return [{"ts": p["hour"], "value": rollups.mean(p), "low": p["low"], "high": p["high"]}
                for p in rollups.hourly(tag, since, until)[:HISTORY_LIMIT]]
    minutes = MinuteRollup.objects.filter(tag=tag, minute__gte=since, minute__lt=until).order_by("minute")
    return [{"ts": m.minute, "value": m.mean, "low": m.low, "high": m.high} for m in minutes[:HISTORY_LIMIT]]


@router.get("/alarms", response=list[AlarmOut],
            summary="Current alarms (active or unacknowledged, not shelved); set_aside: those shelved, suppressed or "
                    "out of service instead")
@needs("industry.view_alarmstate")
def current_alarms(request, filters: Query[filter_query(CurrentAlarmFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    qs = filtered(request, CurrentAlarmFilter, AlarmState.objects.visible_to(request.user))
    return list(queries.alarm_list(qs, request.GET.get("set_aside", "")))


class EventOut(Schema):
    id: int
    at: datetime
    line: str = Field(..., alias="line.code")
    alarm_id: int = Field(..., alias="definition_id")
    message: str = Field(..., alias="definition.message")
    location: str | None = Field(None, alias="equipment.location")
    kind: AlarmEvent.Kind
    priority: Priority
    value: str
    user: str | None = Field(None, alias="user.username")
    user_name: str | None = None  # the person, as the pages name them
    cause: str
    action: str
    note: str

    @staticmethod
    def resolve_user_name(event):
        return str(event.user) if event.user else None


@router.get("/alarm-events", response=list[EventOut], summary="The alarm journal")
@paginate(Pagination)
@needs("industry.view_alarmevent")
def alarm_events(request, filters: Query[filter_query(AlarmEventFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, AlarmEventFilter, AlarmEvent.objects.visible_to(request.user).select_related(
        "line", "definition", "equipment", "user"))


class NoteIn(Schema):
    note: Text = Field("", max_length=300)


class RegisterIn(Schema):
    cause: Text = Field(..., min_length=1, max_length=300)
    action: Text = Field(..., min_length=1, max_length=300)


class ShelveIn(Schema):
    minutes: int = Field(..., ge=1, le=720)
    note: Text = Field(..., min_length=1, max_length=250)


def _state_out(request, alarm_id: int) -> AlarmState:
    return queries.with_trip_value(AlarmState.objects.select_related("definition__tag__equipment")).get(pk=alarm_id)


@router.post("/alarms/{alarm_id}/acknowledge", response=AlarmOut)
@offers(ALARM_FLOW, AlarmStep.ACKNOWLEDGE)
@needs("industry.add_alarmevent")
def acknowledge(request, alarm_id: RecordId, body: NoteIn):
    services.acknowledge(request.user, alarm_id, body.note)
    return _state_out(request, alarm_id)


@router.post("/alarms/{alarm_id}/register", response=AlarmOut, summary="报警登记: cause and action taken")
@offers(ALARM_FLOW, AlarmStep.ACKNOWLEDGE)
@needs("industry.add_alarmevent")
def register(request, alarm_id: RecordId, body: RegisterIn):
    services.register(request.user, alarm_id, cause=body.cause, action=body.action)
    return _state_out(request, alarm_id)


@router.post("/alarms/{alarm_id}/shelve", response=AlarmOut)
@offers(ALARM_FLOW, AlarmStep.SHELVE)
@needs("industry.change_alarmdefinition")
def shelve(request, alarm_id: RecordId, body: ShelveIn):
    services.shelve(request.user, alarm_id, minutes=body.minutes, note=body.note)
    return _state_out(request, alarm_id)


@router.post("/alarms/{alarm_id}/unshelve", response=AlarmOut)
@offers(ALARM_FLOW, AlarmStep.UNSHELVE)
@needs("industry.change_alarmdefinition")
def unshelve(request, alarm_id: RecordId):
    services.unshelve(request.user, alarm_id)
    return _state_out(request, alarm_id)


class StopOut(Schema):
    id: int
    line: str = Field(..., alias="line.code")
    started_at: datetime
    ended_at: datetime | None
    kind: str
    location: str | None = Field(None, alias="location.location")
    min_temperature: float | None
    planned: bool
    reason: str
    reason_by: str | None = None

    @staticmethod
    def resolve_reason_by(stop):
        return str(stop.reason_by) if stop.reason_by_id else None


@router.get("/stops", response=list[StopOut])
@paginate(Pagination)
@needs("industry.view_stop")
def list_stops(request, filters: Query[filter_query(StopFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, StopFilter, Stop.objects.visible_to(request.user).select_related("line", "location",
                                                                                      "reason_by"))


class ReasonIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=300)
    location: Text | None = Field(None, max_length=40,
                                  description="The cause location: an equipment location code of the line; \"\" clears")
    planned: bool | None = Field(None, description="A planned stop (计划停机); left out, the mark stays as it is")


@router.post("/stops/{stop_id}/reason", response=StopOut, summary="A stop's reason and cause location")
@needs("industry.change_stop")
def stop_reason(request, stop_id: RecordId, body: ReasonIn):
    return services.give_stop_reason(request.user, stop_id, body.reason, location=body.location, planned=body.planned)


class IngestOut(Schema):
    messages: int
    samples: int
    duplicates: int
    dead_letters: int
    reasons: list[str]


_pipeline = Pipeline()


@router.post("/ingest", response=IngestOut, openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
                         "example": {"line": "FT-BAR1", "ts": "2026-11-29T08:00:00+08:00",
                                     "values": {"speed": 2.4, "status": "running"}}}}}},
             summary="Telemetry from a gateway: one message or an array; bad ones become dead letters")
@needs("industry.add_sample")
def ingest(request):
    try:
        body = load_json(request.body, max_depth=MAX_DEPTH + 1)  # an array of messages is one level more
    except Rejected:
        body = None  # taken as one message, so the reason is kept as a dead letter
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > 1000:
        raise HttpError(400, "send 1 to 1000 messages")
    allowed = set(ProductionLine.objects.visible_to(request.user, "industry.add_sample").values_list("code",
                                                                                                      flat=True))
    messages = [Message(request.body if body is None else json.dumps(item, ensure_ascii=False).encode(), "", "http")
                for item in items]
    result = _pipeline.process(messages, allowed_lines=allowed)
    return result.__dict__


class KpiQuery(Schema):
    days: int = Field(7, ge=1, le=366)


class KpisOut(Schema):
    line: str
    since: datetime
    until: datetime
    oee: dict
    oee_per_day: list[dict]
    oee_per_shift: list[dict]
    stops: dict
    alarms: dict


@router.get("/lines/{code}/kpis", response=KpisOut,
            summary="OEE (period, per day, per shift), stop analysis and alarm-system KPIs of a line")
@needs("industry.view_stop")
def line_kpis(request, code: str, query: Query[KpiQuery]):
    line = _line(request, code)
    since, until = queries.period_of(query.days)
    value = queries.oee(line, since, until)
    return {"line": line.code, "since": since, "until": until,
            "oee": {**value.__dict__, "oee": value.oee}, "oee_per_day": queries.oee_per_day(line, min(query.days, 31)),
            "oee_per_shift": queries.oee_per_shift(line), "stops": queries.stop_kpis([line], since, until).__dict__,
            "alarms": queries.alarm_kpis([line], since, until).__dict__}


class TagPatch(Schema):
    name: Text | None = Field(None, min_length=1, max_length=100)
    unit: Text | None = Field(None, max_length=20)
    low: float | None = Field(None, ge=-1e12, le=1e12)
    high: float | None = Field(None, ge=-1e12, le=1e12)
    key: bool | None = None


@router.patch("/tags/{tag_id}", response=TagOut, summary="A tag's name, unit, valid range or key flag")
@needs("industry.change_tag")
def patch_tag(request, tag_id: RecordId, body: TagPatch):
    return services.update_tag(request.user, tag_id, **patch_data(body))


class AlarmIn(Schema):
    tag_id: RecordId
    kind: AlarmKind
    limit: float | None = Field(None, ge=-1e12, le=1e12)
    state: Text = Field("", max_length=40)
    priority: Priority = Priority.LOW
    deadband: float = Field(0, ge=0, le=1e9)
    on_delay: int = Field(0, ge=0, le=86400)
    off_delay: int = Field(0, ge=0, le=86400)
    message: Text = Field(..., min_length=1, max_length=200)


class AlarmPatch(Schema):
    limit: float | None = Field(None, ge=-1e12, le=1e12)
    state: Text | None = Field(None, max_length=40)
    priority: Priority | None = None
    deadband: float | None = Field(None, ge=0, le=1e9)
    on_delay: int | None = Field(None, ge=0, le=86400)
    off_delay: int | None = Field(None, ge=0, le=86400)
    message: Text | None = Field(None, min_length=1, max_length=200)


@router.post("/alarm-definitions", response={201: AlarmDefinitionOut}, summary="Define an alarm on a tag")
@needs("industry.add_alarmdefinition")
def create_alarm_definition(request, body: AlarmIn):
    data = body.dict()
    tag = get_object_or_404(Tag.objects.visible_to(request.user), pk=data.pop("tag_id"))
    return Status(201, services.define_alarm(request.user, tag=tag, **data))


@router.patch("/alarm-definitions/{definition_id}", response=AlarmDefinitionOut)
@needs("industry.change_alarmdefinition")
def patch_alarm_definition(request, definition_id: RecordId, body: AlarmPatch):
    return services.update_alarm(request.user, definition_id, **patch_data(body))
