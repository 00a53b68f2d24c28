"""The audit trail: who changed what, when, before and after, grouped by request id.

Every AuditedModel records its own create/update/delete, and its queryset records the bulk
paths (update, bulk_create, bulk_update, delete), so no code path can change a domain record
without a trace. Services name their state transitions with `audit.labelled(...)`.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.conf import settings
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils.translation import gettext_lazy as _

from .boundary import BoundedModel

if TYPE_CHECKING:
    from .models import AuditEntry

_M = TypeVar("_M", bound=models.Model)


class Label(models.TextChoices):
    """The audit labels of changes that are not a state machine's step (those are `transition:<machine>.<step>`)."""

    ACCOUNT_CREATE = "account:create", _("account created")
    ACCOUNT_DISABLE = "account:disable", _("account disabled")
    ACCOUNT_ENABLE = "account:enable", _("account enabled")
    ACCOUNT_PASSWORD = "account:password", _("password reset")
    CASE_REPORT = "case:report", _("case reported")
    CASE_SUPERVISE = "case:supervise", _("overdue case supervised")
    COMMITMENT_PROGRESS = "commitment:progress", _("commitment progress reported")
    CULTURE_CERTIFICATE = "culture:certificate", _("volunteer service certificate issued")
    CULTURE_NOMINATE = "culture:nominate", _("role model nominated")
    CULTURE_OBJECTION = "culture:objection", _("objection filed")
    CULTURE_ANSWER = "culture:answer", _("objection answered")
    CULTURE_POINTS = "culture:points", _("volunteer points earned")
    CULTURE_REDEEM = "culture:redeem", _("points redeemed")
    DEMO = "demo", _("demo data generated")
    ERRAND_ACCEPT = "errand:accept", _("errand accepted")
    INDICATOR_TARGETS = "indicator:targets", _("indicator targets set")
    INGEST_STOPS = "ingest:stops", _("stops recorded from telemetry")
    INSTALL_LINE = "industry:install_line", _("production line installed")
    ISSUE_ESCALATE = "issue:escalate", _("overdue issue escalated")
    LAB_CERTIFICATE = "lab:certificate", _("certificate issued")
    LAB_VERDICT = "lab:verdict", _("lab verdict given")
    LEDGER_IMPORT = "ledger:import", _("project ledger imported")
    LEDGER_VOID = "ledger:void", _("ledger entry voided")
    MILESTONE_DONE = "milestone:done", _("milestone done")
    RECOUNT_ERRANDS = "recount_errands", _("errand tallies recounted")
    SESSION_END = "session:end", _("session ended (forced logout)")
    SIGNUP_CHECK_IN = "signup:check_in", _("volunteer checked in")
    SIGNUP_CHECK_OUT = "signup:check_out", _("volunteer checked out")


@dataclass
class AuditContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    request: Any = None  # the HttpRequest; its user is read when an entry is written
    user: Any = None  # an explicit actor (commands, services acting for someone)
    ip: str | None = None
    label: str | None = None  # e.g. "transition:close_errand"
    note: str = ""
    suppressed: bool = False
    pending: list[AuditEntry] | None = None  # inside batched(): entries wait here and are written together

    def actor(self) -> Any:
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_context: ContextVar[AuditContext | None] = ContextVar("wanghua_audit_context", default=None)


def current() -> AuditContext:
    ctx = _context.get()
    if ctx is None:
        ctx = AuditContext(request_id="cli-" + uuid.uuid4().hex[:12])
        _context.set(ctx)
    return ctx


@contextmanager
def bound(ctx: AuditContext) -> Iterator[AuditContext]:
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


@contextmanager
def acting_as(user: Any, *, request_id: str | None = None) -> Iterator[AuditContext]:
    """Attribute changes made inside the block to `user` (commands, jobs, services)."""
    parent = _context.get()
    ctx = AuditContext(
        request_id=request_id or (parent.request_id if parent else uuid.uuid4().hex),
        request=parent.request if parent else None,
        user=user,
        ip=parent.ip if parent else None,
    )
    with bound(ctx):
        yield ctx


@contextmanager
def labelled(label: str, note: str = "") -> Iterator[None]:
    """Name the changes made inside the block, e.g. a state transition."""
    ctx = current()
    old = (ctx.label, ctx.note)
    ctx.label, ctx.note = label, note
    try:
        yield
    finally:
        ctx.label, ctx.note = old


@contextmanager
def summarised(label: str, note: str) -> Iterator[None]:
    """Record one summary entry instead of one per row: only for generated bulk data (demo, bench)."""
    ctx = current()
    old = ctx.suppressed
    ctx.suppressed = True
    try:
        yield
    finally:
        ctx.suppressed = old
    # Only once the block succeeded: written after a failure it would record what was never done, and inside a
    # broken transaction it would raise in place of the block's own error.
    _write([_entry(ctx, "bulk", None, None, "", label, {}, {}, note=note)])


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # "10.00" and "10" are the same amount
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def audited_attnames(model: type[models.Model]) -> list[str]:
    excluded: set[str] = getattr(model, "audit_exclude", set())
    return [f.attname for f in model._meta.concrete_fields if f.name not in excluded]


def _normalised(field: models.Field[Any, Any], value: Any) -> Any:
    """The field's own Python form, so "10.60" set by hand and Decimal("10.6") from the DB compare equal;
    personal data (the model's `audit_masked`) is kept masked, with a keyed fingerprint to show change."""
    try:
        value = jsonable(field.to_python(value))
    except Exception:  # a value the field rejects is recorded as given
        value = jsonable(value)
    masker = getattr(field.model, "audit_masked", {}).get(field.name)
    if masker is not None and value:
        return masked(masker, value)
    return value


_MASKED = re.compile(r" #[0-9a-f]{6}$")


def masked(masker: Callable[[str], str], value: Any) -> str:
    """A personal-data value as the trail keeps it: masked as on the record's page, with a keyed fingerprint
    (so a change shows as a change without revealing either value). A value already masked stays as it is."""
    text = str(value)
    if _MASKED.search(text):
        return text
    fingerprint = hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:6]
    return f"{masker(text)} #{fingerprint}"


def masked_values(model: type[models.Model] | None, values: dict[str, Any]) -> dict[str, Any]:
    """An entry's before or after as it may be shown: entries written before a field was declared personal
    (`audit_masked`) hold it in full, and are masked on the way out."""
    maskers = getattr(model, "audit_masked", None) if model is not None else None
    if model is None or not maskers or not isinstance(values, dict):
        return values
    names = {model._meta.get_field(name).attname: masker for name, masker in maskers.items()}  # type: ignore[union-attr]  # concrete fields
    return {k: masked(names[k], v) if k in names and v not in (None, "") else v for k, v in values.items()}


def snapshot(obj: models.Model) -> dict[str, Any]:
    excluded: set[str] = getattr(type(obj), "audit_exclude", set())
    return {f.attname: _normalised(f, getattr(obj, f.attname))
            for f in type(obj)._meta.concrete_fields if f.name not in excluded}


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _entry(ctx: AuditContext, action: str, model: type[models.Model] | None, object_id: Any, object_repr: Any,
           label: str | None, before: dict[str, Any], after: dict[str, Any], note: str = "") -> AuditEntry:
    from django.contrib.contenttypes.models import ContentType

    from .models import AuditEntry

    actor = ctx.actor()
    return AuditEntry(
        request_id=ctx.request_id[:64],
        actor=actor,
        actor_label=(actor.get_username() if actor else "system")[:150],
        ip=ctx.ip,
        action=action,
        label=(label or ctx.label or "")[:100],
        content_type=ContentType.objects.get_for_model(model) if model is not None else None,
        object_id=str(object_id or "")[:64],
        object_repr=str(object_repr)[:200],
        before=before,
        after=after,
        note=(note or ctx.note or "")[:500],
    )


def _write(entries: list[AuditEntry]) -> None:
    from .models import AuditEntry

    pending = current().pending
    if pending is not None:
        pending.extend(entries)
    elif entries:
        AuditEntry.objects.bulk_create(entries, batch_size=500)


@contextmanager
def batched() -> Iterator[None]:
    """Every entry of the block, one per change as always, written in one bulk insert at its end (an import of
    thousands of rows). Use inside the transaction that makes the changes, so both commit or neither does."""
    from .models import AuditEntry

    ctx = current()
    outer, ctx.pending = ctx.pending, []
    try:
        yield
        entries = ctx.pending
    finally:
        ctx.pending = outer
    if outer is not None:
        outer.extend(entries)
    else:
        AuditEntry.objects.bulk_create(entries, batch_size=1000)


def record(action: str, obj: models.Model, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           *, note: str = "") -> None:
    """Write one entry for `obj` (create/update/delete/transition/pii_view ...)."""
    ctx = current()
    if ctx.suppressed and action in {"create", "update", "delete"}:
        return
    before, after = before or {}, after or {}
    if action == "update":
        before, after = changed(before, after)
        if not after:
            return
    _write([_entry(ctx, action, type(obj), obj.pk, obj, None, before, after, note=note)])


def record_rows(action: str, model: type[models.Model],
                rows: Iterable[tuple[Any, dict[str, Any], dict[str, Any]]]) -> None:
    """Bulk variant: rows of (pk, before, after)."""
    from .choices import bump_model

    bump_model(model)  # a queryset's update, delete or bulk create: selects reading the table read it afresh
    ctx = current()
    if ctx.suppressed:
        return
    entries = []
    for pk, before, after in rows:
        if action == "update":
            before, after = changed(before, after)
            if not after:
                continue
        label = f"{model._meta.verbose_name} #{pk}"
        entries.append(_entry(ctx, action, model, pk, label, None, before, after))
    _write(entries)


def _values(qs: models.QuerySet[Any], names: list[str]) -> dict[Any, dict[str, Any]]:
    pk = qs.model._meta.pk.attname
    fields = {f.attname: f for f in qs.model._meta.concrete_fields}
    return {row[pk]: {k: _normalised(fields[k], v) for k, v in row.items()} for row in qs.values(*names)}


def record_cascade(objs: list[models.Model] | models.QuerySet[Any], model: type[models.Model],
                   origin_pks: set[Any]) -> None:
    """What deleting `objs` also does to other records — cascaded deletes, SET_NULL updates — is
    recorded too (Django's deletion collector bypasses the models' own save/delete)."""
    if current().suppressed:
        return
    collector = Collector(using=router.db_for_write(model), origin=objs)  # type: ignore[arg-type]  # a single delete passes [self]; Django only hands origin on to its signals
    collector.collect(objs)
    for related, instances in collector.data.items():
        if issubclass(related, AuditedModel):
            record_rows("delete", related, ((o.pk, snapshot(o), {}) for o in instances
                                            if not (related is model and o.pk in origin_pks)))
    for queryset in collector.fast_deletes:
        if issubclass(queryset.model, AuditedModel):
            rows = _values(queryset, audited_attnames(queryset.model))
            record_rows("delete", queryset.model, ((pk, row, {}) for pk, row in rows.items()
                                                   if not (queryset.model is model and pk in origin_pks)))
    for (nulled, value), targets in collector.field_updates.items():
        name = nulled.attname
        for target in targets:  # querysets of the related model's base manager, or instances
            target_model = target.model if isinstance(target, models.QuerySet) else type(next(iter(target), None))  # type: ignore[call-overload]  # a list of instances; the stubs say Model
            if not isinstance(target_model, type) or not issubclass(target_model, AuditedModel):
                continue
            current_values = (target.values_list("pk", name) if isinstance(target, models.QuerySet)
                              else [(o.pk, getattr(o, name)) for o in target])  # type: ignore[attr-defined]  # as above
            record_rows("update", target_model, [(pk, {name: jsonable(old)}, {name: jsonable(value)})
                                                 for pk, old in current_values])


class AuditedQuerySet(models.QuerySet[_M]):
    """A queryset whose bulk writes leave the same trail as single saves."""

    def update(self, **kwargs: Any) -> int:
        names = audited_attnames(self.model)
        with transaction.atomic(using=self.db):
            before = _values(self, names)
            count = super().update(**kwargs)
            after = _values(self.model._base_manager.using(self.db).filter(pk__in=list(before)), names)
            record_rows("update", self.model, ((pk, before[pk], after.get(pk, {})) for pk in before))
        return count

    update.alters_data = True  # type: ignore[attr-defined]  # Django reads these markers off the method
    update.queryset_only = True  # type: ignore[attr-defined]  # as alters_data

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            record_rows("create", self.model, ((o.pk, {}, snapshot(o)) for o in created))
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs = list(objs)
        names = audited_attnames(self.model)
        with transaction.atomic(using=self.db):
            before = _values(self.model._base_manager.using(self.db).filter(pk__in=[o.pk for o in objs]), names)
            ctx = current()
            outer, ctx.suppressed = ctx.suppressed, True  # Django's bulk_update calls update(): record once
            try:
                count = super().bulk_update(objs, fields, batch_size=batch_size)
            finally:
                ctx.suppressed = outer
            record_rows("update", self.model, ((o.pk, before.get(o.pk, {}), snapshot(o)) for o in objs))
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        names = audited_attnames(self.model)
        with transaction.atomic(using=self.db):
            before = _values(self, names)
            record_cascade(self.model.objects.using(self.db)  # type: ignore[attr-defined]  # every audited model has objects
                           .filter(pk__in=list(before)), self.model, set(before))
            result = super().delete()
            record_rows("delete", self.model, ((pk, row, {}) for pk, row in before.items()))
        return result

    delete.alters_data = True  # type: ignore[attr-defined]  # as update.alters_data
    delete.queryset_only = True  # type: ignore[attr-defined]  # as update.alters_data


class _FrozenJSON(str):
    """A loaded JSON value kept as its text: serialising in C is far cheaper than a deep copy, and most rows
    read are never saved (a list's region filter loads a hundred outlines per request)."""


def _frozen(value: Any) -> Any:
    try:
        return _FrozenJSON(json.dumps(value))
    except (TypeError, ValueError):
        return copy.deepcopy(value)


def _thawed(value: Any) -> Any:
    return json.loads(value) if isinstance(value, _FrozenJSON) else value


class AuditedModel(BoundedModel):
    """Base of every domain record: single saves and deletes write their own audit entry (and refuse, as a
    BoundedModel, what the input boundary refuses)."""

    audit_exclude: set[str] = set()

    objects = AuditedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        creating = self._state.adding
        before = {} if creating else self._audit_before()
        with transaction.atomic():
            super().save(*args, **kwargs)
            after = snapshot(self)
            record("create" if creating else "update", self, before, after)
        self._audit_loaded: dict[str, Any] | None = after
        self._audit_raw: tuple[Any, ...] | None = None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        before = snapshot(self)
        with transaction.atomic():
            record_cascade([self], type(self), {self.pk})
            result = super().delete(*args, **kwargs)
            _write([_entry(current(), "delete", type(self), before.get(self._meta.pk.attname), self, None,
                           before, {})] if not current().suppressed else [])
        return result

    def _audit_before(self) -> dict[str, Any]:
        loaded = getattr(self, "_audit_loaded", None)
        raw = getattr(self, "_audit_raw", None)
        if loaded is None and raw is not None:
            loaded = {f.attname: _normalised(f, _thawed(v))
                      for f, v in zip(type(self)._meta.concrete_fields, raw, strict=True)}
        if loaded is not None:
            return {k: loaded.get(k) for k in audited_attnames(type(self))}
        fresh = type(self)._base_manager.filter(pk=self.pk).first()
        return snapshot(fresh) if fresh else {}

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Self:  # type: ignore[override]  # the stubs add Django 6's fetch_mode
        instance = super().from_db(db, field_names, values)
        if len(values) == len(cls._meta.concrete_fields):
            # Reads are many and saves few: keep the loaded row and normalise it only when saved. Mutable
            # values (JSON) are copied now, since the instance shares them and may change them in place.
            instance._audit_raw = tuple(_frozen(v) if isinstance(v, (dict, list)) else v for v in values)
        return instance


# --- many-to-many changes -------------------------------------------------------------------------------------
# `station.agents.add(...)`, `.remove`, `.set`, `.clear` (and the same from the other side, `person.stations.add`)
# write the link table directly, past any model's save(). Django's m2m_changed signal is the one place every such
# change passes, so the trail takes them there: one "update" entry per record whose links changed, the field's
# linked ids before and after.

@functools.cache
def _m2m_field(through: type[models.Model]) -> models.ManyToManyField[Any, Any] | None:
    for fk in through._meta.get_fields():
        if isinstance(fk, models.ForeignKey):
            for candidate in fk.related_model._meta.many_to_many:
                if candidate.remote_field.through is through:
                    return candidate
    return None


def _linked(field: models.ManyToManyField[Any, Any], owner_ids: Iterable[Any]) -> dict[Any, list[Any]]:
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links: dict[Any, list[Any]] = {pk: [] for pk in owner_ids}
    rows = through._base_manager.filter(  # type: ignore[union-attr]  # a many-to-many always has its through model
        **{f"{source}__in": list(links)}).values_list(f"{source}_id", f"{target}_id")
    for owner, linked in rows:
        links[owner].append(linked)
    return {pk: sorted(ids) for pk, ids in links.items()}


def _owners(field: models.ManyToManyField[Any, Any], instance: models.Model, reverse: bool,
            pk_set: set[Any] | None) -> list[Any]:
    """The records holding the field whose links this change touches."""
    if not reverse:
        return [instance.pk]
    if pk_set is not None:
        return list(pk_set)
    through = field.remote_field.through  # a clear() from the other side: every record linked to it
    return list(through._base_manager.filter(**{field.m2m_reverse_field_name(): instance})  # type: ignore[union-attr]  # as in _linked
                .values_list(f"{field.m2m_field_name()}_id", flat=True))


def record_m2m(sender: type[models.Model], instance: models.Model, action: str, reverse: bool,
               model: type[models.Model], pk_set: set[Any] | None, **kwargs: Any) -> None:
    """The m2m_changed receiver: links before (pre_*) and after (post_*), one entry per changed record."""
    if not action.startswith(("pre_", "post_")) or current().suppressed:
        return
    field = _m2m_field(sender)
    if field is None or not issubclass(field.model, AuditedModel):
        return
    stash = instance.__dict__.setdefault("_audit_m2m", {})
    if action.startswith("pre_"):
        stash[sender] = _linked(field, _owners(field, instance, reverse, pk_set))
        return
    before = stash.pop(sender, None)
    if before is None:
        return
    after = _linked(field, before)
    owners = field.model._base_manager.in_bulk([pk for pk in before if before[pk] != after.get(pk)])
    _write([_entry(current(), "update", field.model, pk, owner, None, {field.name: before[pk]},
                   {field.name: after[pk]}) for pk, owner in owners.items()])
