"""Every domain app has the same named files (DESIGN.md §3), so a reader who has seen one app has seen them all."""

from pathlib import Path

import pytest

import wanghua

PACKAGE = Path(wanghua.__file__).parent
DOMAIN_APPS = ["stations", "industry", "lab", "projects", "civic", "dashboard", "culture"]
SHAPE = ["apps", "models", "services", "queries", "api", "views", "urls", "forms", "filters", "menu", "indicators",
         "admin"]


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_every_domain_app_has_the_same_named_files(app):
    folder = PACKAGE / app
    expected = [name for name in SHAPE if not (app == "dashboard" and name == "indicators")]  # it reads them all
    missing = [name for name in expected if not (folder / f"{name}.py").exists() and not (folder / name).is_dir()]
    assert missing == []
    assert (folder / "migrations").is_dir() and any((folder / "templates").iterdir())


def test_no_other_module_holds_rules_beside_services():
    """The old homes of rules are gone: a rule has one place."""
    gone = ["industry/alarms.py", "industry/stops.py", "industry/definitions.py", "industry/lab.py",
            "civic/commitments.py", "civic/volunteers.py", "civic/catalogue.py", "dashboard/plans.py",
            "stations/statistics.py", "industry/kpis.py", "civic/kpis.py"]
    assert [path for path in gone if (PACKAGE / path).exists()] == []
