"""Volunteer service: activities with a capacity, sign-ups, check-in and check-out on the spot, hours served
(counted only within the activity's time), and each volunteer's record."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import can, fetch_for_change, require
from wanghua.core.models import User
from wanghua.org.models import Person

from ..models import Activity, SignUp

EARLY_CHECK_IN = timedelta(minutes=30)


@transaction.atomic
def create_activity(actor: User, **fields: Any) -> Activity:
    activity = Activity(**fields)
    require(actor, "add", activity)
    if activity.ends_at <= activity.starts_at:
        raise ValidationError({"ends_at": _("An activity ends after it starts.")})
    if activity.ends_at - activity.starts_at > timedelta(days=3):
        raise ValidationError({"ends_at": _("An activity lasts at most three days; plan longer ones as several.")})
    activity.full_clean()
    with audit.acting_as(actor):
        activity.save()
    return activity


def _person_of(actor: User) -> Person:
    person = Person.objects.filter(user=actor).first()
    if person is None:
        raise ValidationError(_("Your account is not linked to a volunteer."))
    return person


@transaction.atomic
def sign_up(actor: User, activity_id: int) -> SignUp:
    """The volunteer signs up for an activity that has not ended, while places are left."""
    activity = fetch_for_change(Activity, actor, "view", activity_id)  # locked: places are counted under the lock
    person = _person_of(actor)
    if activity.cancelled or activity.ends_at <= timezone.now():
        raise ValidationError(_("This activity is over or cancelled."))
    if SignUp.objects.filter(activity=activity, person=person).exists():
        raise ValidationError(_("You have already signed up."))
    if SignUp.objects.filter(activity=activity).count() >= activity.capacity:
        raise ValidationError(_("The activity is full."))
    signup = SignUp(activity=activity, person=person)
    require(actor, "add", signup)
    with audit.acting_as(actor):
        signup.save()
    return signup


def _own_or_organiser(actor: User, signup: SignUp) -> None:
    if signup.person.user_id != actor.pk and not can(actor, "change", signup.activity):
        raise PermissionDenied(_("Only the volunteer or the activity's organiser can do this."))


@transaction.atomic
def check_in(actor: User, signup_id: int, at: datetime | None = None) -> SignUp:
    signup = fetch_for_change(SignUp, actor, "change", signup_id)
    _own_or_organiser(actor, signup)
    at = at or timezone.now()
    activity = signup.activity
    if signup.checked_in_at:
        raise ValidationError(_("Already checked in."))
    if not activity.starts_at - EARLY_CHECK_IN <= at <= activity.ends_at:
        raise ValidationError(_("Check-in opens 30 minutes before the start and closes at the end."))
    signup.checked_in_at = at
    with audit.acting_as(actor), audit.labelled(audit.Label.SIGNUP_CHECK_IN):
        signup.save()
    return signup


@transaction.atomic
def check_out(actor: User, signup_id: int, at: datetime | None = None) -> SignUp:
    """Hours served: the time checked in, within the activity's own time."""
    signup = fetch_for_change(SignUp, actor, "change", signup_id)
    _own_or_organiser(actor, signup)
    at = at or timezone.now()
    if signup.checked_in_at is None or signup.checked_out_at is not None:
        raise ValidationError(_("Check in first (and only once out)."))
    if at < signup.checked_in_at:
        raise ValidationError(_("Check-out comes after check-in."))
    activity = signup.activity
    served = min(at, activity.ends_at) - max(signup.checked_in_at, activity.starts_at)
    signup.checked_out_at = at
    signup.hours = max(Decimal(0), Decimal(served.total_seconds()) / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP)
    with audit.acting_as(actor), audit.labelled(audit.Label.SIGNUP_CHECK_OUT):
        signup.save()
    return signup
