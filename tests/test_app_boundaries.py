"""Each domain app imports only `wanghua.core`, `wanghua.org` and itself (DESIGN.md §3): never another domain
app's internals. The dashboard reads the other apps through their `indicators.py` and `queries.py` only; org
imports only core and itself. `wanghua.demo` may import anything; `wanghua.cli`, `wanghua.urls` and the settings
are the project's wiring and are not checked.

The imports are read from the source (ast), so a local import inside a function counts as much as one at the top,
and relative imports are resolved (`from ..industry import models` is `wanghua.industry.models`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "wanghua"
DOMAIN_APPS = ("stations", "industry", "lab", "projects", "civic", "dashboard", "culture")
SHARED = ("core", "org")
READ_SIDE = ("indicators", "queries")  # what the dashboard may read of another domain app
# Apps that read one other app's read side: culture's volunteer points come from civic's checked-out hours.
READS_FROM = {"culture": ("civic",)}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute name) for every import in `source`, the module `module`: `from a import b` is `a.b`
    (b may be a module, as in `from wanghua.industry import models`, or a name in a)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found += [(node.lineno, target if alias.name == "*" else f"{target}.{alias.name}")
                      for alias in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) ==
              "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))  # importlib.import_module("wanghua.x.models")
    return found


def refused(app: str, target: str) -> bool:
    """Whether `app` may not import `target`."""
    parts = target.split(".")
    if parts[0] != "wanghua" or len(parts) < 2:
        return False
    other = parts[1]
    if other == app:
        return False
    if app == "org":
        return other != "core"
    if other in SHARED:
        return False
    if other not in DOMAIN_APPS and not (SRC / other).is_dir():
        return False  # a name of wanghua's own package (`from wanghua import __version__`), not an app
    if app == "dashboard" or other in READS_FROM.get(app, ()):
        return len(parts) < 3 or parts[2] not in READ_SIDE
    return True


def violations(app: str) -> list[str]:
    found = []
    for path in sorted((SRC / app).rglob("*.py")):
        module = module_name(path)
        for line, target in imported_modules(path.read_text(encoding="utf-8"), module,
                                             is_package=path.name == "__init__.py"):
            if refused(app, target):
                found.append(f"{path.relative_to(SRC.parent.parent)}:{line} imports {target}")
    return sorted(set(found))


CHECKED = [app for app in (*DOMAIN_APPS, "org") if (SRC / app).is_dir()]


@pytest.mark.parametrize("app", CHECKED)
def test_an_app_imports_only_core_org_and_itself(app):
    found = violations(app)
    assert not found, f"{app} imports another domain app's internals:\n" + "\n".join(found)


def test_the_checker_itself():
    """The rules, on made-up sources (so a broken checker cannot pass every app by finding nothing)."""

    def targets(source, module="wanghua.stations.views", is_package=False):
        return [t for _line, t in imported_modules(source, module, is_package)]

    assert targets("from ..industry import models") == ["wanghua.industry.models"]
    assert targets("from . import services") == ["wanghua.stations.services"]
    assert targets("from .models import Errand, Resident") == ["wanghua.stations.models.Errand",
                                                              "wanghua.stations.models.Resident"]
    assert targets("from wanghua.industry.queries import live_snapshots") == [
        "wanghua.industry.queries.live_snapshots"]
    assert targets("def f():\n    import wanghua.civic.models") == ["wanghua.civic.models"]
    assert targets("importlib.import_module('wanghua.projects.services')") == ["wanghua.projects.services"]
    assert targets("from . import x", module="wanghua.stations", is_package=True) == ["wanghua.stations.x"]
    assert targets("from .. import core", module="wanghua.stations.management") == ["wanghua.core"]
    assert refused("stations", "wanghua.industry.models")
    assert refused("stations", "wanghua.dashboard.queries")
    assert refused("stations", "wanghua.industry.queries")  # only the dashboard reads another app's queries
    assert not refused("stations", "wanghua.core.access") and not refused("stations", "wanghua.org.models")
    assert not refused("stations", "wanghua.stations.models") and not refused("stations", "django.db")
    assert not refused("dashboard", "wanghua.industry.queries")
    assert not refused("dashboard", "wanghua.projects.indicators")
    assert not refused("dashboard", "wanghua.projects.queries.boards")
    assert not refused("dashboard", "wanghua.industry.queries.live_snapshots")
    assert refused("dashboard", "wanghua.industry.models.LiveSnapshot")
    assert refused("dashboard", "wanghua.industry")  # the package, and through it anything
    assert refused("dashboard", "wanghua.civic.services")
    assert not refused("culture", "wanghua.civic.queries") and refused("culture", "wanghua.civic.models")
    assert refused("culture", "wanghua.civic.services") and refused("culture", "wanghua.stations.queries")
    assert refused("org", "wanghua.stations.models") and refused("org", "wanghua.dashboard.queries")
    assert not refused("org", "wanghua.core.access")
    assert CHECKED and "dashboard" in CHECKED and "org" in CHECKED
