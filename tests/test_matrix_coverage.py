"""The permission matrix covers every URL and every API operation: adding a route without a
matrix case fails here."""

import re

from django.urls import get_resolver, resolve

from tests.civic.test_matrix import (
    activity_cases,
    civic_api_cases,
    civic_cases,
    civic_more_api_cases,
    commitment_cases,
    prepare_activities,
    prepare_cases,
    prepare_commitments,
)
from tests.core.test_system_matrix import leader_cases, shell_cases, sysadmin_cases
from tests.culture.test_matrix import culture_cases, prepare_culture
from tests.dashboard.test_matrix import board_cases, dashboard_api_cases, planning_cases
from tests.industry.conftest import build_plant
from tests.industry.test_matrix import manager_cases, operator_cases
from tests.industry.test_matrix import prepare as prepare_industry
from tests.lab.test_matrix import lab_cases, prepare_lab, reviewer_cases
from tests.org.test_matrix import ADMIN_ONLY, SCOPED
from tests.projects.test_matrix import prepare_projects, project_api_cases, project_cases
from tests.stations.conftest import build_desk
from tests.stations.test_matrix import agent_cases, matrix_users, secretary_cases
from wanghua.core import services
from wanghua.core.models import Notice
from wanghua.org.models import RoleAssignment

# Routes outside the matrix on purpose: public pages (tested in test_rules), Django admin (its own
# staff checks), the API's own schema and docs pages (public by design).
NOT_IN_MATRIX = {"accounts/login/", "accounts/logout/", "i18n/setlang/", "api/v1/openapi.json", "api/v1/docs",
                 "verify/<slug:token>/",  # the public certificate check (tests/lab/test_lab.py)
                 # Open311 GeoReport v2, public by specification (tests/civic/test_open311.py)
                 "open311/v2/", "open311/v2/discovery.<str:fmt>", "open311/v2/services.<str:fmt>",
                 "open311/v2/services/<slug:code>.<str:fmt>", "open311/v2/requests.<str:fmt>",
                 "open311/v2/requests/<str:request_id>.<str:fmt>", "open311/v2/tokens/<str:token>.<str:fmt>",
                 # a resident's report without an account, and its follow-up link (tests/civic/test_pages.py)
                 "civic/report/", "civic/follow/<str:token>/",
                 "civic/promises/",  # the public 民生清单 (tests/civic/test_pages.py)
                 # 雷锋文化's public pages: plaques and their visit beacon, photos of open sites, the 好人榜 with its
                 # objections, the certificate check (tests/culture/test_sites.py, test_pages.py, test_certificates.py)
                 "culture/p/<slug:token>/", "culture/p/<slug:token>/visit/", "culture/site-photos/<int:photo_id>/",
                 "culture/honour/", "culture/honour/<int:pk>/objection/", "culture/verify/<slug:token>/",
                 # the public case map and the duplicate check while filing (tests/civic/test_maps.py)
                 "civic/map/", "civic/map.json", "civic/report/nearby.json"}


def all_cases(world, make_user, roles):
    users = {"in_scope": make_user("in_scope_user", "street", region=world.street1), "roles": roles,
             "revocable": RoleAssignment.objects.create(user=make_user("r"), role=roles["agent"],
                                                        region=world.community2),
             "notice": Notice.objects.create(title="t", body="b")}
    services.create_token(users["in_scope"], "coverage")
    desk = build_desk(world, make_user)
    users.update(matrix_users(desk))
    users["plant"] = build_plant(world)
    users["industry"] = prepare_industry(users["plant"])
    users["lab"] = prepare_lab(world, make_user)
    users["projects"] = prepare_projects(world, make_user)
    users["civic"] = prepare_cases(world, make_user)
    users["activities"] = prepare_activities(world, make_user)
    users["commitments"] = prepare_commitments(world, make_user)
    users["culture"] = prepare_culture(world, make_user)
    factories = [*SCOPED, *ADMIN_ONLY, shell_cases, leader_cases, sysadmin_cases, agent_cases, secretary_cases,
                 operator_cases, manager_cases, lab_cases, project_cases, project_api_cases, civic_cases,
                 activity_cases, commitment_cases, civic_api_cases, civic_more_api_cases, board_cases, planning_cases,
                 dashboard_api_cases, culture_cases, lambda world, users: reviewer_cases(users["lab"])]
    return [case for factory in factories for case in factory(world, users)]


def test_every_page_route_has_a_matrix_case(world, make_user, roles):
    covered = {resolve(case.url.split("?")[0]).route for case in all_cases(world, make_user, roles)}
    missing = sorted(r for r in _full_routes() - covered if r not in NOT_IN_MATRIX and not r.startswith("api/"))
    assert missing == []


def _full_routes():
    def collect(patterns, prefix="", namespaces=()):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                if entry.namespace == "admin":
                    continue
                yield from collect(entry.url_patterns, route, (*namespaces, entry.namespace))
            else:
                yield route

    return set(collect(get_resolver().url_patterns))


def test_every_api_operation_has_a_matrix_case(world, make_user, roles, client):
    cases = all_cases(world, make_user, roles)
    client.force_login(make_user("schema", is_superuser=True))
    schema = client.get("/api/v1/openapi.json").json()
    missing = []
    for path, operations in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"{[^}]+}", "[^/]+", path) + "$")
        for method in operations:
            if not any(c.method == method and pattern.match(c.url.split("?")[0]) for c in cases):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
