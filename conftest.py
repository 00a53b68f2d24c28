"""Shared fixtures: a small district with two streets, three communities and a grid, and users
holding each kind of grant."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from wanghua.core.models import Role, User
from wanghua.core.roles import sync_builtin_roles
from wanghua.org.models import Person, Region, RegionKind, RegionLevel, RoleAssignment, Unit, UnitKind, Zone


@dataclass
class World:
    district: Region
    street1: Region
    street2: Region
    community1: Region
    community2: Region
    community3: Region
    grid1: Region
    zone: Zone
    gov: Unit
    dept: Unit
    enterprise1: Unit
    enterprise2: Unit
    person1: Person
    person3: Person


def region(code, name, level, kind, parent=None, zone=None) -> Region:
    return Region.objects.create(code=code, name=name, level=level, kind=kind, parent=parent, zone=zone)


def unit(code, name, kind, at, parent=None, zone=None) -> Unit:
    return Unit.objects.create(code=code, name=name, kind=kind, region=at, parent=parent, zone=zone)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached fragments (menus, boards) never carry over from one test's database to the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def roles(db):
    sync_builtin_roles()  # transactional tests flush the table the migration filled
    return {r.code: r for r in Role.objects.all()}


@pytest.fixture
def world(db, roles) -> World:
    return build_world()


def build_world() -> World:
    """The district of `world` (needs the built-in roles and database access; also built once per module)."""
    zone = Zone.objects.create(code="core", name="雷锋文化核心区", kind=Zone.Kind.CORE)
    d = region("T00", "测试区", RegionLevel.DISTRICT, RegionKind.DISTRICT)
    s1 = region("T01", "一街道", RegionLevel.STREET, RegionKind.STREET, d, zone)
    s2 = region("T02", "二街道", RegionLevel.STREET, RegionKind.STREET, d)
    c1 = region("T0101", "甲社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY, s1, zone)
    c2 = region("T0102", "乙社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY, s1, zone)
    c3 = region("T0201", "丙社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY, s2)
    g1 = region("T0101G1", "甲社区第1网格", RegionLevel.GRID, RegionKind.GRID, c1, zone)
    gov = unit("gov", "测试区政府", UnitKind.GOVERNMENT, d)
    dept = unit("dept", "城管局", UnitKind.DEPARTMENT, d, parent=gov)
    e1 = unit("ent1", "一号钢厂", UnitKind.ENTERPRISE, s1, zone=zone)
    e2 = unit("ent2", "二号铝厂", UnitKind.ENTERPRISE, s2)
    p1 = Person.objects.create(name="张甲", region=c1, phone="13912345678", id_number="210404199001011236")
    p3 = Person.objects.create(name="李丙", region=c3, phone="13800001111")
    return World(d, s1, s2, c1, c2, c3, g1, zone, gov, dept, e1, e2, p1, p3)


@pytest.fixture
def make_user(db, roles):
    def make(username: str, role: str | None = None, *, region: Region | None = None, unit: Unit | None = None,
             **extra) -> User:
        user = User.objects.create_user(username=username, password="Pass-word-123", **extra)
        if role:
            RoleAssignment.objects.create(user=user, role=roles[role], region=region, unit=unit)
        return user

    return make


@pytest.fixture
def client_for():
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def matrix(world, make_user, client_for):
    """Clients for the four actors of a permission matrix: (role, scope) for in scope and out of scope."""

    def build(in_scope: tuple[str, dict], out_of_scope: tuple[str, dict]):
        users = {
            "anonymous": None,
            "no_role": make_user("no_role_user"),
            "out_of_scope": make_user("out_scope_user", out_of_scope[0], **out_of_scope[1]),
            "in_scope": make_user("in_scope_user", in_scope[0], **in_scope[1]),
        }
        return {actor: client_for(user) for actor, user in users.items()}, users

    return build


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the work tree."""
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_configure(config):
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite test database lives there
    # Argon2 costs about 144 ms per password: tests hash with a fast hasher, except those that test hashing
    # itself (the `argon2_passwords` fixture). Production settings are untouched.
    settings.PASSWORD_HASHERS = [TEST_HASHER, *settings.PASSWORD_HASHERS]
    # Jobs run inside the call that enqueues them, on huey's in-memory storage: no worker, nothing in VAR_DIR.
    # (`wanghua serve` started by a test runs a real worker in its own process.)
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


TEST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture
def argon2_passwords(settings):
    """The production hashers, for tests of password hashing itself."""
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if h != TEST_HASHER]


def pytest_collection_modifyitems(config, items):
    """Every test has a node id of its own: pytest-xdist runs only one of several that share one (as
    schemathesis's `parametrize()` made 107 API operations share one)."""
    from collections import Counter

    shared = [nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1]
    if shared:
        raise pytest.UsageError(f"tests share a node id, so pytest-xdist would run only one of each: {shared[:5]}")
    _longest_files_first(items)


# The files that build the whole demo district take minutes each; pytest-xdist (--dist loadfile) hands files out
# in collection order, so they start first and the other worker runs the rest meanwhile, instead of one of them
# running alone at the end.
LONGEST_FILES = ("tests/demo/test_demo.py", "e2e/test_demo_walk.py", "tests/demo/test_lines.py")


def _longest_files_first(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FILES.index(path) if path in LONGEST_FILES else len(LONGEST_FILES)

    items.sort(key=rank)  # stable: the order within and among the other files is kept
