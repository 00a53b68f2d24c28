"""Ingest streams a line's samples into an open COPY while it takes the readings (PostgreSQL): a heat change, a
stop and its cause, each needing a query meanwhile, must leave exactly what taking the batch whole leaves."""

import faulthandler
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum

from wanghua.industry.models import AlarmEvent, AlarmState, DeadLetter, Heat, LiveSnapshot, MinuteRollup, Sample, Stop
from wanghua.industry.telemetry import writer
from wanghua.industry.telemetry.pipeline import Pipeline

from .conftest import simulate


class _Undo(Exception):
    pass


def _stored(line) -> dict:
    return {
        "samples": list(Sample.objects.filter(tag__line=line).values("tag_id").order_by("tag_id")
                        .annotate(n=Count("pk"), total=Sum("value"), texts=Count("text"))),
        "minutes": list(MinuteRollup.objects.filter(tag__line=line).values("tag_id").order_by("tag_id")
                        .annotate(n=Sum("n"), total=Sum("total"))),
        "heats": list(Heat.objects.filter(line=line).order_by("number").values_list(
            "number", "grade", "spec", "started_at", "ended_at", "pieces")),
        "stops": list(Stop.objects.filter(line=line).order_by("started_at").values_list(
            "started_at", "ended_at", "kind", "location_id", "min_temperature", "by_fault")),
        "events": list(AlarmEvent.objects.filter(line=line).order_by("at", "definition_id", "kind").values_list(
            "definition_id", "at", "kind", "value", "equipment_id")),
        "states": list(AlarmState.objects.filter(line=line).order_by("definition_id").values_list(
            "definition_id", "active", "acked", "pending_since", "clearing_since", "last_value")),
        "snapshot": LiveSnapshot.objects.filter(line=line).values_list("values", "heat", "count", "status").get(),
        "dead letters": DeadLetter.objects.count(),
    }


def _take(plant, messages, chunk: int, monkeypatch) -> tuple[dict, int]:
    """Everything the messages leave, in batches of 300, with COPY chunks of `chunk` lines; and how often a
    query had to end an open COPY."""
    monkeypatch.setattr(writer, "COPY_CHUNK", chunk)
    paused_open = 0
    pause = writer.SampleWriter.pause

    def counted(self):
        nonlocal paused_open
        paused_open += self._open is not None
        pause(self)

    monkeypatch.setattr(writer.SampleWriter, "pause", counted)
    pipeline = Pipeline()
    for start in range(0, len(messages), 300):
        assert pipeline.process(messages[start:start + 300]).dead_letters == 0
    return _stored(plant.line), paused_open


def test_streamed_samples_leave_what_the_whole_batch_leaves(plant, monkeypatch):
    messages = simulate(plant, 1500, fault_every=timedelta(minutes=5), heat_every=timedelta(minutes=6))
    with pytest.raises(_Undo), transaction.atomic():
        whole, _ = _take(plant, messages, 10**9, monkeypatch)
        raise _Undo
    faulthandler.dump_traceback_later(300, exit=True)  # a query left waiting on the open COPY hangs, not fails
    try:
        streamed, paused_open = _take(plant, messages, 1, monkeypatch)
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert len(streamed["heats"]) >= 4 and len(streamed["stops"]) >= 2 and streamed["events"]
    assert sum(row["n"] for row in streamed["samples"]) > 40_000
    assert streamed == whole
    if connection.vendor == "postgresql":  # each heat change and stop ended an open COPY for its query
        assert paused_open >= len(streamed["heats"]) - 1
