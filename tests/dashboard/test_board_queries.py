"""Issue 18: every board and KPI page runs a number of queries that does not grow with the district. Each page is
counted on the small world, then again after the district gains streets, communities, grids and units; the two
counts must be equal (no query per street, zone or community) and under a ceiling pinned per page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import region, unit
from wanghua.org.models import RegionKind, RegionLevel, UnitKind

pytestmark = pytest.mark.django_db

# The board pages (named URL, arguments) and the most queries each may run, cache cold, as a district leader:
# what each ran when pinned (2026-12-03), plus two.
BOARDS = {
    ("dashboard:home", ()): 17,
    ("dashboard:home_chart", ()): 8,
    ("dashboard:district_map", ()): 7,
    ("dashboard:zone", ("core",)): 9,
    ("dashboard:goals", ()): 11,
    ("dashboard:screen", ()): 10,
    ("dashboard:screen_data", ()): 10,
    ("dashboard:targets", ()): 9,
    ("civic:case_board", ()): 10,
    ("civic:actions", ()): 8,
    ("projects:headline", ()): 23,
    ("projects:assessment", ()): 16,
    ("services:statistics", ()): 8,
    ("services:statistics_data", ("community",)): 7,
    ("lab:analysis", ()): 11,
}


def _grow(world, streets: int = 3) -> None:
    """More of everything a board groups by: streets (in the zone and out of it), their communities and grids, and
    the units based there."""
    for s in range(streets):
        street = region(f"G{s}", f"新{s}街道", RegionLevel.STREET, RegionKind.STREET, world.district,
                        world.zone if s % 2 else None)
        for c in range(2):
            community = region(f"G{s}{c}", f"新{s}{c}社区", RegionLevel.COMMUNITY, RegionKind.COMMUNITY, street,
                               street.zone)
            region(f"G{s}{c}G1", f"新{s}{c}社区第1网格", RegionLevel.GRID, RegionKind.GRID, community, street.zone)
        unit(f"ent-g{s}", f"新{s}号企业", UnitKind.ENTERPRISE, street, zone=street.zone)


def _queries(client, url: str) -> int:
    cache.clear()  # boards are cached per scope: count the page as built, not as served from the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def test_the_boards_are_all_counted():
    from django.urls import reverse

    assert {reverse(name, args=args) for name, args in BOARDS} >= {"/", "/goals/", "/civic/cases/board/"}


@pytest.mark.parametrize(("name", "args"), list(BOARDS), ids=[name for name, _args in BOARDS])
def test_a_board_runs_the_same_queries_however_large_the_district(name, args, world, make_user, client_for):
    from django.urls import reverse

    url = reverse(name, args=args)
    client = client_for(make_user("board-leader", "leader", region=world.district))
    _queries(client, url)  # the first request also sets up the session and the user's grants
    small = _queries(client, url)
    _grow(world)
    grown = _queries(client, url)
    assert grown == small, f"{url}: {small} queries for 2 streets, {grown} for 5"
    assert grown <= BOARDS[(name, args)], f"{url}: {grown} queries"
