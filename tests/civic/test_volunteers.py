"""Volunteer service: capacity, sign-up rules, check-in window, hours counted within the activity's time."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wanghua.civic import queries
from wanghua.civic.models import SignUp
from wanghua.civic.services import volunteers
from wanghua.org.models import Person, Unit, UnitKind


@pytest.fixture
def team(world, make_user):
    unit = Unit.objects.create(code="vt1", name="雷锋志愿服务队", kind=UnitKind.VOLUNTEER_TEAM, region=world.community1)
    organiser = make_user("secretary", "secretary", region=world.community1)
    people = []
    for n in range(3):
        user = make_user(f"v{n}", "volunteer", unit=unit)
        people.append((user, Person.objects.create(name=f"志愿者{n}", unit=unit, user=user)))
    return {"unit": unit, "organiser": organiser, "people": people}


def activity(team, world, starts_in=timedelta(hours=1), hours=2, capacity=2):
    starts = timezone.now() + starts_in
    return volunteers.create_activity(team["organiser"], team=team["unit"], title="文明交通劝导",
                                      community=world.community1, place="丹东路路口", starts_at=starts,
                                      ends_at=starts + timedelta(hours=hours), capacity=capacity)


def test_sign_up_within_capacity_once(team, world):
    event = activity(team, world)
    (first, _), (second, _), (third, _) = team["people"]
    volunteers.sign_up(first, event.pk)
    with pytest.raises(ValidationError):
        volunteers.sign_up(first, event.pk)  # twice
    volunteers.sign_up(second, event.pk)
    with pytest.raises(ValidationError):
        volunteers.sign_up(third, event.pk)  # full
    assert SignUp.objects.count() == 2
    with pytest.raises(ValidationError):
        volunteers.create_activity(team["organiser"], team=team["unit"], title="x", community=world.community1,
                                   place="y", starts_at=event.ends_at, ends_at=event.starts_at, capacity=1)


def test_hours_count_only_within_the_activity(team, world):
    event = activity(team, world, starts_in=timedelta(minutes=20), hours=2)
    (volunteer, _), (other, _), _ = team["people"]
    signup = volunteers.sign_up(volunteer, event.pk)
    with pytest.raises(ValidationError):
        volunteers.check_in(volunteer, signup.pk, at=event.starts_at - timedelta(hours=1))  # too early
    with pytest.raises(PermissionDenied):
        volunteers.check_in(other, signup.pk, at=event.starts_at)  # a teammate cannot check me in
    volunteers.check_in(volunteer, signup.pk, at=event.starts_at - timedelta(minutes=10))
    done = volunteers.check_out(volunteer, signup.pk, at=event.ends_at + timedelta(hours=3))
    assert done.hours == Decimal("2.00")  # early arrival and late leaving do not count
    late = volunteers.sign_up(other, event.pk)
    volunteers.check_in(team["organiser"], late.pk, at=event.starts_at + timedelta(minutes=30))  # on the spot
    assert volunteers.check_out(team["organiser"], late.pk, at=event.ends_at).hours == Decimal("1.50")
    record = queries.volunteer_record(Person.objects.get(user=volunteer))
    assert (record["activities"], record["hours"]) == (1, Decimal("2.00"))


def test_a_volunteer_not_yet_registered_with_a_team_sees_an_empty_record(world, make_user, client_for):
    newcomer = make_user("newcomer", "volunteer", region=world.community1)  # the role, no Person yet
    page = client_for(newcomer).get("/civic/volunteering/")
    assert page.status_code == 200
    assert 'id="not-registered"' in page.content.decode()


def test_the_activity_form_offers_only_the_organisers_teams(world, make_user, client_for):
    from wanghua.org.models import Unit, UnitKind

    ours = Unit.objects.create(code="vt-ours", name="甲社区志愿服务队", kind=UnitKind.VOLUNTEER_TEAM,
                               region=world.community1)
    theirs = Unit.objects.create(code="vt-theirs", name="丙社区志愿服务队", kind=UnitKind.VOLUNTEER_TEAM,
                                 region=world.community3)
    secretary = make_user("vt-secretary", "secretary", region=world.community1)
    html = client_for(secretary).get("/civic/activities/new/").content.decode()
    assert ours.name in html and theirs.name not in html
