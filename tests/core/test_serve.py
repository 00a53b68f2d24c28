"""`wanghua serve` as `make run` starts it: gunicorn and the job worker as child processes, answering HTTP on the
port, running a queued job, and all stopped by SIGTERM."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from wanghua.industry.testing import free_port, wait_for_port


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text()
    except FileNotFoundError:
        return False


def _platform_env(var) -> dict[str, str]:
    env = {**os.environ, "WANGHUA_VAR_DIR": str(var), "WANGHUA_DATABASE_URL": f"sqlite:///{var}/w.sqlite3",
           "WANGHUA_JOBS_IMMEDIATE": "0", "WANGHUA_REDIS_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


WANGHUA = [sys.executable, "-m", "wanghua.cli"]


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """One migrated SQLite file for the module (a migration of a fresh database takes many seconds)."""
    var = tmp_path_factory.mktemp("migrated")
    subprocess.run([*WANGHUA, "migrate", "--no-input", "-v0"], env=_platform_env(var), check=True, timeout=300)
    return var / "w.sqlite3"


@pytest.fixture
def platform_env(tmp_path, migrated_database):
    """A platform of its own: SQLite in a temporary VAR_DIR (never the suite's database), migrated (a copy of the
    module's migrated file)."""
    shutil.copyfile(migrated_database, tmp_path / "w.sqlite3")
    return _platform_env(tmp_path), WANGHUA, tmp_path


def test_serve_runs_gunicorn_and_the_job_worker_and_stops_both_on_sigterm(platform_env):
    env, wanghua, var = platform_env
    port = free_port()
    serve = subprocess.Popen([*wanghua, "serve", f"127.0.0.1:{port}", "--workers", "2"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, timeout=60)
        # The port opens before the workers have booted Django: on a busy machine that takes many seconds.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=60) as response:
            assert response.status == 200
            assert "csrfmiddlewaretoken" in response.read().decode()
        kids = children_of(serve.pid)
        lines = {pid: command_line(pid) for pid in kids}
        assert any("gunicorn" in line and "--workers 2" in line for line in lines.values()), lines
        assert any("run_huey" in line for line in lines.values()), lines
        gunicorn = next(pid for pid, line in lines.items() if "gunicorn" in line)
        assert len(children_of(gunicorn)) == 2  # its worker processes

        # A job enqueued by another process runs in the worker and is recorded.
        subprocess.run([*wanghua, "shell", "-c", "from wanghua.core import jobs; jobs.run_now('stale_alarms', None)"],
                       env=env, check=True, timeout=120)
        deadline = time.monotonic() + 60
        rows = []
        while time.monotonic() < deadline and not rows:
            time.sleep(0.5)
            with sqlite3.connect(var / "w.sqlite3") as db:
                rows = db.execute("SELECT job, trigger, succeeded FROM core_jobrun WHERE trigger = 'demand'"
                                  " AND succeeded IS NOT NULL").fetchall()
        assert rows == [("stale_alarms", "demand", 1)]

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in kids):
            time.sleep(0.2)
        assert not [pid for pid in kids if alive(pid)]
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()


def test_the_simulator_runs_once_beside_the_workers_and_dev_keeps_runserver(monkeypatch):
    from wanghua.core.management.commands import serve as command

    started = {}
    monkeypatch.setattr(command.Command, "_supervise", lambda self, children: started.update(children=children))
    monkeypatch.setattr(command, "call_command", lambda *a, **k: started.update(dev=(a, k)))
    command.Command().run_from_argv(["wanghua", "serve", "--simulate", "--workers", "4", "127.0.0.1:8123"])
    children = {child.name: child for child in started["children"]}
    assert set(children) == {"web", "jobs", "simulator"}  # one simulator process, whatever the web workers
    assert children["simulator"].argv[-3:] == ["simulate", "--transport", "local"]
    assert "--workers" in children["web"].argv and children["web"].argv[children["web"].argv.index("--workers") + 1] \
        == "4" and children["web"].essential and not children["jobs"].essential
    command.Command().run_from_argv(["wanghua", "serve", "--dev", "8124"])
    assert started["dev"] == (("runserver", "127.0.0.1:8124"), {"use_reloader": True, "use_threading": True})


def redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable() and os.environ.get("WANGHUA_REQUIRE_REDIS") != "1",
                    reason="no Redis on 127.0.0.1:6379")
def test_on_redis_a_job_queued_by_one_process_is_run_by_the_worker(platform_env):
    """WANGHUA_REDIS_URL puts the queue in Redis (RedisHuey): what a web server enqueues, a worker elsewhere runs."""
    env, wanghua, var = platform_env
    env = {**env, "WANGHUA_REDIS_URL": "redis://127.0.0.1:6379/15"}  # a database of the tests' own
    import redis

    redis.Redis.from_url(env["WANGHUA_REDIS_URL"]).flushdb()
    (var / "jobs.sqlite3").unlink(missing_ok=True)  # made by the migration run, on the embedded queue
    probe = ("from huey.contrib.djhuey import HUEY; from wanghua.core import jobs; "
             "print(type(HUEY).__name__); jobs.run_now('stale_alarms', None); print(HUEY.pending_count())")
    out = subprocess.run([*wanghua, "shell", "-c", probe], env=env, check=True, timeout=120, capture_output=True,
                         text=True).stdout.split()
    assert out[-2:] == ["RedisHuey", "1"]
    assert not (var / "jobs.sqlite3").exists()
    worker = subprocess.Popen([*wanghua, "run_huey", "--no-periodic"], env=env, start_new_session=True)
    try:
        deadline, rows = time.monotonic() + 60, []
        while time.monotonic() < deadline and not rows:
            time.sleep(0.5)
            with sqlite3.connect(var / "w.sqlite3") as db:
                rows = db.execute("SELECT job, trigger, succeeded FROM core_jobrun WHERE succeeded IS NOT NULL"
                                  ).fetchall()
        assert rows == [("stale_alarms", "demand", 1)]
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        redis.Redis.from_url(env["WANGHUA_REDIS_URL"]).flushdb()
