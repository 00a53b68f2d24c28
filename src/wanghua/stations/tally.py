"""Errand tallies per station, month and category: kept exact by the services that change errands.

A station-month is recounted from its errands (a few dozen rows, on the (station, accepted_at) index)
while the station row is locked, so concurrent transitions in one station serialise and the last
recount sees every committed change; nothing is incremented, so nothing can drift.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import Errand, ErrandStatus, ErrandTally, Resident, Station

OPEN = (ErrandStatus.ACCEPTED, ErrandStatus.IN_PROGRESS)
CLOSED = (ErrandStatus.DONE, ErrandStatus.VISITED)
WITHDRAWN = (ErrandStatus.CANCELLED, ErrandStatus.RETURNED)

COUNTS = {
    "total": Count("pk"),
    "open": Count("pk", filter=Q(status__in=OPEN)),
    "closed": Count("pk", filter=Q(status__in=CLOSED)),
    "on_time": Count("pk", filter=Q(status__in=CLOSED, done_at__lte=F("due_at"))),
    "withdrawn": Count("pk", filter=Q(status__in=WITHDRAWN)),
    "satisfaction_sum": Sum("satisfaction", filter=Q(satisfaction__isnull=False), default=0),
    "satisfaction_count": Count("satisfaction"),
}


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (datetime(month.year, month.month, 1, tzinfo=zone),
            datetime(following.year, following.month, 1, tzinfo=zone))


def refresh(errand: Errand) -> None:
    """Recount the station-month of `errand`; call inside the transaction that changed it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("tally.refresh must run inside the transaction that changed the errand")
    station = Station.objects.select_for_update().only("pk", "community_id").get(pk=errand.station_id)
    month = month_of(errand.accepted_at)
    start, end = _month_bounds(month)
    rows = (Errand.objects.filter(station=station, accepted_at__gte=start, accepted_at__lt=end)
            .values("category").annotate(**COUNTS).order_by())
    ErrandTally.objects.filter(station=station, month=month).delete()
    ErrandTally.objects.bulk_create(
        ErrandTally(station_id=station.pk, community_id=station.community_id, month=month, **row) for row in rows)


@transaction.atomic
def rebuild(apps=None) -> int:
    """Recount everything after a bulk load (the demo, an import); returns the number of tally rows.

    `apps` is a migration's app registry, so the migration that created the tallies can fill them.
    """
    errands, tallies, residents = ((apps.get_model("services", name) for name in ("Errand", "ErrandTally", "Resident"))
                                   if apps else (Errand, ErrandTally, Resident))
    _mark_first_served(errands, residents)
    rows = (errands.objects.annotate(  # type: ignore[misc]  # a migration's model or the real one
            month=TruncMonth("accepted_at", tzinfo=timezone.get_current_timezone()))
            .values("station", "community", "month", "category").annotate(**COUNTS).order_by())
    tallies.objects.all().delete()  # type: ignore[misc]  # as above
    created = tallies.objects.bulk_create(
        (tallies(station_id=row.pop("station"), community_id=row.pop("community"),
                 month=_as_date(row.pop("month")), **row) for row in rows), batch_size=5000)
    return len(created)


def _as_date(value: date | datetime) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def _mark_first_served(errand_model, resident_model) -> None:
    """One grouped scan of the errands (a correlated subquery per resident is quadratic on a fresh table)."""
    firsts = (errand_model.objects.filter(resident__first_served_on__isnull=True).values("resident")
              .annotate(first=Min("accepted_at")).order_by())
    batch = []
    for row in firsts.iterator(chunk_size=5000):
        batch.append(resident_model(pk=row["resident"], first_served_on=timezone.localtime(row["first"]).date()))
        if len(batch) == 5000:
            resident_model.objects.bulk_update(batch, ["first_served_on"])
            batch = []
    resident_model.objects.bulk_update(batch, ["first_served_on"])
