"""Read-side aggregates of the proxy service, over what the viewer may see: errand statistics (per month,
category, community and station), the cash report, and station coverage of the villages/communities.

Statistics are read from the errand tallies (`tally.py`), so a district-wide year is a few thousand rows
rather than hundreds of thousands of errands.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from wanghua.core.mine import Card, MyList
from wanghua.core.reference import choices
from wanghua.org.geo import point, street_outlines
from wanghua.org.models import Person, Region, RegionLevel

from .models import (
    OPEN_STATUSES,
    Errand,
    ErrandStatus,
    ErrandTally,
    LedgerEntry,
    LedgerKind,
    Station,
    signed_amount,
)

# --- errand statistics ---------------------------------------------------------------------------------

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


# --- cash report -----------------------------------------------------------------------------------------

def cash_rows(user, year: int, by_month: bool) -> list[dict]:
    """Money handled per station and day (or month) of `year`: received, paid out, returned, still held."""
    trunc = TruncMonth if by_month else TruncDate
    rows = (LedgerEntry.objects.visible_to(user, "view").filter(recorded_at__year=year)
            .annotate(period=trunc("recorded_at", tzinfo=timezone.get_current_timezone()))
            .values("period", "errand__station", "errand__station__unit__name")
            .annotate(received=Sum(signed_amount(), filter=Q(kind=LedgerKind.RECEIVED)),
                      paid=Sum(signed_amount(), filter=Q(kind=LedgerKind.PAID)),
                      returned=Sum(signed_amount(), filter=Q(kind=LedgerKind.RETURNED)))
            .order_by("-period", "errand__station__unit__name"))
    zero = Decimal("0.00")
    result = []
    for row in rows:
        received, paid, returned = ((row[k] or zero).quantize(zero) for k in ("received", "paid", "returned"))
        result.append({"period": f"{row['period']:%Y-%m}" if by_month else f"{row['period']:%Y-%m-%d}",
                       "station": row["errand__station__unit__name"], "received": received, "paid": paid,
                       "returned": returned, "held": received - paid - returned})
    return result


# --- coverage --------------------------------------------------------------------------------------------

def communities_with_stations(user):
    """Every village/community the user may see with its number of active stations, uncovered ones first."""
    return (Region.objects.visible_to(user, "view").filter(level=RegionLevel.COMMUNITY)
            .select_related("parent").annotate(active_stations=Count("stations", filter=Q(stations__active=True)))
            .order_by("active_stations", "path"))


def coverage(communities) -> dict[str, int]:
    """How many of these communities (annotated by `communities_with_stations`) have an active station."""
    rows = list(communities)
    return {"total": len(rows), "covered": sum(1 for r in rows if r.active_stations)}


# --- work diaries ----------------------------------------------------------------------------------------

DIARY_CHOICES = 500


def diary_agents(user) -> list[tuple[int, str]]:
    """(id, "agent · station") of the agents whose diaries the user may open: those of the stations they see."""
    rows = (Person.objects.filter(stations__in=Station.objects.visible_to(user, "view"))
            .values_list("pk", "name", "stations__unit__name").order_by("stations__community__path", "name", "pk"))
    seen: dict[int, str] = {}
    for pk, name, station in rows[:DIARY_CHOICES]:
        seen.setdefault(pk, f"{name} · {station}")
    return list(seen.items())


# --- 我的: a resident's own errands ---------------------------------------------------------------------

MY_ERRANDS_SHOWN = 50


def my_errands(user) -> MyList:
    """The errands the stations ran for the user (a resident with a login), newest first, as 我的 cards."""
    errands = (Errand.objects.visible_to(user, "view").filter(resident__user=user).select_related("station__unit")
               .order_by("-accepted_at"))
    labels = dict(choices("errand_category"))
    cards = []
    for errand in errands[:MY_ERRANDS_SHOWN]:
        lines = [Truncator(errand.description).chars(60), errand.station.unit.short_name or str(errand.station)]
        if errand.outcome:
            lines.append(_("Outcome: %(outcome)s") % {"outcome": errand.outcome})
        if errand.satisfaction:
            lines.append(_("Your rating: %(score)s/5") % {"score": errand.satisfaction})
        tone = ("danger" if errand.overdue and errand.status in OPEN_STATUSES else
                "warning" if errand.status in OPEN_STATUSES else
                "success" if errand.status in (ErrandStatus.DONE, ErrandStatus.VISITED) else "secondary")
        cards.append(Card(title=labels.get(errand.category, errand.category), status=errand.get_status_display(),
                          when=errand.accepted_at, lines=tuple(lines), tone=tone))
    open_count = errands.filter(status__in=OPEN_STATUSES).count()
    return MyList(cards, _("%(count)s in all · %(open)s being handled") % {"count": errands.count(),
                                                                           "open": open_count})


def station_map(user) -> dict:
    """The stations the user sees, as points over the district's outline, coloured by town/street."""
    stations = (Station.objects.visible_to(user).filter(active=True, unit__lat__isnull=False)
                .select_related("unit", "community__parent").order_by("community__code", "unit__code"))
    return {"outline": street_outlines(Region.objects.all()), "points": [
        {**point(s.unit.lat, s.unit.lon), "name": s.unit.name, "street": s.community.parent.name,
         "community": s.community.name, "url": s.get_absolute_url()} for s in stations]}
