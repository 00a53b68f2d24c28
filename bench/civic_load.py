"""Benchmark: the civic issue's figures.

* With 1,000,000 cases (five years, the district's communities and grids): the filtered case list and the KPI
  board, p50 and p99 at 16 concurrent keep-alive clients (goal p50 ≤ 50 ms), against the login page under the
  same load as the baseline;
* Open311 POST throughput: requests created per second by 16 concurrent clients (form-encoded, with api_key).

    WANGHUA_DATABASE_URL=... python bench/civic_load.py [--cases N] [--requests N] [--posts N]
"""

from __future__ import annotations

import argparse
import http.client
import random
import secrets
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from services_load import CLIENTS, free_port, load, percentiles, serve, session_cookie, tree  # sets Django up

from wanghua.civic import tally
from wanghua.civic.models import Case, CaseCategory, CaseStatus, CaseTally
from wanghua.civic.workhours import add_working_hours
from wanghua.core import audit
from wanghua.core.models import User
from wanghua.core.reference import sync_builtin_dicts
from wanghua.core.roles import sync_builtin_roles
from wanghua.core.services import create_token
from wanghua.org.models import Region, RegionLevel, Unit, UnitKind

YEARS = 5
SQUARE = 0.01


def categories() -> list[CaseCategory]:
    main, _ = CaseCategory.objects.get_or_create(code="bench-order", defaults={"name": "街面秩序", "kind": "event"})
    return [CaseCategory.objects.get_or_create(code=f"bench-{n}", defaults={
        "name": f"小类{n}", "kind": "event", "parent": main, "handle_hours": 4 + n})[0] for n in range(8)]


def outline(community: Region, index: int) -> None:
    if community.geojson:
        return
    west, south = 123.7 + (index % 12) * SQUARE, 41.8 + (index // 12) * SQUARE
    community.geojson = {"type": "Polygon", "coordinates": [[[west, south], [west + SQUARE, south],
                                                              [west + SQUARE, south + SQUARE], [west, south + SQUARE],
                                                              [west, south]]]}
    Region.objects.filter(pk=community.pk).update(geojson=community.geojson)


def populate(count: int) -> None:
    if Case.objects.count() >= count:
        return
    communities = tree()
    for index, community in enumerate(communities):
        outline(community, index)
    kinds = categories()
    units = [Unit.objects.get_or_create(code=f"bench-civic-{n}", defaults={
        "name": f"处置单位{n}", "kind": UnitKind.DEPARTMENT, "region": communities[0].parent.parent})[0]
        for n in range(6)]
    print(f"  generating {count:,} cases on {connection.vendor} …", flush=True)
    rng, now = random.Random(11), timezone.now()
    statuses = [CaseStatus.CLOSED] * 6 + [CaseStatus.DISPATCHED, CaseStatus.HANDLED, CaseStatus.ACCEPTED,
                                          CaseStatus.REPORTED, CaseStatus.REJECTED]
    with transaction.atomic(), audit.summarised("bench", f"{count} generated cases"):
        batch, made = [], Case.objects.count()
        for n in range(made, count):
            reported = now - timedelta(minutes=rng.randrange(YEARS * 365 * 24 * 60))
            status = rng.choice(statuses)
            case = Case(number=f"B{n:012d}", source="grid", category=rng.choice(kinds),
                        community=rng.choice(communities), description="占道经营", address=f"丹东路{n % 300}号",
                        status=status, reported_at=reported, public_token=f"b{n:012d}{secrets.token_hex(4)}")
            if status not in (CaseStatus.REPORTED, CaseStatus.REJECTED):
                case.accepted_at = reported + timedelta(minutes=20)
            if status in (CaseStatus.DISPATCHED, CaseStatus.HANDLED, CaseStatus.CLOSED):
                case.unit, case.dispatched_at = rng.choice(units), reported + timedelta(minutes=40)
                case.due_at = add_working_hours(case.dispatched_at, case.category.handle_hours)
            if status in (CaseStatus.HANDLED, CaseStatus.CLOSED):
                case.handled_at = case.dispatched_at + (case.due_at - case.dispatched_at) * rng.uniform(0.2, 1.3)
                case.reworks = 1 if rng.random() < 0.1 else 0
            if status == CaseStatus.CLOSED:
                case.closed_at = case.handled_at + timedelta(hours=2)
            batch.append(case)
            if len(batch) == 20_000:
                Case.objects.bulk_create(batch)
                batch = []
        Case.objects.bulk_create(batch)
        tally.rebuild()


def post_load(port: int, key: str, posts: int, community: Region) -> tuple[float, list[float]]:
    """16 clients each POSTing `posts` Open311 requests; returns requests/s and latencies."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    body = urlencode({"api_key": key, "service_code": "bench-0", "address_id": community.code,
                      "description": "基准测试：占道经营", "first_name": "测试"})

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(posts):
            start = time.perf_counter()
            conn.request("POST", "/open311/v2/requests.json", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"})
            response = conn.getresponse()
            text = response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 201:
                failures.append(f"{response.status} {text[:120]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"Open311 POST: {len(failures)} failed, e.g. {failures[0]}")
    return len(latencies) / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=25, help="per client and page")
    parser.add_argument("--posts", type=int, default=20, help="Open311 POSTs per client")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sync_builtin_roles()
    sync_builtin_dicts()
    populate(args.cases)
    if not CaseTally.objects.exists():
        tally.rebuild()
    with connection.cursor() as cursor:  # planner statistics for indexes added since the data was generated
        cursor.execute("ANALYZE")
    district = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("pk").first()
    street = Region.objects.filter(level=RegionLevel.STREET).order_by("pk").first()
    command = session_cookie("bench-command", "command", district)
    street_staff = session_cookie("bench-street", "street", street)
    key = create_token(User.objects.get(username="bench-command"), "bench Open311")
    port = free_port()
    server = serve(port)
    year = timezone.localdate().year
    try:
        pages = [("login page (baseline)", "/accounts/login/", ""),
                 ("case list, district, dispatched", "/civic/cases/?status=dispatched", command),
                 ("case list, one street, this category", f"/civic/cases/?region={street.pk}&category="
                  f"{CaseCategory.objects.get(code='bench-3').pk}", street_staff),
                 ("KPI board, district, this year", f"/civic/cases/board/?start={year}-01-01", command),
                 ("KPI board, one street, this year", f"/civic/cases/board/?start={year}-01-01", street_staff)]
        for _label, path, cookie in pages:
            load(port, path, cookie, 1)
        results = {label: percentiles(load(port, path, cookie, args.requests)) for label, path, cookie in pages}
        before = Case.objects.count()
        rate, latencies = post_load(port, key, args.posts, Region.objects.filter(
            level=RegionLevel.COMMUNITY).order_by("pk").first())
        created = Case.objects.count() - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    base50, base99 = results["login page (baseline)"]
    print(f"{connection.vendor}: {Case.objects.count():,} cases, {CLIENTS} concurrent clients × {args.requests} "
          f"requests per page (gunicorn 2 workers × 8 threads)")
    for label, (p50, p99) in results.items():
        verdict = "" if label.startswith("login") else ("ok" if p50 <= 50 else "OVER GOAL")
        print(f"  {connection.vendor:<10} {label:<40} p50 {p50:7.1f} ms ({p50 / base50:5.1f}× baseline)  "
              f"p99 {p99:7.1f} ms ({p99 / base99:5.1f}× baseline)  {verdict}")
    p50, p99 = percentiles(latencies)
    print(f"  {connection.vendor:<10} Open311 POST: {rate:,.0f} requests/s created ({created:,} cases), "
          f"p50 {p50:.1f} ms ({p50 / base50:.1f}× the login page's p50), p99 {p99:.1f} ms")
    made = Case.objects.filter(description="基准测试：占道经营")
    with audit.summarised("bench", "removed the Open311 bench cases"):
        from wanghua.civic.models import CaseEvent

        CaseEvent.objects.filter(case__in=made).delete()
        made.delete()
    tally.rebuild()


if __name__ == "__main__":
    main()
