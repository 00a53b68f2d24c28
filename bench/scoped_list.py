"""Benchmark: a scoped list query (visible_to) on 1,000,000 people under a three-level tree.

For each viewer it times what a list page runs — the count and the first page — and compares it
with the same query with no access filter, measured in the same process (the ratio is the figure;
goal ≤ 1.5×). Run through `make bench`, which runs it on SQLite and on PostgreSQL.

    WANGHUA_DATABASE_URL=... python bench/scoped_list.py [--rows N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanghua.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from wanghua.core import audit  # noqa: E402
from wanghua.core.models import Role, User  # noqa: E402
from wanghua.core.roles import sync_builtin_roles  # noqa: E402
from wanghua.org.models import Person, Region, RegionKind, RegionLevel, RoleAssignment  # noqa: E402

STREETS, COMMUNITIES_PER_STREET, PAGE = 10, 9, 25
REPEATS = 11


def build_tree() -> list[Region]:
    def node(code, level, kind, parent):
        return Region.objects.create(code=code, name=code, level=level, kind=kind, parent=parent)

    district = node("B", RegionLevel.DISTRICT, RegionKind.DISTRICT, None)
    communities = []
    for s in range(STREETS):
        street = node(f"B{s:02d}", RegionLevel.STREET, RegionKind.STREET, district)
        for c in range(COMMUNITIES_PER_STREET):
            communities.append(node(f"B{s:02d}{c:02d}", RegionLevel.COMMUNITY, RegionKind.COMMUNITY, street))
    return communities


def populate(rows: int) -> None:
    if Person.objects.count() >= rows:
        return
    print(f"  generating {rows:,} people on {connection.vendor} …", flush=True)
    with transaction.atomic(), audit.summarised("bench", f"{rows} generated people"):
        Person.objects.all().delete()
        communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY)) or build_tree()
        batch = []
        for i in range(rows):
            batch.append(Person(name=f"居民{i:07d}", region=communities[i % len(communities)]))
            if len(batch) == 20_000:
                Person.objects.bulk_create(batch)
                batch = []
        Person.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def viewer(username: str, role: str, region: Region) -> User:
    user, _ = User.objects.get_or_create(username=username)
    RoleAssignment.objects.get_or_create(user=user, role=Role.objects.get(code=role), region=region)
    return User.objects.get(pk=user.pk)


def list_page(queryset) -> tuple[int, list]:
    return queryset.count(), list(queryset[:PAGE])


def sample(make_queryset) -> tuple[float, int]:
    start = time.perf_counter()
    count, _page = list_page(make_queryset())
    return time.perf_counter() - start, count


def paired(make_scoped, make_baseline) -> tuple[float, float, int]:
    """Median times of the scoped query and of the baseline, measured alternately so that drift
    in the machine's load affects both alike."""
    list_page(make_scoped())
    list_page(make_baseline())
    scoped, baseline, count = [], [], 0
    for _ in range(REPEATS):
        seconds, count = sample(make_scoped)
        scoped.append(seconds)
        baseline.append(sample(make_baseline)[0])
    return statistics.median(scoped), statistics.median(baseline), count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sync_builtin_roles()
    populate(args.rows)
    community = Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code").first()
    street = community.parent
    district = street.parent
    viewers = [
        ("community secretary", viewer("bench-community", "secretary", community)),
        ("street staff", viewer("bench-street", "street", street)),
        ("district (subtree at root)", viewer("bench-district", "street", district)),
        ("district leader (all)", viewer("bench-leader", "leader", district)),
    ]
    total = Person.objects.count()
    print(f"{connection.vendor}: {total:,} people; each line: a list page (count + first {PAGE} rows), "
          f"median of {REPEATS}, against the same query with no access filter")
    worst = 0.0
    for label, user in viewers:
        seconds, baseline, visible = paired(lambda user=user: Person.objects.visible_to(user, "view"),
                                            lambda: Person.objects.all())
        ratio = seconds / baseline
        worst = max(worst, ratio)
        print(f"  {connection.vendor:<10} {label:<28} visible {visible:>9,}  {seconds * 1000:8.1f} ms  "
              f"baseline {baseline * 1000:8.1f} ms  ratio {ratio:5.2f}×  {'ok' if ratio <= 1.5 else 'OVER GOAL'}")
    print(f"  {connection.vendor}: worst ratio {worst:.2f}× (goal ≤ 1.5×)")
    sys.exit(0)


if __name__ == "__main__":
    main()
