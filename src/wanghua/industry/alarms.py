"""Alarms per ISA-18.2 / IEC 62682: evaluation during ingest, operators' actions, the journal.

Evaluation: a limit alarm activates when its condition has held for the on-delay and returns to
normal when the value is back past the limit by the deadband for the off-delay. Out-of-service
and suppressed alarms are not evaluated; shelved alarms are evaluated and journalled but hidden
from the current-alarm list until the shelf expires. Every state change is an `AlarmEvent`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core.access import require

from .models import AlarmDefinition, AlarmEvent, AlarmKind, AlarmState, ProductionLine, Tag

MAX_SHELF = timedelta(hours=12)
STOP_CAUSE_WINDOW = timedelta(minutes=10)  # an alarm this long before a stop is taken as its cause

_definitions_by_line: dict[int, dict[int, list[AlarmDefinition]]] = {}


def forget_definitions() -> None:
    _definitions_by_line.clear()


def _definitions(line_id: int) -> dict[int, list[AlarmDefinition]]:
    cached = _definitions_by_line.get(line_id)
    if cached is None:
        cached = defaultdict(list)
        for definition in AlarmDefinition.objects.filter(tag__line_id=line_id).select_related("tag"):
            cached[definition.tag_id].append(definition)
        _definitions_by_line[line_id] = cached
    return cached


def condition(definition: AlarmDefinition, value: float | None, text: str, active: bool) -> bool | None:
    """Whether the alarm condition holds (None: the value says nothing about this alarm)."""
    if definition.kind == AlarmKind.STATE:
        return text == definition.state if text else None
    if value is None or definition.limit is None:
        return None
    band = definition.deadband if active else 0.0
    if definition.kind in (AlarmKind.HI, AlarmKind.HIHI):
        return value >= definition.limit - band
    return value <= definition.limit + band


class Evaluator:
    """Alarm evaluation for one line during one ingest batch; `save` writes states and events."""

    def __init__(self, line: ProductionLine) -> None:
        self.line = line
        self.by_tag = _definitions(line.pk)
        self._states: dict[int, AlarmState] | None = None
        self.dirty: set[int] = set()
        self.events: list[AlarmEvent] = []

    def states(self) -> dict[int, AlarmState]:
        if self._states is None:  # locked: an operator's acknowledgement cannot be overwritten by ingest
            self._states = {s.definition_id: s for s in
                            AlarmState.objects.select_for_update().filter(line=self.line)}
        return self._states

    def take(self, tag: Tag, ts: datetime, value: float | None, text: str) -> None:
        for definition in self.by_tag.get(tag.id, ()):
            self._evaluate(definition, ts, value, text)

    def _evaluate(self, definition: AlarmDefinition, ts: datetime, value: float | None, text: str) -> None:
        states = self.states()
        state = states.get(definition.id)
        if state is None:
            state = states[definition.id] = AlarmState(definition=definition, line=self.line)
            state._adding = True
        if state.out_of_service or state.suppressed:
            return
        holds = condition(definition, value, text, state.active)
        if holds is None:
            return
        shown = text or (f"{value:g}" if value is not None else "")
        if holds:
            state.clearing_since = None
            if not state.active:
                state.pending_since = state.pending_since or ts
                if (ts - state.pending_since).total_seconds() >= definition.on_delay:
                    state.active, state.acked, state.active_since, state.pending_since = True, False, ts, None
                    self._event(definition, ts, AlarmEvent.Kind.ACTIVATED, shown)
        else:
            state.pending_since = None
            if state.active:
                state.clearing_since = state.clearing_since or ts
                if (ts - state.clearing_since).total_seconds() >= definition.off_delay:
                    state.active, state.clearing_since = False, None
                    self._event(definition, ts, AlarmEvent.Kind.CLEARED, shown)
        state.last_value = shown[:60]
        self.dirty.add(definition.id)

    def _event(self, definition: AlarmDefinition, ts: datetime, kind: str, value: str) -> None:
        self.events.append(AlarmEvent(definition=definition, line=self.line, equipment_id=definition.tag.equipment_id,
                                      at=ts, epoch=int(ts.timestamp()), kind=kind, priority=definition.priority,
                                      value=value[:60]))

    def cause_before(self, ts: datetime) -> int | None:
        """The equipment whose alarm was raised last before `ts` (within the window): a stop's location."""
        for event in reversed(self.events):
            if event.kind == AlarmEvent.Kind.ACTIVATED and event.at <= ts and event.equipment_id:
                return event.equipment_id if ts - event.at <= STOP_CAUSE_WINDOW else None
        event = (AlarmEvent.objects.filter(line=self.line, kind=AlarmEvent.Kind.ACTIVATED, equipment__isnull=False,
                                           at__gte=ts - STOP_CAUSE_WINDOW, at__lte=ts).order_by("-at").first())
        return event.equipment_id if event else None

    def save(self) -> None:
        if self._states is None:
            return
        fresh = [s for pk, s in self._states.items() if pk in self.dirty and getattr(s, "_adding", False)]
        changed = [s for pk, s in self._states.items() if pk in self.dirty and not getattr(s, "_adding", False)]
        AlarmState.objects.bulk_create(fresh)
        AlarmState.objects.bulk_update(changed, ["active", "acked", "active_since", "pending_since",
                                                 "clearing_since", "last_value"])
        AlarmEvent.objects.bulk_create(self.events)


# --- operators' actions ------------------------------------------------------------------------------

def _locked_state(actor, definition_id: int, perm: str) -> tuple[AlarmDefinition, AlarmState]:
    definition = (AlarmDefinition.objects.visible_to(actor, "view").select_related("tag")
                  .filter(pk=definition_id).first())
    if definition is None:
        raise AlarmDefinition.DoesNotExist(_("%(model)s not found.") % {"model": AlarmDefinition._meta.verbose_name})
    require(actor, perm, definition)
    # The state row alone is locked, after the ingest worker's order (snapshot, then states): the
    # definition stays unlocked, since ingest inserts journal rows that refer to it.
    state, _created = AlarmState.objects.select_for_update().get_or_create(
        definition=definition, defaults={"line_id": definition.tag.line_id})
    return definition, state


def _journal(actor, definition: AlarmDefinition, kind: str, **fields) -> AlarmEvent:
    return AlarmEvent.objects.create(definition=definition, line_id=definition.tag.line_id,
                                     equipment_id=definition.tag.equipment_id, at=timezone.now(), kind=kind,
                                     priority=definition.priority, user=actor, **fields)


@transaction.atomic
def acknowledge(actor, definition_id: int, note: str = "") -> AlarmState:
    """Acknowledge an unacknowledged alarm (active, or returned to normal)."""
    definition, state = _locked_state(actor, definition_id, "industry.add_alarmevent")
    if state.acked:
        raise ValidationError(_("This alarm has already been acknowledged."))
    state.acked = True
    state.save(update_fields=["acked"])
    _journal(actor, definition, AlarmEvent.Kind.ACKNOWLEDGED, note=note.strip()[:300])
    return state


@transaction.atomic
def register(actor, definition_id: int, *, cause: str, action: str) -> AlarmEvent:
    """报警登记: the operator records the cause and the action taken; acknowledges it if still unacknowledged."""
    cause, action = cause.strip(), action.strip()
    if not cause or not action:
        raise ValidationError(_("Give both the cause and the action taken."))
    definition, state = _locked_state(actor, definition_id, "industry.add_alarmevent")
    if not state.active and state.acked and not definition.events.filter(kind=AlarmEvent.Kind.ACTIVATED).exists():
        raise ValidationError(_("This alarm has never been raised."))
    if not state.acked:
        state.acked = True
        state.save(update_fields=["acked"])
    return _journal(actor, definition, AlarmEvent.Kind.REGISTERED, cause=cause[:300], action=action[:300])


@transaction.atomic
def shelve(actor, definition_id: int, *, minutes: int, note: str) -> AlarmState:
    """Shelve a nuisance alarm for a limited time (at most 12 h), with a reason."""
    if not note.strip():
        raise ValidationError(_("Say why the alarm is shelved."))
    if not 1 <= minutes <= MAX_SHELF.total_seconds() / 60:
        raise ValidationError(_("An alarm can be shelved for 1 minute to 12 hours."))
    definition, state = _locked_state(actor, definition_id, "industry.change_alarmdefinition")
    state.shelved_until = timezone.now() + timedelta(minutes=minutes)
    state.save(update_fields=["shelved_until"])
    _journal(actor, definition, AlarmEvent.Kind.SHELVED, note=f"{note.strip()[:250]} ({minutes} min)")
    return state


@transaction.atomic
def unshelve(actor, definition_id: int) -> AlarmState:
    definition, state = _locked_state(actor, definition_id, "industry.change_alarmdefinition")
    if not state.shelved_until or state.shelved_until <= timezone.now():
        raise ValidationError(_("This alarm is not shelved."))
    state.shelved_until = None
    state.save(update_fields=["shelved_until"])
    _journal(actor, definition, AlarmEvent.Kind.UNSHELVED)
    return state


@transaction.atomic
def set_suppressed(actor, definition_id: int, suppressed: bool, note: str = "") -> AlarmState:
    """Suppressed by design (e.g. while the equipment is intentionally off)."""
    definition, state = _locked_state(actor, definition_id, "industry.change_alarmdefinition")
    if state.suppressed == suppressed:
        raise ValidationError(_("Nothing to change."))
    state.suppressed = suppressed
    if suppressed:
        state.active, state.acked, state.pending_since, state.clearing_since = False, True, None, None
    state.save()
    _journal(actor, definition, AlarmEvent.Kind.SUPPRESSED if suppressed else AlarmEvent.Kind.UNSUPPRESSED,
             note=note.strip()[:300])
    return state


@transaction.atomic
def set_out_of_service(actor, definition_id: int, out: bool, note: str = "") -> AlarmState:
    """Out of service for maintenance: not evaluated until put back."""
    if out and not note.strip():
        raise ValidationError(_("Say why the alarm is taken out of service."))
    definition, state = _locked_state(actor, definition_id, "industry.change_alarmdefinition")
    if state.out_of_service == out:
        raise ValidationError(_("Nothing to change."))
    state.out_of_service = out
    if out:
        state.active, state.acked, state.pending_since, state.clearing_since = False, True, None, None
    state.save()
    _journal(actor, definition, AlarmEvent.Kind.OUT_OF_SERVICE if out else AlarmEvent.Kind.IN_SERVICE,
             note=note.strip()[:300])
    return state


def current_q(now: datetime) -> Q:
    """Current alarms in SQL: active or unacknowledged, and neither shelved, suppressed nor out of service."""
    return ((Q(active=True) | Q(acked=False)) & Q(suppressed=False, out_of_service=False)
            & (Q(shelved_until__isnull=True) | Q(shelved_until__lte=now)))


def current(qs, now: datetime | None = None) -> list[AlarmState]:
    """Alarms an operator must see: active or unacknowledged, not shelved, suppressed or out of service."""
    now = now or timezone.now()
    return list(qs.filter(current_q(now)).select_related("definition__tag__equipment").order_by("-active_since"))
