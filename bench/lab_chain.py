"""Benchmark: the 智检中心's tamper-evident record (the lab issue's figures).

* `wanghua lab_verify` over 1,000,000 results with the melt analysis of every heat and a few thousand
  certificates (results, analyses and certificates chains, and no valid certificate on changed records),
  goal ≤ 5 s — beside a same-run baseline: reading the same rows without hashing them;
* verdict throughput: results posted by instruments through the API (machine token) at 16 concurrent
  clients, each judged, chained and deciding its heat — with the login page under the same load as the
  baseline.

    WANGHUA_DATABASE_URL=... python bench/lab_chain.py [--results N] [--certificates N] [--posts N]
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
from wanghua.lab.models import Certificate, Delivery, HeatAnalysis, LabOrder, Review, Specimen, TestResult, Verdict
from wanghua.lab.services import certificates as lab_certificates
from wanghua.lab.services import chemistry
from wanghua.lab.services.chemistry import HASHED as ANALYSIS_HASHED
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
    reviewer, _ = get_user_model().objects.get_or_create(username="bench-lab-reviewer")
    RoleAssignment.objects.get_or_create(user=reviewer, role=Role.objects.get(code="lab_reviewer"), unit=enterprise)
    return enterprise, user, reviewer


def ensure_results(enterprise, user, reviewer, wanted: int) -> None:
    have = TestResult.objects.count()
    if have >= wanted:
        return
    heats = (wanted - have) // 6 + 1
    days = max(1, heats // 200)
    print(f"  generating about {wanted - have:,} results ({days * 200:,} heats) on {connection.vendor} …", flush=True)
    lab_demo.generate(enterprise, user, start=timezone.now() - timedelta(days=days + 400), days=days,
                      heats_per_day=200, robot_from=timezone.now() - timedelta(days=10_000),
                      rng=random.Random(7), prefix=f"B{have}-", reviewer=reviewer)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def ensure_certificates(enterprise, user, wanted: int) -> None:
    """Deliveries of two approved, conforming heats each, certified through the services."""
    have = Certificate.objects.count()
    if have >= wanted:
        return
    print(f"  issuing {wanted - have:,} certificates through the services …", flush=True)
    used = set(Delivery.orders.through.objects.values_list("laborder_id", flat=True))
    heats = (LabOrder.objects.filter(enterprise=enterprise, review=Review.APPROVED, verdict=Verdict.PASS)
             .exclude(pk__in=used).order_by("grade", "diameter", "pk").values_list("pk", "grade", "diameter"))
    pending: dict[tuple[str, int], list[int]] = {}
    for pk, grade, diameter in heats.iterator():
        group = pending.setdefault((grade, diameter), [])
        group.append(pk)
        if len(group) == 2:
            delivery = lab_certificates.create_delivery(user, customer="基准建工", contract=f"B-{pk}", grade=grade,
                                                        diameter=diameter, bundles=20, weight="60.5", orders=group)
            lab_certificates.issue_certificate(user, delivery.pk)
            pending[(grade, diameter)] = []
            have += 1
            if have >= wanted:
                return


def timed(call) -> tuple[float, object]:
    began = time.perf_counter()
    value = call()
    return time.perf_counter() - began, value


def read_only() -> int:
    """The baseline: the rows `lab_verify` reads, read the same way (chunks by id), without hashing them."""
    rows, last = 0, 0
    while True:
        chunk = list(TestResult.objects.filter(pk__gt=last).order_by("pk")
                     .values_list("pk", "previous_hash", "hash", *lab.HASHED)[:50_000])
        if not chunk:
            break
        rows, last = rows + len(chunk), chunk[-1][0]
    rows += sum(1 for _ in HeatAnalysis.objects.order_by("pk").values_list("pk", "previous_hash", "hash",
                                                                            *ANALYSIS_HASHED).iterator(20_000))
    rows += sum(1 for _ in Certificate.objects.order_by("pk").values_list("pk", "content").iterator(5000))
    return rows


def verify() -> None:
    counts = (TestResult.objects.count(), HeatAnalysis.objects.count(), Certificate.objects.count())
    print(f"  {counts[0]:,} results, {counts[1]:,} analyses, {counts[2]:,} certificates on {connection.vendor}")
    baseline, rows = timed(read_only)
    print(f"  baseline, same run: reading those {rows:,} rows without hashing (one process): {baseline:.2f} s")
    results_s, report = timed(lab.verify_chain)
    analyses_s, analyses = timed(chemistry.verify_analyses)
    certificates_s, issued = timed(lab_certificates.verify_certificates)
    print(f"    results chain {results_s:.2f} s ({report.checked:,}), analyses {analyses_s:.2f} s ({analyses[0]:,}), "
          f"certificates {certificates_s:.2f} s ({issued[0]:,})")
    from io import StringIO

    out = StringIO()
    elapsed, _none = timed(lambda: call_command("lab_verify", stdout=out))
    broken = report.reason or analyses[2] or issued[2]
    print(f"  wanghua lab_verify: {elapsed:.2f} s = {elapsed / baseline:.1f}× the baseline read "
          f"({'BROKEN: ' + broken if broken else out.getvalue().strip()}; "
          f"{'ok' if elapsed <= 5 and not broken else 'OVER GOAL'}: ≤ 5 s)")


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
    parser.add_argument("--certificates", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=1600)
    args, _unknown = parser.parse_known_args()
    enterprise, user, reviewer = setup()
    ensure_results(enterprise, user, reviewer, args.results)
    ensure_certificates(enterprise, user, args.certificates)
    verify()
    if not args.posts:
        return
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
