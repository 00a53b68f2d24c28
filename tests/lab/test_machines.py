"""The lab's own tables besides lab_order (issue 19): lab_review (审核/批准) and lab_certificate (有效/已作废),
walked by the same checks as every declared table in tests/core/test_state_machines.py."""

import pytest

from tests.core import test_state_machines as walk

LAB_MACHINES = ["lab_order", "lab_review", "lab_certificate"]


@pytest.fixture(scope="module")
def offered():
    return walk.offered_steps()


@pytest.mark.parametrize("name", LAB_MACHINES)
def test_lab_tables_are_declared_with_a_way_out_and_every_step_offered(name, offered):
    walk.test_every_status_has_a_declared_table(name)
    walk.test_no_state_without_a_way_out(name)
    walk.test_every_step_is_offered_by_a_page_or_an_api_route(name, offered)
