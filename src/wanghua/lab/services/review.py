"""审核/批准: a decided heat's verdict is final only once a second person with the reviewer permission approves it.
The approver is never anyone who entered or corrected any of its results or its melt analysis. A reviewer may
send a heat back with a reason; a change to any record behind the heat sends it back to review (or to testing)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core.models import User

from ..models import LAB_REVIEW_FLOW, HeatAnalysis, LabOrder, Review, ReviewStep, TestResult, Verdict
from . import _text

FINAL = (Verdict.PASS, Verdict.FAIL)


def after_change(actor: User, order: LabOrder) -> LabOrder:
    """After a record was added to the heat: a decided heat waits for review (again); an undecided one is open."""
    if order.verdict in FINAL:
        if order.review != Review.AWAITING:
            return LAB_REVIEW_FLOW.perform(actor, order, ReviewStep.SUBMIT, apply=_clear)
    elif order.review != Review.OPEN:
        return LAB_REVIEW_FLOW.perform(actor, order, ReviewStep.REOPEN, apply=_clear)
    return order


def _clear(order: LabOrder) -> None:
    order.reviewed_by, order.reviewed_at = None, None


def entrants(order: LabOrder) -> set[int]:
    """Everyone who entered or corrected a result or an analysis of this heat."""
    return (set(TestResult.objects.filter(specimen__order=order).values_list("recorded_by_id", flat=True))
            | set(HeatAnalysis.objects.filter(order=order).values_list("recorded_by_id", flat=True)))


def approve(actor: User, order_id: int, note: str = "") -> LabOrder:
    """批准: the heat's verdict becomes final. Refused for an entrant, an undecided heat, a heat without chemistry."""

    def decided(order: LabOrder) -> None:
        if order.verdict not in FINAL:
            raise ValidationError(_("Only a decided heat can be approved."))

    def analysed(order: LabOrder) -> None:
        if not order.analyses.exists():
            raise ValidationError(_("Heat %(heat)s has no melt analysis yet: it cannot be approved.")
                                  % {"heat": order.heat})

    def second_person(order: LabOrder) -> None:
        if actor.pk in entrants(order):
            raise ValidationError(_("You entered or corrected results of heat %(heat)s: another person with "
                                    "the reviewer permission must approve it.") % {"heat": order.heat})

    def stamp(order: LabOrder) -> None:
        order.reviewed_by, order.reviewed_at, order.review_note = actor, timezone.now(), ""

    return LAB_REVIEW_FLOW.perform(actor, order_id, ReviewStep.APPROVE, guards=[decided, analysed, second_person],
                                   apply=stamp, note=_text(note, 300))


def refuse(actor: User, order_id: int, reason: str) -> LabOrder:
    """退回: back to the lab, with the reason (audited); the heat returns to review when a record changes."""
    reason = _text(reason or "", 300)

    def stamp(order: LabOrder) -> None:
        if not reason:
            raise ValidationError({"reason": _("Give the reason for sending the heat back.")})
        order.reviewed_by, order.reviewed_at, order.review_note = actor, timezone.now(), reason

    return LAB_REVIEW_FLOW.perform(actor, order_id, ReviewStep.REFUSE, apply=stamp, note=reason)


def resubmit(actor: User, order_id: int) -> LabOrder:
    """Send a heat that was sent back for review again, as it is (the lab disagrees with the reason)."""

    def sent_back(order: LabOrder) -> None:
        if order.review != Review.REFUSED or order.verdict not in FINAL:
            raise ValidationError(_("Only a decided heat that was sent back can be sent for review again."))

    return LAB_REVIEW_FLOW.perform(actor, order_id, ReviewStep.SUBMIT, guards=[sent_back], apply=_clear)
