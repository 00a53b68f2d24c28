"""The civic services' guards, each pinned by its own message: a later check (the model's full_clean, a
constraint, a crash) that also refuses must not hide a guard's removal. Found unpinned by
scripts/guard_mutants.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.refusals import field_refusal, refusal
from wanghua.civic.models import Activity, CaseCategory, Commitment, Milestone, ProgressReport, SignUp
from wanghua.civic.services import catalogue, commitments, volunteers
from wanghua.org.models import Person, Unit, UnitKind

VEHICLE = [{"code": "vehicle", "description": "车辆类型", "datatype": "string"}]


# --- catalogue -------------------------------------------------------------------------------------------------

def test_attributes_are_a_list_and_belong_to_a_subcategory_only(centre):
    """Attributes that are not a list are refused as such (not as a bad first attribute), and a 大类 takes no
    attributes: neither a new one, nor an existing one, nor a 小类 with attributes made into a 大类."""
    command = centre["command"]
    field_refusal(lambda: catalogue.create_category(command, code="new-sub", name="新小类", kind="event",
                                                    parent=centre["main"], attributes={"code": "vehicle"}),
                  "attributes", "Attributes are a list.")
    field_refusal(lambda: catalogue.update_category(command, centre["sub"].pk, attributes="vehicle"),
                  "attributes", "Attributes are a list.")
    only_sub = "Only a 小类 takes reports, so only a 小类 has attributes."
    field_refusal(lambda: catalogue.create_category(command, code="environment", name="市容环境", kind="event",
                                                    attributes=VEHICLE), "attributes", only_sub)
    field_refusal(lambda: catalogue.update_category(command, centre["main"].pk, attributes=VEHICLE),
                  "attributes", only_sub)
    catalogue.update_category(command, centre["sub"].pk, attributes=VEHICLE)
    field_refusal(lambda: catalogue.update_category(command, centre["sub"].pk, parent=None), "attributes", only_sub)
    assert set(CaseCategory.objects.values_list("code", flat=True)) == {"street-order", "road-occupation"}
    assert CaseCategory.objects.get(pk=centre["main"].pk).attributes == []
    sub = CaseCategory.objects.get(pk=centre["sub"].pk)
    assert sub.parent_id == centre["main"].pk and sub.attributes == VEHICLE


# --- commitments -----------------------------------------------------------------------------------------------

def _commitment(world) -> Commitment:
    return Commitment.objects.create(year=timezone.localdate().year, title="老旧小区改造", target=Decimal(56),
                                     target_unit="栋", unit=world.dept, region=world.street1,
                                     deadline=timezone.localdate() + timedelta(days=60))


def test_progress_needs_a_note_of_its_own(centre, world):
    """A blank note is refused with the service's message, not the model's generic one, and saves nothing."""
    commitment = _commitment(world)
    field_refusal(lambda: commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(5),
                                                      note="   "), "note", "Describe the progress.")
    assert not ProgressReport.objects.exists()
    assert Commitment.objects.get(pk=commitment.pk).delivered == 0


def test_a_milestone_is_done_once_and_never_in_the_future(centre, world):
    """Completing a milestone again, or on a future date, is refused and leaves its date as it was."""
    commitment = _commitment(world)
    yesterday = timezone.localdate() - timedelta(days=1)
    done = Milestone.objects.create(commitment=commitment, title="完成招标", due=yesterday, done_on=yesterday)
    open_one = Milestone.objects.create(commitment=commitment, title="完成施工", due=yesterday)
    refusal(lambda: commitments.complete_milestone(centre["unit"], done.pk), "This milestone is already done.")
    refusal(lambda: commitments.complete_milestone(centre["unit"], open_one.pk,
                                                   on=timezone.localdate() + timedelta(days=1)),
            "The date cannot be in the future.")
    assert Milestone.objects.get(pk=done.pk).done_on == yesterday
    assert Milestone.objects.get(pk=open_one.pk).done_on is None
    assert Commitment.objects.get(pk=commitment.pk).status == commitment.status


# --- volunteers ------------------------------------------------------------------------------------------------

@pytest.fixture
def team(world, make_user):
    unit = Unit.objects.create(code="vt1", name="雷锋志愿服务队", kind=UnitKind.VOLUNTEER_TEAM, region=world.community1)
    organiser = make_user("secretary", "secretary", region=world.community1)
    volunteer = make_user("v1", "volunteer", unit=unit)
    Person.objects.create(name="志愿者1", unit=unit, user=volunteer)
    return {"unit": unit, "organiser": organiser, "volunteer": volunteer}


def _activity(team, world, starts_in=timedelta(hours=1), hours=2) -> Activity:
    starts = timezone.now() + starts_in
    return volunteers.create_activity(team["organiser"], team=team["unit"], title="文明交通劝导",
                                      community=world.community1, place="丹东路路口", starts_at=starts,
                                      ends_at=starts + timedelta(hours=hours), capacity=5)


def test_an_activity_lasts_at_most_three_days(team, world):
    """Four days is refused on ends_at with the service's message; nothing is saved."""
    field_refusal(lambda: _activity(team, world, hours=4 * 24), "ends_at",
                  "An activity lasts at most three days; plan longer ones as several.")
    assert not Activity.objects.exists()
    assert _activity(team, world, hours=3 * 24).ends_at - Activity.objects.get().starts_at == timedelta(days=3)


def test_only_a_linked_volunteer_signs_up_and_only_for_an_open_activity(team, world, make_user):
    """An account without a volunteer record, an activity that has ended and a cancelled one are each refused
    with their own message, and no sign-up is saved."""
    event = _activity(team, world)
    newcomer = make_user("newcomer", "volunteer", unit=team["unit"])  # the role, no Person
    refusal(lambda: volunteers.sign_up(newcomer, event.pk), "Your account is not linked to a volunteer.")
    over = _activity(team, world, starts_in=-timedelta(hours=3))  # ended an hour ago
    refusal(lambda: volunteers.sign_up(team["volunteer"], over.pk), "This activity is over or cancelled.")
    Activity.objects.filter(pk=event.pk).update(cancelled=True)
    refusal(lambda: volunteers.sign_up(team["volunteer"], event.pk), "This activity is over or cancelled.")
    assert not SignUp.objects.exists()


def test_check_in_once_then_out_once_and_after_it(team, world):
    """A second check-in, a check-out before any check-in, a second check-out and a check-out earlier than the
    check-in are refused with their own messages; the times and hours stay as they were."""
    event = _activity(team, world, starts_in=timedelta(minutes=10))
    volunteer = team["volunteer"]
    signup = volunteers.sign_up(volunteer, event.pk)
    refusal(lambda: volunteers.check_out(volunteer, signup.pk, at=event.ends_at),
            "Check in first (and only once out).")
    checked_in = event.starts_at + timedelta(minutes=15)
    volunteers.check_in(volunteer, signup.pk, at=checked_in)
    refusal(lambda: volunteers.check_in(volunteer, signup.pk, at=event.starts_at + timedelta(minutes=30)),
            "Already checked in.")
    refusal(lambda: volunteers.check_out(volunteer, signup.pk, at=checked_in - timedelta(minutes=1)),
            "Check-out comes after check-in.")
    stored = SignUp.objects.get(pk=signup.pk)
    assert (stored.checked_in_at, stored.checked_out_at, stored.hours) == (checked_in, None, 0)
    volunteers.check_out(volunteer, signup.pk, at=event.ends_at)
    refusal(lambda: volunteers.check_out(volunteer, signup.pk, at=event.ends_at + timedelta(hours=1)),
            "Check in first (and only once out).")
    stored = SignUp.objects.get(pk=signup.pk)
    assert (stored.checked_in_at, stored.checked_out_at, stored.hours) == (checked_in, event.ends_at,
                                                                          Decimal("1.75"))
