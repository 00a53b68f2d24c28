"""The stations tests' data: the district (`world`) and two stations with an agent and a resident each (`desk`).

Both are built once per module, inside a transaction that is rolled back when the module ends; every test runs
in a savepoint within it (as in Django's TestCase.setUpTestData), so what a test writes is undone after it and
the next test sees the shared data as built. Each test gets its own copies of the Python objects. A module whose
tests commit real transactions (threads, a live server) says `SHARED_DATA = False` and builds its own per test.
"""

from copy import deepcopy
from dataclasses import dataclass

import pytest
from django.db import transaction

from conftest import World, build_world
from wanghua.core.models import Role, User
from wanghua.core.roles import sync_builtin_roles
from wanghua.org.models import Person, RoleAssignment
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


@dataclass
class Shared:
    roles: dict[str, Role]
    world: World
    desk: Desk


@pytest.fixture(scope="module")
def stations_shared(request, django_db_setup, django_db_blocker):
    """World and desk of this module, or None when the module builds its own (SHARED_DATA = False)."""
    if not getattr(request.module, "SHARED_DATA", True):
        yield None
        return
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            sync_builtin_roles()
            roles = {r.code: r for r in Role.objects.all()}

            def make_user(username, role=None, *, region=None, unit=None, **extra):
                user = User.objects.create_user(username=username, password="Pass-word-123", **extra)
                if role:
                    RoleAssignment.objects.create(user=user, role=roles[role], region=region, unit=unit)
                return user

            world = build_world()
            yield Shared(roles, world, build_desk(world, make_user))
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def roles(request, stations_shared):
    if stations_shared is None:
        return request.getfixturevalue("roles")  # the suite's own: synced for this test
    request.getfixturevalue("db")
    return dict(stations_shared.roles)


@pytest.fixture
def world(request, stations_shared, roles):
    if stations_shared is None:
        return request.getfixturevalue("world")
    return deepcopy(stations_shared.world)


@pytest.fixture
def desk(request, stations_shared, world, make_user) -> Desk:
    if stations_shared is None:
        return build_desk(world, make_user)
    return deepcopy(stations_shared.desk)
