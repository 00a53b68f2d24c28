"""This folder's modules share one test world each (see tests/shared_world.py); a class marked
`@pytest.mark.usefixtures("refreshed_board")` shares one refresh of it."""

import pytest

from tests.shared_world import Shared, roles, shared_world, world  # noqa: F401


@pytest.fixture(scope="class")
def refreshed_board(shared_world, django_db_blocker):  # noqa: F811
    """The indicators refreshed once for the class's tests (a savepoint in the module's transaction)."""
    from wanghua.dashboard import services

    shared = Shared(django_db_blocker).__enter__()
    shared.run(services.refresh_indicators)
    yield
    shared.close()
