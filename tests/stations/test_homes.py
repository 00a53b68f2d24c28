"""Homes from the registry: an agent's 今日代办, a secretary's and a street's counts of their area; each number
is the list it opens, for the reader's scope."""

import re
from datetime import timedelta

from django.utils import timezone

from wanghua.stations import services
from wanghua.stations.models import Errand

CARD = (r'href="(/services/[^"]+)"><div class="card-body py-2"><div class="h4 mb-0[^"]*">(\d+)</div>'
        r'<div class="small">([^<]+)')


def cards(client) -> dict[str, tuple[str, int]]:
    return {label: (url, int(n)) for url, n, label in re.findall(CARD, client.get("/").content.decode())}


def _day(desk):
    fresh = services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买菜")
    late = services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买药")
    Errand.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    done = services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买米")
    services.start_errand(desk.agent, done.pk)
    services.complete_errand(desk.agent, done.pk, outcome="送到")
    services.accept_errand(desk.other_agent, resident=desk.other_resident, category="shopping", description="别处")
    return fresh, late, done


def test_the_agents_home_is_todays_errands(desk, client_for):
    _day(desk)
    client = client_for(desk.agent)
    home = cards(client)
    assert home["已受理待办理的代办"][1] == 2
    assert home["超期代办"] == ("/services/errands/?overdue=true", 1)
    assert home["待回访"] == ("/services/errands/?status=done", 1)
    assert "本月受理代办" not in home and "服务居民" not in home  # area figures are for those who run the area
    overdue = client.get("/services/errands/?overdue=true").content.decode()
    assert "买药" in overdue and "买菜" not in overdue
    assert 'href="/services/"' in client.get("/").content.decode()  # the 今日代办 shortcut


def test_a_secretarys_home_counts_their_community(desk, world, make_user, client_for):
    _day(desk)
    secretary = client_for(make_user("sec", "secretary", region=world.community1))
    home = cards(secretary)
    assert home["本月受理代办"] == ("/services/errands/?this_month=true", 3)  # not the other community's
    assert home["服务居民"][1] == 1 and home["在运行的代办站"][1] == 1
    assert home["超期代办"][1] == 1


def test_a_streets_home_counts_the_street(desk, world, make_user, client_for):
    _day(desk)
    street2 = cards(client_for(make_user("st2", "street", region=world.street2)))
    assert street2["本月受理代办"][1] == 1 and street2["超期代办"][1] == 0
    district = cards(client_for(make_user("st1", "street", region=world.street1)))
    assert district["本月受理代办"][1] == 3
