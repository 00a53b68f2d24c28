"""The MQTT path against a real broker: QoS 1, ack after commit, workers sharing a plant by line."""

import json
import threading
import time
import uuid

import pytest
from django.db import connection

from tests.industry.conftest import forget_session
from wanghua.industry.models import DeadLetter, Sample
from wanghua.industry.simulator import LineSimulator, install_line
from wanghua.industry.telemetry.worker import IngestWorker, Publisher

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]


def start_worker(host, port, lines, expected: int) -> tuple[IngestWorker, threading.Thread]:
    worker = IngestWorker(host, port, client_id=f"test-{uuid.uuid4().hex[:8]}", lines=lines, batch_size=200)

    def work():
        try:
            worker.run(until=lambda totals: totals.messages >= expected)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert worker.connected.wait(10), "the worker did not connect"
    time.sleep(0.3)  # the subscription is in place
    return worker, thread


def publish(host, port, simulator: LineSimulator, start, seconds: int) -> int:
    from datetime import timedelta

    publisher = Publisher(host, port)
    values = 0
    for second in range(seconds):
        payload = simulator.message(start + timedelta(seconds=second))
        values += len(json.loads(payload)["values"])
        publisher.publish(simulator.topic, payload)
    publisher.close()
    return values


def test_messages_from_the_broker_are_stored_and_bad_ones_dead_lettered(plant, broker):
    host, port = broker
    code = f"T{uuid.uuid4().hex[:6]}"
    install_line(plant.line.enterprise, code, "测试线")
    worker, thread = start_worker(host, port, [code], expected=121)
    simulator = LineSimulator(code, "ent1", seed=5)
    values = publish(host, port, simulator, plant.start, 120)
    Publisher(host, port).publish(simulator.topic, b"{broken").wait_for_publish(5)
    thread.join(30)
    forget_session(host, port, worker.client._client_id.decode())
    assert worker.totals.messages == 121
    assert Sample.objects.filter(tag__line__code=code).count() == values
    assert DeadLetter.objects.filter(source="mqtt", reason__startswith="not JSON").count() == 1


def test_two_workers_share_a_plant_by_line(plant, broker):
    host, port = broker
    first, second = f"A{uuid.uuid4().hex[:6]}", f"B{uuid.uuid4().hex[:6]}"
    install_line(plant.line.enterprise, first, "一号线")
    install_line(plant.other_line.enterprise, second, "二号线")
    worker_a, thread_a = start_worker(host, port, [first], expected=60)
    worker_b, thread_b = start_worker(host, port, [second], expected=40)
    values_a = publish(host, port, LineSimulator(first, "ent1", seed=1), plant.start, 60)
    values_b = publish(host, port, LineSimulator(second, "ent2", seed=2), plant.start, 40)
    thread_a.join(30)
    thread_b.join(30)
    for worker in (worker_a, worker_b):
        forget_session(host, port, worker.client._client_id.decode())
    assert (worker_a.totals.messages, worker_b.totals.messages) == (60, 40)
    assert (worker_a.totals.samples, worker_b.totals.samples) == (values_a, values_b)
    assert Sample.objects.filter(tag__line__code=first).count() == values_a
    assert Sample.objects.filter(tag__line__code=second).count() == values_b
