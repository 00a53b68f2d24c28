"""`wanghua serve`: the platform as it runs in the machine room — gunicorn with several workers (static files by
WhiteNoise), the job worker beside it (`wanghua run_huey`: the scheduled jobs and 立即执行) and, with --simulate,
the production-line simulator; each a child process this command supervises. Ctrl+C or SIGTERM stops them all.
`wanghua serve --dev` is Django's auto-reloading development server instead (no worker: jobs wait in the queue)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_GRACE = 10.0  # seconds a child has to finish after SIGTERM before it is killed
RESTART_PAUSE = 2.0  # a crashed worker or simulator is started again after this pause
QUICK_EXIT, GIVE_UP = 10.0, 3  # … unless it failed within QUICK_EXIT seconds GIVE_UP times in a row


def default_workers() -> int:
    """gunicorn's advice, 2 × cores + 1, capped: the pages are database-bound, not CPU-bound."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


@dataclass
class Child:
    name: str
    argv: list[str]
    essential: bool  # when it ends by itself, everything stops (the web server); otherwise it is restarted
    stop_signal: int = signal.SIGTERM  # gunicorn: SIGTERM is graceful; huey: SIGINT is (SIGTERM is immediate)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started_at: float = 0.0
    quick_failures: int = 0  # consecutive exits within QUICK_EXIT of starting

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv)
        self.started_at = time.monotonic()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _wanghua(*args: str) -> list[str]:
    return [sys.executable, "-m", "wanghua.cli", *args]


class Command(BaseCommand):
    help = ("Serve the platform (default 127.0.0.1:8000) with gunicorn and a job worker; --dev for Django's "
            "development server. Static files are served by WhiteNoise.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--dev", action="store_true",
                            help="Django's auto-reloading development server instead of gunicorn and the worker")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WANGHUA_WEB_WORKERS", 0)) or None,
                            help="gunicorn worker processes (default: WANGHUA_WEB_WORKERS or 2 × cores + 1, at "
                                 "most 8)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WANGHUA_WEB_THREADS", 4)),
                            help="threads per gunicorn worker (default 4: live pages poll)")
        parser.add_argument("--no-worker", action="store_true",
                            help="no job worker here (another host runs `wanghua run_huey` on the shared queue)")
        parser.add_argument("--simulate", action="store_true",
                            help="run the production-line simulator beside the server, so the live pages move")

    def handle(self, *args: Any, addrport: str, dev: bool, workers: int | None, threads: int, no_worker: bool,
               simulate: bool, **options: Any) -> None:
        if ":" not in addrport:
            addrport = f"127.0.0.1:{addrport}"
        if dev:
            return self._dev(addrport, simulate)
        # Several workers share one cache (rate limits, cached fragments): a folder of this machine's unless
        # WANGHUA_CACHE_URL names Redis. The children inherit it.
        os.environ.setdefault("WANGHUA_CACHE_URL", f"file://{settings.VAR_DIR / 'cache'}")
        children = [Child("web", self._gunicorn(addrport, workers or default_workers(), threads), essential=True)]
        if not no_worker:
            children.append(Child("jobs", _wanghua("run_huey"), essential=False, stop_signal=signal.SIGINT))
            self.stdout.write("Job worker: scheduled jobs and 立即执行 (see 系统 › 定时任务)")
        if simulate:
            children.append(Child("simulator", _wanghua("simulate", "--transport", "local"), essential=False,
                                  stop_signal=signal.SIGINT))
            self.stdout.write("Production lines: simulated, one message per line per second")
        self.stdout.write(f"Wanghua platform on http://{addrport}/  (gunicorn, {workers or default_workers()} "
                          f"workers × {threads} threads; Ctrl+C stops it)")
        self.stdout.flush()
        return self._supervise(children)

    def _gunicorn(self, addrport: str, workers: int, threads: int) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "wanghua.wsgi:application", "--bind", addrport,
                "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
                "--timeout", "60", "--graceful-timeout", str(int(STOP_GRACE) - 2), "--access-logfile", "-",
                "--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms']

    def _dev(self, addrport: str, simulate: bool) -> None:
        if simulate and os.environ.get("RUN_MAIN") == "true":  # in the reloader's server process only, once
            from wanghua.industry.simulator import start_background

            start_background()
            self.stdout.write("Production lines: simulated in-process, one message per line per second")
        self.stdout.write(f"Wanghua platform (development server) on http://{addrport}/  (Ctrl+C stops it)")
        call_command("runserver", addrport, use_reloader=True, use_threading=True)

    def _supervise(self, children: list[Child]) -> None:
        stopping: list[int] = []

        def stop(signum: int, _frame: FrameType | None) -> None:
            stopping.append(signum)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        failed = False
        try:
            for child in children:
                child.start()
            while not stopping:
                time.sleep(0.2)
                for child in list(children):
                    if stopping or child.running():
                        continue
                    if child.essential:
                        self.stderr.write(f"{child.name} stopped (exit {child.process.returncode}); stopping the rest")  # type: ignore[union-attr]  # started
                        stopping.append(0)
                        failed = True
                    else:
                        self._restart(child, children)
        finally:
            self._stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            raise CommandError("the web server stopped")

    def _restart(self, child: Child, children: list[Child]) -> None:
        quick = time.monotonic() - child.started_at < QUICK_EXIT
        child.quick_failures = child.quick_failures + 1 if quick else 0
        if child.quick_failures >= GIVE_UP:
            self.stderr.write(f"{child.name} keeps failing at start (exit {child.process.returncode}); left stopped")  # type: ignore[union-attr]  # started
            children.remove(child)
            return
        self.stderr.write(f"{child.name} stopped (exit {child.process.returncode}); starting it again")  # type: ignore[union-attr]  # started
        time.sleep(RESTART_PAUSE)
        child.start()

    def _stop(self, children: list[Child]) -> None:
        """Each child's graceful stop signal (gunicorn finishes its requests, the worker its running jobs), then
        wait, then kill what is left."""
        for child in children:
            if child.running():
                child.process.send_signal(child.stop_signal)  # type: ignore[union-attr]  # started
        deadline = time.monotonic() + STOP_GRACE
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
