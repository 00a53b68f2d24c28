"""The MQTT ingest worker (`wanghua ingest`) and publisher used by `wanghua simulate`.

QoS 1 on a persistent session (clean_session false, a stable client id) with manual acknowledgement:
a message is acknowledged only after the batch holding it is committed, so a worker killed at any
moment loses nothing — the broker redelivers what was not acknowledged and the (tag, ts) key makes
the redelivery a no-op. Several workers share a plant by line: each subscribes to its own lines
(`--lines`), so one line's alarm and stop state lives in exactly one worker.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from ..models import DeadLetter
from .decode import Message
from .pipeline import BatchResult, Pipeline, dead_letter

log = logging.getLogger("wanghua.ingest")

TOPIC_ALL = "wanghua/v1/+/+/data"
UNEXPECTED_RETRIES = 2  # a batch failing for a reason other than the database being away is retried this often
RETRY_DELAY = 0.5


def topics_for(lines: Iterable[str] | None) -> list[str]:
    lines = [code for code in (lines or []) if code]
    return [f"wanghua/v1/+/{code}/data" for code in lines] or [TOPIC_ALL]


@dataclass
class Totals:
    messages: int = 0
    samples: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0

    def add(self, result: BatchResult) -> None:
        self.messages += result.messages
        self.samples += result.samples
        self.duplicates += result.duplicates
        self.dead_letters += result.dead_letters
        self.batches += 1


class IngestWorker:
    def __init__(self, host: str = "127.0.0.1", port: int = 1883, *, client_id: str = "wanghua-ingest",
                 lines: Iterable[str] | None = None, batch_size: int = 2000, batch_wait: float = 0.1,
                 on_batch: Callable[[BatchResult], None] | None = None) -> None:
        self.host, self.port = host, port
        self.topics = topics_for(lines)
        self.batch_size, self.batch_wait = batch_size, batch_wait
        self.pipeline = Pipeline()
        self.totals = Totals()
        self.on_batch = on_batch
        self.on_subscribed: Callable[[], None] | None = None
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False,
                                  protocol=mqtt.MQTTv311, manual_ack=True)
        self.client.max_inflight_messages_set(batch_size)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(min_delay=1, max_delay=5)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = lambda _client, _userdata, message: self.inbox.put(message)

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.error("broker refused the connection: %s", reason_code)
            return
        client.subscribe([(topic, 1) for topic in self.topics])
        self.connected.set()
        log.info("connected to %s:%s", self.host, self.port)

    def _on_subscribe(self, _client, _userdata, _mid, _reason_codes, _properties) -> None:
        log.info("subscribed to %s", ", ".join(self.topics))  # the broker confirmed: messages now reach us
        if self.on_subscribed:
            self.on_subscribed()

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        self.connected.clear()
        if not self.stopping.is_set():
            log.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping.set()
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, *, until: Callable[[Totals], bool] | None = None) -> Totals:
        """Take batches until stopped (or `until(totals)` holds); each batch is committed, then acknowledged."""
        self.start()
        try:
            while not self.stopping.is_set() and not (until and until(self.totals)):
                batch = self._collect()
                if batch:
                    try:
                        self._take(batch)
                    except Exception:  # never the end of the worker: unacknowledged, the broker redelivers
                        log.exception("a batch of %d messages could not be taken", len(batch))
        finally:
            self.stop()
        return self.totals

    def _collect(self) -> list[mqtt.MQTTMessage]:
        try:
            batch = [self.inbox.get(timeout=0.5)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            try:
                batch.append(self.inbox.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return batch

    def _take(self, batch: list[mqtt.MQTTMessage]) -> None:
        messages = [Message(m.payload, m.topic, "mqtt") for m in batch]  # type: ignore[arg-type]  # paho: bytes
        result = self._commit(messages)
        for message in batch:  # only now: the batch is committed
            self.client.ack(message.mid, message.qos)
        self.totals.add(result)
        if self.on_batch:
            self.on_batch(result)

    def _commit(self, messages: list[Message]) -> BatchResult:
        """The batch, committed. The database being away is waited out (nothing is lost, nothing dead-lettered);
        anything else that fails the whole batch is retried UNEXPECTED_RETRIES times, then the batch is taken
        message by message and whatever still fails is a dead letter: no message can stop a line's telemetry."""
        delay, failures = 0.5, 0
        while True:
            try:
                return self.pipeline.process(messages)
            except (OperationalError, InterfaceError) as exc:  # the database is away: keep the batch, retry
                log.warning("database unavailable (%s); retrying in %.1f s", exc, delay)
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 10)
                close_old_connections()
            except Exception:
                failures += 1
                log.exception("batch failed (%d of %d)", failures, UNEXPECTED_RETRIES + 1)
                if failures > UNEXPECTED_RETRIES:
                    try:
                        return self._one_by_one(messages)
                    except (OperationalError, InterfaceError):
                        continue  # the database went away meanwhile: wait for it above (redelivery is a no-op)
                self._reset_connection()
                time.sleep(RETRY_DELAY * failures)

    def _reset_connection(self) -> None:
        """A failed statement can leave the connection unusable; a fresh one costs a few milliseconds. (Only
        outside a transaction: a caller's open one — a test's — is not ours to end.)"""
        if connection.in_atomic_block:
            return
        try:
            connection.close()
        except Exception:
            log.exception("closing the database connection failed")

    def _one_by_one(self, messages: list[Message]) -> BatchResult:
        """A message that breaks the pipeline becomes a dead letter; the others are still taken."""
        total = BatchResult()
        for message in messages:
            try:
                result = self.pipeline.process([message])
            except (OperationalError, InterfaceError):
                raise  # the database went away meanwhile: the caller waits for it with the batch unacknowledged
            except Exception as exc:
                self._reset_connection()
                DeadLetter.objects.bulk_create([dead_letter(message, f"pipeline error: {type(exc).__name__}: "
                                                                     f"{exc}"[:300])])
                result = BatchResult(messages=1, dead_letters=1, reasons=[str(exc)[:300]])
            total.messages += result.messages
            total.samples += result.samples
            total.duplicates += result.duplicates
            total.dead_letters += result.dead_letters
            total.reasons += result.reasons
        return total


class Publisher:
    """QoS 1 publishing for the simulator and the benchmarks."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883, client_id: str = "") -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.connect(host, port, keepalive=30)
        self.client.loop_start()
        self.last: mqtt.MQTTMessageInfo | None = None

    def publish(self, topic: str, payload: bytes) -> mqtt.MQTTMessageInfo:
        self.last = self.client.publish(topic, payload, qos=1)
        return self.last

    def close(self, timeout: float = 60) -> None:
        """Wait until the broker has every message (in order, so the last one is enough), then go."""
        if self.last is not None:
            self.last.wait_for_publish(timeout)
        self.client.disconnect()
        self.client.loop_stop()
