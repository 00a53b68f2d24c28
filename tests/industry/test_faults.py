"""Zero samples lost or duplicated when the ingest worker is SIGKILLed mid-run and when the broker
restarts: a private Mosquitto, a worker in its own process, the real database."""

import json
import signal
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count

from wanghua.industry.models import Sample
from wanghua.industry.simulator import LineSimulator, install_line
from wanghua.industry.telemetry.worker import Publisher
from wanghua.industry.testing import PrivateBroker, start_worker

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]

MESSAGES = 1500  # about 48,000 samples


@pytest.fixture
def private_broker(tmp_path):
    import os

    broker = PrivateBroker(tmp_path)
    if not broker.available:
        if os.environ.get("WANGHUA_REQUIRE_MQTT"):
            pytest.fail("mosquitto is not installed")
        pytest.skip("mosquitto is not installed")
    broker.start()
    yield broker
    broker.stop()


def stored() -> int:
    connection.close()  # a fresh snapshot of what the worker process committed
    return Sample.objects.count()


def wait_until(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_no_sample_lost_or_duplicated_through_a_kill_and_a_broker_restart(plant, private_broker):
    code = f"F{uuid.uuid4().hex[:6]}"
    install_line(plant.line.enterprise, code, "故障测试线")
    client_id = f"fault-{code}"
    worker = start_worker(private_broker.port, client_id, lines=code)  # subscribed: the persistent session exists
    simulator = LineSimulator(code, "ent1", seed=9)
    publisher = Publisher("127.0.0.1", private_broker.port)
    expected = 0
    for second in range(MESSAGES):
        payload = simulator.message(plant.start + timedelta(seconds=second))
        expected += len(json.loads(payload)["values"])
        publisher.publish(simulator.topic, payload)
    publisher.close()

    wait_until(lambda: stored() > expected * 0.2)
    worker.send_signal(signal.SIGKILL)  # mid-batch, without a chance to acknowledge
    worker.wait(10)
    partial = stored()
    assert partial < expected
    private_broker.restart()  # the unacknowledged messages are in the broker's persistent store
    worker = start_worker(private_broker.port, client_id, lines=code)
    try:
        wait_until(lambda: stored() > partial + (expected - partial) * 0.3)
        private_broker.restart()  # the worker reconnects by itself and goes on
        wait_until(lambda: stored() >= expected)
        time.sleep(1.5)  # anything still arriving would be a duplicate
        assert stored() == expected
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
    counts = set(Sample.objects.filter(tag__line__code=code).values("tag").annotate(n=Count("pk"))
                 .values_list("n", flat=True))
    assert counts == {MESSAGES}, counts  # every tag holds each second exactly once
