"""我的: a resident with a login sees the errands run for them, the cases they reported and their volunteer
hours, as cards on their home; only their own, and nobody else's records through the same lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.stations.conftest import build_desk
from wanghua.civic.models import Activity, Case, CaseCategory, SignUp
from wanghua.civic.services.cases import report_case
from wanghua.core.menu import menu_for, todos_for
from wanghua.core.mine import mine_for
from wanghua.org.models import Person, Unit, UnitKind
from wanghua.stations import services
from wanghua.stations.models import Errand


@pytest.fixture
def home(world, make_user):
    """陈大娘 with a login: two errands of hers, one of a neighbour, a case she reported, two sign-ups."""
    desk = build_desk(world, make_user)
    user = make_user("chen", "resident", region=world.community1)
    person = Person.objects.create(name="陈大娘", region=world.community1, user=user)
    desk.resident.user = user
    desk.resident.save()
    neighbour = services.register_resident(desk.agent, name="邻居", station=desk.station)
    mine = [services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description=text)
            for text in ("买药", "交电费")]
    services.start_errand(desk.agent, mine[0].pk)
    services.complete_errand(desk.agent, mine[0].pk, outcome="药已送到")
    services.accept_errand(desk.agent, resident=neighbour, category="shopping", description="邻居的事")
    parent = CaseCategory.objects.create(code="m1", name="市容环境", kind="event")
    category = CaseCategory.objects.create(code="m101", name="占道经营", kind="event", parent=parent)
    own_case = report_case(None, source="resident", category=category, description="路口占道",
                           community=world.community1)
    Case.objects.filter(pk=own_case.pk).update(reported_by=user)
    report_case(None, source="resident", category=category, description="别人反映的", community=world.community1)
    team = Unit.objects.create(code="vt-h", name="雷锋志愿服务队", kind=UnitKind.VOLUNTEER_TEAM,
                               region=world.community1)
    starts = timezone.now() - timedelta(days=3)
    for title, done in (("助老送餐", True), ("清理小广告", False)):
        activity = Activity.objects.create(team=team, title=title, community=world.community1, place="社区广场",
                                           starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5)
        SignUp.objects.create(activity=activity, person=person, hours=Decimal("2.00") if done else 0,
                              checked_in_at=starts if done else None,
                              checked_out_at=starts + timedelta(hours=2) if done else None)
    return user, desk


def test_the_residents_home_shows_their_own_records(home, client_for):
    user, _desk = home
    page = client_for(user).get("/").content.decode()
    for section in ("mine-errands", "mine-reports", "mine-hours"):
        assert f'id="{section}"' in page
    assert "我的代办" in page and "我反映的问题" in page and "我的志愿服务时长" in page
    assert "买药" in page and "交电费" in page and "药已送到" in page and "邻居的事" not in page
    assert "路口占道" in page and "别人反映的" not in page
    assert "助老送餐" in page and "服务 2.0 小时" in page and "累计 2.0 小时" in page
    assert "共 2 件 · 办理中 1 件" in page
    assert "shopping" not in page and "accepted" not in page  # Chinese labels, not codes


def test_a_reported_case_opens_its_public_follow_page(home, client_for):
    user, _desk = home
    case = Case.objects.get(reported_by=user)
    assert mine_for(user)[1].result.cards[0].url == f"/civic/follow/{case.public_token}/"
    assert client_for(user).get(f"/civic/follow/{case.public_token}/").status_code == 200


def test_the_lists_read_through_visible_to_only_own_records(home):
    user, _desk = home
    assert set(Errand.objects.visible_to(user).values_list("description", flat=True)) == {"买药", "交电费"}
    assert list(Case.objects.visible_to(user).values_list("description", flat=True)) == ["路口占道"]
    assert SignUp.objects.visible_to(user).count() == 2
    assert not Errand.objects.visible_to(user, "change").exists()


def test_another_resident_sees_none_of_it(home, make_user, world, client_for):
    other = make_user("wang", "resident", region=world.community1)
    sections = {s.key: s.result.cards for s in mine_for(other)}
    assert sections == {"errands": [], "reports": [], "hours": []}
    page = client_for(other).get("/").content.decode()
    assert "买药" not in page and "还没有代办事项" in page


def test_staff_see_no_resident_lists_on_their_home(home, client_for):
    _user, desk = home
    assert mine_for(desk.agent) == []  # an agent runs the errands; none is their own
    page = client_for(desk.agent).get("/").content.decode()
    assert 'id="mine"' not in page


def test_a_resident_menu_leads_to_their_records_not_to_staff_lists(home, client_for):
    user, _desk = home
    links = {link.url for section in menu_for(user) for link in section.items}
    assert "/accounts/mine/" in links
    assert not any(url.startswith(("/services/", "/civic/cases/")) for url in links)
    request = type("R", (), {"user": user})()
    assert todos_for(request) == []
    page = client_for(user).get("/accounts/mine/")
    assert page.status_code == 200 and "买药" in page.content.decode()


def test_the_mine_page_answers_everyone_logged_in(client_for, make_user):
    nobody = make_user("nobody")
    page = client_for(nobody).get("/accounts/mine/")
    assert page.status_code == 200 and 'id="mine-nothing"' in page.content.decode()
    assert client_for(None).get("/accounts/mine/").status_code == 302
