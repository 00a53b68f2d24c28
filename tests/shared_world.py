"""One test world per module, for the platform's test folders (core, org, dashboard), whose conftest.py files
import these fixtures.

The root `world` fixture builds the small district for every test. Here it is built once per module, inside a
transaction that is rolled back when the module ends; each test runs in its own savepoint within it (pytest-django's
`db`), so whatever a test writes is gone before the next, as before. Each test gets freshly loaded copies of the
records, so a test that changes an object in memory cannot hand the change on."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import transaction

from conftest import World, build_world


class Shared:
    """A transaction opened by a fixture of a wider scope than the test and rolled back at its end."""

    def __init__(self, blocker) -> None:
        self.blocker, self.atomic = blocker, transaction.atomic()

    def __enter__(self):
        with self.blocker.unblock():
            self.atomic.__enter__()
        return self

    def run(self, build):
        with self.blocker.unblock():
            try:
                return build()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker) -> World:
    from wanghua.core.roles import sync_builtin_roles

    shared = Shared(django_db_blocker).__enter__()

    def build() -> World:
        sync_builtin_roles()
        return build_world()

    built = shared.run(build)
    yield built
    shared.close()


@pytest.fixture
def roles(shared_world, db):
    """The built-in roles, synced once with the module's world (a test's own changes roll back with it)."""
    from wanghua.core.models import Role

    return {r.code: r for r in Role.objects.all()}


@pytest.fixture
def world(shared_world, db, roles) -> World:
    """The module's world, as fresh copies from the database."""
    by_model: dict[type, list] = {}
    for field in dataclasses.fields(shared_world):
        obj = getattr(shared_world, field.name)
        by_model.setdefault(type(obj), []).append(obj.pk)
    fresh = {model: model._base_manager.in_bulk(pks) for model, pks in by_model.items()}  # a query per model
    return World(**{field.name: fresh[type(obj)][obj.pk]
                    for field in dataclasses.fields(shared_world) if (obj := getattr(shared_world, field.name))})
