"""民生·创城 read side: case KPIs (from the cases or their tallies), the KPI board, the campaign actions' board, the
case map, likely duplicates, what a resident reads of their case, the 民生清单's headline and a volunteer's record.

Case KPIs per unit and per region, as the command centre reports them:

* 立案率 — cases accepted ÷ cases reported (merged duplicates are not counted as reported);
* 按期处置率 — cases handled by their deadline ÷ cases handled;
* 结案率 — cases closed ÷ cases accepted;
* 返工率 — cases sent back at least once ÷ cases handled;
* average handling time — hours from 立案 to 结案 of the closed cases."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.org.geo import contains
from wanghua.org.models import Person, Region, RegionLevel

from .models import (
    OPEN_STATUSES,
    Activity,
    CampaignAction,
    Case,
    CaseCategory,
    CaseStatus,
    CaseStep,
    CaseTally,
    CommitmentStatus,
    SignUp,
)
from .services.commitments import status as commitment_status

DUPLICATE_METRES = Decimal(50)
DUPLICATE_DAYS = 3
# One degree of latitude is about 111 km; the box is checked first, the distance after.
METRES_PER_DEGREE = Decimal(111_000)

TENTH = Decimal("0.1")


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(TENTH, ROUND_HALF_UP) if whole else None


@dataclass
class CaseKpis:
    key: Any  # a region id, or a street's name once folded
    reported: int
    accepted: int
    handled: int
    handled_on_time: int
    closed: int
    reworked: int
    average_hours: Decimal | None
    closed_seconds: float = 0  # 立案 → 结案 summed over the closed cases: rows fold into larger areas exactly

    @property
    def acceptance_rate(self) -> Decimal | None:
        return _rate(self.accepted, self.reported)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.handled_on_time, self.handled)

    @property
    def closure_rate(self) -> Decimal | None:
        return _rate(self.closed, self.accepted)

    @property
    def rework_rate(self) -> Decimal | None:
        return _rate(self.reworked, self.handled)


# The counts every KPI is made of; the tallies keep the same counts (civic/tally.py).
COUNTS = {
    "reported": Count("pk"),
    "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
    "handled": Count("pk", filter=Q(handled_at__isnull=False)),
    "handled_on_time": Count("pk", filter=Q(handled_at__isnull=False, handled_at__lte=F("due_at"))),
    "closed": Count("pk", filter=Q(status=CaseStatus.CLOSED)),
    "reworked": Count("pk", filter=Q(handled_at__isnull=False, reworks__gt=0)),
}
TIME_TO_CLOSE = ExpressionWrapper(F("closed_at") - F("accepted_at"), output_field=DurationField())
AGGREGATES = {**COUNTS, "average": Avg(TIME_TO_CLOSE, filter=Q(status=CaseStatus.CLOSED))}


def _row(key, values: dict) -> CaseKpis:
    average = values.pop("average")
    hours = None if average is None else (Decimal(average.total_seconds()) / 3600).quantize(TENTH, ROUND_HALF_UP)
    total = average.total_seconds() * values["closed"] if average is not None else 0
    return CaseKpis(key=key, average_hours=hours, closed_seconds=total, **values)


def case_kpis(cases, start: datetime, end: datetime, by: str | None = None) -> list[CaseKpis]:
    """KPIs of the cases reported in [start, end), overall (by=None) or grouped by a lookup such as
    "unit__name" or "community__parent__name"."""
    scope = cases.filter(reported_at__gte=start, reported_at__lt=end).exclude(status=CaseStatus.MERGED)
    if by is None:
        return [_row(None, scope.aggregate(**AGGREGATES))]
    rows = scope.values(by).annotate(**AGGREGATES).order_by(by)
    return [_row(row.pop(by), row) for row in rows]


SUMS = {name: Sum(name) for name in ("reported", "accepted", "handled", "handled_on_time", "closed", "reworked",
                                     "closed_seconds")}


def _tallied_row(key, values: dict) -> CaseKpis:
    counts = {name: values[name] or 0 for name in SUMS if name != "closed_seconds"}
    seconds = values["closed_seconds"] or 0
    hours = (Decimal(seconds) / 3600 / counts["closed"]).quantize(TENTH, ROUND_HALF_UP) if counts["closed"] else None
    return CaseKpis(key=key, average_hours=hours, closed_seconds=seconds, **counts)


def tallied_kpis(tallies, first_month, last_month, by: str | None = None) -> list[CaseKpis]:
    """The same KPIs read from the case tallies of whole months [first_month, last_month] (the board's
    usual question), without touching the cases."""
    scope = tallies.filter(month__gte=first_month, month__lte=last_month)
    if by is None:
        return [_tallied_row(None, scope.aggregate(**SUMS))]
    rows = scope.values(by).annotate(**SUMS).order_by(by)
    return [_tallied_row(row.pop(by), row) for row in rows]


def by_street(rows: list[CaseKpis]) -> list[CaseKpis]:
    """Rows keyed by the case's region id (a community or a grid inside one) folded into its town/street."""
    regions = {r.pk: r.path for r in Region.objects.filter(pk__in=[row.key for row in rows]).only("pk", "path")}
    streets = list(Region.objects.filter(level=RegionLevel.STREET).values_list("path", "name"))
    folded: dict[str, CaseKpis] = {}
    for row in rows:
        path = regions.get(row.key, "")
        name = next((street for prefix, street in streets if path.startswith(prefix)), "")
        into = folded.setdefault(name, CaseKpis(name, 0, 0, 0, 0, 0, 0, None))
        for count in ("reported", "accepted", "handled", "handled_on_time", "closed", "reworked", "closed_seconds"):
            setattr(into, count, getattr(into, count) + getattr(row, count))
    for row in folded.values():
        row.average_hours = ((Decimal(row.closed_seconds) / 3600 / row.closed).quantize(TENTH, ROUND_HALF_UP)
                             if row.closed else None)
    return sorted(folded.values(), key=lambda row: row.key)


def board_kpis(user, start: datetime, end: datetime):
    """Whole months (the usual question: this year so far) come from the tallies, any other span from the cases."""
    first_day, last_day = start.date(), (end - timedelta(days=1)).date()
    next_day = last_day + timedelta(days=1)
    whole_months = first_day.day == 1 and (next_day.day == 1 or last_day >= timezone.localdate())
    if whole_months:
        tallies = CaseTally.objects.visible_to(user, "civic.view_case")
        months = (first_day, last_day.replace(day=1))
        return (tallied_kpis(tallies, *months)[0], tallied_kpis(tallies, *months, by="unit__name"),
                by_street(tallied_kpis(tallies, *months, by="community")))
    cases = Case.objects.visible_to(user)
    return (case_kpis(cases, start, end)[0], case_kpis(cases, start, end, by="unit__name"),
            by_street(case_kpis(cases, start, end, by="community")))


def nearby_duplicates(case: Case) -> list[Case]:
    """Open cases of the same sub-category reported within 50 m and 3 days: likely the same problem."""
    since = case.reported_at - timedelta(days=DUPLICATE_DAYS)
    candidates = Case.objects.filter(category=case.category, status__in=OPEN_STATUSES,
                                     reported_at__gte=since).exclude(pk=case.pk)
    if case.lat is None:
        return list(candidates.filter(community=case.community, address=case.address).exclude(address="")[:10])
    degrees = DUPLICATE_METRES / METRES_PER_DEGREE * 2  # longitude degrees are shorter at 41°N
    boxed = candidates.filter(lat__range=(case.lat - degrees, case.lat + degrees),
                              lon__range=(case.lon - degrees, case.lon + degrees))  # type: ignore[operator]  # lat set
    return [other for other in boxed[:50] if _metres(case, other) <= DUPLICATE_METRES][:10]


@dataclass
class StagePhotos:
    """A case's photos by stage: the problem (上报), the result (处置), what 核查 found."""

    before: list
    after: list
    verified: list

    def __bool__(self) -> bool:
        return bool(self.before or self.after or self.verified)


def photos_by_stage(case: Case) -> StagePhotos:
    """Photos of the report, of the handling (each rework's handling too) and of the verifications, oldest first
    (read from a prefetched `photos` when there is one)."""
    photos = list(case.photos.all())
    return StagePhotos(before=[p for p in photos if p.step == "report"],
                       after=[p for p in photos if p.step == CaseStep.HANDLE],
                       verified=[p for p in photos if p.step in (CaseStep.CLOSE, CaseStep.REWORK)])


def _metres(a: Case, b: Case) -> Decimal:
    north = float(a.lat - b.lat) * 111_000  # type: ignore[operator]  # both have coordinates
    east = float(a.lon - b.lon) * 111_000 * math.cos(math.radians(float(a.lat)))  # type: ignore[operator, arg-type]  # as above
    return Decimal(math.hypot(north, east))


def case_for_token(token: str) -> Case | None:
    """The case a resident follows by the link they were given (no account needed)."""
    return Case.objects.select_related("category").filter(public_token=token).first() if token else None


def public_status(case: Case) -> tuple[str, str]:
    """open/closed, and the notes a reporter reads (Open311's status and status_notes, the follow-up page)."""
    notes = {"reported": _("Received; awaiting acceptance."), "accepted": _("Accepted."),
             "dispatched": _("Being handled by %(unit)s.") % {"unit": case.unit.name if case.unit else "—"},
             "handled": _("Handled; being verified."), "closed": _("Closed: the problem was put right."),
             "rejected": _("Not accepted."), "merged": _("Merged with another report of the same problem.")}
    return ("open" if case.status in OPEN_STATUSES else "closed"), notes.get(case.status, "")


def action_tallies(cases, year: int) -> list[dict]:
    """Each campaign action of the year: its cases, those put right (closed), open, overdue; its activities."""
    now = timezone.now()
    rows = {r["action"]: r for r in cases.filter(action__year=year).values("action").annotate(
        total=Count("pk"), put_right=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status=CaseStatus.DISPATCHED, due_at__lt=now))).order_by()}
    actions = CampaignAction.objects.filter(year=year).annotate(activity_count=Count("activities"))
    return [{"action": action, "activities": action.activity_count,
             **{k: rows.get(action.pk, {}).get(k, 0) for k in ("total", "put_right", "open", "overdue")}}
            for action in actions]


def case_map(cases, regions) -> dict:
    """A GeoJSON FeatureCollection of the villages/communities with outlines, each with its case count."""
    by_place = cases.values("community__path").annotate(n=Count("pk")).values_list("community__path", "n")
    counts = list(by_place.order_by())  # a grid's cases count for its community: paths nest

    def within(region: Region) -> int:
        return sum(n for path, n in counts if path.startswith(region.path))

    features = [{"type": "Feature", "geometry": region.geojson,
                 "properties": {"name": region.code, "label": region.name, "cases": within(region)}}
                for region in regions.filter(level=RegionLevel.COMMUNITY, geojson__isnull=False).order_by("code")]
    return {"type": "FeatureCollection", "features": features}


def delivered_share(commitments, today: date | None = None) -> Decimal:
    """Share (%) of the commitments delivered — the 民生清单's headline figure."""
    rows = list(commitments.prefetch_related("milestones"))
    if not rows:
        return Decimal("0.0")
    done = sum(1 for c in rows if commitment_status(c, today) == CommitmentStatus.DELIVERED)
    return (Decimal(100) * done / len(rows)).quantize(Decimal("0.1"))


def volunteer_record(person: Person) -> dict:
    """A volunteer's record: activities served and hours."""
    served = SignUp.objects.filter(person=person, checked_out_at__isnull=False)
    totals = served.aggregate(activities=Count("pk"), hours=Sum("hours"))
    return {"activities": totals["activities"], "hours": totals["hours"] or Decimal(0),
            "signups": SignUp.objects.filter(person=person).select_related("activity__team")}


def served_signups(person: Person | None = None):
    """Checked-out sign-ups with their activity, oldest first: the hours other modules count (culture's points)."""
    rows = SignUp.objects.filter(checked_out_at__isnull=False).select_related("activity", "person")
    return (rows.filter(person=person) if person is not None else rows).order_by("pk")


def activities_held(start: datetime, end: datetime, region: Region | None = None) -> int:
    """Volunteer activities (not cancelled) that started in [start, end), under `region` when given."""
    rows = Activity.objects.filter(cancelled=False, starts_at__gte=start, starts_at__lt=end)
    return (rows.filter(community__path__startswith=region.path) if region is not None else rows).count()


def community_at(lat: Decimal, lon: Decimal) -> Region | None:
    """The village/community whose outline holds the point (None outside the district's outlines)."""
    for region in Region.objects.filter(level=RegionLevel.COMMUNITY, geojson__isnull=False).only("pk", "geojson"):
        if contains(region.geojson, float(lon), float(lat)):
            return Region.objects.get(pk=region.pk)
    return None


# --- Open311 GeoReport v2 (the protocol lives in open311.py) ----------------------------------------------

def open311_services():
    """The services a reporting app may file under: the active 小类."""
    return CaseCategory.objects.filter(active=True, parent__isnull=False).select_related("parent").order_by("code")


def service_requests(*, numbers: list[str] | None = None, start: datetime | None = None,
                     end: datetime | None = None, codes: list[str] | None = None, state: str | None = None):
    """The cases Open311 shows: by number, or reported in [start, end] of these services, open or closed."""
    rows = Case.objects.select_related("category", "unit", "community").order_by("-reported_at", "-pk")
    if numbers is not None:
        return rows.filter(number__in=numbers)
    rows = rows.filter(reported_at__gte=start, reported_at__lte=end)
    if codes:
        rows = rows.filter(category__code__in=codes)
    if state == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif state == "closed":
        rows = rows.exclude(status__in=OPEN_STATUSES)
    return rows


def last_steps(rows) -> dict[int, datetime]:
    """When each case last took a step (its journal's latest entry)."""
    return dict(Case.objects.filter(pk__in=[c.pk for c in rows]).annotate(last=Max("events__at"))
                .values_list("pk", "last"))


# --- the maps: points on the district's outline ------------------------------------------------------------

MAX_MAP_POINTS = 5000  # a year of the district's cases; the browser clusters them
PUBLIC_MAP_DAYS = 90
PUBLIC_DECIMALS = 4  # about 10 m: where the problem is, not whose door it is


def case_points(cases) -> list[dict]:
    """The cases with a location, for the command centre's map: number, category, status, link."""
    rows = (cases.filter(lat__isnull=False).select_related("category", "category__parent")
            .order_by("-reported_at", "-pk")[:MAX_MAP_POINTS])
    return [{"lon": float(c.lon), "lat": float(c.lat), "number": c.number, "url": c.get_absolute_url(),
             "category": c.category.parent.name if c.category.parent else c.category.name,
             "subcategory": c.category.name, "status": c.status, "status_label": c.get_status_display(),
             "reported": timezone.localtime(c.reported_at).strftime("%Y-%m-%d %H:%M")} for c in rows]


def public_case_points(now: datetime | None = None) -> list[dict]:
    """The public case map (FixMyStreet-style): the last 90 days' located cases, their category, stage and day.
    No name, phone, description, address or follow-up link: only what the street itself shows."""
    since = (now or timezone.now()) - timedelta(days=PUBLIC_MAP_DAYS)
    rows = (Case.objects.filter(reported_at__gte=since, lat__isnull=False, lon__isnull=False)
            .exclude(status=CaseStatus.MERGED)
            .select_related("category", "category__parent", "community").order_by("-reported_at")[:MAX_MAP_POINTS])
    return [{"lon": round(float(c.lon or 0), PUBLIC_DECIMALS), "lat": round(float(c.lat or 0), PUBLIC_DECIMALS),
             "category": c.category.parent.name if c.category.parent else c.category.name,
             "subcategory": c.category.name, "status": PUBLIC_STAGES.get(c.status, "rejected"),
             "status_label": public_stage(c.status), "community": c.community.name,
             "reported": timezone.localtime(c.reported_at).strftime("%Y-%m-%d")} for c in rows]


PUBLIC_STAGES: dict[str, str] = {
                 CaseStatus.REPORTED: "received", CaseStatus.ACCEPTED: "received", CaseStatus.DISPATCHED: "handling",
                 CaseStatus.HANDLED: "handling", CaseStatus.CLOSED: "fixed"}


def public_stage(status: str) -> str:
    if status in (CaseStatus.REPORTED, CaseStatus.ACCEPTED):
        return _("Report received")
    if status in (CaseStatus.DISPATCHED, CaseStatus.HANDLED):
        return _("Being handled")
    return _("Put right") if status == CaseStatus.CLOSED else _("Not accepted")


def nearby_open_cases(category: CaseCategory, lat: Decimal, lon: Decimal, now: datetime | None = None) -> list[Case]:
    """While a resident is still filing: open cases of the same sub-category within 50 m and 3 days."""
    probe = Case(category=category, lat=lat, lon=lon, reported_at=now or timezone.now())
    return nearby_duplicates(probe)



def same_problem(number: str, category: CaseCategory) -> Case | None:
    """The open case a resident says they also met (我也遇到), if it is open and of the same kind."""
    return Case.objects.filter(number=number, category=category, status__in=OPEN_STATUSES).first()
