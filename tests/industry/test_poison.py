"""Telemetry never stops on data: numbers no column holds, nesting no parser survives and failures nobody
foresaw each become one dead letter, and everything else in the batch is kept."""

import json
import threading
import time
import uuid

import pytest
from django.db import connection

from tests.industry.conftest import forget_session
from wanghua.industry.models import DeadLetter, Heat, LiveSnapshot, Sample
from wanghua.industry.simulator import install_line
from wanghua.industry.telemetry import pipeline as pipeline_module
from wanghua.industry.telemetry import worker as worker_module
from wanghua.industry.telemetry.decode import MAX_COUNTER, MAX_PIECES, Message
from wanghua.industry.telemetry.worker import IngestWorker, Publisher
from wanghua.org.models import Unit

CURSED = 13.37  # a speed the tests below make the pipeline choke on, as a bug would


@pytest.fixture
def cursed_speed(monkeypatch):
    """A failure nobody foresaw, inside the line's processing (after samples were queued and the snapshot moved)."""
    take = pipeline_module.LineState.take

    def choking(self, ts, accepted):
        take(self, ts, accepted)
        if any(tag.code == "speed" and value == CURSED for tag, value, _text in accepted):
            raise RuntimeError("the evaluator tripped over this value")

    monkeypatch.setattr(pipeline_module.LineState, "take", choking)


def test_a_counter_no_column_holds_is_a_dead_letter_and_the_batch_is_kept(plant):
    result = plant.send(
        {"ts": plant.at(1), "values": {"speed": 2.0, "count": 10}},
        {"ts": plant.at(2), "values": {"count": 1e19}},  # gave OverflowError and stopped the line's telemetry
        {"ts": plant.at(3), "values": {"count": -5}},
        b'{"ts": "%s", "values": {"speed": 1%s}}' % (plant.at(4).encode(), b"0" * 400),  # beyond any float
        {"ts": plant.at(5), "values": {"speed": 2.1, "count": 12}},
    )
    assert result.dead_letters == 3, result.reasons
    assert sum("outside" in r for r in result.reasons) == 2
    assert any("needs a number" in r for r in result.reasons)
    assert Sample.objects.filter(tag__code="count").count() == 2
    assert LiveSnapshot.objects.get(line=plant.line).count == 12


def test_a_number_beyond_any_measurement_is_refused_so_rollups_stay_finite(plant):
    from wanghua.industry.models import MinuteRollup

    # ndt_defects has no upper limit of its own: only the platform's bound keeps 1e308 + 1e308 out of a rollup.
    result = plant.send({"ts": plant.at(1), "values": {"ndt_defects": 1.5e308}},
                        {"ts": plant.at(2), "values": {"ndt_defects": 1.7e308}},
                        {"ts": plant.at(3), "values": {"ndt_defects": 3}})
    assert result.dead_letters == 2 and all("what it can store" in r for r in result.reasons), result.reasons
    assert MinuteRollup.objects.get(tag__code="ndt_defects").total == 3.0


def test_a_huge_counter_jump_stays_within_the_pieces_column(plant):
    plant.send({"ts": plant.at(1), "values": {"heat": "H-9", "count": 0}},
               {"ts": plant.at(2), "values": {"count": MAX_COUNTER}})
    assert LiveSnapshot.objects.get(line=plant.line).count == MAX_COUNTER
    assert Heat.objects.get(line=plant.line, number="H-9").pieces == MAX_PIECES


def test_an_unforeseen_failure_costs_one_message_not_the_batch(plant, cursed_speed):
    result = plant.pipeline.process([
        Message(json.dumps({"ts": plant.at(1), "values": {"speed": 2.0}}).encode(), "wanghua/v1/ent1/FT-BAR1/data"),
        Message(json.dumps({"ts": plant.at(2), "values": {"speed": CURSED}}).encode(), "wanghua/v1/ent1/FT-BAR1/data"),
        Message(json.dumps({"ts": plant.at(3), "values": {"speed": 2.2}}).encode(), "wanghua/v1/ent1/FT-BAR1/data"),
        Message(json.dumps({"ts": plant.at(1), "values": {"speed": 1.0}}).encode(), "wanghua/v1/ent2/AL-1/data"),
    ])
    assert result.dead_letters == 1 and "RuntimeError" in result.reasons[0]
    assert result.samples == 3
    speeds = sorted(Sample.objects.filter(tag__code="speed", tag__line=plant.line).values_list("value", flat=True))
    assert speeds == [2.0, 2.2]  # the cursed message's sample was rolled back with its savepoint
    letter = DeadLetter.objects.get()
    assert letter.line == plant.line and str(CURSED) in letter.payload
    assert Sample.objects.filter(tag__line=plant.other_line).count() == 1
    assert LiveSnapshot.objects.get(line=plant.line).values["speed"] == 2.2


def test_deep_json_on_the_http_ingest_is_a_dead_letter_not_a_500(plant, make_user, world, client_for):
    from wanghua.core.services import create_token

    key = create_token(make_user("gw", "plant_manager", unit=world.enterprise1), "gateway")
    gateway = client_for(None)
    for body in ("[" * 50_000 + "]" * 50_000, "[" * 20 + "]" * 20,
                 json.dumps({"line": "FT-BAR1", "ts": plant.at(1), "values": {"speed": [[[[[[[[[[1]]]]]]]]]]}})):
        response = gateway.post("/api/v1/industry/ingest", body, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 200, response.content[:200]
        assert response.json()["dead_letters"] == 1
    reasons = list(DeadLetter.objects.values_list("reason", flat=True))
    assert sum("nested deeper" in r for r in reasons) == 2 and any("over the" in r for r in reasons)
    fine = gateway.post("/api/v1/industry/ingest", json.dumps([{"line": "FT-BAR1", "ts": plant.at(2),
                                                                 "values": {"speed": 2.0}}]),
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert fine.json()["samples"] == 1


def test_the_worker_retries_a_failing_batch_a_bounded_number_of_times_then_dead_letters(plant, monkeypatch):
    monkeypatch.setattr(worker_module, "RETRY_DELAY", 0)
    worker = IngestWorker(client_id=f"unit-{uuid.uuid4().hex[:8]}")
    real, calls = worker.pipeline.process, []

    def process(messages, allowed_lines=None):
        calls.append(len(messages))
        if any(b"poison" in m.payload for m in messages):
            raise ValueError("something nobody foresaw")
        return real(messages, allowed_lines)

    monkeypatch.setattr(worker.pipeline, "process", process)
    topic = "wanghua/v1/ent1/FT-BAR1/data"
    messages = [Message(json.dumps({"ts": plant.at(n), "values": {"speed": 2.0 + n, "note": "poison" if n == 2
                                                                   else "ok"}}).encode(), topic, "mqtt")
                for n in range(1, 4)]
    result = worker._commit(messages)
    assert calls == [3, 3, 3, 1, 1, 1]  # the batch three times, then one by one
    assert (result.messages, result.dead_letters) == (3, 3)  # "note" is no tag: dead letters of their own kind
    assert DeadLetter.objects.filter(reason__contains="something nobody foresaw").count() == 1
    assert sorted(Sample.objects.values_list("value", flat=True)) == [3.0, 5.0]


# --- against the real broker ----------------------------------------------------------------------------------

@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True)
def test_poison_between_good_messages_over_mqtt(world, broker, cursed_speed):
    host, port = broker
    code = f"P{uuid.uuid4().hex[:6]}"  # a line of this test's own: no other test's messages mix in
    enterprise = Unit.objects.get(pk=world.enterprise1.pk)
    install_line(enterprise, code, "毒消息测试线")
    topic = f"wanghua/v1/{enterprise.code}/{code}/data"
    start = time.time() - 600
    good = [json.dumps({"ts": start + n, "values": {"speed": 2.0, "count": n}}).encode() for n in range(1, 21)]
    poison = [
        json.dumps({"ts": start + 100, "values": {"count": 1e19}}).encode(),
        b'{"ts": %d, "values": {"speed": 1%s}}' % (start + 101, b"0" * 400),
        b"[" * 50_000 + b"]" * 50_000,
        b"[" * 30 + b"]" * 30,
        b"{broken",
        b'{"ts": %d, "values": {"speed": NaN}}' % (start + 102),
        json.dumps({"ts": start + 103, "values": {"speed": CURSED}}).encode(),
    ]
    worker = IngestWorker(host, port, client_id=f"poison-{uuid.uuid4().hex[:8]}", lines=[code], batch_size=50)
    subscribed = threading.Event()
    worker.on_subscribed = subscribed.set
    expected = len(good) + len(poison)

    def work():
        try:
            worker.run(until=lambda totals: totals.messages >= expected)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert subscribed.wait(20), "the worker did not subscribe"
    publisher = Publisher(host, port)
    for n, payload in enumerate(good):
        publisher.publish(topic, payload)
        if n < len(poison):
            publisher.publish(topic, poison[n])  # each between two good ones
    publisher.close()
    thread.join(60)
    forget_session(host, port, worker.client._client_id.decode())
    assert not thread.is_alive() and worker.totals.messages == expected
    assert Sample.objects.filter(tag__line__code=code, tag__code="count").count() == len(good)
    reasons = list(DeadLetter.objects.filter(source="mqtt", topic=topic).values_list("reason", flat=True))
    assert len(reasons) == len(poison), reasons
    assert LiveSnapshot.objects.get(line__code=code).count == 20
