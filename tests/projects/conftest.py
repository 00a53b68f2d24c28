"""The project desk every project test starts from: a unit's staff, a steward, a leader."""

import pytest

from wanghua.org.models import Person


@pytest.fixture
def desk(world, make_user):
    unit_staff = make_user("drc", "department", unit=world.dept)
    steward_user = make_user("steward", "steward", unit=world.dept)
    steward = Person.objects.create(name="孙管家", region=world.street1, unit=world.dept, user=steward_user)
    leader = Person.objects.create(name="王区长", region=world.district)
    return {"unit": unit_staff, "steward": steward_user, "people": (steward, leader)}
