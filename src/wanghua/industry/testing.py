"""Helpers for the telemetry fault tests and benchmarks: a private Mosquitto that can be restarted,
and an ingest worker in its own process that can be killed."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection

BROKER_CONFIG = """listener {port} 127.0.0.1
user {user}
allow_anonymous true
persistence true
persistence_location {folder}/
autosave_interval 1
max_inflight_messages 2000
max_queued_messages 0
max_queued_bytes 0
log_dest none
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class PrivateBroker:
    """A Mosquitto of our own (persistent, unlimited queues) that a test may stop and start again."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.folder = folder
        self.port = free_port()
        self.config = folder / "mosquitto.conf"
        # Started as root, Mosquitto would drop to its own user and could not write its store in our folder.
        self.config.write_text(BROKER_CONFIG.format(port=self.port, folder=folder, user=getpass.getuser()))
        self.process: subprocess.Popen | None = None

    @property
    def available(self) -> bool:
        return Path(self.binary).exists()

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        """A graceful stop: Mosquitto writes its persistent store (queued QoS 1 messages) on SIGTERM."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)
            if not (self.folder / "mosquitto.db").exists():
                raise RuntimeError("Mosquitto wrote no persistent store: a restart would lose queued messages")

    def restart(self) -> None:
        self.stop()
        self.start()


def database_url() -> str:
    """The URL of the database this process uses (the test database inside pytest)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


def start_worker(port: int, client_id: str, *, lines: str = "", batch: int = 500,
                 ready_within: float = 120) -> subprocess.Popen:
    """`wanghua ingest` in a process of its own, against this process's database, returned once the broker has
    confirmed its subscription (a fixed sleep lost the race on a busy machine: messages published before the
    subscription existed went nowhere). Its log is drained in the background so it never blocks on a full pipe."""
    command = [str(Path(sys.executable).parent / "wanghua"), "ingest", "--port", str(port), "--client-id", client_id,
               "--batch", str(batch)]
    if lines:
        command += ["--lines", lines]
    env = {**os.environ, "WANGHUA_DATABASE_URL": database_url()}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    subscribed = threading.Event()

    def drain() -> None:
        for line in process.stdout:  # type: ignore[union-attr]  # stdout=PIPE
            if line.startswith("subscribed"):
                subscribed.set()

    threading.Thread(target=drain, name=f"log-{client_id}", daemon=True).start()
    if not subscribed.wait(ready_within):
        process.kill()
        raise RuntimeError(f"the ingest worker {client_id} did not subscribe within {ready_within:.0f} s")
    return process
