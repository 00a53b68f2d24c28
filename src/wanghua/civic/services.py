"""创城 case rules: the digital urban management workflow, each step allowed only from the stage before it,
journalled and audited; deadlines in working hours; duplicates suggested and merged; overdue cases supervised."""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, require
from wanghua.core.photos import photo_format
from wanghua.org.geo import contains
from wanghua.org.models import Region, RegionLevel, Unit

from . import tally
from .models import OPEN_STATUSES, CampaignAction, Case, CaseCategory, CaseEvent, CaseNumber, CasePhoto, CaseStatus
from .workhours import add_working_hours

DUPLICATE_METRES = Decimal(50)
DUPLICATE_DAYS = 3
# One degree of latitude is about 111 km; the box is checked first, the distance after.
METRES_PER_DEGREE = Decimal(111_000)


def _journal(case: Case, step: str, actor, note: str = "", unit: Unit | None = None) -> None:
    CaseEvent.objects.create(case=case, step=step, at=timezone.now(), note=note.strip()[:1000], unit=unit,
                             actor=actor if getattr(actor, "is_authenticated", False) else None)


def _number(now: datetime) -> str:
    """Case numbers as the command centre reads them: the local date and a running number of the day, taken
    under the day's lock (call inside the report's transaction)."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    counter = CaseNumber.objects.select_for_update().filter(day=day).first()
    if counter is None:
        # The first report of the day (or after a bulk load): start after the highest number already given.
        last = (Case.objects.filter(number__gte=f"{day}00000", number__lte=f"{day}99999").order_by("-number")
                .values_list("number", flat=True).first())
        counter, _created = CaseNumber.objects.get_or_create(day=day, defaults={"last": int(last[8:]) if last else 0})
        counter = CaseNumber.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{day}{counter.last:05d}"


def _check_report(case: Case) -> None:
    category = case.category
    if category.parent_id is None or not category.active:
        raise ValidationError({"category": _("File the case under an active sub-category (小类).")})
    if case.community.level not in (RegionLevel.COMMUNITY, RegionLevel.GRID):
        raise ValidationError({"community": _("Name the village/community (or grid) where it is.")})
    if (case.lat is None) != (case.lon is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    if not case.description.strip():
        raise ValidationError({"description": _("Describe what is wrong.")})


def community_at(lat: Decimal, lon: Decimal) -> Region | None:
    """The village/community whose outline holds the point (None outside the district's outlines)."""
    for region in Region.objects.filter(level=RegionLevel.COMMUNITY, geojson__isnull=False).only("pk", "geojson"):
        if contains(region.geojson, float(lon), float(lat)):
            return Region.objects.get(pk=region.pk)
    return None


def report_case(actor, *, source: str, category: CaseCategory, description: str, community: Region,
                address: str = "", lat: Decimal | None = None, lon: Decimal | None = None, reporter_name: str = "",
                reporter_phone: str = "", photo=None, details: dict | None = None, channel: str = "") -> Case:
    """上报: a grid inspector, a resident (actor None: the public page or Open311), the hotline, a camera;
    with a photo of the problem when there is one. Nothing is saved unless all of it is right."""
    image_format = photo_format(photo, "media") if photo is not None else None
    if actor is not None and getattr(actor, "is_authenticated", False):
        require(actor, "add", Case(community=community))
    with transaction.atomic():  # the day's number is taken under its lock: concurrent reports queue, never collide
        now = timezone.now()
        case = Case(number=_number(now), source=source, category=category, description=description.strip(),
                    community=community, address=address.strip(), lat=lat, lon=lon,
                    reporter_name=reporter_name.strip(), reporter_phone=reporter_phone.strip(), reported_at=now,
                    public_token=secrets.token_urlsafe(18), details=details or {},
                    reported_by=actor if getattr(actor, "is_authenticated", False) else None)
        _check_report(case)
        case.full_clean(exclude=["number", "public_token"])
        with audit.acting_as(case.reported_by), audit.labelled("case:report"):
            case.save()
            _journal(case, "report", actor, f"[{channel}] {description}" if channel else description)
            if photo is not None:
                _attach(case, photo, image_format, "report")
        tally.refresh(case)
        return case


def _attach(case: Case, upload, image_format: str, step: str) -> CasePhoto:
    return CasePhoto(case=case, image_format=image_format, step=step).store(upload)


def nearby_duplicates(case: Case) -> list[Case]:
    """Open cases of the same sub-category reported within 50 m and 3 days: likely the same problem."""
    since = case.reported_at - timedelta(days=DUPLICATE_DAYS)
    candidates = Case.objects.filter(category=case.category, status__in=OPEN_STATUSES,
                                     reported_at__gte=since).exclude(pk=case.pk)
    if case.lat is None:
        return list(candidates.filter(community=case.community, address=case.address).exclude(address="")[:10])
    degrees = DUPLICATE_METRES / METRES_PER_DEGREE * 2  # longitude degrees are shorter at 41°N
    boxed = candidates.filter(lat__range=(case.lat - degrees, case.lat + degrees),
                              lon__range=(case.lon - degrees, case.lon + degrees))
    return [other for other in boxed[:50] if _metres(case, other) <= DUPLICATE_METRES][:10]


def _metres(a: Case, b: Case) -> Decimal:
    north = float(a.lat - b.lat) * 111_000
    east = float(a.lon - b.lon) * 111_000 * math.cos(math.radians(float(a.lat)))
    return Decimal(math.hypot(north, east))


# The command centre (监督指挥中心) accepts, dispatches, verifies and merges; the unit a case is dispatched to
# handles it.
COMMAND = "civic.dispatch_case"
HANDLE = "civic.handle_case"


def _step(actor, case_id: int, *, allowed: tuple[str, ...], perm: str = COMMAND) -> Case:
    case = fetch_for_change(Case, actor, perm, case_id)
    if case.status not in allowed:
        raise ValidationError(_("The case is “%(status)s”: this step is not possible now.")
                              % {"status": case.get_status_display()})
    return case


def _save(case: Case, actor, label: str, note: str = "", unit: Unit | None = None) -> Case:
    with audit.acting_as(actor), audit.labelled(f"case:{label}"):
        case.save()
        _journal(case, label, actor, note, unit)
    tally.refresh(case)
    return case


@transaction.atomic
def accept_case(actor, case_id: int, *, accept: bool, note: str = "",
                action: CampaignAction | None = None) -> Case:
    """立案, or 不予立案 with the reason. An accepted case joins the campaign action that takes on its category."""
    case = _step(actor, case_id, allowed=(CaseStatus.REPORTED,))
    if not accept and not note.strip():
        raise ValidationError({"note": _("Say why the case is not accepted.")})
    now = timezone.now()
    if accept:
        case.status, case.accepted_at = CaseStatus.ACCEPTED, now
        case.action = action or CampaignAction.objects.filter(
            year=timezone.localtime(now).year, categories=case.category).first()
    else:
        case.status, case.closed_at = CaseStatus.REJECTED, now
    return _save(case, actor, "accept" if accept else "reject", note)


@transaction.atomic
def dispatch_case(actor, case_id: int, *, unit: Unit, note: str = "") -> Case:
    """派遣 to the handling unit, or 改派 (with the reason) to another one; the deadline starts afresh."""
    case = _step(actor, case_id, allowed=(CaseStatus.ACCEPTED, CaseStatus.DISPATCHED))
    reassigning = case.status == CaseStatus.DISPATCHED
    if reassigning and unit.pk == case.unit_id:
        raise ValidationError({"unit": _("The case is already with this unit.")})
    if reassigning and not note.strip():
        raise ValidationError({"note": _("Say why the case goes to another unit.")})
    now = timezone.now()
    case.status, case.unit, case.dispatched_at = CaseStatus.DISPATCHED, unit, now
    case.due_at = add_working_hours(now, case.category.handle_hours)
    case.reassignments += 1 if reassigning else 0
    return _save(case, actor, "reassign" if reassigning else "dispatch", note, unit)


@transaction.atomic
def handle_case(actor, case_id: int, *, note: str) -> Case:
    """处置: the handling unit reports what it did."""
    case = _step(actor, case_id, allowed=(CaseStatus.DISPATCHED,), perm=HANDLE)
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    case.status, case.handled_at = CaseStatus.HANDLED, timezone.now()
    return _save(case, actor, "handle", note, case.unit)


@transaction.atomic
def verify_case(actor, case_id: int, *, passed: bool, note: str = "") -> Case:
    """核查: passed closes the case (结案); failed sends it back to the unit (返工) with a new deadline."""
    case = _step(actor, case_id, allowed=(CaseStatus.HANDLED,))
    now = timezone.now()
    if passed:
        case.status, case.closed_at = CaseStatus.CLOSED, now
        return _save(case, actor, "close", note)
    if not note.strip():
        raise ValidationError({"note": _("Say what is still wrong.")})
    case.status, case.reworks = CaseStatus.DISPATCHED, case.reworks + 1
    case.dispatched_at, case.due_at = now, add_working_hours(now, case.category.handle_hours)
    return _save(case, actor, "rework", note, case.unit)


@transaction.atomic
def merge_case(actor, case_id: int, *, into_id: int) -> Case:
    """并案: a duplicate joins the case already being worked on and is closed with it."""
    case = _step(actor, case_id, allowed=(CaseStatus.REPORTED, CaseStatus.ACCEPTED))
    target = fetch_for_change(Case, actor, COMMAND, into_id)
    if target.pk == case.pk or target.status not in OPEN_STATUSES:
        raise ValidationError({"into": _("Merge into another open case.")})
    if target.category_id != case.category_id:
        raise ValidationError({"into": _("Only cases of the same sub-category can be merged.")})
    case.status, case.merged_into, case.closed_at = CaseStatus.MERGED, target, timezone.now()
    return _save(case, actor, "merge", _("merged into %(number)s") % {"number": target.number})


def supervise_overdue(now: datetime | None = None) -> int:
    """督办: dispatched cases past their deadline are flagged once for the command centre; returns how many."""
    now = now or timezone.now()
    overdue = list(Case.objects.filter(status=CaseStatus.DISPATCHED, due_at__lt=now, supervised_at__isnull=True))
    with audit.labelled("case:supervise"), transaction.atomic():
        for case in overdue:
            case.supervised_at = now
            case.save(update_fields=["supervised_at"])
            _journal(case, "supervise", None, _("overdue: supervised by the command centre"))
    return len(overdue)


def follow_up(token: str) -> Case | None:
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
    from django.db.models import Count, Q

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
    from django.db.models import Count

    by_place = cases.values("community__path").annotate(n=Count("pk")).values_list("community__path", "n")
    counts = list(by_place.order_by())  # a grid's cases count for its community: paths nest

    def within(region: Region) -> int:
        return sum(n for path, n in counts if path.startswith(region.path))

    features = [{"type": "Feature", "geometry": region.geojson,
                 "properties": {"name": region.code, "label": region.name, "cases": within(region)}}
                for region in regions.filter(level=RegionLevel.COMMUNITY, geojson__isnull=False).order_by("code")]
    return {"type": "FeatureCollection", "features": features}
