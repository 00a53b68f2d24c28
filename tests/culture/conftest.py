"""The culture tests' people over the test world: the 文明办, two community secretaries, a street's staff, a
resident who nominates, and a volunteer of a team in 甲社区 with checked-out hours from civic."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wanghua.civic.models import Activity, SignUp
from wanghua.core.models import User
from wanghua.culture import services
from wanghua.culture.models import Goods, HeritageSite, Nomination
from wanghua.org.models import Person, Unit, UnitKind


@dataclass
class Culture:
    office: User
    secretary: User
    other_secretary: User
    street: User
    resident: User
    volunteer: User
    person: Person
    team: Unit
    site: HeritageSite
    goods: Goods


def served(person: Person, team: Unit, community, hours: str, *, title: str = "社区清扫", day: date | None = None
           ) -> SignUp:
    """A checked-out sign-up (as civic's check-out leaves it) of `hours` on `day`."""
    zone = timezone.get_current_timezone()
    starts = datetime.combine(day or timezone.localdate() - timedelta(days=1), datetime.min.time(), zone) + \
        timedelta(hours=9)
    activity = Activity.objects.create(team=team, title=title, community=community, place="社区广场",
                                       starts_at=starts, ends_at=starts + timedelta(hours=4), capacity=20)
    return SignUp.objects.create(activity=activity, person=person, checked_in_at=starts,
                                 checked_out_at=starts + timedelta(hours=3), hours=Decimal(hours))


def point_in(community, shift: str = "0") -> tuple[Decimal, Decimal]:
    """A point inside the community's outline when it has one (another module may have drawn it), else in Wanghua."""
    community.refresh_from_db(fields=["geojson"])
    if not community.geojson:
        return Decimal("123.800000") + Decimal(shift) / 1000, Decimal("41.880000")
    ring = community.geojson["coordinates"][0]
    lon = (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2
    lat = (min(p[1] for p in ring) + max(p[1] for p in ring)) / 2
    return Decimal(f"{lon:.6f}") + Decimal(shift) / 1000, Decimal(f"{lat:.6f}")


def build_culture(world, make_user) -> Culture:
    office = make_user("wmb", "culture", region=world.district)
    team = Unit.objects.create(code="vt-c", name="甲社区学雷锋志愿服务队", kind=UnitKind.VOLUNTEER_TEAM,
                               region=world.community1)
    volunteer = make_user("volunteer1", "volunteer", unit=team)
    person = Person.objects.create(name="志愿者甲", region=world.community1, unit=team, user=volunteer)
    longitude, latitude = point_in(world.community1)
    site = services.create_site(office, name="雷锋营房旧址", address="雷锋路1号", community=world.community1,
                                longitude=longitude, latitude=latitude,
                                story="雷锋生前所在部队的营房。", source="望花区志", opening_hours="09:00-16:30")
    secretary = make_user("sec1", "secretary", region=world.community1)
    goods = services.add_goods(secretary, community=world.community1, name="洗衣液", points=30, stock=3)
    return Culture(office=office, secretary=secretary,
                   other_secretary=make_user("sec3", "secretary", region=world.community3),
                   street=make_user("street1", "street", region=world.street1),
                   resident=make_user("res1", "resident", region=world.community1),
                   volunteer=volunteer, person=person, team=team, site=site, goods=goods)


@pytest.fixture
def culture(world, make_user) -> Culture:
    return build_culture(world, make_user)


def nominate(culture: Culture, world, **extra) -> Nomination:
    fields = {"nominee_name": "张好人", "community": world.community1, "category": "helping",
              "deed": "冬夜背起摔倒的老人送医。", "deed_date": timezone.localdate() - timedelta(days=10), **extra}
    return services.nominate(culture.resident, **fields)


def to_publicity(culture: Culture, nomination: Nomination) -> Nomination:
    services.approve_nomination(culture.secretary, nomination.pk, opinion="属实")
    services.approve_nomination(culture.street, nomination.pk, opinion="同意")
    return services.approve_nomination(culture.office, nomination.pk, opinion="同意公示")
