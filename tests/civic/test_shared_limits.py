"""The public report's rate limit across two real server processes that share Redis (WANGHUA_CACHE_URL): five
reports in ten minutes from one address, whichever server takes them. (Here, not in tests/core, because the
servers must see committed rows: this folder builds its world per test.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from wanghua.civic.models import Case
from wanghua.industry.testing import database_url, free_port, wait_for_port

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 11


# --- two servers sharing Redis -------------------------------------------------------------------------------

@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in a Redis database the suite keeps for itself; removed afterwards.
    CI sets WANGHUA_REQUIRE_REDIS=1, so there a missing Redis fails the run instead of skipping."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("WANGHUA_REQUIRE_REDIS"):
            pytest.fail(f"no Redis on {REDIS_HOST}:{REDIS_PORT}")
        pytest.skip(f"no Redis on {REDIS_HOST}:{REDIS_PORT}")
    prefix = f"wh-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def start_server(port: int, prefix: str) -> subprocess.Popen:
    """gunicorn with two workers, against this test's database and the shared Redis."""
    env = {**os.environ, "WANGHUA_DATABASE_URL": database_url(),
           "WANGHUA_CACHE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}", "WANGHUA_CACHE_KEY_PREFIX": prefix}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen([str(gunicorn), "wanghua.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level",
                             "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def post_report(session, base: str, form: dict) -> int:
    page = session.get(f"{base}/civic/report/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/civic/report/", data={**form, "csrfmiddlewaretoken": token},
                            headers={"Referer": f"{base}/civic/report/"}, allow_redirects=False, timeout=30)
    return response.status_code


@pytest.mark.django_db(transaction=True)
def test_the_report_rate_limit_holds_across_two_servers_sharing_redis(world, centre, redis_prefix):
    import redis
    import requests

    ports = [free_port(), free_port()]
    servers = [start_server(port, redis_prefix) for port in ports]
    try:
        for port in ports:
            wait_for_port(port, timeout=60)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        form = {"category": centre["sub"].pk, "community": world.community1.pk, "address": "丹东路",
                "description": "占道经营"}
        session = requests.Session()
        answers = [post_report(session, bases[n % 2], form) for n in range(6)]
        assert answers == [302] * 5 + [429], answers  # five across both servers, the sixth refused
        assert post_report(session, bases[0], form) == 429
        assert Case.objects.count() == 5
        stored = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).keys(f"{redis_prefix}:*")
        assert stored, "the rate limit counted somewhere other than the shared Redis"
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(30)
