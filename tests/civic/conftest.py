"""A command centre, a handling department and a grid inspector over the test world, with one 大类/小类."""

import pytest

from wanghua.civic.models import CaseCategory


@pytest.fixture
def centre(world, make_user):
    road = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    occupation = CaseCategory.objects.create(code="road-occupation", name="占道经营", kind="event", parent=road,
                                             handle_hours=4)
    return {
        "command": make_user("command", "command", region=world.district),
        "unit": make_user("urban", "department", unit=world.dept),
        "grid": make_user("grid", "grid", region=world.grid1),
        "main": road, "sub": occupation,
    }
