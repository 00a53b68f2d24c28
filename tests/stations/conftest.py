from dataclasses import dataclass

import pytest

from wanghua.core.models import User
from wanghua.org.models import Person
from wanghua.stations import services
from wanghua.stations.models import Resident, Station


@dataclass
class Desk:
    station: Station
    other_station: Station
    agent: User
    other_agent: User
    resident: Resident
    other_resident: Resident


@pytest.fixture
def desk(world, make_user) -> Desk:
    return build_desk(world, make_user)


def build_desk(world, make_user) -> Desk:
    """Two stations in two streets, an agent and a resident each (also used by the coverage test)."""
    root = make_user("station-root", is_superuser=True)
    station = services.open_station(root, community=world.community1, code="S1", host_household="刘全国家")
    other = services.open_station(root, community=world.community3, code="S3", host_household="王家")
    agent = make_user("agent1", "agent", unit=station.unit)
    other_agent = make_user("agent3", "agent", unit=other.unit)
    station.agents.add(Person.objects.create(name="刘全国", region=world.community1, user=agent))
    other.agents.add(Person.objects.create(name="王代办", region=world.community3, user=other_agent))
    resident = services.register_resident(root, name="陈大娘", station=station, birth_year=1948,
                                          id_number="210404194803051229", phone="13500001111", empty_nest=True)
    other_resident = services.register_resident(root, name="李大爷", station=other, birth_year=1950)
    return Desk(station, other, agent, other_agent, resident, other_resident)
