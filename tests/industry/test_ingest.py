"""The ingest pipeline: samples, rollups, snapshot, dead letters and idempotency."""

import json
from datetime import timedelta
from io import StringIO

from django.db.models import Sum
from django.utils import timezone

from tests.industry.conftest import simulate
from wanghua.industry.models import DeadLetter, Heat, LineStatus, LiveSnapshot, MinuteRollup, Sample
from wanghua.industry.telemetry.decode import MAX_PAYLOAD, Message


def test_a_simulated_run_is_stored_with_rollups_and_snapshot(plant):
    messages = simulate(plant, 180)
    values = sum(len(json.loads(m.payload)["values"]) for m in messages)
    result = plant.pipeline.process(messages)
    assert (result.samples, result.dead_letters, result.duplicates) == (values, 0, 0)
    assert Sample.objects.count() == values
    speed = plant.line.tags.get(code="speed")
    assert MinuteRollup.objects.filter(tag=speed).aggregate(n=Sum("n"))["n"] == 180
    snapshot = LiveSnapshot.objects.get(line=plant.line)
    last = json.loads(messages[-1].payload)
    assert snapshot.heat == last["values"]["heat"] and snapshot.grade == last["values"]["grade"]
    assert snapshot.count == last["values"]["count"] and snapshot.values["hyd_pressure"] == last["values"][
        "hyd_pressure"]
    assert snapshot.status in LineStatus.values and snapshot.watermark.isoformat().startswith(
        last["ts"][:19])
    assert Heat.objects.filter(line=plant.line).exists()


def test_bad_messages_become_dead_letters_and_the_valid_ones_stay(plant):
    good = {"ts": plant.at(1), "values": {"speed": 2.5, "status": "running"}}
    result = plant.send(
        b"{not json", b"[1, 2]", good,
        {"ts": plant.at(2), "values": {"speed": "fast"}},
        {"ts": plant.at(3), "values": {"no_such_tag": 1, "hyd_pressure": 16.1}},
        {"ts": "2099-01-01T00:00:00+08:00", "values": {"speed": 1}},
        {"ts": "yesterday", "values": {"speed": 1}},
        {"ts": "0266-04-23T03:32:59-21:31", "values": {"speed": 1}},  # found by schemathesis: PostgreSQL refuses it
        {"ts": -86400 * 365 * 100, "values": {"speed": 1}},
        {"ts": plant.at(4), "values": {"speed": 99999}},
        {"ts": plant.at(5), "values": {}},
        b"{" + b" " * MAX_PAYLOAD + b"}",
    )
    reasons = " | ".join(DeadLetter.objects.values_list("reason", flat=True))
    for expected in ("not JSON", "JSON object", "needs a number", "unknown tag", "future", "ISO 8601",
                     "outside its valid range", "non-empty", "over the", "±14:00", "before 1970"):
        assert expected in reasons, expected
    assert result.dead_letters == DeadLetter.objects.count() == 11
    assert Sample.objects.count() == 3  # speed and status at 1 s, hyd_pressure at 3 s
    unknown = plant.send({"ts": plant.at(6), "values": {"speed": 1}}, line="NOPE")
    assert unknown.dead_letters == 1 and "unknown line" in DeadLetter.objects.first().reason


def test_redelivery_adds_nothing_and_conflicts_are_dead_letters(plant):
    messages = simulate(plant, 30)
    first = plant.pipeline.process(messages)
    again = plant.pipeline.process(messages[10:])
    assert again.samples == 0 and again.duplicates == sum(
        len(json.loads(m.payload)["values"]) for m in messages[10:]) and again.dead_letters == 0
    assert Sample.objects.count() == first.samples
    conflict = plant.send({"ts": plant.at(5), "values": {"hyd_pressure": 1.0}})
    late = plant.send({"ts": plant.at(5.5), "values": {"hyd_pressure": 16.0}})
    assert conflict.dead_letters == 1 and "conflicting duplicate" in conflict.reasons[0]
    assert late.dead_letters == 1 and "out of order" in late.reasons[0]
    assert Sample.objects.count() == first.samples


def test_duplicate_inside_one_batch_is_taken_once(plant):
    body = {"ts": plant.at(1), "values": {"speed": 2.5}}
    result = plant.send(body, body)
    assert (result.samples, result.duplicates) == (1, 1)


def test_http_source_needs_the_line_in_the_body(plant):
    result = plant.pipeline.process([Message(b'{"ts": "%s", "values": {"speed": 1}}' % plant.at(1).encode(), "",
                                             "http")])
    assert result.dead_letters == 1 and "no line" in result.reasons[0]
    ok = plant.pipeline.process([Message(b'{"line": "FT-BAR1", "ts": "%s", "values": {"speed": 1}}'
                                         % plant.at(1).encode(), "", "http")])
    assert ok.samples == 1


def test_retention_removes_only_what_is_older_than_configured(plant, settings):

    from django.core.management import call_command

    settings.TELEMETRY_RAW_DAYS, settings.TELEMETRY_ROLLUP_DAYS = 1, 2
    old, recent = plant.start - timedelta(days=3), plant.start
    plant.send({"ts": old.isoformat(), "values": {"speed": 1.0}}, {"ts": recent.isoformat(), "values": {"speed": 2.0}})
    plant.send(b"{bad")
    DeadLetter.objects.update(received_at=old)
    call_command("prune_telemetry", stdout=StringIO())
    assert list(Sample.objects.values_list("value", flat=True)) == [2.0]
    assert MinuteRollup.objects.count() == 1 and DeadLetter.objects.count() == 0


def test_texts_and_numbers_are_stored_exactly_as_sent(plant):
    """The COPY rows are packed by hand on PostgreSQL: a tab, newline, backslash or quote in a text value and a
    number's last digit must come back unchanged, and a repeated time in one batch is a duplicate."""
    awkward = 'A\tB\\C\nD\r"E\\N'
    result = plant.send({"ts": plant.at(1), "values": {"grade": awkward, "hyd_pressure": 16.123456789012345,
                                                       "speed": 1e-7}},
                        {"ts": plant.at(1), "values": {"grade": awkward}})
    assert (result.samples, result.duplicates, result.dead_letters) == (3, 1, 0)
    stored = {s.tag.code: (s.value, s.text) for s in Sample.objects.select_related("tag")}
    assert stored == {"grade": (None, awkward), "hyd_pressure": (16.123456789012345, ""), "speed": (1e-7, "")}
    assert LiveSnapshot.objects.get(line=plant.line).grade == awkward


def test_times_and_multibyte_texts_are_stored_exactly_as_sent(plant):
    """PostgreSQL's rows are packed for a binary COPY: a time is microseconds since 2000 in UTC and a text is its
    UTF-8 length and bytes. A time with microseconds at another offset, and Chinese texts as long as their columns
    hold (a spec 40 characters, a status-less text tag 60), come back as sent."""
    moment = (plant.start + timedelta(seconds=2, microseconds=123457)).astimezone(
        timezone.get_fixed_timezone(-330))  # UTC−05:30
    spec = "螺纹钢" * 13 + "钢"
    grade = "\x01\x1f🔥" * 13 + "钢"  # control characters and a 4-byte character: 40 characters, 118 bytes
    result = plant.send({"ts": moment.isoformat(), "values": {"spec": spec, "grade": grade, "speed": -0.0}})
    assert (result.samples, result.dead_letters) == (3, 0)
    stored = {s.tag.code: (s.ts, s.value, s.text) for s in Sample.objects.select_related("tag")}
    assert stored == {"spec": (moment, None, spec), "grade": (moment, None, grade), "speed": (moment, -0.0, "")}
    assert LiveSnapshot.objects.get(line=plant.line).spec == spec
    assert stored["spec"][0].microsecond == 123457


def test_a_role_text_longer_than_its_snapshot_column_is_a_dead_letter_with_its_reason(plant):
    """A heat number, grade or spec is kept in the snapshot and the heat (40 characters): a 41-character one is
    refused with the limit on both backends (PostgreSQL had refused the whole line's batch with a column error),
    and the message's other values are kept."""
    result = plant.send({"ts": plant.at(1), "values": {"heat": "H" * 41, "speed": 1.5}})
    assert (result.samples, result.dead_letters) == (1, 1)
    assert "heat needs a text of at most 40 characters" in result.reasons[0]
    assert list(Sample.objects.values_list("tag__code", flat=True)) == ["speed"]
    assert not Heat.objects.filter(number__startswith="HHH").exists()
