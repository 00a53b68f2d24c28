"""Every status enum's transitions table: no non-terminal state without a way out, no step that no routed page
or API route offers, and every table's step and state names known."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from wanghua.core.api import api
from wanghua.core.transitions import MACHINES, StateMachine

EXPECTED = ["errand", "case", "commitment", "report", "issue", "application", "lead", "project", "alarm",
            "lab_order", "nomination"]


def _views(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry.callback


def _api_views():
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                yield operation.view_func


def offered_steps() -> set[tuple[str, str]]:
    """(machine, step) pairs marked `@offers` on a view or an API operation that is actually routed."""
    found: set[tuple[str, str]] = set()
    for view in [*_views(get_resolver().url_patterns), *_api_views()]:
        for target in (view, getattr(view, "view_class", None), getattr(view, "__wrapped__", None)):
            found.update(getattr(target, "offers_steps", ()))
    return found


@pytest.fixture(scope="module")
def offered():
    return offered_steps()


@pytest.mark.parametrize("name", EXPECTED)
def test_every_status_has_a_declared_table(name):
    assert name in MACHINES, f"no transitions table named {name!r}"
    assert isinstance(MACHINES[name], StateMachine) and MACHINES[name].transitions


@pytest.mark.parametrize("name", EXPECTED)
def test_no_state_without_a_way_out(name):
    machine = MACHINES[name]
    dead_ends = [state for state in machine.states.values
                 if state not in machine.terminal and not machine.leaving(state)]
    assert dead_ends == [], f"{name}: non-terminal states with no step out"
    for state in machine.terminal:
        assert state in machine.states.values


@pytest.mark.parametrize("name", EXPECTED)
def test_every_step_is_offered_by_a_page_or_an_api_route(name, offered):
    machine = MACHINES[name]
    unoffered = sorted({t.step for t in machine.transitions if not (t.system and not t.permission)}
                       - {step for machine_name, step in offered if machine_name == name})
    assert unoffered == [], f"{name}: steps that no routed page or API route offers"


def test_audit_labels_follow_the_documented_form():
    for machine in MACHINES.values():
        for transition in machine.transitions:
            assert machine.label(transition.step) == f"transition:{machine.name}.{transition.step}"
            assert machine.step_label(transition.step)  # every step has a human name for the audit trail
