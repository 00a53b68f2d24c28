"""Line definitions a plant's production manager keeps: the line's stop rule and ideal rate, tags'
valid ranges, alarm definitions. Ingest workers take changes within DEFINITIONS_TTL (a minute)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, require
from wanghua.core.changes import apply_fields

from .models import AlarmDefinition, AlarmKind, ProductionLine, Tag, TagKind

LINE_FIELDS = {"name", "capacity_tonnes", "ideal_rate", "cold_after_minutes", "temperature_tag", "cold_below",
               "min_stop_seconds", "active"}
TAG_FIELDS = {"name", "unit", "low", "high", "key", "equipment"}
ALARM_FIELDS = {"kind", "limit", "state", "priority", "deadband", "on_delay", "off_delay", "message"}
# A higher alarm must sit above a lower one on the same tag.
LIMIT_ORDER = [AlarmKind.LOLO, AlarmKind.LO, AlarmKind.HI, AlarmKind.HIHI]


@transaction.atomic
def update_line(actor, line_id: int, **fields: Any) -> ProductionLine:
    line = fetch_for_change(ProductionLine, actor, "change", line_id)
    apply_fields(line, fields, LINE_FIELDS)
    if line.temperature_tag is not None and line.temperature_tag.line_id != line.pk:
        raise ValidationError({"temperature_tag": _("Choose a tag of this line.")})
    line.full_clean()
    with audit.acting_as(actor):
        line.save()
    return line


@transaction.atomic
def update_tag(actor, tag_id: int, **fields: Any) -> Tag:
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
    if ordered != sorted(ordered) or len(set(ordered)) != len(ordered):
        raise ValidationError({"limit": _("Limits must rise from LOLO through LO and HI to HIHI.")})


@transaction.atomic
def define_alarm(actor, *, tag: Tag, **fields: Any) -> AlarmDefinition:
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
def update_alarm(actor, definition_id: int, **fields: Any) -> AlarmDefinition:
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
