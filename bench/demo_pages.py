"""Benchmark: every page a demo login opens from its home, under the server `make run` starts, against the login
page measured under the same load in the same run (issue 18's goal: p50 within 3× the login page's p50, p99
within 5× its p99).

The demo district is built once and cached (var/bench/demo-*.sqlite3, or the PostgreSQL database the URL names).
Pages are found as a user finds them: the menu and the home page's links of each login, one page per kind (every
case's detail page is one kind). Each page gets CLIENTS threads with their own keep-alive connection and a
logged-in session, REQUESTS requests apiece.

    WANGHUA_DATABASE_URL=... python bench/demo_pages.py [--clients N] [--requests R] [--logins a,b]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanghua.settings")


def _own_database(url: str | None) -> str:
    """The demo gets a database of its own beside the one the other benchmarks fill (created if missing)."""
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{HERE.parent / 'var' / 'bench' / 'demo-pages.sqlite3'}"
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        if not admin.execute("select 1 from pg_database where datname = %s", (f"{name}_demo",)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}_demo"')
    return f"{server}/{name}_demo"


os.environ["WANGHUA_DATABASE_URL"] = _own_database(os.environ.get("WANGHUA_DATABASE_URL"))
(HERE.parent / "var" / "bench").mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from wanghua.core.models import User  # noqa: E402
from wanghua.industry.testing import free_port, wait_for_port  # noqa: E402

WANGHUA = str(Path(sys.executable).parent / "wanghua")
SKIPPED = re.compile(r"/accounts/logout|/i18n/|/export|\.xlsx|\.pdf|/download|/api/|/admin/|/static/|/media/"
                     r"|[?&]format=|/photo|/new/|/edit/|/screen/")
HREF = re.compile(r'href="(/[^"#]*)"')
MOST_PAGES_PER_LOGIN = 20


def build_demo_once() -> None:
    from django.db import connection

    tables = connection.introspection.table_names()
    if "core_user" in tables and User.objects.filter(username="leader").exists():
        return
    print("  building the demo district (once; cached) …", flush=True)
    for command in (["migrate", "--no-input"], ["demo"]):
        subprocess.run([WANGHUA, *command], check=True, stdout=subprocess.DEVNULL)


def session_for(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def page_kind(path: str) -> str:
    return re.sub(r"\d+", "#", urlsplit(path).path)


def pages_of(base_port: int, cookie: str) -> list[str]:
    """The home and the pages its menu and links open, one per kind."""
    status, body = fetch(base_port, "/", cookie)
    if status != 200:
        return []
    seen, pages = {"/"}, ["/"]
    for href in HREF.findall(body):
        href = href.replace("&amp;", "&")
        if SKIPPED.search(href) or page_kind(href) in seen:
            continue
        seen.add(page_kind(href))
        pages.append(href)
    return pages[:MOST_PAGES_PER_LOGIN]


def fetch(port: int, path: str, cookie: str | None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def load(port: int, path: str, cookie: str | None, clients: int, requests: int) -> tuple[float, float, int]:
    """p50 and p99 in ms of `requests` GETs by each of `clients` keep-alive connections, and the failures."""
    timings: list[float] = []
    failures = 0
    lock = threading.Lock()
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {}

    def client() -> None:
        nonlocal failures
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, failed = [], 0
        for _ in range(requests):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            failed += response.status != 200
        connection.close()
        with lock:
            timings.extend(mine)
            failures += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))], failures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--logins", default="")
    args, _others = parser.parse_known_args()  # `make bench` hands every benchmark the same arguments
    build_demo_once()
    from wanghua.demo.district import LOGINS

    usernames = [u for u in (args.logins.split(",") if args.logins else [login[0] for login in LOGINS]) if u]
    port = free_port()
    env = {**os.environ, "WANGHUA_VAR_DIR": str(HERE.parent / "var" / "bench")}
    server = subprocess.Popen([WANGHUA, "serve", "--no-worker", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=60)
        load(port, "/accounts/login/", None, args.clients, 3)  # warm every worker
        login_p50, login_p99, _ = load(port, "/accounts/login/", None, args.clients, args.requests)
        print(f"  login page: p50 {login_p50:.1f} ms, p99 {login_p99:.1f} ms "
              f"({args.clients} clients × {args.requests} requests, {os.environ['WANGHUA_DATABASE_URL'][:10]}…)")
        print(f"  {'login':<13} {'page':<52} {'p50 ms':>8} {'×':>6} {'p99 ms':>8} {'×':>6}  goal")
        over = 0
        for username in usernames:
            cookie = session_for(username)
            for path in pages_of(port, cookie):
                p50, p99, failures = load(port, path, cookie, args.clients, args.requests)
                meets = p50 <= 3 * login_p50 and p99 <= 5 * login_p99 and not failures
                over += not meets
                note = "ok" if meets else ("FAILED REQUESTS" if failures else "over")
                print(f"  {username:<13} {path[:52]:<52} {p50:>8.1f} {p50 / login_p50:>6.1f} {p99:>8.1f} "
                      f"{p99 / login_p99:>6.1f}  {note}", flush=True)
        print(f"  {over} pages over the goal (p50 ≤ 3× and p99 ≤ 5× the login page)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
