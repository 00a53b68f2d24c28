"""创城 case rules: the digital urban management workflow of CASE_FLOW (models.py), each step allowed only from
the stage before it, journalled and audited; deadlines in working hours; duplicates merged; overdue cases
supervised."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, require
from wanghua.core.models import User
from wanghua.core.photos import photo_format
from wanghua.core.transitions import Guard
from wanghua.org.models import Region, RegionLevel, Unit

from .. import tally
from ..models import (
    CASE_FLOW,
    COMMAND,
    OPEN_STATUSES,
    CampaignAction,
    Case,
    CaseCategory,
    CaseNumber,
    CasePhoto,
    CaseStatus,
    CaseStep,
    journal,
)
from ..workhours import add_working_hours


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


def report_case(actor: User | None, *, source: str, category: CaseCategory, description: str, community: Region,
                address: str = "", lat: Decimal | None = None, lon: Decimal | None = None, reporter_name: str = "",
                reporter_phone: str = "", photo: UploadedFile[Any] | None = None, details: dict[str, Any] | None = None,
                channel: str = "") -> Case:
    """上报: a grid inspector, a resident (actor None: the public page or Open311), the hotline, a camera;
    with a photo of the problem when there is one. Nothing is saved unless all of it is right."""
    image_format = photo_format(photo, "media") if photo is not None else None
    if actor is not None and getattr(actor, "is_authenticated", False):
        require(actor, "add", Case(community=community))
    with transaction.atomic():  # the day's number is taken under its lock: concurrent reports queue, never collide
        now = timezone.now()
        case = Case(number=_number(now), source=source, category=category, description=description.strip(),
                    community=community, address=address.strip(), lat=lat, lon=lon,
                    accept_due_at=add_working_hours(now, category.accept_hours),
                    reporter_name=reporter_name.strip(), reporter_phone=reporter_phone.strip(), reported_at=now,
                    public_token=secrets.token_urlsafe(18), details=details or {},
                    reported_by=actor if getattr(actor, "is_authenticated", False) else None)
        _check_report(case)
        case.full_clean(exclude=["number", "public_token"])
        with audit.acting_as(case.reported_by), audit.labelled(audit.Label.CASE_REPORT):
            case.save()
            journal(case, "report", actor, f"[{channel}] {description}" if channel else description)
            if photo is not None:
                _attach(case, photo, image_format, "report")  # type: ignore[arg-type]  # set whenever photo is
        tally.refresh(case)
        return case


def _attach(case: Case, upload: UploadedFile[Any], image_format: str, step: str) -> CasePhoto:
    return CasePhoto(case=case, image_format=image_format, step=step).store(upload)


def _take(actor: User, case_id: int | Case, step: str, *, note: str = "", apply: Guard | None = None,
          guards: Iterable[Guard] = (), photo: Any = None) -> Case:
    """One step of CASE_FLOW (with its photo, checked before anything changes), then the case's tally, in the
    caller's transaction."""
    image_format = photo_format(photo, "photo") if photo is not None else None
    case = CASE_FLOW.perform(actor, case_id, step, apply=apply, guards=guards, note=note.strip())
    if photo is not None and image_format is not None:
        with audit.acting_as(actor), audit.labelled(CASE_FLOW.label(step)):
            _attach(case, photo, image_format, step)
    tally.refresh(case)
    return case


def _noted(message: str, note: str) -> Guard:
    def guard(case: Case) -> None:
        if not note.strip():
            raise ValidationError({"note": message})

    return guard


@transaction.atomic
def accept_case(actor: User, case_id: int, *, accept: bool, note: str = "",
                action: CampaignAction | None = None) -> Case:
    """立案, or 不予立案 with the reason. An accepted case joins the campaign action that takes on its category."""
    if not accept:
        return _take(actor, case_id, CaseStep.REJECT, note=note,
                     guards=[_noted(_("Say why the case is not accepted."), note)],
                     apply=lambda case: setattr(case, "closed_at", timezone.now()))

    def accepted(case: Case) -> None:
        now = timezone.now()
        case.accepted_at = now
        case.action = action or CampaignAction.objects.filter(
            year=timezone.localtime(now).year, categories=case.category).first()

    return _take(actor, case_id, CaseStep.ACCEPT, note=note, apply=accepted)


def _new_deadline(case: Case) -> None:
    now = timezone.now()
    case.dispatched_at, case.due_at = now, add_working_hours(now, case.category.handle_hours)


@transaction.atomic
def dispatch_case(actor: User, case_id: int, *, unit: Unit, note: str = "") -> Case:
    """派遣 to the handling unit, or 改派 (with the reason) to another one; the deadline starts afresh."""
    case = fetch_for_change(Case, actor, "view", case_id)  # locked: whether it is 派遣 or 改派 is read under it
    if case.status != CaseStatus.DISPATCHED:
        def dispatched(case: Case) -> None:
            case.unit = unit
            _new_deadline(case)

        return _take(actor, case, CaseStep.DISPATCH, note=note, apply=dispatched)

    def reassigned(case: Case) -> None:
        if unit.pk == case.unit_id:
            raise ValidationError({"unit": _("The case is already with this unit.")})
        if not note.strip():
            raise ValidationError({"note": _("Say why the case goes to another unit.")})
        case.unit, case.reassignments = unit, case.reassignments + 1
        _new_deadline(case)

    return _take(actor, case, CaseStep.REASSIGN, note=note, apply=reassigned)


@transaction.atomic
def handle_case(actor: User, case_id: int, *, note: str, photo: Any = None) -> Case:
    """处置: the handling unit reports what it did, with a photo of the result (shown beside the problem's)."""
    return _take(actor, case_id, CaseStep.HANDLE, note=note, guards=[_noted(_("Say what was done."), note)],
                 apply=lambda case: setattr(case, "handled_at", timezone.now()), photo=photo)


@transaction.atomic
def verify_case(actor: User, case_id: int, *, passed: bool, note: str = "", photo: Any = None) -> Case:
    """核查, on site by the area's grid inspector or from the command centre's desk: passed closes the case
    (结案); failed sends it back to the unit (返工) with the reason, a new deadline and, when taken, a photo of
    what is still wrong."""
    if passed:
        return _take(actor, case_id, CaseStep.CLOSE, note=note, photo=photo,
                     apply=lambda case: setattr(case, "closed_at", timezone.now()))

    def reworked(case: Case) -> None:
        case.reworks += 1
        _new_deadline(case)

    return _take(actor, case_id, CaseStep.REWORK, note=note, guards=[_noted(_("Say what is still wrong."), note)],
                 apply=reworked, photo=photo)


@transaction.atomic
def merge_case(actor: User, case_id: int, *, into_id: int) -> Case:
    """并案: a duplicate joins the case already being worked on and is closed with it."""
    target = fetch_for_change(Case, actor, COMMAND, into_id)

    def merged(case: Case) -> None:
        if target.pk == case.pk or target.status not in OPEN_STATUSES:
            raise ValidationError({"into": _("Merge into another open case.")})
        if target.category_id != case.category_id:
            raise ValidationError({"into": _("Only cases of the same sub-category can be merged.")})
        case.merged_into, case.closed_at = target, timezone.now()

    return _take(actor, case_id, CaseStep.MERGE, apply=merged,
                 note=_("merged into %(number)s") % {"number": target.number})


def supervise_overdue(now: datetime | None = None) -> int:
    """督办: dispatched cases past their deadline are flagged once for the command centre; returns how many. A flag,
    not a step: the case stays with its unit."""
    now = now or timezone.now()
    overdue = list(Case.objects.filter(status=CaseStatus.DISPATCHED, due_at__lt=now, supervised_at__isnull=True))
    with audit.labelled(audit.Label.CASE_SUPERVISE), transaction.atomic():
        for case in overdue:
            case.supervised_at = now
            case.save(update_fields=["supervised_at"])
            journal(case, "supervise", None, _("overdue: supervised by the command centre"))
    return len(overdue)
