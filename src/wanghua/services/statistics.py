"""Errand statistics per month, category, community and station — over what the viewer may see."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from wanghua.core.reference import choices
from wanghua.org.models import Region

from .models import Errand, ErrandStatus

CLOSED = (ErrandStatus.DONE, ErrandStatus.VISITED)
DIMENSIONS = ("month", "category", "community", "station")
TOP = 30


def scoped_errands(user, year: int | None = None, region=None):
    qs = Errand.objects.visible_to(user, "view")
    if year:
        qs = qs.filter(accepted_at__year=year)
    if region is not None:  # a subquery on the small region table, so the (community, accepted_at) index serves
        qs = qs.filter(community__in=Region.objects.filter(path__startswith=region.path).values("pk"))
    return qs


def summary(qs) -> dict:
    closed = qs.filter(status__in=CLOSED)
    totals = closed.aggregate(n=Count("pk"), on_time=Count("pk", filter=Q(done_at__lte=F("due_at"))),
                              satisfaction=Avg("satisfaction"))
    return {
        "total": qs.count(), "closed": totals["n"], "open": qs.filter(status__in=("accepted", "in_progress")).count(),
        "on_time": (Decimal(100) * totals["on_time"] / totals["n"]).quantize(Decimal("0.1")) if totals["n"] else None,
        "satisfaction": round(totals["satisfaction"], 2) if totals["satisfaction"] else None,
    }


def breakdown(qs, by: str) -> dict[str, list]:
    """Chart data {names, counts} for one dimension."""
    if by == "month":
        rows = (qs.annotate(month=TruncMonth("accepted_at", tzinfo=timezone.get_current_timezone()))
                .values("month").annotate(n=Count("pk")).order_by("month"))
        return {"names": [f"{r['month']:%Y-%m}" for r in rows], "counts": [r["n"] for r in rows]}
    if by == "category":
        labels = dict(choices("errand_category"))
        rows = qs.values("category").annotate(n=Count("pk")).order_by("-n")
        return {"names": [labels.get(r["category"], r["category"]) for r in rows], "counts": [r["n"] for r in rows]}
    if by == "community":  # grouped by id: two streets may each have a 新民社区
        rows = qs.values("community", "community__name", "community__parent__name").annotate(n=Count("pk"))
        label = "{community__parent__name}·{community__name}"
    else:
        rows = qs.values("station", "station__unit__short_name", "community__name").annotate(n=Count("pk"))
        label = "{community__name}·{station__unit__short_name}"
    rows = rows.order_by("-n")[:TOP]
    return {"names": [label.format(**r) for r in rows], "counts": [r["n"] for r in rows]}
