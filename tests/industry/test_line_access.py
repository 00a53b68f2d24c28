"""The live line page reads its line plainly and checks it with `can` (industry/views.py `_line`), every phone
asking each second: `can` must answer exactly as `visible_to` does for lines, whose scope is both a region (the
enterprise's) and a unit (the enterprise), under every kind of data scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wanghua.core.access import can, forget_grants
from wanghua.industry.models import ProductionLine
from wanghua.org import services
from wanghua.org.models import RoleAssignment


@pytest.fixture
def holders(world, make_user, roles, plant):
    admin = make_user("root-admin", is_superuser=True)
    custom = make_user("custom-street")
    services.grant_role(admin, custom, roles["street"], region=world.street1, data_scope="custom",
                        regions=[world.community3])
    node = make_user("node-street")
    RoleAssignment.objects.create(user=node, role=roles["street"], region=world.street1, data_scope="node")
    return [
        make_user("op1", "operator", unit=world.enterprise1),
        make_user("pm2", "plant_manager", unit=world.enterprise2),
        make_user("street1", "street", region=world.street1),
        make_user("street2", "street", region=world.street2),
        make_user("dept", "department", unit=world.dept),
        make_user("leader", "leader", region=world.district),
        make_user("resident", "resident", region=world.community1),
        custom, node, make_user("nobody"),
    ]


def test_can_agrees_with_visible_to_for_every_line(holders):
    lines = list(ProductionLine.objects.select_related("enterprise"))
    assert len(lines) == 2
    answers = {}
    for user in holders:
        visible = set(ProductionLine.objects.visible_to(user).values_list("code", flat=True))
        assert visible == {line.code for line in lines if can(user, "view", line)}, user.username
        answers[user.username] = visible
    assert answers["op1"] == {"FT-BAR1"} and answers["pm2"] == {"AL-1"}  # the comparison is not of empty sets
    assert answers["leader"] == {"FT-BAR1", "AL-1"} and answers["nobody"] == set()


def test_a_unit_grant_decides_without_loading_the_lines_region(world, make_user, plant):
    operator = make_user("op1", "operator", unit=world.enterprise1)
    line = ProductionLine.objects.select_related("enterprise").get(code="FT-BAR1")
    forget_grants(operator)
    with CaptureQueriesContext(connection) as queries:
        assert can(operator, "view", line)
    assert len(queries) == 1, [q["sql"][:80] for q in queries]  # the grants alone; no region (and its outline)


def test_the_live_fragment_refuses_another_plants_line(world, make_user, client_for, plant):
    operator = client_for(make_user("pm2", "plant_manager", unit=world.enterprise2))
    assert operator.get("/industry/lines/AL-1/", HTTP_HX_REQUEST="true").status_code == 200
    assert operator.get("/industry/lines/FT-BAR1/", HTTP_HX_REQUEST="true").status_code == 404
    assert operator.get("/industry/lines/NO-SUCH/", HTTP_HX_REQUEST="true").status_code == 404
