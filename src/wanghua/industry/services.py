"""Every write operators and plant managers make in 一带, and the rules they answer to.

Alarms (ISA-18.2 / IEC 62682): acknowledge, 报警登记 (cause and action taken), shelve and unshelve,
suppress and unsuppress, out of service and back — each a step of `ALARM_FLOW` (models.py) taken through
`ALARM_FLOW.perform`, each written to the append-only `AlarmEvent` journal. Stops: the operator's reason.
Definitions a plant's production manager keeps: the line's stop rule and ideal rate, tags' valid ranges,
alarm definitions; ingest workers take changes within DEFINITIONS_TTL (a minute).

The evaluator that takes the alarms' system steps during ingest lives in `telemetry/evaluator.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, require
from wanghua.core.changes import apply_fields
from wanghua.core.models import User

from .models import (
    ALARM_FLOW,
    AlarmDefinition,
    AlarmEvent,
    AlarmKind,
    AlarmState,
    AlarmStep,
    Equipment,
    ProductionLine,
    Stop,
    Tag,
    TagKind,
)

MAX_SHELF = timedelta(hours=12)

# --- alarms ------------------------------------------------------------------------------------------------

JOURNAL_KIND: dict[str, str] = {
    AlarmStep.ACKNOWLEDGE: AlarmEvent.Kind.ACKNOWLEDGED,
    AlarmStep.SHELVE: AlarmEvent.Kind.SHELVED,
    AlarmStep.UNSHELVE: AlarmEvent.Kind.UNSHELVED,
    AlarmStep.SUPPRESS: AlarmEvent.Kind.SUPPRESSED,
    AlarmStep.UNSUPPRESS: AlarmEvent.Kind.UNSUPPRESSED,
    AlarmStep.REMOVE_FROM_SERVICE: AlarmEvent.Kind.OUT_OF_SERVICE,
    AlarmStep.RETURN_TO_SERVICE: AlarmEvent.Kind.IN_SERVICE,
}


def _alarm(actor: User, definition_id: int, step: str) -> AlarmState:
    """The alarm's live state row, locked: found through what the actor may see, the step's permission
    checked on the definition (as the pages offer it)."""
    definition = (AlarmDefinition.objects.visible_to(actor, "view").select_related("tag")
                  .filter(pk=definition_id).first())
    if definition is None:
        raise AlarmDefinition.DoesNotExist(_("%(model)s not found.") % {"model": AlarmDefinition._meta.verbose_name})
    require(actor, ALARM_FLOW.step(step).permission, definition)
    # The state row alone is locked, after the ingest worker's order (snapshot, then states): the
    # definition stays unlocked, since ingest inserts journal rows that refer to it.
    state, _created = AlarmState.objects.select_for_update().get_or_create(
        definition=definition, defaults={"line_id": definition.tag.line_id})
    state.definition = definition
    return state


def _journal(actor: User, state: AlarmState, kind: str, **fields: Any) -> AlarmEvent:
    definition = state.definition
    return AlarmEvent.objects.create(definition=definition, line_id=definition.tag.line_id,
                                     equipment_id=definition.tag.equipment_id, at=timezone.now(), kind=kind,
                                     priority=definition.priority, user=actor, **fields)


def _take(actor: User, definition_id: int | AlarmState, step: str, *, note: str = "",
          apply: Callable[[AlarmState], None] | None = None) -> AlarmState:
    """One operator's or manager's step on an alarm: ALARM_FLOW checks the state and saves; the journal follows."""
    state = definition_id if isinstance(definition_id, AlarmState) else _alarm(actor, definition_id, step)
    ALARM_FLOW.perform(actor, state, step, apply=apply, note=note)
    _journal(actor, state, JOURNAL_KIND[step], note=note)
    return state


def _acknowledged(state: AlarmState) -> None:
    state.acked = True


@transaction.atomic
def acknowledge(actor: User, definition_id: int, note: str = "") -> AlarmState:
    """Acknowledge an unacknowledged alarm (active, or returned to normal)."""
    state = _alarm(actor, definition_id, AlarmStep.ACKNOWLEDGE)
    if state.acked:
        raise ValidationError(_("This alarm has already been acknowledged."))
    return _take(actor, state, AlarmStep.ACKNOWLEDGE, note=note.strip()[:300], apply=_acknowledged)


@transaction.atomic
def register(actor: User, definition_id: int, *, cause: str, action: str, detail: str = "") -> AlarmEvent:
    """报警登记: the operator records the cause and the action taken; acknowledges it if still unacknowledged.
    The pages offer the cause from the 报警原因 dictionary; a detail is appended to it."""
    cause, action, detail = cause.strip(), action.strip(), detail.strip()
    cause = f"{cause}：{detail}" if cause and detail else cause
    if not cause or not action:
        raise ValidationError(_("Give both the cause and the action taken."))
    state = _alarm(actor, definition_id, AlarmStep.ACKNOWLEDGE)
    if (not state.active and state.acked
            and not state.definition.events.filter(kind=AlarmEvent.Kind.ACTIVATED).exists()):
        raise ValidationError(_("This alarm has never been raised."))
    if not state.acked:  # the registration is the acknowledgement: one journal entry, the registration
        ALARM_FLOW.perform(actor, state, AlarmStep.ACKNOWLEDGE, apply=_acknowledged)
    return _journal(actor, state, AlarmEvent.Kind.REGISTERED, cause=cause[:300], action=action[:300])


@transaction.atomic
def shelve(actor: User, definition_id: int, *, minutes: int, note: str) -> AlarmState:
    """Shelve a nuisance alarm for a limited time (at most 12 h), with a reason."""
    if not note.strip():
        raise ValidationError(_("Say why the alarm is shelved."))
    if not 1 <= minutes <= MAX_SHELF.total_seconds() / 60:
        raise ValidationError(_("An alarm can be shelved for 1 minute to 12 hours."))

    def until(state: AlarmState) -> None:
        state.shelved_until = timezone.now() + timedelta(minutes=minutes)

    return _take(actor, definition_id, AlarmStep.SHELVE, note=f"{note.strip()[:250]} ({minutes} min)", apply=until)


@transaction.atomic
def unshelve(actor: User, definition_id: int) -> AlarmState:
    return _take(actor, definition_id, AlarmStep.UNSHELVE)


@transaction.atomic
def suppress(actor: User, definition_id: int, note: str = "") -> AlarmState:
    """Suppressed by design (e.g. while the equipment is intentionally off): not evaluated until unsuppressed."""
    return _take(actor, definition_id, AlarmStep.SUPPRESS, note=note.strip()[:300])


@transaction.atomic
def unsuppress(actor: User, definition_id: int) -> AlarmState:
    return _take(actor, definition_id, AlarmStep.UNSUPPRESS)


@transaction.atomic
def remove_from_service(actor: User, definition_id: int, note: str) -> AlarmState:
    """Out of service for maintenance: not evaluated until returned to service."""
    if not note.strip():
        raise ValidationError(_("Say why the alarm is taken out of service."))
    return _take(actor, definition_id, AlarmStep.REMOVE_FROM_SERVICE, note=note.strip()[:300])


@transaction.atomic
def return_to_service(actor: User, definition_id: int) -> AlarmState:
    return _take(actor, definition_id, AlarmStep.RETURN_TO_SERVICE)


# --- stops -------------------------------------------------------------------------------------------------

STOP_REASONS = "stop_reason"  # the dictionary (字典管理) the pages offer a stop's reason from
ALARM_CAUSES = "alarm_cause"  # and an alarm registration's cause from


@transaction.atomic
def give_stop_reason(actor: User, stop_id: int, reason: str, *, location: str | None = None, detail: str = "",
                     planned: bool | None = None) -> Stop:
    """The operator's reason for a stop, and where it was caused: the equipment's location code on the line
    (what the Pareto groups by; None keeps the location as detected, "" clears it). The reason is free text
    (the pages offer the 停机原因 dictionary); a detail is appended to it. `planned` marks a 计划停机 (None keeps
    the mark as it is)."""
    reason, detail = reason.strip(), detail.strip()
    if not reason or "\x00" in reason + detail:
        raise ValidationError({"reason": _("Give the reason for the stop.")})
    if location is not None and ("\x00" in location or len(location) > 40):
        raise ValidationError({"location": _("Choose equipment of this line.")})
    if planned is not None and not isinstance(planned, bool):
        raise ValidationError({"planned": _("Say whether the stop was planned.")})
    stop = fetch_for_change(Stop, actor, "change", stop_id)
    fields = ["reason", "reason_by"]
    if planned is not None:
        stop.planned = planned
        fields.append("planned")
    if location is not None:
        stop.location = _equipment_of(stop.line_id, location.strip())
        fields.append("location")
    stop.reason, stop.reason_by = (f"{reason}：{detail}" if detail else reason)[:300], actor
    with audit.acting_as(actor):
        stop.save(update_fields=fields)
    return stop


def _equipment_of(line_id: int, location: str) -> Equipment | None:
    if not location:
        return None
    equipment = Equipment.objects.filter(line_id=line_id, location=location).first()
    if equipment is None:
        raise ValidationError({"location": _("Choose equipment of this line.")})
    return equipment


# --- definitions (plant production managers) ----------------------------------------------------------------

LINE_FIELDS = {"name", "capacity_tonnes", "ideal_rate", "cold_after_minutes", "temperature_tag", "cold_below",
               "min_stop_seconds", "active"}
TAG_FIELDS = {"name", "unit", "low", "high", "key", "equipment"}
ALARM_FIELDS = {"kind", "limit", "state", "priority", "deadband", "on_delay", "off_delay", "message"}
# A higher alarm must sit above a lower one on the same tag.
LIMIT_ORDER = [AlarmKind.LOLO, AlarmKind.LO, AlarmKind.HI, AlarmKind.HIHI]


@transaction.atomic
def update_line(actor: User, line_id: int, **fields: Any) -> ProductionLine:
    line = fetch_for_change(ProductionLine, actor, "change", line_id)
    apply_fields(line, fields, LINE_FIELDS)
    if line.temperature_tag is not None and line.temperature_tag.line_id != line.pk:
        raise ValidationError({"temperature_tag": _("Choose a tag of this line.")})
    line.full_clean()
    with audit.acting_as(actor):
        line.save()
    return line


@transaction.atomic
def update_tag(actor: User, tag_id: int, **fields: Any) -> Tag:
    tag = fetch_for_change(Tag, actor, "change", tag_id)
    apply_fields(tag, fields, TAG_FIELDS)
    if tag.low is not None and tag.high is not None and tag.low >= tag.high:
        raise ValidationError({"high": _("The highest valid value must be above the lowest.")})
    if tag.equipment is not None and tag.equipment.line_id != tag.line_id:
        raise ValidationError({"equipment": _("Choose equipment of this line.")})
    tag.full_clean()
    for definition in tag.alarms.all():
        _check_alarm(definition, tag)
    with audit.acting_as(actor):
        tag.save()
    return tag


def _check_alarm(definition: AlarmDefinition, tag: Tag) -> None:
    if definition.kind == AlarmKind.STATE:
        if tag.kind == TagKind.NUMBER or not definition.state.strip():
            raise ValidationError({"state": _("A state alarm needs a discrete or text tag and the state that alarms.")})
        definition.limit = None
        return
    if tag.kind != TagKind.NUMBER or definition.limit is None:
        raise ValidationError({"limit": _("A limit alarm needs a number tag and a limit.")})
    if (tag.low is not None and definition.limit < tag.low) or (tag.high is not None and definition.limit > tag.high):
        raise ValidationError({"limit": _("The limit lies outside the tag's valid range.")})
    definition.state = ""
    siblings = {d.kind: d.limit for d in tag.alarms.exclude(pk=definition.pk) if d.kind in LIMIT_ORDER}
    siblings[definition.kind] = definition.limit
    ordered = [siblings[k] for k in LIMIT_ORDER if k in siblings]
    if ordered != sorted(ordered) or len(set(ordered)) != len(ordered):  # type: ignore[type-var]  # limits are set
        raise ValidationError({"limit": _("Limits must rise from LOLO through LO and HI to HIHI.")})


@transaction.atomic
def define_alarm(actor: User, *, tag: Tag, **fields: Any) -> AlarmDefinition:
    definition = AlarmDefinition(tag=tag)
    apply_fields(definition, fields, ALARM_FIELDS)
    require(actor, "add", definition)
    if AlarmDefinition.objects.filter(tag=tag, kind=definition.kind).exists():
        raise ValidationError({"kind": _("This tag already has an alarm of this kind.")})
    _check_alarm(definition, tag)
    definition.full_clean()
    with audit.acting_as(actor):
        definition.save()
    return definition


@transaction.atomic
def update_alarm(actor: User, definition_id: int, **fields: Any) -> AlarmDefinition:
    definition = fetch_for_change(AlarmDefinition, actor, "change", definition_id)
    apply_fields(definition, fields, ALARM_FIELDS)
    if "kind" in fields and AlarmDefinition.objects.filter(tag=definition.tag, kind=definition.kind).exclude(
            pk=definition.pk).exists():
        raise ValidationError({"kind": _("This tag already has an alarm of this kind.")})
    _check_alarm(definition, definition.tag)
    definition.full_clean()
    with audit.acting_as(actor):
        definition.save()
    return definition


# --- scheduled jobs (jobs.py) ------------------------------------------------------------------------------

STALE_ALARM = timedelta(hours=24)  # ISA-18.2: an alarm standing this long is stale (queries.STALE reads the same)


def advance_alarm_timers(now: datetime | None = None) -> int:
    """The alarm timer (every minute): on- and off-delays and shelves run out on time, not only when the next
    sample arrives. Each line in its own transaction, its snapshot row locked as ingest locks it. Returns the
    number of alarms that changed."""
    from .models import LiveSnapshot
    from .telemetry.evaluator import Evaluator, forget_definitions

    now = now or timezone.now()
    forget_definitions()  # the worker reads definitions fresh each round: a changed delay counts at once
    waiting = (AlarmState.objects.filter(out_of_service=False, suppressed=False)
               .filter(_timer_running(now)).values_list("line_id", flat=True).distinct())
    changed = 0
    for line in ProductionLine.objects.filter(pk__in=list(waiting)):
        with transaction.atomic():
            LiveSnapshot.objects.select_for_update().get_or_create(line=line)
            evaluator = Evaluator(line)
            evaluator.tick(now)
            changed += len(evaluator.dirty)
            evaluator.save()
    return changed


def _timer_running(now: datetime) -> Q:
    return (Q(pending_since__isnull=False, active=False) | Q(clearing_since__isnull=False, active=True)
            | Q(shelved_until__lte=now))


def sweep_stale_alarms(now: datetime | None = None) -> dict[str, int]:
    """The stale-alarm sweep (hourly): alarms standing for more than STALE_ALARM, and how many lines they are on,
    for the job log and the alarm KPIs; the alarms stay as they are (an operator decides, ISA-18.2 §16)."""
    now = now or timezone.now()
    stale = AlarmState.objects.filter(active=True, out_of_service=False, suppressed=False,
                                      active_since__lt=now - STALE_ALARM)
    return {"stale": stale.count(), "lines": stale.values("line_id").distinct().count()}
