"""Benchmark: requests per second of the web server `wanghua serve` runs (gunicorn, gthread, several workers)
against the baselines in the same run — gunicorn with one worker and Django's threaded development server (what
`make run` served before) — and granian when it is installed (it is not a dependency: `pip install granian` to
include it). Two pages: the login page (no database beyond the session) and a list page of 25 people out of
2,000 for a street's staff (a scoped query, a count and the menu).

Each server gets the same load: CLIENTS threads, each with its own keep-alive connection, for SECONDS; the
figure is completed 200 responses per second, and the ratio is against the development server.

    WANGHUA_DATABASE_URL=... python bench/server_load.py [--seconds S] [--clients N]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanghua.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from wanghua.core.management.commands.serve import Command as Serve  # noqa: E402
from wanghua.core.management.commands.serve import default_workers  # noqa: E402
from wanghua.core.models import Role, User  # noqa: E402
from wanghua.industry.testing import free_port, wait_for_port  # noqa: E402
from wanghua.org.models import Person, Region, RegionKind, RegionLevel, RoleAssignment  # noqa: E402

PEOPLE = 2_000


def prepare() -> str:
    """The data and a logged-in session for the list page; returns the session cookie."""
    call_command("migrate", verbosity=0, interactive=False)
    district, _ = Region.objects.get_or_create(code="SB", defaults={
        "name": "压测区", "level": RegionLevel.DISTRICT, "kind": RegionKind.DISTRICT})
    street, _ = Region.objects.get_or_create(code="SB01", defaults={
        "name": "压测街道", "level": RegionLevel.STREET, "kind": RegionKind.STREET, "parent": district})
    if Person.objects.filter(region=street).count() < PEOPLE:
        Person.objects.bulk_create([Person(name=f"压测居民{i:05d}", region=street) for i in range(PEOPLE)])
    user, _ = User.objects.get_or_create(username="bench-street")
    RoleAssignment.objects.get_or_create(user=user, role=Role.objects.get(code="street"), region=street)
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def servers() -> dict[str, Callable[[int], list[str]]]:
    """Each server's command line for a port."""
    workers = default_workers()

    def chosen(port: int) -> list[str]:  # exactly what `wanghua serve` starts, less the access log
        argv = Serve()._gunicorn(f"127.0.0.1:{port}", workers, 4)
        argv[argv.index("--access-logfile") + 1] = "/dev/null"
        return argv

    listed = {
        "runserver (baseline)": lambda port: [sys.executable, "-m", "wanghua.cli", "runserver", f"127.0.0.1:{port}",
                                              "--noreload"],
        "gunicorn 1 worker": lambda port: [sys.executable, "-m", "gunicorn", "wanghua.wsgi:application", "--bind",
                                           f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread",
                                           "--threads", "4"],
        f"gunicorn {workers} workers (serve)": chosen,
    }
    if importlib.util.find_spec("granian"):
        listed[f"granian {workers} workers"] = lambda port: [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--blocking-threads", "4", "--no-ws", "wanghua.wsgi:application"]
    return listed


def load(port: int, path: str, cookie: str, clients: int, seconds: float) -> float:
    """Completed 200 responses per second from `clients` keep-alive connections."""
    done = [0] * clients
    errors = [0] * clients
    stop = time.monotonic() + seconds
    headers = {"Accept-Language": "zh-hans"}
    if cookie:  # the list page's reader; the login page is read logged out (a logged-in reader is redirected)
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    done[slot] += 1
                else:
                    errors[slot] += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if sum(errors):
        print(f"    {sum(errors)} failed requests on {path}")
    return sum(done) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=8)
    args, _rest = parser.parse_known_args()
    cookie = prepare()
    pages = {"login page": ("/accounts/login/", ""), "list page": ("/org/people/", cookie)}
    env = {**os.environ, "WANGHUA_LOG_LEVEL": "ERROR"}
    results: dict[str, dict[str, float]] = {}
    for name, command in servers().items():
        port = free_port()
        process = subprocess.Popen(command(port), env=env, cwd=Path(__file__).resolve().parent.parent,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, timeout=60)
            for path, session in pages.values():
                load(port, path, session, args.clients, 2)  # warm up every worker: imports, caches
            results[name] = {page: load(port, path, session, args.clients, args.seconds)
                             for page, (path, session) in pages.items()}
        finally:
            process.terminate()
            process.wait(30)
    baseline = results["runserver (baseline)"]
    print(f"  {args.clients} keep-alive clients, {args.seconds:g} s a page, {os.cpu_count()} CPU cores; list page: "
          f"25 of {PEOPLE:,} people for a street's staff; requests/s, ratio against runserver")
    for name, figures in results.items():
        cells = "  ".join(f"{page} {rps:7.1f}/s ({rps / baseline[page]:4.2f}×)" for page, rps in figures.items())
        print(f"  {name:<28} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
