"""Alarm evaluation during ingest (ISA-18.2 / IEC 62682): the system steps of ALARM_FLOW.

A limit alarm activates when its condition has held for the on-delay and returns to normal when the
value is back past the limit by the deadband for the off-delay. Out-of-service and suppressed alarms
are not evaluated; shelved alarms are evaluated and journalled but hidden from the current-alarm list
until the shelf expires. Every state change is an `AlarmEvent`.

The evaluator runs inside the ingest batch: it holds the line's state rows (locked), takes the table's
steps on them in memory (a dictionary of the table's system transitions, no query) and saves them in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection

from ..models import ALARM_FLOW, AlarmDefinition, AlarmEvent, AlarmKind, AlarmState, AlarmStep, ProductionLine, Tag

STOP_CAUSE_WINDOW = timedelta(minutes=10)  # an alarm this long before a stop is taken as its cause

# (step, process state) → the state it leads to: ALARM_FLOW's system steps, read once.
_SYSTEM_STEPS = {(t.step, source): t.target for t in ALARM_FLOW if t.system for source in t.sources}


def _take(state: AlarmState, step: str) -> None:
    """A system step of ALARM_FLOW on a row the batch holds (saved with the others at the end)."""
    target = _SYSTEM_STEPS.get((step, state.process_state))
    if target is None:
        raise ValueError(f"alarm {state.definition_id}: {step} is not possible from {state.process_state}")
    state.enter_process_state(target)


_definitions_by_line: dict[int, dict[int, list[AlarmDefinition]]] = {}


def forget_definitions() -> None:
    _definitions_by_line.clear()


def _definitions(line_id: int) -> dict[int, list[AlarmDefinition]]:
    cached = _definitions_by_line.get(line_id)
    if cached is None:
        cached = defaultdict(list)
        for definition in AlarmDefinition.objects.filter(tag__line_id=line_id).select_related("tag"):
            # The kind as flags, for Evaluator.take.
            definition.on_state = definition.kind == AlarmKind.STATE  # type: ignore[attr-defined]
            definition.on_high = definition.kind in (AlarmKind.HI, AlarmKind.HIHI)  # type: ignore[attr-defined]
            cached[definition.tag_id].append(definition)
        _definitions_by_line[line_id] = cached
    return cached


def shown(value: float | None, text: str) -> str:
    """A judged value as the state row and the journal keep it."""
    return (text or (f"{value:g}" if value is not None else ""))[:60]


class Evaluator:
    """Alarm evaluation for one line during one ingest batch; `save` writes states and events."""

    def __init__(self, line: ProductionLine) -> None:
        self.line = line
        self.by_tag = _definitions(line.pk)
        self._states: dict[int, AlarmState] | None = None
        self.dirty: set[int] = set()
        self.last: dict[int, tuple[float | None, str]] = {}  # definition id → the batch's last value it judged
        self.events: list[AlarmEvent] = []

    def states(self) -> dict[int, AlarmState]:
        if self._states is None:  # locked: an operator's acknowledgement cannot be overwritten by ingest
            self._states = {s.definition_id: s for s in
                            AlarmState.objects.select_for_update().filter(line=self.line)}
        return self._states

    def take(self, tag: Tag, ts: datetime, value: float | None, text: str) -> None:
        """The tag's alarms on one sample. This runs about once per sample, so the common case (the condition
        unchanged) costs a comparison: the kind is read as the flags `_definitions` set, and the value is kept
        as it came and formatted only for an event or at `save` (`last_value` holds the batch's last)."""
        states = self.states()
        for definition in self.by_tag.get(tag.id, ()):
            key = definition.id
            state = states.get(key)
            if state is None:
                state = states[key] = AlarmState(definition=definition, line=self.line)
                state._adding = True  # type: ignore[attr-defined]  # a new row: saved with an insert
            if state.out_of_service or state.suppressed:
                continue
            if state.shelved_until is not None and state.shelved_until <= ts:
                state.shelved_until = None  # the shelf expired (ALARM_FLOW: shelf_expires, a system step)
                self.dirty.add(key)
            if definition.on_state:  # type: ignore[attr-defined]  # set by _definitions
                if not text:
                    continue
                holds = text == definition.state
            elif value is None or definition.limit is None:
                continue
            elif definition.on_high:  # type: ignore[attr-defined]  # set by _definitions
                holds = value >= definition.limit - (definition.deadband if state.active else 0.0)
            else:
                holds = value <= definition.limit + (definition.deadband if state.active else 0.0)
            self.last[key] = (value, text)
            self.dirty.add(key)
            if holds:
                state.clearing_since = None
                if not state.active:
                    state.pending_since = state.pending_since or ts
                    if (ts - state.pending_since).total_seconds() >= definition.on_delay:
                        _take(state, AlarmStep.ACTIVATE if state.acked else AlarmStep.RE_ALARM)
                        state.active_since, state.pending_since = ts, None
                        self._event(definition, ts, AlarmEvent.Kind.ACTIVATED, shown(value, text))
            elif state.active:
                state.pending_since = None
                state.clearing_since = state.clearing_since or ts
                if (ts - state.clearing_since).total_seconds() >= definition.off_delay:
                    _take(state, AlarmStep.RETURN_TO_NORMAL)
                    state.clearing_since = None
                    self._event(definition, ts, AlarmEvent.Kind.CLEARED, shown(value, text))
            else:
                state.pending_since = None

    def tick(self, now: datetime) -> None:
        """The alarm timer: on- and off-delays that have run out and shelves that have expired take their step at
        `now`, though no sample arrived since (a sample that had changed the condition would have reset the
        timer). Runs in the job worker with the line's snapshot locked, like an ingest batch."""
        definitions = {d.id: d for listed in self.by_tag.values() for d in listed}
        for definition_id, state in self.states().items():
            definition = definitions.get(definition_id)
            if definition is None or state.out_of_service or state.suppressed:
                continue
            if state.shelved_until is not None and state.shelved_until <= now:
                state.shelved_until = None  # ALARM_FLOW: shelf_expires
                self.dirty.add(definition_id)
            if state.pending_since and not state.active and \
                    (now - state.pending_since).total_seconds() >= definition.on_delay:
                _take(state, AlarmStep.ACTIVATE if state.acked else AlarmStep.RE_ALARM)
                state.active_since, state.pending_since = now, None
                self._event(definition, now, AlarmEvent.Kind.ACTIVATED, state.last_value)
                self.dirty.add(definition_id)
            elif state.clearing_since and state.active and \
                    (now - state.clearing_since).total_seconds() >= definition.off_delay:
                _take(state, AlarmStep.RETURN_TO_NORMAL)
                state.clearing_since = None
                self._event(definition, now, AlarmEvent.Kind.CLEARED, state.last_value)
                self.dirty.add(definition_id)

    def _event(self, definition: AlarmDefinition, ts: datetime, kind: str, value: str) -> None:
        self.events.append(AlarmEvent(definition=definition, line=self.line, equipment_id=definition.tag.equipment_id,
                                      at=ts, epoch=int(ts.timestamp()), kind=kind, priority=definition.priority,
                                      value=value[:60]))

    def cause_before(self, ts: datetime) -> int | None:
        """The equipment whose alarm was raised last before `ts` (within the window): a stop's location."""
        for event in reversed(self.events):
            if event.kind == AlarmEvent.Kind.ACTIVATED and event.at <= ts and event.equipment_id:
                return event.equipment_id if ts - event.at <= STOP_CAUSE_WINDOW else None
        latest = (AlarmEvent.objects.filter(line=self.line, kind=AlarmEvent.Kind.ACTIVATED, equipment__isnull=False,
                                            at__gte=ts - STOP_CAUSE_WINDOW, at__lte=ts).order_by("-at").first())
        return latest.equipment_id if latest else None

    def save(self) -> None:
        if self._states is None:
            return
        for key, (value, text) in self.last.items():
            self._states[key].last_value = shown(value, text)
        fresh = [s for pk, s in self._states.items() if pk in self.dirty and getattr(s, "_adding", False)]
        changed = [s for pk, s in self._states.items() if pk in self.dirty and not getattr(s, "_adding", False)]
        AlarmState.objects.bulk_create(fresh)
        if changed and connection.vendor == "postgresql":
            _update_states(changed)
        else:
            AlarmState.objects.bulk_update(changed, list(_STATE_COLUMNS))
        AlarmEvent.objects.bulk_create(self.events)


# What ingest changes on a state row, with its PostgreSQL type: written in one UPDATE over arrays.
_STATE_COLUMNS = {"active": "boolean", "acked": "boolean", "active_since": "timestamptz",
                  "pending_since": "timestamptz", "clearing_since": "timestamptz", "shelved_until": "timestamptz",
                  "last_value": "varchar"}


def _update_states(states: list[AlarmState]) -> None:
    """PostgreSQL: the batch's changed state rows in one statement (bulk_update builds a CASE per column and
    row, which cost more than the rest of the alarm evaluation)."""
    names = ", ".join(_STATE_COLUMNS)
    arrays = ", ".join(["%s::bigint[]", *(f"%s::{kind}[]" for kind in _STATE_COLUMNS.values())])
    assignments = ", ".join(f"{name} = v.{name}" for name in _STATE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE industry_alarmstate s SET {assignments} FROM unnest({arrays}) "
                       f"AS v(definition_id, {names}) WHERE s.definition_id = v.definition_id",
                       [[s.definition_id for s in states],
                        *([getattr(s, name) for s in states] for name in _STATE_COLUMNS)])
