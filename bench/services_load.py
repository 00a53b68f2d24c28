"""Benchmark: the proxy service at scale — 1,000,000 errands and 100,000 residents.

Serves the platform with gunicorn on loopback and sends 16 concurrent clients at
  * the station statistics page of one community for one year (a community secretary), and
  * the district overview (a district leader), and
  * the work diary PDF of the busiest agent-month (a district leader printing it),
printing p50/p99 latency for each against the login page under the same load (the baseline: a
page that touches no domain data), so noisy machines still give a meaningful ratio.
Goal (the services issue): p50 ≤ 50 ms, p99 ≤ 200 ms.

    WANGHUA_DATABASE_URL=... python bench/services_load.py [--errands N] [--requests N]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanghua.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import TruncMonth  # noqa: E402
from django.utils import timezone  # noqa: E402

from wanghua.core import audit  # noqa: E402
from wanghua.core.models import Role, User  # noqa: E402
from wanghua.core.reference import sync_builtin_dicts  # noqa: E402
from wanghua.core.roles import sync_builtin_roles  # noqa: E402
from wanghua.org.models import Person, Region, RegionKind, RegionLevel, RoleAssignment, Unit, UnitKind  # noqa: E402
from wanghua.stations import tally  # noqa: E402
from wanghua.stations.models import Errand, ErrandStatus, Resident, Station  # noqa: E402

CLIENTS = 16
GOAL_PAGES = {"station statistics, one community-year", "district overview"}  # p50 ≤ 50 ms, p99 ≤ 200 ms
CATEGORIES = ["documents", "collect_fees", "shopping", "pay_bills", "other"]


def tree() -> list[Region]:
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code"))
    if communities:
        return communities
    district = Region.objects.create(code="B", name="B", level=RegionLevel.DISTRICT, kind=RegionKind.DISTRICT)
    for s in range(10):
        street = Region.objects.create(code=f"B{s:02d}", name=f"B{s:02d}", level=RegionLevel.STREET,
                                       kind=RegionKind.STREET, parent=district)
        for c in range(9):
            Region.objects.create(code=f"B{s:02d}{c:02d}", name=f"B{s:02d}{c:02d}", level=RegionLevel.COMMUNITY,
                                  kind=RegionKind.COMMUNITY, parent=street)
    return list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code"))


def populate(errands: int, residents: int) -> None:
    if Errand.objects.count() >= errands:
        return
    rng = random.Random(7)
    communities = tree()
    print(f"  generating {residents:,} residents and {errands:,} errands on {connection.vendor} …", flush=True)
    with transaction.atomic(), audit.summarised("bench", "generated services load"):
        stations = []
        for index in range(361):
            community = communities[index % len(communities)]
            unit = Unit.objects.create(code=f"bst-{index}", name=f"站{index}", kind=UnitKind.STATION, region=community)
            station = Station.objects.create(unit=unit, community=community, host_household=f"户{index}")
            station.agents.add(Person.objects.create(name=f"代办员{index}", region=community))
            stations.append(station)
        rows = [Resident(name=f"居民{i}", station=(s := stations[i % 361]), community=s.community,
                         birth_year=rng.randint(1930, 1975)) for i in range(residents)]
        Resident.objects.bulk_create(rows, batch_size=10_000)
        people = {s.pk: s.agents.get() for s in stations}
        resident_ids = list(Resident.objects.values_list("pk", "station_id"))
        now = timezone.now()
        batch = []
        for i in range(errands):
            resident_id, station_id = resident_ids[i % len(resident_ids)]
            station = stations[(station_id - stations[0].pk) % 361]
            accepted = now - timedelta(seconds=rng.randint(0, 7 * 365 * 86400))
            batch.append(Errand(station_id=station_id, community_id=station.community_id, resident_id=resident_id,
                                agent=people[station_id], category=rng.choice(CATEGORIES), description="代办",
                                status=ErrandStatus.VISITED, accepted_at=accepted,
                                due_at=accepted + timedelta(days=3), done_at=accepted + timedelta(days=1),
                                satisfaction=rng.choice([3, 4, 5, 5, 5])))
            if len(batch) == 20_000:
                Errand.objects.bulk_create(batch)
                batch = []
        Errand.objects.bulk_create(batch)
        tally.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def session_cookie(username: str, role: str, region: Region) -> str:
    user, _ = User.objects.get_or_create(username=username)
    RoleAssignment.objects.get_or_create(user=user, role=Role.objects.get(code=role), region=region)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "wanghua.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--threads", "8", "--log-level", "warning"], env=os.environ.copy())
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def load(port: int, path: str, cookie: str, requests: int, *, clients: int = CLIENTS,
         headers: dict | None = None) -> list[float]:
    """`clients` threads, each with its own keep-alive connection, `requests` GETs each."""
    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[int] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(requests):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                failures.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{path}: {len(failures)} failed requests, e.g. HTTP {failures[0]}")
    return latencies


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errands", type=int, default=1_000_000)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=25, help="per client and page")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sync_builtin_roles()
    sync_builtin_dicts()
    populate(args.errands, args.residents)
    community = Station.objects.order_by("pk").first().community
    year = timezone.localdate().year
    secretary = session_cookie("bench-secretary", "secretary", community)
    leader = session_cookie("bench-leader", "leader", community.parent.parent)
    busiest = (Errand.objects.annotate(month=TruncMonth("accepted_at", tzinfo=timezone.get_current_timezone()))
               .values("agent", "month").annotate(n=Count("pk")).order_by("-n").first())
    month = timezone.localtime(busiest["month"])
    diary = f"/services/diary/{busiest['agent']}/{month.year}-{month.month}.pdf"
    port = free_port()
    server = serve(port)
    try:
        pages = [("login page (baseline)", "/accounts/login/", ""),
                 ("station statistics, one community-year", f"/services/statistics/?region={community.pk}&year={year}",
                  secretary),
                 ("district overview", "/", leader),
                 (f"diary PDF, {busiest['n']} errands in a month", diary, leader)]
        for _label, path, cookie in pages:  # warm up every page once
            load(port, path, cookie, 1)
        results = {label: percentiles(load(port, path, cookie, args.requests)) for label, path, cookie in pages}
    finally:
        server.terminate()
        server.wait(timeout=30)
    base50, base99 = results["login page (baseline)"]
    print(f"{connection.vendor}: {Errand.objects.count():,} errands, {Resident.objects.count():,} residents, "
          f"{CLIENTS} concurrent clients × {args.requests} requests per page (gunicorn 2 workers × 8 threads)")
    for label, (p50, p99) in results.items():
        verdict = ("ok" if p50 <= 50 and p99 <= 200 else "OVER GOAL") if label in GOAL_PAGES else ""
        print(f"  {connection.vendor:<10} {label:<42} p50 {p50:7.1f} ms ({p50 / base50:5.1f}× baseline)  "
              f"p99 {p99:7.1f} ms ({p99 / base99:5.1f}× baseline)  {verdict}")


if __name__ == "__main__":
    main()
