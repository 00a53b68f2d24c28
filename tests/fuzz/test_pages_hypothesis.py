"""Fuzz the pages, not only the API: every page a GET opens (lists, boards, PDFs, exports, detail pages, the
public Open311 feed) gets generated query strings, sent by a role that may open it. No answer may be a server
error, and no GET may change the database.

The routes come from the URL resolver; their concrete URLs (with record ids) from the permission matrix's
cases, which `tests/test_matrix_coverage.py` keeps complete. One district, plant, lab, projects and cases are
built once for the module; each route's test runs in a savepoint within it."""

from __future__ import annotations

import hashlib
import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wanghua
from tests.test_matrix_coverage import _full_routes, all_cases
from wanghua.core.models import Role, User
from wanghua.org.models import RoleAssignment

EXAMPLES = int(os.environ.get("WANGHUA_FUZZ_EXAMPLES", "6"))  # more for a deeper run

# Public GET pages outside the matrix, with the query parameters they document.
PUBLIC_URLS = ["/open311/v2/requests.xml", "/open311/v2/requests.json", "/open311/v2/services.xml",
               "/open311/v2/discovery.json", "/civic/promises/", "/accounts/login/", "/culture/honour/",
               "/civic/map/", "/civic/map.json", "/civic/report/nearby.json"]
# Tables a GET may write by design: the session (a login's record of the user and their messages) and the
# database cache. Nothing else.
WRITABLE = {"django_session", "django_cache"}

HOSTILE = ["", "0", "-1", "1", "2", "99999999999999999999", "9223372036854775808", "1e10", "-1e308", "NaN", "inf",
           "0.5", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "2026-12", "2026-Q5", "0000", "99999",
           "2026-01-01T00:00:00+99:00", "9999-12-31T23:59:59", "xlsx", "json", "pdf", "true", "false", "on",
           "\x00", "a\x01b", "\ufffe", "%", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
           "甲社区", "x" * 2000, "department", "street", "district", "month", "quarter", "year"]


GET_NAME = re.compile(r"""GET(?:\.get|\.getlist)?[(\[]\s*["']([a-z_]+)["']""")


def _names_in_source() -> set[str]:
    """Every query parameter a view reads by name, found in the source (so a new one is fuzzed too)."""
    root = Path(wanghua.__file__).parent
    return {name for path in root.rglob("*.py") for name in GET_NAME.findall(path.read_text())}


def _own_names(url: str) -> list[str]:
    """The parameters this page reads: its FilterSet's, and those its views module reads by name."""
    func = resolve(url).func
    view_class = getattr(func, "view_class", None)
    filterset = getattr(view_class, "filterset_class", None)
    module = inspect.getmodule(view_class or inspect.unwrap(func))
    names = set(filterset.base_filters) if filterset else set()
    names |= set(GET_NAME.findall(inspect.getsource(module))) if module else set()
    return sorted(names | {"format", "page"})


def _filter_names() -> set[str]:
    import django_filters

    names = set()
    for module in ("core", "org", "stations", "industry", "lab", "projects", "civic", "dashboard"):
        filters = __import__(f"wanghua.{module}.filters", fromlist=["*"])
        for value in vars(filters).values():
            if isinstance(value, type) and issubclass(value, django_filters.FilterSet) and value.base_filters:
                names |= set(value.base_filters)
    return names


NAMES = sorted(_names_in_source() | _filter_names() | {"page", "page_size", "format", "q", "export"})
VALUES = st.one_of(st.sampled_from(HOSTILE), st.integers().map(str), st.dates().map(str),
                   st.text(st.characters(exclude_categories=["Cs"]), max_size=12))  # a URL holds no surrogate


DATE_NAME = re.compile(r"day|date|start|end|since|until|from|to$|_at$|_on$")
NUMBER_NAME = re.compile(r"year|month|period|page|agent|id$|days|count|size|line|region|unit|station")
BAD_DAYS = ["2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "0000-00-00", "2026-1-1", "99999-01-01",
            "2026-12"]
BAD_DATES = st.one_of(st.dates().map(str), st.sampled_from(BAD_DAYS), st.sampled_from(BAD_DAYS))
BAD_NUMBERS = st.one_of(st.integers().map(str), st.sampled_from(["0", "-1", "1e10", "99999999999999999999", "0000",
                                                                 "9999-12", "2026-Q5", "1.5", "NaN", "-0"]))


def _value_for(name: str):
    """Values that suit the name (dates for a day, numbers for a year) half the time, anything the other half."""
    typed = BAD_DATES if DATE_NAME.search(name) else BAD_NUMBERS if NUMBER_NAME.search(name) else VALUES
    return st.one_of(typed, VALUES)


def queries(url: str):
    """Query strings for a page: mostly the page's own parameters, with a few that any page reads."""
    own = _own_names(url)
    names = st.one_of(st.sampled_from(own), st.sampled_from(own), st.sampled_from(NAMES))
    return st.lists(names.flatmap(lambda name: st.tuples(st.just(name), _value_for(name))), min_size=1,
                    max_size=5).map(dict)


def _checksum() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows (the shared world is small enough to read whole)."""
    state = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in WRITABLE:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            state[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def _counts() -> list:
    """Every table's row count, in one query."""
    tables = [t for t in connection.introspection.table_names() if t not in WRITABLE]
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(cursor.fetchall())


def _public_record_urls() -> list[str]:
    """The public pages of one record: a case's follow-up link and Open311 reads, a certificate's check, a heritage
    site's plaque and a volunteer service certificate's check."""
    from wanghua.civic.models import Case, CaseCategory
    from wanghua.culture.models import HeritageSite, ServiceCertificate
    from wanghua.lab.models import Certificate, LabOrder

    case = Case.objects.exclude(public_token="").first()
    category = CaseCategory.objects.filter(parent__isnull=False).first()
    certificate = Certificate.objects.first()
    order = LabOrder.objects.exclude(certificate_token="").first()
    token = certificate.token if certificate else order.certificate_token if order else "nothing"
    return ["/open311/v2/", "/civic/report/", f"/civic/follow/{case.public_token}/",
            f"/open311/v2/requests/{case.number}.json", f"/open311/v2/tokens/{case.public_token}.xml",
            f"/open311/v2/services/{category.code}.xml", f"/verify/{token}/",
            HeritageSite.objects.first().plaque_url(), ServiceCertificate.objects.first().verify_path(),
            _site_photo_url()]


def _site_photo_url() -> str:
    """A heritage site's photo (the world has none: one is added through the service)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.stations.test_photos import png
    from wanghua.culture import services
    from wanghua.culture.models import HeritageSite

    site = HeritageSite.objects.first()
    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("fuzz-photographer")
    photo = services.add_site_photo(root, site.pk, SimpleUploadedFile("site.png", png(), "image/png"))
    return f"/culture/site-photos/{photo.pk}/"


def _first_pk(label: str) -> int:
    from django.apps import apps

    first = apps.get_model(label).objects.order_by("pk").first()
    return first.pk if first else 999_999


def _public_posted_urls() -> list[str]:
    """Public routes only a POST reaches: a plaque's visit beacon and an objection during 公示."""
    from wanghua.culture.models import HeritageSite

    return [f"{HeritageSite.objects.first().plaque_url()}visit/",
            f"/culture/honour/{_first_pk('culture.Nomination')}/objection/"]


class World:
    """The module's data: its GET URLs by route, the routes only POSTs reach, the users who may open pages, and
    a client for each (anonymous first), logged in once for the module: a login writes (last login, 登录日志)
    and a page render per try is what the fuzz pays for."""

    def __init__(self, urls: dict[str, str], posted: dict[str, str], users: list[User]):
        self.urls, self.posted, self.users = urls, posted, users
        self._clients: dict[int | None, Client] = {}

    def clients(self) -> Iterator[Client]:
        for user in [None, *self.users]:
            yield self.client_of(user)

    def client_of(self, user: User | None) -> Client:
        from django.contrib.auth import SESSION_KEY

        client = self._clients.get(user.pk if user else None)
        if client is None:
            client = self._clients[user.pk if user else None] = Client()
        if user is not None and client.session.get(SESSION_KEY) != str(user.pk):
            client.force_login(user)  # first use, or a page ended the session
        return client


def _build() -> World:
    from conftest import build_world
    from wanghua.core.roles import sync_builtin_roles

    sync_builtin_roles()
    roles = {r.code: r for r in Role.objects.all()}

    def make_user(username, role=None, *, region=None, unit=None, **extra):
        user = User.objects.create_user(username=username, password="Pass-word-123", **extra)
        if role:
            RoleAssignment.objects.create(user=user, role=roles[role], region=region, unit=unit)
        return user

    world = build_world()
    cases = all_cases(world, make_user, roles)
    urls: dict[str, str] = {}
    posted: dict[str, str] = {}
    for case in cases:
        if case.url.startswith("/api/"):
            continue
        route = resolve(case.url.split("?")[0]).route
        if case.method == "get":
            urls.setdefault(route, case.url.split("?")[0])
        else:
            posted.setdefault(route, case.url.split("?")[0])
    for url in [*PUBLIC_URLS, *_public_record_urls()]:
        urls.setdefault(resolve(url).route, url)
    for url in _public_posted_urls():
        posted.setdefault(resolve(url).route, url)
    # A role that may open the page, tried in this order; the superuser only where no built-in role can.
    users = [make_user(f"fuzz-{code}", code, region=world.district) for code in
             ("leader", "command", "department", "street", "sysadmin", "lab_reviewer", "plant_manager")
             if code in roles]
    users.append(make_user("fuzz-root", is_superuser=True))
    return World(urls, posted, users)


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-media")


@pytest.fixture(autouse=True)
def media_root(settings, module_media):
    """The module's photos stay where the module's world put them (the suite's fixture gives each test its own)."""
    settings.MEDIA_ROOT = module_media


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, module_media):
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=module_media):
        block = transaction.atomic()
        block.__enter__()
        try:
            world = _build()
            for _client in world.clients():  # logged in here, outside the tests' own transactions
                pass
            yield world
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def _routes() -> list[str]:
    return sorted(r for r in _full_routes() if not r.startswith(("api/", "admin/")))


def _opener(fuzz_world: World, url: str) -> Client:
    """A client of the first user who may open the page: anonymous for public pages, else the first role whose
    plain GET answers 200 (or redirects elsewhere than the login page, as the old lab addresses do)."""
    for client in fuzz_world.clients():
        client.raise_request_exception = True
        response = client.get(url)
        if response.status_code == 200 or (response.status_code in (301, 302, 308)
                                           and "/accounts/login/" not in response["Location"]):
            return client
    raise AssertionError(f"nobody may open {url}")


# Routes no GET serves and no matrix case posts to: logging out and switching the language (tests/core).
NEITHER = {"accounts/logout/", "i18n/setlang/"}


def test_every_get_page_is_fuzzed(fuzz_world, db):
    """Every page route is fuzzed, unless it takes only POSTs: a new page cannot escape the fuzz."""
    missing = sorted(r for r in _routes() if r not in fuzz_world.urls and r not in fuzz_world.posted
                     and r not in NEITHER)
    assert missing == [], missing


def _form_opener(fuzz_world: World, url: str) -> Client | None:
    """A route the matrix only posts to: the client of the first user for whom it is also a page (a form shown
    by GET), to fuzz; else None, once every user's GET was refused (405, or the login page), never with a
    5xx, and nothing was written."""
    before = _checksum()
    for client in fuzz_world.clients():
        client.raise_request_exception = False
        status = client.get(f"{url}?x=1").status_code
        if status == 200:
            return client
        assert status in (302, 403, 404, 405), f"GET {url} → {status}"
    assert _checksum() == before, f"a GET of {url} changed stored rows"
    return None


@pytest.mark.parametrize("route", _routes())
def test_no_query_string_breaks_a_page(fuzz_world, db, route):
    url, client = fuzz_world.urls.get(route), None
    if url is None and route in fuzz_world.posted:
        url = fuzz_world.posted[route]
        client = _form_opener(fuzz_world, url)
        if client is None:
            return  # a step that takes only POSTs, and refused every GET
    if url is None:
        return  # logging out and switching the language (NEITHER): tests/core
    client = client or _opener(fuzz_world, url)
    client.raise_request_exception = False
    before = _checksum()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(query=queries(url))
    def fuzz(query):
        counts = _counts()
        response = client.get(f"{url}?{urlencode(query)}")
        assert response.status_code < 500, f"{url}?{urlencode(query)} → {response.status_code}"
        assert _counts() == counts, f"GET {url}?{urlencode(query)} changed the number of rows"

    fuzz()
    assert _checksum() == before, f"GETs of {url} changed stored rows"
