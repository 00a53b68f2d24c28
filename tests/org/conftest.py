"""This folder's modules share one test world each (see tests/shared_world.py)."""

from tests.shared_world import roles, shared_world, world  # noqa: F401
