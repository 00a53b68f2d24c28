"""民生清单 rules: progress is reported as the cumulative amount delivered; a commitment is 已兑现 once that
reaches the target, 滞后 when a milestone or the deadline has passed unmet, 推进中 otherwise. Its stored status
changes only by the step of COMMITMENT_FLOW that leads there: after a progress report or a milestone, or in the
daily review when time has passed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
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

from ..models import (
    COMMITMENT_FLOW,
    Commitment,
    CommitmentStatus,
    CommitmentStep,
    Milestone,
    ProgressPhoto,
    ProgressReport,
)

MAX_EVIDENCE_PHOTOS = 6


def status(commitment: Commitment, today: date | None = None) -> str:
    """The status its progress, milestones and deadline give the commitment on `today`."""
    today = today or timezone.localdate()
    if commitment.delivered >= commitment.target:
        return CommitmentStatus.DELIVERED
    missed = any(m.done_on is None and m.due < today for m in commitment.milestones.all())
    return CommitmentStatus.LAGGING if missed or commitment.deadline < today else CommitmentStatus.IN_PROGRESS


# The step that leads to each status.
STEP_TO: dict[str, CommitmentStep] = {
    CommitmentStatus.DELIVERED: CommitmentStep.DELIVER, CommitmentStatus.IN_PROGRESS: CommitmentStep.RESUME,
    CommitmentStatus.LAGGING: CommitmentStep.FALL_BEHIND}


def _settle(actor: User, commitment: Commitment, note: str = "") -> Commitment:
    """Take the step to the status the commitment's records now give it, if that is not its status already
    (`commitment` is locked by the caller; actor None: the daily review)."""
    wanted = status(commitment)
    if wanted == commitment.status:
        return commitment
    if actor is None:
        return COMMITMENT_FLOW.perform_as_system(commitment, STEP_TO[wanted], note=note)
    return COMMITMENT_FLOW.perform(actor, commitment, STEP_TO[wanted], note=note)


@transaction.atomic
def report_progress(actor: User, commitment_id: int, *, delivered: Decimal, note: str,
                    reported_on: date | None = None, photos: Sequence[UploadedFile[Any]] = ()) -> ProgressReport:
    """The unit's progress: cumulative, so it never goes down without a correction note; evidence photos
    are checked before anything is saved."""
    commitment = fetch_for_change(Commitment, actor, "civic.add_progressreport", commitment_id)
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("The date cannot be in the future.")})
    if delivered < 0 or delivered > commitment.target * 10:
        raise ValidationError({"delivered": _("%(value)s is not a plausible amount for a target of %(target)s "
                                              "%(unit)s.") % {"value": delivered, "target": commitment.target,
                                                              "unit": commitment.target_unit}})
    if not note.strip():
        raise ValidationError({"note": _("Describe the progress.")})
    if delivered < commitment.delivered and "更正" not in note and "correct" not in note.lower():
        raise ValidationError({"delivered": _("Less than already reported: say in the note that it is a correction "
                                              "(更正).")})
    if len(photos) > MAX_EVIDENCE_PHOTOS:
        raise ValidationError({"photos": _("At most %(count)s photos per report.") % {"count": MAX_EVIDENCE_PHOTOS}})
    formats = [photo_format(upload, "photos") for upload in photos]
    report = ProgressReport(commitment=commitment, reported_on=reported_on, delivered=delivered, note=note.strip(),
                            reported_by=actor)
    report.full_clean()
    commitment.delivered = delivered
    if delivered >= commitment.target and commitment.delivered_on is None:
        commitment.delivered_on = reported_on
    elif delivered < commitment.target:
        commitment.delivered_on = None
    with audit.acting_as(actor), audit.labelled(audit.Label.COMMITMENT_PROGRESS):
        report.save()
        commitment.save()
        for upload, image_format in zip(photos, formats, strict=True):
            ProgressPhoto(report=report, image_format=image_format).store(upload)
    _settle(actor, commitment, report.note)
    return report


@transaction.atomic
def complete_milestone(actor: User, milestone_id: int, on: date | None = None) -> Milestone:
    milestone = fetch_for_change(Milestone, actor, "civic.change_milestone", milestone_id)
    if milestone.done_on:
        raise ValidationError(_("This milestone is already done."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    milestone.done_on = on
    with audit.acting_as(actor), audit.labelled(audit.Label.MILESTONE_DONE):
        milestone.save()
    commitment = Commitment.objects.select_for_update().get(pk=milestone.commitment_id)
    _settle(actor, commitment, milestone.title)
    return milestone


def review_commitments(today: date | None = None) -> int:
    """The daily review (`wanghua review_commitments`): commitments whose milestone or deadline has passed unmet
    fall behind; returns how many did."""
    today = today or timezone.localdate()
    fallen = 0
    for pk in Commitment.objects.filter(status=CommitmentStatus.IN_PROGRESS).values_list("pk", flat=True):
        with transaction.atomic():
            commitment = Commitment.objects.select_for_update().get(pk=pk)
            due = status(commitment, today) == CommitmentStatus.LAGGING
            if commitment.status == CommitmentStatus.IN_PROGRESS and due:
                COMMITMENT_FLOW.perform_as_system(commitment, CommitmentStep.FALL_BEHIND)
                fallen += 1
    return fallen


@transaction.atomic
def create_commitment(actor: User, **fields: Any) -> Commitment:
    """A commitment of the year's 民生清单: what, how much, by whom, by when."""
    commitment = Commitment(**fields)
    require(actor, "add", commitment)
    commitment.delivered, commitment.delivered_on = Decimal(0), None
    if commitment.target <= 0:
        raise ValidationError({"target": _("A commitment needs a target above zero.")})
    if commitment.deadline.year != commitment.year:
        raise ValidationError({"deadline": _("The deadline falls in the commitment's year.")})
    commitment.full_clean()
    with audit.acting_as(actor):
        commitment.save()
    return commitment
