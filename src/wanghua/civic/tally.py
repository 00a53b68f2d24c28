"""Case tallies: every step that changes a case recounts its group (reported month, community) under
the community's lock, so tallies equal a full recount whatever the concurrency; `rebuild` recounts everything
after a bulk load (`wanghua recount_cases`)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from wanghua.org.models import Region

from . import queries
from .models import Case, CaseStatus, CaseTally

COUNTS = {**queries.COUNTS, "duration": Sum(queries.TIME_TO_CLOSE, filter=Q(status=CaseStatus.CLOSED))}


def _tallies():
    """Tallies are derived from the audited cases: they are written without an audit trail of their own."""
    return CaseTally._base_manager


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def _bounds(month: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return datetime.combine(month, time.min, zone), datetime.combine(following, time.min, zone)


def _row(values: dict, **keys) -> CaseTally:
    duration = values.pop("duration")
    return CaseTally(**keys, **values, closed_seconds=int(duration.total_seconds()) if duration else 0)


def refresh(case: Case) -> None:
    """Recount the case's group; call inside the transaction that changed the case."""
    Region.objects.select_for_update().filter(pk=case.community_id).first()  # one writer per community
    month = month_of(case.reported_at)
    start, end = _bounds(month)
    group = {"month": month, "community_id": case.community_id}
    cases = Case.objects.filter(community_id=case.community_id, reported_at__gte=start,
                                reported_at__lt=end).exclude(status=CaseStatus.MERGED)
    rows = [_row(values, unit_id=values.pop("unit"), **group)  # type: ignore[arg-type, misc]  # values() rows are dicts
            for values in cases.values("unit").annotate(**COUNTS).order_by()]
    _tallies().filter(**group).delete()
    _tallies().bulk_create(rows)


def _grouped_row(values: dict) -> CaseTally:
    month = values.pop("month")
    month = timezone.localtime(month).date() if isinstance(month, datetime) else month  # SQLite gives a date
    return _row(values, month=month, community_id=values.pop("community"), unit_id=values.pop("unit"))


@transaction.atomic
def rebuild() -> int:
    """Recount every tally from the cases (after a bulk load); returns how many rows were written."""
    _tallies().all().delete()
    grouped = (Case.objects.exclude(status=CaseStatus.MERGED)
               .annotate(month=TruncMonth("reported_at", tzinfo=timezone.get_current_timezone()))
               .values("month", "community", "unit").annotate(**COUNTS).order_by())
    rows = [_grouped_row(values) for values in grouped]  # type: ignore[arg-type]  # values() rows are dicts
    _tallies().bulk_create(rows, batch_size=5000)
    return len(rows)
