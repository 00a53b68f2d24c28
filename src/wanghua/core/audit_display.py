"""The audit trail as people read it: a field's verbose name, a choice's label, yes/no, local time.

Entries store attnames and JSON values (`audit.snapshot`); this turns them back into what the record's own
page shows, through the model of the entry's record type. A field the model no longer has is shown as stored."""

from __future__ import annotations

import datetime as dt
import json
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import AuditEntry


class StructuredValue(str):
    """A JSON document kept whole in the trail (a certificate's content): shown as data, in monospace."""


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
        return field if isinstance(field, models.Field) else None  # audit keys name concrete fields
    except FieldDoesNotExist:
        return next((f for f in model._meta.concrete_fields if f.attname == key), None)


@lru_cache(maxsize=64)
def _dictionary(code: str, minute: int) -> dict[str, str]:
    from .reference import labels

    return labels(code)


def dictionary_label(code: str, value: str) -> str:
    """A dictionary item's label (cached for a minute: a trail of 500 entries asks once)."""
    return _dictionary(code, int(time.time() // 60)).get(value, value)


def field_label(model: type[models.Model] | None, key: str) -> str:
    field = _field(model, key)
    return str(capfirst(field.verbose_name)) if field is not None else key


LinkedNames = dict[tuple[type[models.Model], Any], str]


def prime_linked_names(entries: list[AuditEntry]) -> None:
    """Names every record that the entries' many-to-many changes link, in one query per linked model, so a page
    of entries does not look them up one entry at a time."""
    wanted: dict[type[models.Model], set[int]] = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None  # type: ignore[union-attr]  # an id, so a type
        for key, before, after in entry.changes():
            field = _field(model, key)
            if isinstance(field, models.ManyToManyField):
                linked = [i for value in (before, after) if isinstance(value, list) for i in value
                          if isinstance(i, int)]
                wanted.setdefault(field.related_model, set()).update(linked)
    names: LinkedNames = {}
    for related, ids in wanted.items():
        names.update({(related, pk): str(obj) for pk, obj in related._base_manager.in_bulk(list(ids)).items()})
    for entry in entries:
        entry.linked_names = names  # type: ignore[attr-defined]  # read back by readable_changes


def value_shown(model: type[models.Model] | None, key: str, value: Any, names: LinkedNames | None = None) -> Any:
    """A stored value as its field shows it; None stays None (the template shows a dash)."""
    if value is None or value == "":
        return value
    field = _field(model, key)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(field, models.ManyToManyField) and isinstance(value, list):
        return linked_names(field, value, names)
    if isinstance(value, dict | list):
        return StructuredValue(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    name = getattr(field, "name", key)
    dictionary = getattr(model, "dictionary_fields", {}).get(name)
    if dictionary:
        return dictionary_label(dictionary, value)
    labeller = getattr(model, "audit_value_labels", {}).get(name)  # a code read through a registry
    if labeller is not None:
        return labeller(value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return date_format(timezone.localtime(moment), "Y-m-d H:i:s")
    return value


def linked_names(field: models.ManyToManyField[Any, Any], ids: list[Any],
                 names: LinkedNames | None = None) -> str:
    """The records a many-to-many field linked (core.audit.record_m2m stores their ids), by name; one gone since
    is shown by its id. `names` holds those a page primed (prime_linked_names)."""
    if not ids:
        return "—"
    related = field.related_model
    if names is None:
        found = related._base_manager.in_bulk([i for i in ids if isinstance(i, int)])
        names = {(related, pk): str(obj) for pk, obj in found.items()}
    return "、".join(names.get((related, i), f"#{i}") for i in ids)


def readable_changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    model = entry.content_type.model_class() if entry.content_type_id else None  # type: ignore[union-attr]  # an id, so a type
    names = getattr(entry, "linked_names", None)
    return [(field_label(model, key), value_shown(model, key, before, names), value_shown(model, key, after, names))
            for key, before, after in entry.changes() if key != "id" or entry.action != "create"]
