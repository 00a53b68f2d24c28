"""Benchmark: what a signed-in page costs before it reads data, in process (no server, no concurrency), against
the login page in the same run: the floor under every ratio the load benchmarks print.

    WANGHUA_DATABASE_URL=... python bench/page_floor.py

Django's test client, 40 requests after 5 warm-ups each, median. Uses industry_ingest's ten lines (one batch
taken) for the operator's live line page and its fragment."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import industry_ingest  # sets Django up
from django.test import Client
from projects_assessment import leader_client

from wanghua.core.models import User
from wanghua.industry.telemetry.decode import Message
from wanghua.industry.telemetry.pipeline import Pipeline

WARM_UPS, REQUESTS = 5, 40


def median_ms(client: Client, path: str, **headers: str) -> float:
    for _ in range(WARM_UPS):
        assert client.get(path, **headers).status_code == 200, path
    runs = []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        client.get(path, **headers)
        runs.append((time.perf_counter() - began) * 1000)
    return statistics.median(runs)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def main() -> None:
    lines = industry_ingest.setup()
    industry_ingest.clear()
    messages, _ = industry_ingest.generate(lines, 20_000)
    Pipeline().process([Message(payload, topic, "mqtt") for topic, payload in messages])
    industry_ingest._operator_cookie(lines[0].enterprise)  # the operator and their grant on the enterprise
    operator = signed_in(User.objects.get(username="bench-operator"))
    line = f"/industry/lines/{lines[0].code}/"
    base = median_ms(Client(), "/accounts/login/")
    print(f"  login page, anonymous: {base:.2f} ms (the baseline)")
    for name, client, path, headers in [
        ("signed-in page with no data, the leader", leader_client(), "/accounts/password/", {}),
        ("signed-in page with no data, an operator", operator, "/accounts/password/", {}),
        ("live line fragment, an operator", operator, line, {"HTTP_HX_REQUEST": "true"}),
        ("live line page, an operator", operator, line, {}),
    ]:
        cost = median_ms(client, path, **headers)
        print(f"  {name}: {cost:.2f} ms ({cost / base:.1f}× the login page)")
    industry_ingest.clear()


if __name__ == "__main__":
    main()
