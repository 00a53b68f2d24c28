"""docs/architecture.md is the code's picture: every app is named, every state machine is drawn from its
table, and every "where is the rule for …" entry names a function that exists."""

import re
from importlib import import_module
from pathlib import Path

import pytest

import wanghua
from wanghua.core.transitions import MACHINES, mermaid

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
PACKAGE = Path(wanghua.__file__).parent
APPS = sorted(p.parent.name for p in PACKAGE.glob("*/apps.py"))
RULE_ROW = re.compile(r"^\| [^|]+ \| `(wanghua(?:\.\w+)+)` \|", re.M)


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text()


@pytest.mark.parametrize("app", APPS)
def test_every_app_is_named(doc, app):
    assert re.search(rf"^## `?{app}`?\b", doc, re.M), f"docs/architecture.md has no section for {app}"


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_every_state_machine_is_drawn_from_its_table(doc, name):
    assert mermaid(MACHINES[name]) in doc, f"regenerate the diagram of {name}: `wanghua machines`"


def test_where_is_the_rule_table_names_real_functions(doc):
    paths = RULE_ROW.findall(doc)
    assert len(paths) >= 6
    for path in paths:
        module, _dot, name = path.rpartition(".")
        assert hasattr(import_module(module), name), path
