"""A select's model choices, kept in the process until a table they are read from changes.

Every list's filter form offers the same regions, units, categories and actions on every request: building them
is a query and a model instance per option (a fifth of a list page: 146 regions, 26 units, 12 categories and 11
actions on the case list). Here the (value, label) pairs are kept per process under the query that reads them and
the *versions* of the tables it names. A table's version lives in the shared cache (what every worker and server
sees); any write to the table (save, delete, a link added, a queryset update, delete or bulk create) gives it a
new one at once and again when the transaction commits, so the next page of any process reads the options afresh.
A version missing from the cache (evicted, cleared, a new server) is replaced by a new one: a miss, never a stale
answer; and nothing is kept longer than a minute, for writers that share no cache with the servers. Validation
never reads them: a submitted choice is checked against the queryset, as always.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language

_TABLES_IN_SQL = re.compile(r'(?:FROM|JOIN)\s+"([^"]+)"', re.IGNORECASE)
_KEPT: dict[tuple[Any, ...], tuple[float, list[tuple[str, Any]]]] = {}
_KEPT_CAP = 512  # distinct (query, versions) pairs kept; past it the process starts afresh
# At most this old, whatever the versions say: a writer that shares no cache with the servers (a command run
# without WANGHUA_CACHE_URL, raw SQL, a restore) is seen within a minute.
KEPT_SECONDS = 60.0


def _version_key(table: str) -> str:
    return f"choices:version:{table}"


def bump(table: str, using: str = "default") -> None:
    """Give `table` a new version now (this transaction's own reads) and once its transaction commits (the
    other processes', which could otherwise keep what they read before the commit under the new version)."""
    cache.set(_version_key(table), uuid.uuid4().hex, None)
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    tag = (using, table)
    # One callback per table and transaction: a savepoint rolled back takes its callbacks with it.
    if any(getattr(entry[1], "choices_table", None) == tag for entry in connection.run_on_commit):
        return

    def committed() -> None:
        cache.set(_version_key(table), uuid.uuid4().hex, None)

    committed.choices_table = tag  # type: ignore[attr-defined]  # the tag the check above looks for
    transaction.on_commit(committed, using=using)


def bump_model(model: type[Model], using: str = "default") -> None:
    bump(model._meta.db_table, using)


def _versions(tables: tuple[str, ...]) -> tuple[str, ...]:
    keys = [_version_key(table) for table in tables]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:  # never seen, or evicted: a fresh version, so nothing kept before can match
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return tuple(str(found[key]) for key in keys)


def kept_choices(field: forms.ModelChoiceField[Any]) -> list[tuple[str, Any]]:
    """The field's (value, label) pairs, from the process when its tables have not changed since."""
    queryset: QuerySet[Any] = field.queryset  # type: ignore[assignment]  # set: only such fields get here
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or `in` an empty list: no options, and nothing to ask the database
        return []
    tables = tuple(sorted(set(_TABLES_IN_SQL.findall(sql)) | {queryset.model._meta.db_table}))
    key = (queryset.db, get_language(), type(field).__qualname__, field.to_field_name, sql, repr(params),
           _versions(tables))
    now = time.monotonic()
    kept = _KEPT.get(key)
    if kept is not None and now - kept[0] < KEPT_SECONDS:
        return kept[1]
    prefetches = queryset._prefetch_related_lookups  # type: ignore[attr-defined]  # Django's own, as ModelChoiceIterator reads it
    iterable = queryset if prefetches else queryset.iterator()
    choices = [(str(field.prepare_value(obj)), field.label_from_instance(obj)) for obj in iterable]
    if len(_KEPT) >= _KEPT_CAP:
        _KEPT.clear()
    _KEPT[key] = (now, choices)
    return choices


class KeptModelChoices(BaseChoiceIterator):
    """A ModelChoiceField's choices as a select renders them: the empty and null choices, then the kept ones.
    Lazy (a BaseChoiceIterator, which Django leaves as it is): a select that is never shown reads nothing."""

    def __init__(self, field: forms.ModelChoiceField[Any]) -> None:
        self.field = field

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        null_label = getattr(field, "null_label", None)  # django-filter's "no value" choice
        if null_label is not None:
            yield (field.null_value, null_label)  # type: ignore[attr-defined]  # django-filter's field has it
        yield from kept_choices(field)


def keepable(field: forms.Field) -> bool:
    """A plain model choice field: its labels are the class's own, so the query alone decides its options."""
    return (isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField)
            and isinstance(field.queryset, QuerySet) and "label_from_instance" not in vars(field))


# Tables no select reads, written by machines many times a minute (telemetry, counters, logs, sessions): a new
# version for each of their writes would cost ingest a cache write per batch for nothing. A model missing here
# only costs its writes that cache write.
MACHINE_WRITTEN = frozenset({
    "industry.livesnapshot", "industry.sample", "industry.minuterollup", "industry.hourrollup",
    "industry.pendinghour", "industry.deadletter", "industry.heat", "industry.alarmstate", "industry.alarmevent",
    "core.auditentry", "core.loginevent", "core.jobrun", "dashboard.refreshrun", "dashboard.indicatorvalue",
    "culture.sitevisit", "services.errandtally", "civic.casetally", "civic.casenumber",
    "lab.labchain", "sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
})


def _saved_or_deleted(sender: type[Model], using: str = "default", **kwargs: Any) -> None:
    if sender._meta.label_lower not in MACHINE_WRITTEN:
        bump_model(sender, using)


def _links_changed(sender: type[Model], instance: Model, action: str, using: str = "default",
                   **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump_model(sender, using)  # the link table
        bump_model(type(instance), using)


post_save.connect(_saved_or_deleted, dispatch_uid="wanghua.core.choices.saved")
post_delete.connect(_saved_or_deleted, dispatch_uid="wanghua.core.choices.deleted")
m2m_changed.connect(_links_changed, dispatch_uid="wanghua.core.choices.links")
