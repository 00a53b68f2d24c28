"""Benchmark: the 智检中心's tamper-evident record (the lab issue's figures).

* verifying the hash chain of 1,000,000 results (`wanghua lab_verify`), goal ≤ 5 s;
* verdict throughput: results posted by instruments through the API (machine token) at 16 concurrent
  clients, each judged, chained and deciding its heat — with the login page under the same load as the
  baseline.

    WANGHUA_DATABASE_URL=... python bench/lab_chain.py [--results N] [--posts N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from services_load import free_port, load, percentiles, serve  # sets Django up

from wanghua.core.models import Role
from wanghua.core.reference import sync_builtin_dicts
from wanghua.core.roles import sync_builtin_roles
from wanghua.core.services import create_token
from wanghua.demo import lab_demo
from wanghua.lab import services as lab
from wanghua.lab.models import Specimen, TestResult
from wanghua.org.models import Region, RegionKind, RegionLevel, RoleAssignment, Unit, UnitKind

CLIENTS = 16
TENSILE = {"yield_strength": 455, "tensile_strength": 610, "elongation": 22, "agt": 11.5, "instrument": "bench"}


def setup():
    call_command("migrate", verbosity=0)
    sync_builtin_roles()
    sync_builtin_dicts()
    region = Region.objects.filter(parent__isnull=True).first() or Region.objects.create(
        code="B", name="B", level=RegionLevel.DISTRICT, kind=RegionKind.DISTRICT)
    enterprise, _ = Unit.objects.get_or_create(code="bench-lab", defaults={
        "name": "基准检验中心", "kind": UnitKind.ENTERPRISE, "region": region})
    user, _ = get_user_model().objects.get_or_create(username="bench-lab")
    RoleAssignment.objects.get_or_create(user=user, role=Role.objects.get(code="lab"), unit=enterprise)
    return enterprise, user


def ensure_results(enterprise, user, wanted: int) -> None:
    have = TestResult.objects.count()
    if have >= wanted:
        return
    heats = (wanted - have) // 6 + 1
    days = max(1, heats // 200)
    print(f"  generating about {wanted - have:,} results ({days * 200:,} heats) on {connection.vendor} …", flush=True)
    lab_demo.generate(enterprise, user, start=timezone.now() - timedelta(days=days + 400), days=days,
                      heats_per_day=200, robot_from=timezone.now() - timedelta(days=10_000),
                      rng=random.Random(7), prefix=f"B{have}-")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def verify() -> None:
    began = time.perf_counter()
    report = lab.verify_chain()
    elapsed = time.perf_counter() - began
    state = "intact" if not report.reason else f"BROKEN at {report.broken_at}: {report.reason}"
    print(f"  verify the chain of {report.checked:,} results: {elapsed:.2f} s ({state}; "
          f"{'ok' if elapsed <= 5 and not report.reason else 'OVER GOAL'}: ≤ 5 s)")


def specimens_to_post(enterprise, user, count: int) -> list[int]:
    orders = [lab.create_order(user, enterprise=enterprise, heat=f"P{time.time_ns()}-{i}", grade="HRB400E",
                               diameter=20, sampled_at=timezone.now()) for i in range(count // 2 + 1)]
    return list(Specimen.objects.filter(order__in=orders, kind="tensile").values_list("pk", flat=True))[:count]


def post_results(port: int, key: str, specimens: list[int]) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []
    chunks = [specimens[i::CLIENTS] for i in range(CLIENTS)]

    def client(mine: list[int]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        times = []
        for pk in mine:
            began = time.perf_counter()
            conn.request("POST", f"/api/v1/lab/specimens/{pk}/results", body=json.dumps(TENSILE),
                         headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                                  "Host": "127.0.0.1"})
            response = conn.getresponse()
            body = response.read()
            times.append(time.perf_counter() - began)
            if response.status != 201:
                failures.append(f"{response.status} {body[:200]!r}")
        with lock:
            latencies.extend(times)

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} failed posts, e.g. {failures[0]}")
    return latencies, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=1600)
    args, _unknown = parser.parse_known_args()
    enterprise, user = setup()
    ensure_results(enterprise, user, args.results)
    verify()
    specimens = specimens_to_post(enterprise, user, args.posts)
    key = create_token(user, f"bench-{time.time_ns()}")
    port = free_port()
    server = serve(port)
    try:
        load(port, "/accounts/login/", "", 1)
        base = percentiles(load(port, "/accounts/login/", "", 25))
        latencies, elapsed = post_results(port, key, specimens)
    finally:
        server.terminate()
        server.wait(30)
    p50, p99 = percentiles(latencies)
    print(f"  results posted by {CLIENTS} instruments through the API: {len(latencies) / elapsed:,.0f} verdicts/s; "
          f"p50 {p50:.1f} ms ({p50 / base[0]:.1f}× the login page's {base[0]:.1f} ms), p99 {p99:.1f} ms")
    report = lab.verify_chain()
    print(f"  chain after the concurrent posts: {report.checked:,} results, "
          f"{'intact' if not report.reason else 'BROKEN: ' + report.reason}")


if __name__ == "__main__":
    main()
