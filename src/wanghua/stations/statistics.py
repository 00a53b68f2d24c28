"""Errand statistics per month, category, community and station — over what the viewer may see.

Everything is read from the errand tallies (services.tally), so a district-wide year is a few
thousand rows rather than hundreds of thousands of errands.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from wanghua.core.reference import choices
from wanghua.org.models import Region

from .models import ErrandTally

DIMENSIONS = ("month", "category", "community", "station")
TOP = 30
SEE_ERRANDS = "services.view_errand"  # tallies are visible exactly where their errands are


def scoped_tallies(user, year: int | None = None, region=None):
    qs = ErrandTally.objects.visible_to(user, SEE_ERRANDS)
    if year:
        qs = qs.filter(month__gte=date(year, 1, 1), month__lte=date(year, 12, 1))
    if region is not None:  # a subquery on the small region table, so the (community, month) index serves
        qs = qs.filter(community__in=Region.objects.filter(path__startswith=region.path).values("pk"))
    return qs


def percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None


def summary(qs) -> dict:
    totals = {key: value or 0 for key, value in qs.aggregate(
        total=Sum("total"), closed=Sum("closed"), open=Sum("open"), on_time=Sum("on_time"),
        rated=Sum("satisfaction_count"), points=Sum("satisfaction_sum")).items()}
    return {
        "total": totals["total"], "closed": totals["closed"], "open": totals["open"],
        "on_time": percent(totals["on_time"], totals["closed"]),
        "satisfaction": round(Decimal(totals["points"]) / totals["rated"], 2) if totals["rated"] else None,
    }


def breakdown(qs, by: str) -> dict[str, list]:
    """Chart data {names, counts} for one dimension."""
    if by == "month":
        rows = qs.values("month").annotate(n=Sum("total")).order_by("month")
        return {"names": [f"{r['month']:%Y-%m}" for r in rows], "counts": [r["n"] for r in rows]}
    if by == "category":
        labels = dict(choices("errand_category"))
        rows = qs.values("category").annotate(n=Sum("total")).order_by("-n")
        return {"names": [labels.get(r["category"], r["category"]) for r in rows], "counts": [r["n"] for r in rows]}
    if by == "community":  # grouped by id: two streets may each have a 新民社区
        rows = qs.values("community", "community__name", "community__parent__name").annotate(n=Sum("total"))
        label = "{community__parent__name}·{community__name}"
    else:
        rows = qs.values("station", "station__unit__short_name", "community__name").annotate(n=Sum("total"))
        label = "{community__name}·{station__unit__short_name}"
    rows = rows.order_by("-n")[:TOP]
    return {"names": [label.format(**r) for r in rows], "counts": [r["n"] for r in rows]}
